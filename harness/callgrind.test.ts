// Instruction counting: the dump parser on callgrind's own format, and the instructions scenario end
// to end from the built CLI, under valgrind (installed by .ci/run; skipped elsewhere without it,
// except under CI=true, where a missing valgrind fails).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { instructionsIn } from './callgrind.js';
import { parseResults } from './schema.js';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(path.join(tmpdir(), 'rosetta-callgrind-'));
const hasValgrind = spawnSync('valgrind', ['--version']).status === 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('instructionsIn', () => {
  it("reads the summary line of a callgrind dump, and totals where there is none", () => {
    expect(instructionsIn('version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 152834925\n\nfn=(1) main\n0 5\ntotals: 152834925\n')).toBe(152834925);
    expect(instructionsIn('events: Ir\ntotals: 42\n')).toBe(42);
  });

  it('refuses a file that is not a dump', () => {
    expect(() => instructionsIn('<html>')).toThrow(/neither a summary: nor a totals: line/);
  });
});

describe('rosetta run --scenario instructions', () => {
  it('without valgrind on PATH is bad input: exit 2, one line naming what is missing', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--scenario', 'instructions', '--out', path.join(work, 'none')], {
      cwd: root,
      env: { ...process.env, PATH: '/nonexistent' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--scenario instructions needs valgrind/);
  });

  it.skipIf(!hasValgrind && process.env.CI !== 'true')(
    'counts the instructions per request of the baseline and callbacks servers, with their ratio',
    { timeout: 180_000 },
    () => {
      const out = path.join(work, 'run');
      const r = spawnSync(process.execPath, [cli, 'run', '--quick', '--scenario', 'instructions', '--style', 'callbacks', '--repeat', '1', '--out', out], {
        cwd: root,
        encoding: 'utf8',
        timeout: 170_000,
      });
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const results = parseResults(readFileSync(path.join(out, 'results.json'), 'utf8'), 'results.json');
      const byStyle = (style: string, name = 'echo.instructions_per_req') => results.metrics.find((m) => m.name === name && m.style === style);
      for (const style of ['baseline', 'callbacks']) {
        const m = byStyle(style);
        expect(m?.samples).toHaveLength(1);
        // A 1 KiB echo is thousands of instructions in user space (libuv, V8, the style's JS), not millions.
        expect(m!.samples[0]).toBeGreaterThan(2_000);
        expect(m!.samples[0]).toBeLessThan(500_000);
        expect(m!.extra?.units).toBeGreaterThan(100);
      }
      const ratio = byStyle('callbacks', 'echo.instructions_per_req.ratio');
      expect(ratio?.samples[0]).toBeCloseTo(byStyle('callbacks')!.samples[0]! / byStyle('baseline')!.samples[0]!, 10);
      expect(results.config.instructionsMethod).toMatch(/callgrind/);
    },
  );
});
