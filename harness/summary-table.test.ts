// The run's summary table: one row a measured style (the baseline first), '-' where a figure is
// missing, and a line per failure pointing at the file that records it.
import { describe, expect, it } from 'vitest';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { printSummary, summaryTable } from './summary-table.js';

const cell = { size: 1024, connections: 10 };

describe('summaryTable', () => {
  it('puts the baseline first at 1.00 and shows each style against it', () => {
    const table = summaryTable(
      results([
        metric('echo.rps', 'higher', [2000], { style: 'baseline', params: cell }),
        metric('echo.rps', 'higher', [1500], { params: cell }),
        metric('echo.rps.ratio', 'higher', [0.75], { params: cell, kind: 'ratio' }),
      ]),
    );
    const [header, rule, baseline, callbacks, ...rest] = table.split('\n');
    expect(header).toMatch(/^style +echo req\/s 1KiB\/10c +x baseline/);
    expect(rule).toMatch(/^-+ +-+/);
    expect(baseline).toMatch(/^baseline +2000 +1\.00 +-/);
    expect(callbacks).toMatch(/^callbacks +1500 +0\.75 +-/);
    expect(rest).toEqual([]);
  });
});

describe('printSummary', () => {
  it('names each failure and the file that records it', () => {
    let out = '';
    const stdout = { write: (text: string) => ((out += text), true) } as unknown as NodeJS.WritableStream;
    const failed = results([metric('echo.rps', 'higher', [1500], { params: cell })], {}, {
      failures: [{ what: 'echo.cost style=rxjs', reason: 'crashed', message: 'exit 1\nmore', stderrTail: '' }],
    });
    printSummary(failed, 'out/results.json', stdout);
    expect(out).toContain('1 measurement(s) failed; see failures in out/results.json');
    expect(out).toContain('  echo.cost style=rxjs: crashed: exit 1\n');
  });
});
