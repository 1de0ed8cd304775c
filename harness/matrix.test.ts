// A run on two runtimes, end to end but small (micro and the traceback matrix, callbacks only): the
// second runtime is a wrapper script that logs every start and then runs this Node, so the test can
// count that every measured child of its part of the run went through it. Needs the build.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeView } from '../reports/runtimes.js';
import { parseResults } from '../reports/schema.js';
import { combineRuntimes, runMatrix } from './matrix.js';
import { liveChildren } from './processes.js';
import { currentRuntime, type Runtime } from './runtimes.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rosetta-matrix-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A "Node 99" that is this Node behind a script writing each command line it starts to `log`. */
function wrapper(log: string): Runtime {
  const binary = path.join(work, 'node-wrapper');
  writeFileSync(binary, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(binary, 0o755);
  return { version: process.version.replace(/^v\d+/, 'v99'), v8: process.versions.v8, binary, source: 'a test wrapper of the current Node' };
}

describe('runMatrix', () => {
  it('runs every measured child of a runtime on its binary and writes each runtime and the combination', async () => {
    const log = path.join(work, 'starts.log');
    writeFileSync(log, '');
    const current = await currentRuntime();
    const out = path.join(work, 'out');
    const sink = new PassThrough().resume();
    const exit = await runMatrix(
      { scenarios: ['micro', 'tracebacks'], styles: ['callbacks'], quick: true, repeats: 1, seed: 7, out },
      [current, wrapper(log)],
      { stdout: sink, stderr: sink },
    );
    expect(exit).toBe(0);
    expect(liveChildren()).toEqual([]);

    const starts = readFileSync(log, 'utf8').trim().split('\n');
    const count = (entry: string): number => starts.filter((line) => line.includes(`dist/harness/child/${entry}.js`)).length;
    expect(count('micro')).toBe(1);
    expect(count('trace-case')).toBe(6);
    expect(starts).toHaveLength(7);

    const major = process.version.replace(/^v/, '').split('.')[0];
    const own = (folder: string): string => path.join(out, folder, 'results.json');
    expect(parseResults(readFileSync(own(`node-${major}`), 'utf8')).environment.node).toBe(process.version);
    expect(parseResults(readFileSync(own('node-99'), 'utf8')).environment.node).toBe(current.version.replace(/^v\d+/, 'v99'));
    const combined = parseResults(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(combined.environment.node).toBe(process.version);
    expect(combined.runtimes?.map((run) => run.environment.node)).toEqual([process.version, process.version.replace(/^v\d+/, 'v99')]);
    // The same Node twice: nothing may read as a change of runtime.
    expect(runtimeView(combined)?.changes).toEqual([]);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(`Node ${process.version.replace(/^v\d+/, '99').slice(0)}`);
  });
});

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
