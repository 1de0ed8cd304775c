// The comparison as text, Markdown and JSON: what a reader sees of a decision made in compare.ts.
import { describe, expect, it } from 'vitest';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { compareResults } from './compare.js';
import type { CompareOptions } from './comparison.js';
import { displayName, formatComparison, formatValue, mdcFigure } from './compare-format.js';

const OPTIONS: CompareOptions = { threshold: 5, alpha: 0.05 };
const NOISE = [1, 1.01, 0.99, 1.005, 0.995, 1.002, 0.998];
const around = (centre: number, noise: readonly number[] = NOISE): number[] => noise.map((x) => x * centre);

describe('formatComparison', () => {
  const base = results([metric('echo.rps', 'higher', around(1000), { params: { size: 1024 } }), metric('one', 'higher', [1])]);
  const head = results([metric('echo.rps', 'higher', around(800), { params: { size: 1024 } }), metric('one', 'higher', [1])], {
    nodeFlags: ['--max-old-space-size=512'],
    childEnv: { MALLOC_TRIM_THRESHOLD_: '268435456' },
  });
  const c = compareResults(base, head, { ...OPTIONS, labels: { base: 'main.json', head: 'pr|1.json' } });

  it('prints a text table with the test, change, CI, raw and Holm p, stars, detectable change, n and the false-positive note', () => {
    const text = formatComparison(c, 'text');
    expect(text).toMatch(/better\s+test\s+change\s+95% CI\s+p\s+p \(Holm\)\s+confidence\s+detectable\s+base \(n\)\s+head \(n\)\s+verdict/);
    expect(text).toMatch(/echo\.rps style=callbacks size=1024\s+higher\s+welch-log\s+-20\.00%\s+\[-\d+\.\d+%, -\d+\.\d+%\]\s+\S+\s+\S+\s+\*\*\*\s+±\d+\.\d%/);
    expect(text).toMatch(/1,?000 req\/s \(7\)\s+800 req\/s \(7\)\s+regression/);
    expect(text).toMatch(/one style=callbacks .*NA .*untested: fewer than 2 independent samples/);
    expect(text).toMatch(/warning: environments differ: node flags/);
    expect(text).toContain('warning: environments differ: child environment is "not recorded" in base, "MALLOC_TRIM_THRESHOLD_=268435456" in head');
    expect(text).toMatch(/In this case, there are 1 comparisons/);
    expect(text).toMatch(/0\.05 false positives, when considering a {3}5% risk acceptance/);
    expect(text).toMatch(/Verdicts read Holm-adjusted p-values/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 regression, 0 improvements, 0 same, 0 inconclusive, 1 untested (of 2 metrics on both sides)');
  });

  it('renders Markdown with one row per metric and escapes pipes', () => {
    const md = formatComparison(c, 'md');
    expect(md).toMatch(/^## async-rosetta comparison: main\.json → pr\\\|1\.json/);
    expect(md).toMatch(/\| `echo\.rps style=callbacks size=1024` \| higher \| welch-log \| -20\.00% \|.*\| \\\*\\\*\\\* \|/);
    expect(md).toMatch(/\| p \| p \(Holm\) \| confidence \| detectable \|/);
    expect(md).toMatch(/^- 0\.05 false positives, when considering a {3}5% risk acceptance \(\\\*, \\\*\\\*, \\\*\\\*\\\*\),$/m);
    expect(md).not.toMatch(/^- $/m);
    expect(md).toMatch(/> \*\*Warning:\*\* environments differ/);
    expect(md.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(2);
  });

  it('renders JSON that reads back as the same comparison', () => {
    const back = JSON.parse(formatComparison(c, 'json')) as typeof c;
    expect(back.counts).toEqual(c.counts);
    expect(back.rows[0]!.changePercent).toBeCloseTo(-20, 6);
  });

  it('formats values to four significant digits with grouped thousands', () => {
    expect(formatValue(1234567.8)).toBe('1,234,568');
    expect(formatValue(12.3456)).toBe('12.35');
    expect(formatValue(0.000123456)).toBe('0.0001235');
    expect(displayName('echo.rps|style=callbacks|size=1024')).toBe('echo.rps style=callbacks size=1024');
  });
});

describe('rows that cannot see a change', () => {
  // One memory slope a run, against three base runs that spread by a factor of three: the prediction
  // interval for one more run is so wide that no realistic change would be significant.
  const slope = (samples: readonly number[]): ReturnType<typeof metric> =>
    metric('memory.echo_active.bytes_per_conn.ratio', 'lower', samples, { kind: 'ratio', unit: 'x baseline' });
  const blind = compareResults(results([slope([1, 3, 9])]), results([slope([2.9])]), { threshold: 5, alpha: 0.01 });

  it('say so in words, with how the row was tested and what would give it power, never a figure', () => {
    const row = blind.rows[0]!;
    expect(row.test).toBe('prediction-log');
    expect(row.blind).toMatch(/^cannot see a change: measured once per run against a prediction interval from 3 base runs; more sweeps per run \(--memory-repeat\) or more base runs/);
    for (const format of ['text', 'md'] as const) {
      const out = formatComparison(blind, format);
      expect(out).toContain('cannot see a change: measured once per run against a prediction interval from 3 base runs');
      // No minimum detectable change printed as a number past the bound (±4,000%, ±7e13%).
      expect(out).not.toMatch(/±\d{3,}|±\d+(\.\d+)?e\+?\d+%|±Infinity/);
      expect(out).toMatch(/ none /);
    }
  });

  it('keep their figure where it is within the bound', () => {
    const seeing = compareResults(results([slope([1, 1.01, 0.99])]), results([slope([1])]), { threshold: 5, alpha: 0.01 });
    expect(seeing.rows[0]!.blind).toBeUndefined();
    expect(formatComparison(seeing, 'text')).toMatch(/±\d+\.\d%/);
  });

  it('a figure past the bound, or not finite, prints as words', () => {
    expect(mdcFigure(3.46)).toBe('±3.5%');
    expect(mdcFigure(50)).toBe('±50.0%');
    for (const value of [50.1, 20326, 7.3e13, Number.POSITIVE_INFINITY, Number.NaN, null]) {
      expect(mdcFigure(value)).toBe('none (above ±50%: cannot see a change)');
    }
  });
});
