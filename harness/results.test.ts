// Metric building on synthetic samples: grouping and ids, summaries, `.ratio` twins paired by repeat
// against the right reference, flags merged across samples, and the atomic write of results.json.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { metricId, parseResults, SCHEMA_VERSION, type Results } from './schema.js';
import { buildMetrics, Collector, writeResultsAtomic, type Sample } from './results.js';

const echo = (style: string, repeat: number, value: number, extra?: Sample['extra']): Sample => ({
  name: 'echo.rps',
  scenario: 'echo',
  style,
  params: { size: 1024, connections: 10 },
  unit: 'req/s',
  direction: 'higher',
  repeat,
  value,
  ...(extra !== undefined ? { extra } : {}),
});

const flow = (style: string, repeat: number, value: number): Sample => ({
  name: 'workflow.throughput',
  scenario: 'repos-and-forks',
  style,
  params: { latencyMs: 0, concurrent: 4 },
  unit: 'workflows/s',
  direction: 'higher',
  repeat,
  value,
});

describe('buildMetrics', () => {
  it('groups samples by id in the order taken and summarises them', () => {
    const metrics = buildMetrics([echo('baseline', 0, 100), echo('baseline', 1, 120), echo('baseline', 2, 110)]);
    expect(metrics).toHaveLength(1);
    const [metric] = metrics;
    expect(metric?.id).toBe('echo.rps|style=baseline|connections=10|size=1024');
    expect(metric?.id).toBe(metricId('echo.rps', 'baseline', { size: 1024, connections: 10 }));
    expect(metric?.samples).toEqual([100, 120, 110]);
    expect(metric?.median).toBe(110);
    expect(metric?.kind).toBe('absolute');
    const [low, high] = metric?.ci95 ?? [0, 0];
    expect(low).toBeLessThan(110);
    expect(high).toBeGreaterThan(110);
  });

  it('divides by the baseline of the same repeat, one ratio sample per repeat', () => {
    const metrics = buildMetrics([
      echo('baseline', 0, 100),
      echo('callbacks', 0, 50),
      echo('baseline', 1, 200),
      echo('callbacks', 1, 150),
    ]);
    const twin = metrics.find((metric) => metric.name === 'echo.rps.ratio' && metric.style === 'callbacks');
    expect(twin?.kind).toBe('ratio');
    expect(twin?.id).toBe('echo.rps.ratio|style=callbacks|connections=10|size=1024');
    // 50/100 and 150/200, not mean(callbacks)/mean(baseline) = 100/150.
    expect(twin?.samples).toEqual([0.5, 0.75]);
    expect(twin?.direction).toBe('higher');
    expect(twin?.extra?.reference).toBe('baseline');
    // The reference gets no twin of its own: it would always be 1.
    expect(metrics.some((metric) => metric.name === 'echo.rps.ratio' && metric.style === 'baseline')).toBe(false);
  });

  it('takes the ratio measured against the reference in the same pair when every sample has one, the reference row too', () => {
    const paired = (style: string, repeat: number, value: number, pairedRatio: number): Sample => ({ ...echo(style, repeat, value), pairedRatio });
    const metrics = buildMetrics([
      paired('baseline', 0, 100, 1.02),
      paired('callbacks', 0, 50, 0.55),
      paired('baseline', 1, 200, 0.98),
      paired('callbacks', 1, 150, 0.6),
    ]);
    const twin = metrics.find((metric) => metric.name === 'echo.rps.ratio' && metric.style === 'callbacks');
    // The in-pair ratios, not 50/100 and 150/200 across pairs.
    expect(twin?.samples).toEqual([0.55, 0.6]);
    expect(twin?.unit).toBe('x baseline');
    expect(twin?.extra?.paired).toBe(true);
    // The baseline row was measured against the in-pair reference as well: its twin is the A/A check.
    expect(metrics.find((metric) => metric.name === 'echo.rps.ratio' && metric.style === 'baseline')?.samples).toEqual([1.02, 0.98]);
  });

  it('falls back to the reference of the same repeat when some sample has no in-pair ratio', () => {
    const metrics = buildMetrics([echo('baseline', 0, 100), { ...echo('callbacks', 0, 50), pairedRatio: 0.4 }, echo('callbacks', 1, 60), echo('baseline', 1, 100)]);
    const twin = metrics.find((metric) => metric.name === 'echo.rps.ratio' && metric.style === 'callbacks');
    expect(twin?.samples).toEqual([0.5, 0.6]);
    // It says that one of its repeats had been paired, and that the figure is not the paired one.
    expect(twin?.extra?.paired).toBe(false);
    expect(twin?.extra?.pairedSamples).toBe(1);
    // A metric no repeat of which was paired says nothing of pairing.
    const none = buildMetrics([echo('baseline', 0, 100), echo('callbacks', 0, 50)]).find((metric) => metric.name === 'echo.rps.ratio');
    expect(none?.extra?.paired).toBeUndefined();
    expect(none?.extra?.pairedSamples).toBeUndefined();
  });

  it('skips a repeat whose reference failed instead of pairing it with another repeat', () => {
    const metrics = buildMetrics([echo('baseline', 0, 100), echo('rxjs', 0, 80), echo('rxjs', 1, 90)]);
    const twin = metrics.find((metric) => metric.name === 'echo.rps.ratio');
    expect(twin?.samples).toEqual([0.8]);
    expect(metrics.find((metric) => metric.name === 'echo.rps' && metric.style === 'rxjs')?.samples).toEqual([80, 90]);
  });

  it('divides workflow metrics by callbacks and leaves micro metrics without a twin', () => {
    const metrics = buildMetrics([
      flow('callbacks', 0, 40),
      flow('async-await', 0, 30),
      { name: 'micro.hop_ns', scenario: 'micro', style: 'async-await', params: {}, unit: 'ns', direction: 'lower', repeat: 0, value: 25 },
    ]);
    expect(metrics.find((metric) => metric.name === 'workflow.throughput.ratio')?.samples).toEqual([0.75]);
    expect(metrics.find((metric) => metric.name === 'workflow.throughput.ratio')?.style).toBe('async-await');
    expect(metrics.filter((metric) => metric.name.startsWith('micro.'))).toHaveLength(1);
  });

  it('has no twin when the reference was not measured', () => {
    const metrics = buildMetrics([flow('rxjs', 0, 10), flow('rxjs', 1, 11)]);
    expect(metrics.map((metric) => metric.name)).toEqual(['workflow.throughput']);
  });

  it('keeps a flag raised by any sample and the largest number seen', () => {
    const metrics = buildMetrics([
      echo('baseline', 0, 100, { clientSaturated: true, clientCpuShare: 0.95 }),
      echo('baseline', 1, 100, { clientSaturated: false, clientCpuShare: 0.5 }),
    ]);
    expect(metrics[0]?.extra).toEqual({ clientSaturated: true, clientCpuShare: 0.95 });
  });

  it('refuses samples that disagree on unit and non-finite values', () => {
    expect(() => buildMetrics([echo('baseline', 0, 1), { ...echo('baseline', 1, 1), unit: 'MiB/s' }])).toThrow(/different unit/);
    expect(() => new Collector().add(echo('baseline', 0, Number.NaN))).toThrow(/finite/);
  });
});

describe('writeResultsAtomic', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const results = (durationMs: number): Results => ({
    schemaVersion: SCHEMA_VERSION,
    tool: 'async-rosetta',
    createdAt: new Date(0).toISOString(),
    durationMs,
    environment: {
      node: 'v20', v8: '11', platform: 'linux', osRelease: '6', arch: 'x64', cpuModel: 'test', cores: 2,
      totalMemoryBytes: 1, commit: null, dirty: false, nodeFlags: ['--expose-gc'], pinned: false,
    },
    config: { mode: 'quick' },
    metrics: buildMetrics([echo('baseline', 0, 100), echo('callbacks', 0, 50)]),
    failures: [],
  });

  it('replaces the file whole and leaves no temp file behind', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rosetta-results-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'results.json'), 'old, not JSON');
    const file = writeResultsAtomic(dir, results(1234));
    expect(readdirSync(dir)).toEqual(['results.json']);
    const parsed = parseResults(readFileSync(file, 'utf8'), file);
    expect(parsed.durationMs).toBe(1234);
    expect(parsed.metrics.map((metric) => metric.kind)).toEqual(['absolute', 'absolute', 'ratio']);
  });

  it('creates the folder and, when the write fails, keeps the old file and removes the temp file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rosetta-results-'));
    dirs.push(dir);
    const nested = path.join(dir, 'a', 'b');
    writeResultsAtomic(nested, results(1));
    const cyclic = results(2) as unknown as Record<string, unknown>;
    cyclic.config = cyclic;
    expect(() => writeResultsAtomic(nested, cyclic as unknown as Results)).toThrow();
    expect(readdirSync(nested)).toEqual(['results.json']);
    expect(parseResults(readFileSync(path.join(nested, 'results.json'), 'utf8')).durationMs).toBe(1);
  });
});
