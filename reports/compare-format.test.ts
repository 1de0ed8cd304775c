// The comparison as text, Markdown and JSON: what a reader sees of a decision made in compare.ts.
import { describe, expect, it } from 'vitest';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { compareResults } from './compare.js';
import type { CompareOptions } from './comparison.js';
import { displayName, formatComparison, formatValue } from './compare-format.js';

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
