// Combining several runtimes' runs into one results file. The end-to-end run on two runtimes, with
// its reports, is the CLI's (cli/commands/run.test.ts): the harness writes results, the CLI renders.
import { describe, expect, it } from 'vitest';
import { parseResults } from './schema.js';
import { combineRuntimes } from './matrix.js';

describe('combineRuntimes', () => {
  it('keeps the first run at the top level and every run, oldest first, without sources or difficulty', () => {
    const run = (node: string): Parameters<typeof combineRuntimes>[0][number] =>
      parseResults(
        JSON.stringify({
          schemaVersion: 1,
          tool: 'async-rosetta',
          createdAt: '2025-01-01T00:00:00Z',
          durationMs: 1,
          environment: { node, v8: 'x', platform: 'linux', cpuModel: 'cpu', cores: 2, pinned: false },
          config: {},
          metrics: [],
          failures: [],
          sources: [{ style: 'callbacks', scenario: 'echo', path: 'a.ts', text: '' }],
        }),
      );
    const combined = combineRuntimes([run('v24.1.0'), run('v20.9.0'), run('v22.10.0')], 42);
    expect(combined.environment.node).toBe('v24.1.0');
    expect(combined.durationMs).toBe(42);
    expect(combined.sources).toHaveLength(1);
    expect(combined.runtimes?.map((r) => r.environment.node)).toEqual(['v20.9.0', 'v22.10.0', 'v24.1.0']);
    expect(combined.runtimes?.every((r) => r.sources === undefined)).toBe(true);
  });
});
