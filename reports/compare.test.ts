// The regression decision on synthetic results with known answers: no change, clear shifts in each
// direction, too few samples, a threshold that swallows a significant but small change, merged runs
// (merging itself: harness/merge.test.ts; the renderers: compare-format.test.ts). The interval test
// reuses R's documented sleep-data example (see harness/stats/two-groups.test.ts).
import { describe, expect, it } from 'vitest';
import { type Metric, type Results } from '../harness/schema.js';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { compareResults, starsFor } from './compare.js';
import { formatComparison } from './compare-format.js';
import { CompareInputError, type CompareOptions } from './comparison.js';
import { mergeResults } from '../harness/merge.js';

const OPTIONS: CompareOptions = { threshold: 5, alpha: 0.05 };
const NOISE = [1, 1.01, 0.99, 1.005, 0.995, 1.002, 0.998];
const around = (centre: number, noise: readonly number[] = NOISE): number[] => noise.map((x) => x * centre);

function only(base: Metric, head: Metric, options: CompareOptions = OPTIONS) {
  const comparison = compareResults(results([base]), results([head]), options);
  expect(comparison.rows).toHaveLength(1);
  return comparison.rows[0]!;
}

describe('compareResults: verdicts', () => {
  it('equal samples are the same, with p = 1 and no stars', () => {
    const row = only(metric('echo.rps', 'higher', around(1000)), metric('echo.rps', 'higher', around(1000)));
    expect(row.verdict).toBe('same');
    expect(row.changePercent).toBeCloseTo(0, 12);
    expect(row.pValue).toBeCloseTo(1, 12);
    expect(row.stars).toBe('');
  });

  it('throughput down 20% is a regression with a negative change', () => {
    const row = only(metric('echo.rps', 'higher', around(1000)), metric('echo.rps', 'higher', around(800)));
    expect(row.verdict).toBe('regression');
    expect(row.changePercent).toBeCloseTo(-20, 6);
    expect(row.stars).toBe('***');
    expect(row.ci95Percent![0]).toBeLessThan(-20);
    expect(row.ci95Percent![1]).toBeGreaterThan(-20);
    expect(row.base.median).toBeCloseTo(1000, 6);
    expect(row.head.median).toBeCloseTo(800, 6);
  });

  it('throughput up 20% is an improvement, not a regression', () => {
    const row = only(metric('echo.rps', 'higher', around(1000)), metric('echo.rps', 'higher', around(1200)));
    expect(row.verdict).toBe('improvement');
    expect(row.changePercent).toBeCloseTo(20, 6);
  });

  it('latency up is a regression, latency down an improvement', () => {
    const base = metric('echo.latency_p99', 'lower', around(2));
    expect(only(base, metric('echo.latency_p99', 'lower', around(2.5))).verdict).toBe('regression');
    expect(only(base, metric('echo.latency_p99', 'lower', around(1.5))).verdict).toBe('improvement');
  });

  it('memory per connection up is a regression', () => {
    const base = metric('memory.echo_idle.slope', 'lower', around(4096), { unit: 'B/connection', scenario: 'echo' });
    const head = metric('memory.echo_idle.slope', 'lower', around(6144), { unit: 'B/connection', scenario: 'echo' });
    const row = only(base, head);
    expect(row.verdict).toBe('regression');
    expect(row.changePercent).toBeCloseTo(50, 6);
  });

  it('fewer than 2 samples on the base side is untested, never a regression, whatever the change', () => {
    const row = only(metric('echo.rps', 'higher', [1000]), metric('echo.rps', 'higher', around(10)));
    expect(row.verdict).toBe('untested');
    expect(row.note).toMatch(/fewer than 2 independent samples \(base 1, head 7\)/);
    expect(row.pValue).toBeNull();
    expect(row.changePercent).toBeCloseTo(-99, 2);
    const comparison = compareResults(results([metric('echo.rps', 'higher', [])]), results([metric('echo.rps', 'higher', [5])]), OPTIONS);
    expect(comparison.rows[0]!.verdict).toBe('untested');
    expect(comparison.rows[0]!.base.median).toBeNull();
    expect(comparison.falsePositives.comparisons).toBe(0);
  });

  it('respects the threshold: a significant 2% drop is the same at 5% and a regression at 1%', () => {
    const tight = [1, 1.0001, 0.9999, 1.00005, 0.99995];
    const base = metric('echo.rps', 'higher', around(1000, tight));
    const head = metric('echo.rps', 'higher', around(980, tight));
    const at5 = only(base, head);
    expect(at5.stars).toBe('***');
    expect(at5.verdict).toBe('same');
    expect(only(base, head, { ...OPTIONS, threshold: 1 }).verdict).toBe('regression');
  });

  it('a large change that is not significant is inconclusive: the interval still holds large changes', () => {
    const wild = [0.5, 1.5, 0.7, 1.3, 1];
    const row = only(metric('echo.rps', 'higher', around(1000, wild)), metric('echo.rps', 'higher', around(900, wild)));
    expect(row.changePercent).toBeCloseTo(-10, 6);
    expect(row.pValue!).toBeGreaterThan(0.05);
    expect(row.verdict).toBe('inconclusive');
    expect(row.note).toMatch(/beyond ±5%/);
    // The row says how large a change it could have seen: far more than the 10% that happened.
    expect(row.mdcPercent!).toBeGreaterThan(10);
  });

  it('a change that is not significant but whose interval lies within the threshold is the same', () => {
    const steady = [1, 1.001, 0.999, 1.0005, 0.9995];
    const row = only(metric('echo.rps', 'higher', around(1000, steady)), metric('echo.rps', 'higher', around(1000, [...steady].reverse().map((x) => x * 1.0001))));
    expect(row.pValue!).toBeGreaterThan(0.05);
    expect(row.ci95Percent![0]).toBeGreaterThan(-5);
    expect(row.ci95Percent![1]).toBeLessThan(5);
    expect(row.verdict).toBe('same');
  });

  it('alpha decides significance: R’s t.test(log(c(2, 2.4, 2.9)), log(c(5, 5, 5))) has p = 0.0208', () => {
    const base = metric('echo.cpu_us_per_req', 'lower', [5, 5, 5]);
    const head = metric('echo.cpu_us_per_req', 'lower', [2, 2.4, 2.9]);
    const row = only(base, head);
    expect(row.test).toBe('welch-log');
    expect(row.pValue).toBeCloseTo(0.0208247763329252, 10);
    expect(row.verdict).toBe('improvement');
    expect(row.stars).toBe('*');
    expect(only(base, head, { ...OPTIONS, alpha: 0.01 }).verdict).toBe('inconclusive');
  });

  it('two different constants are certainly different; two equal constants certainly not', () => {
    const worse = only(metric('workflow.rps', 'higher', [10, 10]), metric('workflow.rps', 'higher', [8, 8, 8]));
    expect(worse).toMatchObject({ verdict: 'regression', pValue: 0, stars: '***' });
    expect(worse.ci95Percent![0]).toBeCloseTo(-20, 10);
    expect(worse.ci95Percent![1]).toBeCloseTo(-20, 10);
    expect(only(metric('workflow.rps', 'higher', [10, 10]), metric('workflow.rps', 'higher', [10, 10, 10])).verdict).toBe('same');
  });

  it('a base mean of 0 has no percent change; a significant change is beyond any threshold', () => {
    const row = only(metric('leaks', 'lower', [0, 0, 0]), metric('leaks', 'lower', [3, 3, 3]), { ...OPTIONS, threshold: 1e9 });
    expect(row.changePercent).toBeNull();
    expect(row.test).toBe('welch');
    expect(row.mdcPercent).toBeNull();
    expect(row.verdict).toBe('regression');
  });

  it('a metric whose unit or direction changed is untested, not compared across definitions', () => {
    const row = only(metric('echo.rps', 'higher', around(1000)), metric('echo.rps', 'lower', around(500), { unit: 'req/s' }));
    expect(row.verdict).toBe('untested');
    expect(row.note).toMatch(/definition changed/);
  });
});

describe('compareResults: the interval of the change', () => {
  it('is R’s Welch interval for the sleep data (values below 0: the raw scale), in percent of the base mean', () => {
    // Base = group 1 (mean 0.75), head = group 2 (mean 2.33). R's interval of group1 - group2 is
    // [-3.3654832, 0.2054832], so head - base lies in [-0.2054832, 3.3654832]; over 0.75, times 100:
    const base = metric('x', 'higher', [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]);
    const head = metric('x', 'higher', [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]);
    const row = only(base, head);
    expect(row.changePercent).toBeCloseTo((1.58 / 0.75) * 100, 8);
    expect(row.ci95Percent![0]).toBeCloseTo((-0.2054832 / 0.75) * 100, 3);
    expect(row.ci95Percent![1]).toBeCloseTo((3.3654832 / 0.75) * 100, 3);
    expect(row.pValue).toBeCloseTo(0.07939, 5);
    expect(row.df).toBeCloseTo(17.776, 3);
    expect(row.stars).toBe('');
    expect(row.test).toBe('welch');
    expect(row.verdict).toBe('inconclusive');
  });

  it('never reaches below -100% for a positive quantity, however skewed the samples', () => {
    const row = only(metric('echo.p99_us', 'lower', [40, 45, 900]), metric('echo.p99_us', 'lower', [41, 44, 50]));
    expect(row.ci95Percent![0]).toBeGreaterThan(-100);
  });
});

describe('compareResults: matching, filters, warnings', () => {
  const base = results([
    metric('echo.rps', 'higher', around(1000)),
    metric('echo.rps', 'higher', around(1000), { kind: 'ratio', style: 'rxjs', unit: '×' }),
    metric('gone', 'higher', around(1)),
  ]);
  const head = results([
    metric('echo.rps', 'higher', around(700)),
    metric('echo.rps', 'higher', around(1000), { kind: 'ratio', style: 'rxjs', unit: '×' }),
    metric('new', 'lower', around(1)),
  ]);

  it('matches by id and lists the metrics that exist on one side only', () => {
    const c = compareResults(base, head, OPTIONS);
    expect(c.rows.map((row) => row.id)).toEqual(['echo.rps|style=callbacks', 'echo.rps|style=rxjs']);
    expect(c.onlyInBase).toEqual(['gone|style=callbacks']);
    expect(c.onlyInHead).toEqual(['new|style=callbacks']);
    expect(c.counts).toEqual({ regression: 1, improvement: 0, same: 1, inconclusive: 0, untested: 0, 'not gated': 0 });
  });

  it('keeps only the requested kinds and the ids that match the filter', () => {
    const ratio = compareResults(base, head, { ...OPTIONS, kinds: ['ratio'] });
    expect(ratio.rows.map((row) => row.style)).toEqual(['rxjs']);
    expect(ratio.counts.regression).toBe(0);
    const filtered = compareResults(base, head, { ...OPTIONS, filter: /style=callbacks/g });
    expect(filtered.rows.map((row) => row.style)).toEqual(['callbacks']);
    expect(filtered.onlyInBase).toEqual(['gone|style=callbacks']);
    expect(filtered.options.filter).toBe('style=callbacks');
  });

  it('expects tested × 0.05, 0.01, 0.001 false positives, as compare.R prints them', () => {
    const many = (centre: number): Metric[] =>
      Array.from({ length: 40 }, (_, i) => metric('m', 'higher', around(centre), { params: { i } }));
    const c = compareResults(results(many(1)), results([...many(1), metric('m', 'higher', [1], { params: { i: 99 } })]), OPTIONS);
    expect(c.falsePositives).toEqual({ comparisons: 40, p05: 2, p01: 0.4, p001: 0.04, atAlpha: 2 });
  });

  it('warns, without failing, when the environments differ or a side recorded failures', () => {
    expect(compareResults(base, head, OPTIONS).warnings).toEqual([]);
    const other = results(head.metrics, { node: 'v22.1.0', cores: 8 }, {
      failures: [{ what: 'echo.throughput style=rxjs', reason: 'timeout', message: 'no answer', stderrTail: '' }],
    });
    const warnings = compareResults(base, other, OPTIONS).warnings.join('\n');
    expect(warnings).toMatch(/node is "v20.20.2" in base, "v22.1.0" in head/);
    expect(warnings).toMatch(/cores is 2 in base, 8 in head/);
    expect(warnings).toMatch(/--kind ratio/);
    expect(warnings).toMatch(/head recorded 1 failure: echo.throughput style=rxjs \(timeout\)/);
  });

  it('refuses a file that measures one id twice, naming the side', () => {
    const twice = results([metric('echo.rps', 'higher', [1, 2]), metric('echo.rps', 'higher', [1, 2])]);
    expect(() => compareResults(base, twice, OPTIONS)).toThrow(CompareInputError);
    expect(() => compareResults(twice, head, OPTIONS)).toThrow(/appears twice/);
  });
});

describe('starsFor', () => {
  it('uses compare.R’s fixed levels', () => {
    expect(starsFor(0.0009)).toBe('***');
    expect(starsFor(0.001)).toBe('**');
    expect(starsFor(0.009)).toBe('**');
    expect(starsFor(0.01)).toBe('*');
    expect(starsFor(0.049)).toBe('*');
    expect(starsFor(0.05)).toBe('');
  });
});

describe('compareResults: the unit, the family, the machine', () => {
  it('averages repeats that shared a process pair into one unit per run (merged files of an older harness)', () => {
    const shared = { mode: 'quick' };
    // Two runs a side, three repeats each that shared one process: 2 units a side, not 6.
    const side = (centre: number): Results =>
      mergeResults([0.99, 1.01].map((k) => results([metric('echo.rps', 'higher', around(centre * k, [1, 1.001, 0.999]))], {}, { config: shared })));
    const c = compareResults(side(1000), side(1000), OPTIONS);
    expect(c.rows[0]!.base).toMatchObject({ n: 6, units: 2 });
    expect(c.rows[0]!.head.units).toBe(2);
    expect(c.warnings.join('\n')).not.toMatch(/shared a process pair/);
  });

  it('says when a single run’s repeats shared a process pair and are tested as if independent', () => {
    const old = (centre: number): Results => results([metric('echo.rps', 'higher', around(centre))], {}, { config: { mode: 'quick' } });
    const c = compareResults(old(1000), old(1000), OPTIONS);
    expect(c.rows[0]!.note).toMatch(/shared a process pair/);
    expect(c.warnings.join('\n')).toMatch(/p-values are too small there/);
  });

  it('holds the family-wise error: twenty rows at p ≈ 0.02 each are no longer significant after Holm', () => {
    const rows = (head: boolean): Metric[] =>
      Array.from({ length: 20 }, (_, i) => metric('echo.cpu_us_per_req', 'lower', head ? [2, 2.4, 2.9] : [5, 5, 5], { params: { i } }));
    const c = compareResults(results(rows(false)), results(rows(true)), OPTIONS);
    expect(c.rows.every((row) => row.pValue! < 0.05)).toBe(true);
    expect(c.rows.every((row) => row.pAdjusted! > 0.05)).toBe(true);
    expect(c.counts.improvement).toBe(0);
    // Alone, the same row is an improvement.
    expect(compareResults(results(rows(false).slice(0, 1)), results(rows(true).slice(0, 1)), OPTIONS).counts.improvement).toBe(1);
  });

  it('compares absolute figures only within one machine class; ratios always', () => {
    const both = (centre: number): Metric[] => [
      metric('echo.cpu_us_per_req', 'lower', around(centre)),
      metric('echo.cpu_us_per_req.ratio', 'lower', around(1.5), { kind: 'ratio', unit: 'x baseline' }),
    ];
    const other = compareResults(results(both(10)), results(both(20), { cpuModel: 'Faster CPU' }), OPTIONS);
    expect(other.sameMachine).toBe(false);
    expect(other.rows.map((row) => row.verdict)).toEqual(['untested', 'same']);
    expect(other.rows[0]!.note).toMatch(/another machine class/);
    const same = compareResults(results(both(10)), results(both(20), { osRelease: '6.2.0' }), OPTIONS);
    expect(same.sameMachine).toBe(true);
    expect(same.rows[0]!.verdict).toBe('regression');
  });
});

describe('compareResults: a figure measured once per run', () => {
  it('tests one head sample against what the base runs predict for one more (a memory slope)', () => {
    const base = metric('memory.echo_idle.bytes_per_conn', 'lower', [1200, 1201, 1199, 1200.5], { unit: 'B/connection' });
    const same = compareResults(results([base]), results([metric('memory.echo_idle.bytes_per_conn', 'lower', [1200.2], { unit: 'B/connection' })]), OPTIONS);
    expect(same.rows[0]).toMatchObject({ test: 'prediction-log', verdict: 'same' });
    const worse = compareResults(results([base]), results([metric('memory.echo_idle.bytes_per_conn', 'lower', [1500], { unit: 'B/connection' })]), OPTIONS);
    expect(worse.rows[0]).toMatchObject({ test: 'prediction-log', verdict: 'regression' });
    expect(worse.rows[0]!.changePercent).toBeCloseTo(25, 0);
  });
});

describe('compareResults: instruction counts share one noise level', () => {
  const styles = ['callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect'];
  const counts = (centre: number, spread: readonly number[]): number[] => spread.map((x) => centre * x);
  const side = (head: boolean, slower?: string): Metric[] =>
    styles.map((style, i) =>
      metric('echo.instructions_per_req.ratio', 'lower', counts((1 + i / 10) * (head && style === slower ? 1.1 : 1), head ? [1.004, 0.995, 1.001] : [1, 1.008, 0.993, 0.999, 1.006, 0.996]), {
        style,
        kind: 'ratio',
        unit: 'x baseline',
      }),
    );

  it('tests each row with the variance pooled over all rows and sides, so three head samples can decide', () => {
    const c = compareResults(results(side(false)), results(side(true, 'rxjs')), { threshold: 5, alpha: 0.01 });
    expect(c.rows).toHaveLength(styles.length);
    for (const row of c.rows) expect(row.test).toBe('pooled-log');
    // 7 rows x (5 + 2) degrees of freedom: the noise is known well even though each row has 3 + 6 samples.
    expect(c.rows[0]!.df).toBe(49);
    const rxjs = c.rows.find((row) => row.style === 'rxjs')!;
    expect(rxjs.verdict).toBe('regression');
    expect(rxjs.changePercent).toBeGreaterThan(9);
    expect(c.rows.filter((row) => row.verdict === 'regression')).toHaveLength(1);
    expect(c.rows.filter((row) => row.style !== 'rxjs').every((row) => row.verdict === 'same')).toBe(true);
  });

  it('is not pooled for other metrics: three samples a side stay under Welch', () => {
    const c = compareResults(results([metric('echo.rps', 'higher', [1, 1.01, 0.99])]), results([metric('echo.rps', 'higher', [1.0, 1.02, 0.98])]), OPTIONS);
    expect(c.rows[0]!.test).toBe('welch-log');
  });
});

describe('compareResults: merged runs', () => {
  const run = (samples: number[], more: Partial<Metric> = {}, durationMs = 100): Results =>
    results([metric('echo.rps', 'higher', samples, more), metric('echo.rps', 'higher', samples.map((x) => x * 2), { style: 'rxjs' })], {}, {
      durationMs,
    });

  it('feeds compareResults: five single-sample runs per side become a testable comparison', () => {
    const side = (centre: number): Results => mergeResults(around(centre).slice(0, 5).map((x) => run([x])));
    const c = compareResults(side(1000), side(750), OPTIONS);
    expect(c.rows.map((row) => row.verdict)).toEqual(['regression', 'regression']);
  });
});

describe('compareResults: rows left out of the gate', () => {
  const gated = (centre: number): Metric => metric('echo.instructions_per_req.ratio', 'lower', around(centre), { kind: 'ratio', unit: 'x baseline' });
  const active = (centre: number): Metric => metric('memory.echo_active.bytes_per_conn.ratio', 'lower', around(centre), { kind: 'ratio', unit: 'x baseline' });
  const options: CompareOptions = {
    ...OPTIONS,
    filter: /^echo\.instructions_per_req\.ratio\|/,
    notGated: [{ filter: /^memory\.echo_active\./, reason: 'too unsteady to gate' }],
  };

  it('are tested and printed, but a regression there is not a regression of the comparison', () => {
    const c = compareResults(results([gated(1), active(2)]), results([gated(1), active(3)]), options);
    const row = c.rows.find((r) => r.name === 'memory.echo_active.bytes_per_conn.ratio')!;
    expect(row.verdict).toBe('not gated');
    expect(row.note).toBe('too unsteady to gate');
    // Printed once as `not gated: <reason>`, not with the words twice.
    const text = formatComparison(c, 'text');
    expect(text).toContain('not gated: too unsteady to gate');
    expect(text).not.toContain('not gated: not gated');
    expect(row.changePercent).toBeCloseTo(50, 6);
    expect(row.pValue).toBeLessThan(0.001);
    expect(row.pAdjusted).toBeNull();
    expect(c.counts).toMatchObject({ regression: 0, 'not gated': 1, same: 1 });
    // Holm's family is the gated rows alone.
    expect(c.falsePositives.comparisons).toBe(1);
    expect(c.options.notGated).toEqual([{ filter: '^memory\\.echo_active\\.', reason: 'too unsteady to gate' }]);
  });

  it('may be missing from the head without failing it; a gated row may not', () => {
    const lostActive = compareResults(results([gated(1), active(2)]), results([gated(1)]), options);
    expect(lostActive.onlyInBase).toEqual([]);
    const lostGated = compareResults(results([gated(1), active(2)]), results([active(2)]), options);
    expect(lostGated.onlyInBase).toEqual([gated(1).id]);
  });
});
