// How calibrate turns one gate measurement into an A/A head and an injected head: the slowed
// server's figures take the place of callbacks' in the injected one, and vanish from the A/A one.
import { describe, expect, it } from 'vitest';
import { metricId } from '../../harness/schema.js';
import { testMetric as metric, testResults as results } from '../../test/results-fixture.js';
import { readdirSync } from 'node:fs';
import { FIXTURES, splitCalibrationRun, tunedIterations } from './calibrate.js';

describe('splitCalibrationRun', () => {
  const params = { size: 1024, connections: 10 };
  const head = results([
    metric('echo.cpu_us_per_req', 'lower', [10, 11], { style: 'callbacks', params }),
    metric('echo.cpu_us_per_req', 'lower', [12, 13], { style: 'callbacks+slow', params }),
    metric('echo.cpu_us_per_req', 'lower', [9, 9.5], { style: 'baseline', params }),
    metric('memory.echo_idle.bytes_per_conn', 'lower', [1200, 1201], { style: 'callbacks' }),
  ]);

  it('drops the slowed server from the A/A head', () => {
    const { unchanged } = splitCalibrationRun(head);
    expect(unchanged.metrics.map((m) => m.style)).toEqual(['callbacks', 'baseline', 'callbacks']);
  });

  it('puts the slowed figures under callbacks’ ids in the injected head, and keeps the rest', () => {
    const { injected } = splitCalibrationRun(head);
    const cost = injected.metrics.find((m) => m.id === metricId('echo.cpu_us_per_req', 'callbacks', params));
    expect(cost?.samples).toEqual([12, 13]);
    expect(injected.metrics.filter((m) => m.style === 'callbacks')).toHaveLength(2);
    expect(injected.metrics.some((m) => m.style === 'callbacks+slow')).toBe(false);
  });
});

describe('tunedIterations', () => {
  it('rescales the first guess by the growth it gave in place (84 iterations gave 8.9%: 94 give 10%)', () => {
    expect(tunedIterations(84, 10, 8.9)).toBe(94);
    expect(tunedIterations(200, 10, 20)).toBe(100);
  });
  it('never asks for less than one iteration', () => {
    expect(tunedIterations(1, 1, 500)).toBe(1);
  });
  it('refuses a guess that slowed nothing (no growth, a negative one, or none measured)', () => {
    expect(tunedIterations(84, 10, 0)).toBeUndefined();
    expect(tunedIterations(84, 10, -0.3)).toBeUndefined();
    expect(tunedIterations(84, 10, null)).toBeUndefined();
    expect(tunedIterations(84, 10, Number.NaN)).toBeUndefined();
  });
});

describe('the calibration fixtures', () => {
  it('are where calibrate looks for them, beside this module in source and in dist alike', () => {
    const names = readdirSync(FIXTURES).map((name) => name.replace(/\.(ts|js)$/, ''));
    expect(names).toEqual(expect.arrayContaining(['slow-callbacks', 'work-cost', 'work']));
  });
});
