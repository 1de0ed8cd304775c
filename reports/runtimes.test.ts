// The runtime section: a two-runtime file made from the committed fixture, the newer runtime with
// callbacks' echo CPU halved (a real run's spread, n=4: a smaller change would not be significant), one trace that gained an async frame and one that differs only in
// its port and Node-internal line numbers. The section tests the first change and ignores the
// second; the schema checks every runtime; compare tests absolute figures across Node majors only
// when told the files are one machine's runtimes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareResults } from './compare.js';
import { mergeResults } from '../harness/merge.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { normalizeTrace, runtimeView, traceFrames } from './runtimes.js';
import { parseResults, ResultsError, type Results, type TracebackRow } from '../harness/schema.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'results.fixture.json');
const fixture = parseResults(readFileSync(FIXTURE, 'utf8'), FIXTURE);
const CPU_ID = 'echo.cpu_us_per_req|style=callbacks|connections=10|size=1024';
const ASYNC_FRAME = 'at async Promise.all (index 0)';

const older: Results = { ...fixture, config: { ...fixture.config, repeatUnit: 'fresh process pair' } };

/** The same run "on Node 24": callbacks' echo CPU halved, two traces touched. */
function newerRuntime(): Results {
  const rows = older.tracebacks?.rows ?? [];
  const gained = rows.findIndex((row) => row.style === 'async-await' && row.trace.includes('\n    at '));
  const moved = rows.findIndex((row, index) => index !== gained && /127\.0\.0\.1:\d+/.test(row.trace) && /node:[\w/]+:\d+:\d+/.test(row.trace));
  const touch = (row: TracebackRow, index: number): TracebackRow => {
    if (index === gained) return { ...row, trace: row.trace.replace('\n    at ', `\n    ${ASYNC_FRAME}\n    at `), score: row.score + 5 };
    if (index === moved) return { ...row, trace: row.trace.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:1').replace(/(node:[\w/]+):\d+:\d+/g, '$1:9:9') };
    return row;
  };
  return {
    ...older,
    environment: { ...older.environment, node: 'v24.1.0', v8: '13.6.0' },
    metrics: older.metrics.map((metric) => (metric.id === CPU_ID ? { ...metric, samples: metric.samples.map((s) => s * 0.5), median: metric.median * 0.5 } : metric)),
    ...(older.tracebacks !== undefined ? { tracebacks: { ...older.tracebacks, rows: rows.map(touch) } } : {}),
  };
}

const newer = newerRuntime();
const matrix: Results = { ...older, runtimes: [older, newer] };

describe('runtimeView', () => {
  it('is absent for a file of one runtime', () => {
    expect(runtimeView(older)).toBeUndefined();
    expect(renderMarkdown(older)).not.toContain('## Runtimes');
  });

  it('puts each headline on each runtime and tests the change from the oldest', () => {
    const view = runtimeView(matrix)!;
    expect(view.tables.map((table) => table.title)).toEqual([
      'Echo: server CPU per request at the fixed rate',
      'Echo: instructions per request (callgrind)',
      'Echo capacity (closed loop)',
      'Memory per idle connection',
      'Memory per in-flight workflow',
      'Workflow throughput',
    ]);
    const cpu = view.tables[0]!.rows.find((row) => row.style === 'callbacks')!;
    expect(cpu.cells[0]?.change).toBeUndefined();
    const change = cpu.cells[1]!.change!;
    expect(change.changePercent).toBeCloseTo(-50, 6);
    expect(change.verdict).toBe('improvement');
    // Same figures elsewhere, tight enough to tell (instructions spread 0.2%): tested, and the same.
    const instructions = view.tables[1]!.rows.find((row) => row.style === 'callbacks')!;
    expect(instructions.cells[1]!.change!.verdict).toBe('same');
    // A memory slope is one figure per run: shown, not tested.
    expect(view.tables[3]!.rows[0]!.cells[1]!.change!.verdict).toBe('untested');
  });

  it('tests a memory slope across runtimes once each runtime is several rounds merged, and shows geometric means with their spread', () => {
    const MEMORY = 'memory.echo_idle.bytes_per_conn';
    const scaled = (run: Results, factor: number): Results => ({
      ...run,
      metrics: run.metrics.map((metric) => (metric.name === MEMORY ? { ...metric, samples: metric.samples.map((s) => s * factor), median: metric.median * factor } : metric)),
    });
    const rounds = [1, 1.004, 0.997];
    const oldRounds = mergeResults(rounds.map((factor) => scaled(older, factor)));
    const newRounds = mergeResults(rounds.map((factor) => scaled(newer, factor * 1.1)));
    const view = runtimeView({ ...oldRounds, runtimes: [oldRounds, newRounds] })!;
    const memory = view.tables.find((table) => table.title === 'Memory per idle connection')!;
    const row = memory.rows.find((candidate) => candidate.style === 'callbacks')!;
    const samples = oldRounds.metrics.find((metric) => metric.name === MEMORY && metric.style === 'callbacks')!.samples;
    expect(row.cells[0]).toMatchObject({ n: 3, centre: Math.exp(samples.reduce((sum, x) => sum + Math.log(x), 0) / 3) });
    expect(row.cells[0]!.spreadPercent).toBeGreaterThan(0.2);
    expect(row.cells[0]!.spreadPercent).toBeLessThan(0.5);
    expect(row.cells[1]!.change!.changePercent).toBeCloseTo(10, 6);
    expect(row.cells[1]!.change!.verdict).toBe('regression');
    expect(renderMarkdown({ ...oldRounds, runtimes: [oldRounds, newRounds] })).toMatch(/\| callbacks \| [\d.]+ [KMG]?i?B ±0\.\d% n=3 \| [\d.]+ [KMG]?i?B ±0\.\d% n=3, \+10\.0% (\\\*)+ worse \|/);
  });

  it('lists the trace that gained a frame, not the one whose port and Node line numbers moved', () => {
    const view = runtimeView(matrix)!;
    expect(view.changes).toHaveLength(1);
    const [change] = view.changes;
    expect(change!.style).toBe('async-await');
    expect(change!.frames[1]).toEqual({ recovered: [ASYNC_FRAME], lost: [] });
  });

  it('renders the section in Markdown and HTML, the traces side by side', async () => {
    const markdown = renderMarkdown(matrix);
    expect(markdown).toContain('## Runtimes');
    expect(markdown).toMatch(/\| callbacks \| [^|]+ n=4 \| [^|]+ n=4, −50\.0% (\\\*){3} better \|/);
    expect(markdown).toContain(`- \\+ \`${ASYNC_FRAME}\``);
    const { html } = await renderHtml(matrix);
    const section = html.slice(html.indexOf('<section class="part" id="runtimes">'), html.indexOf('<section class="part" id="two-axes">'));
    expect(section).toContain('Node 24.1.0');
    expect(section).toContain('Traces that changed (1)');
    expect(section.match(/<pre class="trace">/g)).toHaveLength(2);
  });
});

describe('normalizeTrace', () => {
  it('drops the port, Node-internal positions and the version line, and nothing else', () => {
    const trace = 'Error: GET http://127.0.0.1:41873/x\n    at f (styles/a.ts:3:5)\n    at emit (node:events:519:28)\n    at node:internal/timers:585:17\nNode.js v20.20.2';
    expect(normalizeTrace(trace)).toBe('Error: GET http://127.0.0.1:PORT/x\n    at f (styles/a.ts:3:5)\n    at emit (node:events)\n    at node:internal/timers\nNode.js');
    expect(traceFrames(trace)).toEqual(['at f (styles/a.ts:3:5)', 'at emit (node:events)', 'at node:internal/timers']);
  });
});

describe('a runtime matrix file', () => {
  it('is checked runtime by runtime', () => {
    const broken = { ...matrix, runtimes: [older, { ...newer, metrics: [{ ...newer.metrics[0], direction: 'sideways' }] }] };
    expect(() => parseResults(JSON.stringify(broken), 'm.json')).toThrow(new ResultsError('m.json', 'runtimes[1]: metrics[0].direction must be "higher" or "lower"'));
    expect(parseResults(JSON.stringify(matrix), 'm.json').runtimes).toHaveLength(2);
  });

  it('merges to its top level only', () => {
    expect(mergeResults([matrix, matrix]).runtimes).toBeUndefined();
  });
});

describe('compare across Node majors', () => {
  it('leaves absolute figures untested unless the files are one machine\'s runtimes', () => {
    const options = { threshold: 5, alpha: 0.05, kinds: ['absolute' as const] };
    const plain = compareResults(older, newer, options).rows.find((row) => row.id === CPU_ID)!;
    expect(plain.verdict).toBe('untested');
    const across = compareResults(older, newer, { ...options, acrossNode: true }).rows.find((row) => row.id === CPU_ID)!;
    expect(across.verdict).toBe('improvement');
    expect(compareResults(matrix, newer, options).warnings.some((line) => line.startsWith('base is a runtime matrix (Node v20.20.2, v24.1.0)'))).toBe(true);
  });
});
