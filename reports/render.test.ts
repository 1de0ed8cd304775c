// Rendering the committed fixture (a real full run, reduced: seven async styles and threads, the
// reference rows, instruction counts, memory attribution) and a nearly empty results file: every section is there, every chart is a real SVG with a size and no
// warning, the page reaches for nothing outside itself, and the three files are written whole.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testResults } from '../test/results-fixture.js';
import { twoAxesData } from './charts/two-axes.js';
import { escapeHtml } from './format.js';
import { headlineParts, headlines } from './headlines.js';
import { type HtmlReport, SECTIONS, renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderReport } from './render.js';
import { reportView } from './view.js';
import { type Results, parseResults } from '../harness/schema.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'results.fixture.json');
const fixtureText = readFileSync(FIXTURE, 'utf8');
const fixture = parseResults(fixtureText, FIXTURE);

/** The HTML of one section, from its opening tag to the next section's. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section class="part" id="${id}">`);
  if (start === -1) return '';
  const next = html.indexOf('<section class="part"', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('the fixture', () => {
  it('is a results.json of the current schema with what the report shows', () => {
    const styles = new Set(fixture.metrics.map((metric) => metric.style));
    expect([...styles].sort()).toEqual(['async-await', 'asyncio', 'asyncio-streams', 'baseline', 'c-epoll', 'callbacks', 'coroutines', 'effect', 'fp-ts', 'promise-chains', 'rxjs', 'threads']);
    expect(fixture.config.referenceRows).toEqual(['baseline', 'c-epoll', 'asyncio', 'asyncio-streams']);
    expect(fixture.config.loadClient).toBe('native');
    expect(fixture.tracebacks?.cases).toHaveLength(6);
    expect(fixture.tracebacks?.totals.map((total) => total.style)).toContain('coroutines+debug');
    expect(fixture.difficulty).toHaveLength(16);
    expect(fixture.sources).toHaveLength(16);
    expect(fixture.memoryAttribution?.length).toBeGreaterThan(0);
    expect(fixture.metrics.some((metric) => metric.name === 'memory.echo_idle.bytes_per_conn' && typeof metric.extra?.r2 === 'number')).toBe(true);
    expect(fixture.metrics.some((metric) => metric.name === 'echo.instructions_per_req')).toBe(true);
  });
});

describe('a ratio only some of whose repeats were paired', () => {
  it('says so in its cell, beside the figure', async () => {
    const metrics = fixture.metrics.map((metric) =>
      metric.name === 'echo.rps.ratio' && metric.style === 'callbacks' ? { ...metric, extra: { ...metric.extra, paired: false, pairedSamples: 1 } } : metric,
    );
    expect(metrics.some((metric) => metric.extra?.pairedSamples === 1)).toBe(true);
    const { html } = await renderHtml({ ...fixture, metrics });
    expect(html).toContain('only 1 repeat(s) paired: same-repeat ratio');
  }, 60_000);
});

describe('index.html from the fixture', () => {
  let report: HtmlReport;
  beforeAll(async () => {
    report = await renderHtml(fixture);
  }, 60_000);

  it('has every section, each with its stable id', () => {
    for (const [id] of SECTIONS) expect(sectionOf(report.html, id), `#${id}`).not.toBe('');
  });

  it('draws every chart as an inline SVG with a non-zero size and no vega warning', () => {
    const figures = [...report.html.matchAll(/<figure class="chart" id="([^"]+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((figure) => figure[1])).toEqual([
      'chart-two-axes',
      'chart-echo-ceiling',
      'chart-echo-cpu',
      'chart-echo-instructions',
      'chart-echo-rps',
      'chart-echo-mibps',
      'chart-latency',
      'chart-memory',
      'chart-memory-explain-echo',
      'chart-memory-explain-workflow',
      'chart-workflow-throughput',
      'chart-workflow-wall',
      'chart-micro',
    ]);
    for (const [, id, body = ''] of figures) {
      const size = /^<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(body);
      expect(size, `${id} starts with an <svg> that has a width and a height`).not.toBeNull();
      expect(Number(size?.[1]), `${id} width`).toBeGreaterThan(100);
      expect(Number(size?.[2]), `${id} height`).toBeGreaterThan(100);
    }
    expect(report.charts.flatMap((chart) => chart.warnings.map((warning) => `${chart.id}: ${warning}`))).toEqual([]);
  });

  it('puts the charts in their sections', () => {
    expect(sectionOf(report.html, 'two-axes')).toContain('id="chart-two-axes"');
    expect(sectionOf(report.html, 'throughput')).toContain('id="chart-echo-rps"');
    expect(sectionOf(report.html, 'latency')).toContain('id="chart-latency"');
    expect(sectionOf(report.html, 'memory')).toContain('id="chart-memory"');
    expect(sectionOf(report.html, 'workflow')).toContain('id="chart-workflow-wall"');
    expect(sectionOf(report.html, 'micro')).toContain('id="chart-micro"');
  });

  it('gives every SVG its own ids, so no chart points at another one’s clip paths', () => {
    const ids = [...report.html.matchAll(/<svg[\s\S]*?<\/svg>/g)].flatMap((svg) => [...svg[0].matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is self-contained: no script, no stylesheet link, no remote resource', () => {
    expect(report.html).not.toMatch(/<script/i);
    expect(report.html).not.toMatch(/<link\b/i);
    expect(report.html).not.toMatch(/\b(?:src|href)\s*=\s*"(?:https?:)?\/\//i);
    expect(report.html).not.toMatch(/url\((?!#)/);
    expect(report.html).not.toMatch(/@import/);
  });

  it('plots one point per style on the two axes, from memory and tokens', () => {
    const data = twoAxesData(reportView(fixture));
    expect(data.points.map((point) => point.style)).toEqual(['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect']);
    const callbacks = data.points.find((point) => point.style === 'callbacks');
    const memory = fixture.metrics.find((m) => m.name === 'memory.echo_idle.rss_per_conn' && m.style === 'callbacks');
    const tokens = (fixture.difficulty ?? []).filter((row) => row.style === 'callbacks').reduce((sum, row) => sum + row.tokens, 0);
    expect(callbacks).toMatchObject({ memory: memory?.median, tokens, score: fixture.tracebacks?.totals.find((t) => t.style === 'callbacks')?.score });
  });

  it('aligns the side-by-side code on the six steps, one column per style', () => {
    const columns = new Set((fixture.sources ?? []).filter((source) => source.scenario === 'repos-and-forks').map((source) => source.style)).size;
    expect(columns).toBe(8);
    const sbs = sectionOf(report.html, 'side-by-side');
    for (const step of ['sendReposRequest', 'readRepos', 'sendForkedRepoRequests', 'readForkedRepoRequests', 'printSourceNames', 'cleanup']) {
      expect(sbs).toMatch(new RegExp(`<tr class="sbs-step"[^>]*><th colspan="${columns}"><span class="step-no">\\d</span>${step}</th>`));
    }
    for (const style of ['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect']) {
      expect(sbs).toContain(`<input type="checkbox" class="sbs-toggle" id="sbs-repos-and-forks-${style}" checked>`);
    }
    // Highlighted by shiki with inline colours: a keyword of the github-light theme.
    expect(sbs).toContain('<span style="color:#D73A49">function</span>');
  });

  it('marks the frames of the style’s own file in the traceback gallery', () => {
    const gallery = sectionOf(report.html, 'tracebacks');
    expect(gallery).toContain('<mark class="tl own">');
    const cards = [...gallery.matchAll(/<article class="tb-card" id="tb-([^"]+)"/g)].map((m) => m[1]);
    expect(cards).toHaveLength(6 * 9);
    expect(cards).toContain('http-500-coroutines-debug');
  });

  it('says the run had no failures', () => {
    expect(fixture.failures).toEqual([]);
    expect(sectionOf(report.html, 'failures')).toContain('No failures: every measurement completed and verified.');
  });

  it('says per phase how many rounds were run, and leaves the order of turns to results.json', () => {
    const header = sectionOf(report.html, 'header');
    expect(header).toContain(
      '<dt>order</dt><dd>echo-instructions: 2 repeats, each a fresh process pair; echo/1KiBx10/generation-1: 4 rounds; echo/100KiBx10/generation-1: 4 rounds; echo/1KiBx100/generation-1: 4 rounds; workflow: 4 rounds. The order of turns in each is in results.json (config.order).</dd>',
    );
    const [first] = fixture.config.order as { order: string[] }[];
    expect(first?.order.length).toBeGreaterThan(2);
    expect(report.html).not.toContain(first?.order.join(', ') ?? '');
  });
});

describe('a failed measurement', () => {
  it('is listed with its reason, message and stderr, and counted in the banner', async () => {
    const failed = testResults([], {}, {
      failures: [{ what: 'echo.cost style=rxjs', reason: 'timeout', message: 'echo-load[rxjs] did not answer within 10500 ms', stderrTail: 'deadline passed; killing the process group' }],
    });
    const { html } = await renderHtml(failed);
    const section = sectionOf(html, 'failures');
    for (const text of ['Failures (1)', 'echo.cost style=rxjs', 'timeout', 'did not answer within 10500 ms', 'deadline passed']) expect(section).toContain(text);
    expect(sectionOf(html, 'header')).toContain('1 measurement failed.');
    expect(renderMarkdown(failed)).toContain('- **echo.cost style=rxjs** (timeout): echo-load[rxjs] did not answer within 10500 ms');
  });
});

describe('report.md from the fixture', () => {
  it('tells the story in tables', () => {
    const markdown = renderMarkdown(fixture);
    for (const heading of ['# async-rosetta report', '## Echo cost: server CPU per request at a fixed offered rate (µs, lower is better)', '## Echo capacity (closed loop, req/s, higher is better)', '## Memory', '## repos-and-forks workflow', '## Micro-benchmarks', '## Traceback quality', '## Coding difficulty', '## Failures']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('| Node / V8 | v20.20.2 / 11.3.244.8-node.38 |');
    // How the children were started: the fixture records it; a file written before the field says so.
    expect(markdown).toContain('| Node flags | `--expose-gc` |');
    expect(markdown).toContain('| Child environment | `MALLOC_TRIM_THRESHOLD_=268435456` |');
    const { childEnv: _recorded, ...older } = fixture.environment;
    expect(renderMarkdown({ ...fixture, environment: older })).toContain('| Child environment | not recorded |');
    // The run's order: counted per phase, the lists left in results.json.
    expect(markdown).toMatch(/^\| order \| echo-instructions: 2 repeats, each a fresh process pair; .* The order of turns in each is in results\.json \(config\.order\)\. \|$/m);
    // The traceback matrix ends with each style's mean, in the matrix's column order.
    const means = markdown.split('\n').find((line) => line.startsWith('| **mean** |'));
    const expected = ['threads', 'callbacks', 'promise-chains', 'coroutines', 'coroutines+debug', 'async-await', 'rxjs', 'fp-ts', 'effect'].map(
      (style) => fixture.tracebacks?.totals.find((total) => total.style === style)?.score,
    );
    expect(means?.split('|').slice(2, -1).map((cell) => Number(cell.replace(/\*/g, '').trim()))).toEqual(expected);
    // The fixture counted instructions, so they lead: callbacks beats rxjs by 1.11x with p = 0.017
    // (n = 2), a significant win.
    expect(markdown).toMatch(/^- \*\*CPU cost: callbacks\.\*\* Fewest instructions per request, 15,170; next rxjs 1\.11× \(p = 0\.017\), /m);
    expect(markdown).toMatch(/\| async-await \| [\d,]+ \(\d\.\d+×\) \|/);
  });
});

describe('the headline cards', () => {
  it('say the same words on the page and in report.md', async () => {
    const { html } = await renderHtml(fixture);
    const markdown = renderMarkdown(fixture);
    const cards = headlines(fixture);
    expect(cards.map((card) => card.key)).toEqual(['CPU cost', 'Capacity', 'Memory per connection', 'Tracebacks', 'Difficulty']);
    const glance = /<div class="glance">([\s\S]*?)<\/div>\s*<h3>/.exec(html)?.[1] ?? '';
    for (const card of cards) {
      for (const part of [card.key, card.lead, ...headlineParts(card)]) {
        expect(glance, `${card.key} on the page`).toContain(escapeHtml(part));
        expect(markdown, `${card.key} in report.md`).toContain(part);
      }
    }
  }, 60_000);
});

describe('the title', () => {
  it('counts the styles of the run it renders, threads named apart', async () => {
    const styles = ['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect'];
    const { html } = await renderHtml({ ...testResults([]), config: { mode: 'full', styles } });
    expect(html).toContain('<h1>async-rosetta: seven async styles and threads, measured</h1>');
    expect(html).toContain('written in seven async styles and threads, run on real sockets');
    expect(renderMarkdown(fixture)).toContain('The same two programs in seven async styles and threads on real sockets.');
    const sixStyles = { ...fixture.config, styles: ['callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts'] };
    expect(renderMarkdown({ ...fixture, config: sixStyles })).toContain('The same two programs in six async styles on real sockets.');
  });
});

describe('a results file with almost nothing in it', () => {
  const empty: Results = testResults([]);

  it('still renders every section, each saying in one line that its data is absent', async () => {
    const { html, charts } = await renderHtml(empty);
    expect(charts).toHaveLength(0);
    for (const [id] of SECTIONS) {
      const section = sectionOf(html, id);
      expect(section, `#${id}`).not.toBe('');
      if (id !== 'header') expect(section, `#${id} says what is missing`).toMatch(/<p class="absent">[^<]+<\/p>/);
    }
    expect(sectionOf(html, 'failures')).toContain('No failures');
  });

  it('writes a Markdown report that says so too', () => {
    expect(renderMarkdown(empty)).toContain('_No data in this results file._');
  });
});

describe('renderReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-report-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes index.html, report.md and a copy of results.json, and nothing else', async () => {
    const out = join(dir, 'nested', 'report');
    const { files } = await renderReport(fixture, out);
    expect(files).toEqual([join(out, 'index.html'), join(out, 'report.md'), join(out, 'results.json')]);
    expect(readdirSync(out).sort()).toEqual(['index.html', 'report.md', 'results.json']);
    expect(parseResults(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(fixture);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/);
  }, 60_000);

  it('replaces an existing report whole, leaving no temporary file behind', async () => {
    const out = join(dir, 'again');
    await renderReport(testResults([]), out);
    const { files } = await renderReport(testResults([]), out);
    expect(files.every((file) => existsSync(file))).toBe(true);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
