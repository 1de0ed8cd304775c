// The headline cards: a winner only where the test says so, words a reader can use everywhere else,
// instructions first for CPU cost, and never a capacity figure the load client limited.
import { describe, expect, it } from 'vitest';
import type { Metric } from '../harness/schema.js';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { formatInterval } from './format.js';
import { type Headline, headlines } from './headlines.js';

const cell = { size: 1024, connections: 10 };
const cost = (style: string, samples: number[], extra: Record<string, boolean | number> = {}) =>
  metric('echo.cpu_us_per_req', 'lower', samples, { style, params: cell, unit: 'us/req', extra });
const instructions = (style: string, samples: number[]) =>
  metric('echo.instructions_per_req', 'lower', samples, { style, params: { size: 1024, connections: 1 }, unit: 'instr/req' });
const rps = (style: string, samples: number[], saturatedBy: string) => metric('echo.rps', 'higher', samples, { style, params: cell, unit: 'req/s', extra: { saturatedBy } });
const slope = (name: string, style: string, bytes: number, slopeSe: number) =>
  metric(name, 'lower', [bytes], { style, scenario: 'echo', params: { maxConnections: 1000 }, unit: 'bytes/conn', extra: { slopeSe } });

function card(metrics: readonly Metric[], key: string): Headline {
  const found = headlines(results(metrics)).find((headline) => headline.key === key);
  if (found === undefined) throw new Error(`no ${key} card`);
  return found;
}

describe('a measured headline', () => {
  it('names the winner when it beats the runner-up significantly, and gives every other style its factor', () => {
    const lead = card([cost('callbacks', [10, 10.1, 9.9, 10.05]), cost('rxjs', [13, 13.1, 12.9, 13.05]), cost('fp-ts', [19, 19.1, 18.9, 19.05])], 'CPU cost');
    expect(lead).toMatchObject({ winner: 'callbacks', lead: 'callbacks' });
    expect(lead.text).toMatch(/^Least server CPU per request, 10 µs; next rxjs 1\.30× \(p = [^)]+\), then fp-ts 1\.90× the CPU time of the best\.$/);
  });

  it('names no winner when the runner-up is within the noise: the leaders together, then the rest by factor', () => {
    const lead = card([cost('callbacks', [10, 11, 9.5, 10.4]), cost('async-await', [10.3, 9.8, 11.2, 10.1]), cost('rxjs', [20, 20.2, 19.8, 20.1])], 'CPU cost');
    expect(lead.winner).toBeUndefined();
    expect(lead.lead).toBe('callbacks and async-await');
    expect(lead.text).toMatch(/^Lead together, not significantly apart: callbacks 10\.2 µs, async-await 1\.0\d×; then rxjs 1\.9\d× the CPU time of the best\.$/);
  });

  it('says that no style is ahead when none is, rather than listing every style as tied', () => {
    const lead = card([cost('callbacks', [10, 11, 9.5]), cost('rxjs', [10.3, 9.8, 11.2]), cost('fp-ts', [10.6, 10.1, 10.9])], 'CPU cost');
    expect(lead).toMatchObject({ winner: undefined, lead: 'no winner' });
    expect(lead.text).toMatch(/^No style is significantly ahead of another \(p ≥ 0\.05 against the best\): callbacks [\d.]+ µs, /);
  });

  it('never ranks a saturated cell or the baseline', () => {
    const lead = card([cost('baseline', [5, 5.1, 4.9]), cost('callbacks', [1, 1.1, 0.9], { saturated: true }), cost('rxjs', [13, 13.1, 12.9])], 'CPU cost');
    expect(lead.lead).toBe('rxjs');
    expect(lead.text).toBe('The only style measured: rxjs 13 µs.');
  });
});

describe('the CPU cost card', () => {
  const timed = [cost('callbacks', [30, 31, 29]), cost('async-await', [41, 40, 42]), cost('fp-ts', [55, 54, 56])];
  const counted = [instructions('baseline', [14_900, 15_000, 15_100]), instructions('callbacks', [15_100, 15_200, 15_150]), instructions('async-await', [21_000, 21_100, 21_050]), instructions('fp-ts', [28_300, 28_200, 28_250])];

  it('leads with instructions per request, says the kernel is not counted, and gives the timed figure with its interval as this machine’s', () => {
    const lead = card([...timed, ...counted], 'CPU cost');
    expect(lead.winner).toBe('callbacks');
    expect(lead.text).toMatch(/^Fewest instructions per request, 15,150; next async-await 1\.39× \(p = [^)]+\), then fp-ts 1\.86× the instructions of the best\. The bare socket\.on\('data'\) baseline server: 0\.99×\.$/);
    expect(lead.detail).toContain("The kernel's share of a request (system calls, the network stack) is not counted.");
    const callbacks = timed[0] as Metric;
    expect(lead.machine).toContain(`On this machine: callbacks took 30 µs of server CPU time per request, kernel included (95% interval ${formatInterval(callbacks.ci95, 'us/req')}), n=3`);
  });

  it('falls back to the timed figure, and says why, when the run counted no instructions', () => {
    const lead = card(timed, 'CPU cost');
    expect(lead.text).toMatch(/^Least server CPU per request, 30 µs; /);
    expect(lead.detail).toMatch(/^Instructions were not counted in this run/);
  });
});

describe('the capacity card', () => {
  it('says capacity was not measured, and why, when the load client limited every style', () => {
    const lead = card([rps('callbacks', [59_000, 58_000, 60_000], 'client'), rps('rxjs', [48_000, 47_000, 49_000], 'both')], 'Capacity');
    expect(lead).toMatchObject({ winner: undefined, lead: 'not measured' });
    expect(lead.text).toBe(
      "Not measured for any style: the load client used a whole core in every window, so their 48,000 – 59,000 req/s measure the client, not the servers; each of those servers can serve at least its figure.",
    );
  });

  it('does not crown the one style the client did not limit: it is the slowest server, named with its figure', () => {
    const lead = card(
      [rps('threads', [12_000, 12_100, 11_900], 'server'), rps('callbacks', [59_000, 58_000, 60_000], 'client'), rps('rxjs', [48_000, 47_000, 49_000], 'neither|client')],
      'Capacity',
    );
    expect(lead).toMatchObject({ winner: undefined, lead: 'not measured' });
    expect(lead.text).toContain('Not measured for callbacks and rxjs: the load client used a whole core in some of their windows');
    expect(lead.text).toContain('Where the client was not the limit: threads 12,000 req/s, below every client-limited figure.');
    expect(lead.text).not.toMatch(/only style/);
  });

  it('ranks the styles when the client limited none of them', () => {
    const lead = card([rps('callbacks', [59_000, 58_500, 59_500], 'server'), rps('rxjs', [48_000, 47_500, 48_500], 'server')], 'Capacity');
    expect(lead.winner).toBe('callbacks');
    expect(lead.text).toMatch(/^Most requests per second, 59,000 req\/s; next rxjs 0\.81× \(p = /);
  });
});

describe('the memory card', () => {
  const heap = 'memory.echo_idle.bytes_per_conn';
  const rss = 'memory.echo_idle.rss_per_conn';

  it('ranks the heap per connection and names apart, by its RSS, a style whose connections live outside the heap', () => {
    const lead = card(
      [
        slope(heap, 'callbacks', 1_270, 5),
        slope(heap, 'async-await', 3_280, 6),
        slope(heap, 'threads', 900, 40),
        slope(rss, 'callbacks', 1_500, 200),
        slope(rss, 'async-await', 3_700, 200),
        slope(rss, 'threads', 8.3 * 2 ** 20, 20_000),
      ],
      'Memory per connection',
    );
    expect(lead.winner).toBe('callbacks');
    expect(lead.text).toMatch(/^Least heap per idle connection, 1\.24 KiB; next async-await 2\.6× \(p < 1e-15\) the heap of the best\./);
    expect(lead.text).toContain('the heap does not see where threads keeps a connection: threads 8.3 MiB of RSS per connection, 5802× the RSS of callbacks.');
    expect(lead.detail).toContain('the standard errors of the fits');
  });

  it('names nothing first when one sweep per style left nothing to test', () => {
    const lead = card([metric(heap, 'lower', [1_270], { style: 'callbacks', unit: 'bytes/conn' }), metric(heap, 'lower', [3_280], { style: 'rxjs', unit: 'bytes/conn' })], 'Memory per connection');
    expect(lead).toMatchObject({ winner: undefined, lead: 'not tested' });
    expect(lead.text).toBe('In order, but too few measurements to tell a difference from noise: callbacks 1.24 KiB, rxjs 2.6× the heap of the best.');
  });
});

describe('the counted cards', () => {
  const tracebacks = (totals: Record<string, number>) => ({
    rubric: { rejected: 6, classMatches: 4 },
    rubricText: '',
    cases: [{ id: 'http-500', description: '', expectedError: 'ApiError' }],
    rows: [],
    totals: Object.entries(totals).map(([style, score]) => ({ style, score })),
  });
  const difficulty = (style: string, repos: number, echo: number) =>
    (['repos-and-forks', 'echo'] as const).map((scenario) => ({
      style,
      scenario,
      file: `styles/${style}/${scenario}.ts`,
      tokens: scenario === 'echo' ? echo : repos,
      tokenRatio: 1,
      lines: 1,
      maxNesting: 1,
      cyclomatic: 1,
    }));

  it('name the best outright when one style has it, and share it when several do', () => {
    const one = headlines(results([], {}, { tracebacks: tracebacks({ callbacks: 7, 'async-await': 9.5, rxjs: 8 }) })).find((h) => h.key === 'Tracebacks');
    expect(one).toMatchObject({ winner: 'async-await', text: 'The best mean score 9.5 of 10 over 1 fault case; then rxjs 8, callbacks 7.' });
    const shared = headlines(results([], {}, { tracebacks: tracebacks({ callbacks: 9.5, 'async-await': 9.5, rxjs: 8 }) })).find((h) => h.key === 'Tracebacks');
    expect(shared).toMatchObject({ winner: undefined, lead: 'callbacks and async-await', text: 'Share the best mean score 9.5 of 10 over 1 fault case; then rxjs 8.' });
  });

  it('count tokens only for styles with both programs, never the baseline', () => {
    const rows = [...difficulty('coroutines', 600, 300), ...difficulty('callbacks', 900, 700), ...difficulty('baseline', 10, 10), ...difficulty('rxjs', 400, 0).slice(0, 1)];
    const card = headlines(results([], {}, { difficulty: rows })).find((h) => h.key === 'Difficulty');
    expect(card).toMatchObject({ winner: 'coroutines', text: 'The fewest tokens for both programs, 900; then callbacks 1.78× as many.' });
  });
});
