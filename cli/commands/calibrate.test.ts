// How calibrate turns one gate measurement into an A/A head and two injected heads: the changed
// copy's echo figures take the place of callbacks' in one, its memory figures in the other, and it
// vanishes from the A/A one; and how each is judged with the gate's own options.
import { describe, expect, it } from 'vitest';
import { metricId } from '../../harness/schema.js';
import { testMetric as metric, testResults as results } from '../../test/results-fixture.js';
import { readdirSync } from 'node:fs';
import { FIXTURES, judge, splitCalibrationRun, tunedBytes, tunedIterations } from './calibrate.js';
import { gateOptions } from '../../reports/gate.js';

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

  it('puts only the copy’s memory figures under callbacks’ ids in the memory-injected head', () => {
    const withMemory = results([...head.metrics, metric('memory.echo_idle.bytes_per_conn', 'lower', [1500, 1501], { style: 'callbacks+slow' })]);
    const { injectedMemory } = splitCalibrationRun(withMemory);
    const idle = injectedMemory.metrics.find((m) => m.id === metricId('memory.echo_idle.bytes_per_conn', 'callbacks', {}));
    expect(idle?.samples).toEqual([1500, 1501]);
    // The echo figures stay the real callbacks' there.
    expect(injectedMemory.metrics.find((m) => m.id === metricId('echo.cpu_us_per_req', 'callbacks', params))?.samples).toEqual([10, 11]);
  });
});

describe('judge, with the gate’s own options', () => {
  const cell = { size: 1024, connections: 1 };
  const sweep = { maxConnections: 1000 };
  const around = (centre: number, n: number): number[] => [1, 1.002, 0.998, 1.001, 0.999, 1.0005].slice(0, n).map((x) => x * centre);
  const rows = (style: string, instructions: number, idle: number, n: number): ReturnType<typeof metric>[] => [
    metric('echo.instructions_per_req', 'lower', around(instructions, n), { style, params: cell, unit: 'instructions/req' }),
    metric('echo.instructions_per_req.ratio', 'lower', around(instructions / 20_000, n), { style, params: cell, kind: 'ratio', unit: 'x baseline' }),
    metric('memory.echo_idle.bytes_per_conn.ratio', 'lower', around(idle / 1000, Math.min(n, 3)), { style, params: sweep, kind: 'ratio', unit: 'x baseline' }),
  ];
  const baseline = [metric('echo.instructions_per_req', 'lower', around(20_000, 6), { style: 'baseline', params: cell, unit: 'instructions/req' })];
  const base = results([...baseline, ...rows('callbacks', 30_000, 1500, 6), ...rows('rxjs', 50_000, 3000, 6)]);
  const head = results([...baseline.map((m) => ({ ...m, samples: m.samples.slice(0, 2) })), ...rows('callbacks', 30_000, 1500, 2), ...rows('rxjs', 50_000, 3000, 2), ...rows('callbacks+slow', 33_000, 1650, 2)]);

  it('passes the A/A head and detects both injections of +10%', () => {
    const run = judge(base, head, 1, 1000, gateOptions());
    expect(run.falseAlarm).toBe(false);
    expect(run.detected).toBe(true);
    expect(run.detectedMemory).toBe(true);
    expect(run.achievedSlowdownPercent).toBeCloseTo(10, 6);
    expect(run.injectedMemoryRegressions).toEqual([metricId('memory.echo_idle.bytes_per_conn.ratio', 'callbacks', sweep)]);
  });

  it('does not judge memory with --instructions-only', () => {
    const run = judge(base, head, 1, 1000, gateOptions(), false);
    expect(run.detectedMemory).toBeNull();
    expect(run.achievedMemoryPercent).toBeNull();
  });
});

describe('tunedBytes', () => {
  it('moves the held bytes by what the first guess missed, in bytes of this run’s slope', () => {
    // 150 bytes asked for 10% of 1,500 gave 16% (a Buffer's fixed object on top): 90 bytes more were held than asked.
    expect(tunedBytes(150, 10, 16, 1500)).toBe(60);
    expect(tunedBytes(150, 10, 10, 1500)).toBe(150);
  });
  it('never asks for fewer than 0 bytes', () => {
    expect(tunedBytes(10, 1, 50, 1500)).toBe(0);
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
