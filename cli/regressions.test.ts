// The realistic regressions calibrate measures: each patch names its style and what it does, changes
// only that style's folder, applies to this tree as it is, and is judged on that style's rows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STYLE_IDS } from '../styles/adapter.js';
import { compareResults } from '../reports/compare.js';
import { gateOptions } from '../reports/gate.js';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { regressionFixtures, regressionOutcome } from './regressions.js';

const root = path.resolve(import.meta.dirname, '..');
const fixtures = regressionFixtures(root);

describe('the realistic regression fixtures', () => {
  it('are the three the calibration reports, each naming a style of the kit', () => {
    expect(fixtures.map((fixture) => fixture.name)).toEqual(['closure-per-connection', 'copied-buffer-per-chunk', 'microtask-hop-per-chunk']);
    for (const fixture of fixtures) expect(STYLE_IDS).toContain(fixture.style);
  });

  it.each(fixtures)('$name changes only styles/$style and applies to this tree', (fixture) => {
    const touched = [...readFileSync(fixture.file, 'utf8').matchAll(/^\+\+\+ b\/(.+)$/gm)].map((match) => match[1]);
    expect(touched.length).toBeGreaterThan(0);
    for (const file of touched) expect(file).toMatch(new RegExp(`^styles/${fixture.style}/`));
    const check = spawnSync('git', ['apply', '--check', fixture.file], { cwd: root, encoding: 'utf8', timeout: 10_000 });
    expect(check.status, check.stderr).toBe(0);
  });
});

describe('regressionOutcome', () => {
  const cell = { size: 1024, connections: 1 };
  const around = (centre: number): number[] => [1, 1.002, 0.998, 1.001, 0.999, 1.0005].map((x) => x * centre);
  const row = (style: string, centre: number): ReturnType<typeof metric> =>
    metric('echo.instructions_per_req', 'lower', around(centre), { style, params: cell, unit: 'instructions/req' });
  const base = results([row('baseline', 20_000), row('async-await', 40_000), row('rxjs', 50_000)]);
  const fixture = fixtures.find((f) => f.name === 'copied-buffer-per-chunk')!;

  it('reports the changed style’s rows with the change the gate measured, and whether it was caught', () => {
    const head = results([row('baseline', 20_000), row('async-await', 42_680), row('rxjs', 50_000)]);
    const outcome = regressionOutcome(fixture, compareResults(base, head, gateOptions()), 0);
    expect(outcome.caught).toBe(true);
    expect(outcome.rows).toHaveLength(1);
    expect(outcome.rows[0]!.changePercent).toBeCloseTo(6.7, 6);
    expect(outcome.rows[0]!.verdict).toBe('regression');
  });

  it('says it passed when the change is under the threshold', () => {
    const head = results([row('baseline', 20_000), row('async-await', 40_960), row('rxjs', 50_000)]);
    const outcome = regressionOutcome(fixture, compareResults(base, head, gateOptions()), 0);
    expect(outcome.caught).toBe(false);
    expect(outcome.rows[0]!.verdict).toBe('same');
  });
});
