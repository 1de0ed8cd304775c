// The attribution in the report: a stacked bar per scenario that vega draws without complaint, a
// table per style under its own anchor (five entries, their sum, the total and the measured slope),
// the Markdown rows, the side-by-side page's link from each style's memory figure, and a results
// file with or without the field read back.
import { describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../test/results-fixture.js';
import { renderChart } from './charts/render.js';
import { renderMarkdown } from './markdown.js';
import { attributionSpec, attributionTablesHtml, explainAnchor, memoryLinks } from './memory-explain.js';
import { reportView } from './view.js';
import { parseResults, type MemoryAttribution } from '../harness/schema.js';
import { sideBySide } from './side-by-side.js';

function attribution(style: string, scenario: MemoryAttribution['scenario'], scale: number, more: Partial<MemoryAttribution> = {}): MemoryAttribution {
  const names = ['(closure)', 'system / Context', 'OperatorSubscriber', 'Node / TCPSocketWrap', 'Socket', 'SixthEntry'];
  return {
    style,
    scenario,
    unit: scenario === 'echo' ? 'idle connection' : 'in-flight workflow',
    units: 1000,
    entries: names.map((name, i) => ({ name, countPerConnection: 6 - i, bytesPerConnection: scale * (600 - 100 * i) })),
    snapshotBytesPerConnection: scale * 2400,
    nativeBytesPerConnection: scale * 300,
    measuredBytesPerConnection: scale * 2050,
    ...more,
  };
}

const slope = testMetric('memory.echo_idle.bytes_per_conn', 'lower', [13_800], { style: 'rxjs', unit: 'bytes/conn' });
const results = testResults([slope], {}, {
  memoryAttribution: [
    attribution('rxjs', 'echo', 6, { slopeBytesPerConnection: 13_800 }),
    attribution('callbacks', 'echo', 1),
    attribution('callbacks', 'repos-and-forks', 5),
  ],
});

describe('memory attribution in the report', () => {
  it('draws a stacked bar per scenario with the entries and the measured tick, without warnings', async () => {
    const spec = attributionSpec(reportView(results), 'echo');
    expect(spec).toBeDefined();
    const chart = await renderChart('explain', spec!);
    expect(chart.warnings).toEqual([]);
    expect(chart.svg).toContain('OperatorSubscriber');
    expect(chart.svg).toContain('everything else');
    expect(attributionSpec(reportView(testResults([])), 'echo')).toBeUndefined();
  });

  it('tables each style under its anchor: the top five, their sum, the total and the slope', () => {
    const html = attributionTablesHtml(reportView(results));
    expect(html).toContain(`id="${explainAnchor('rxjs')}"`);
    expect(html).toContain(`id="${explainAnchor('callbacks')}"`);
    const rxjs = html.slice(html.indexOf(`id="${explainAnchor('rxjs')}"`));
    expect(rxjs).toContain('OperatorSubscriber');
    expect(html).not.toContain('SixthEntry');
    // rxjs: 6 × (600 + 500 + 400 + 300 + 200) = 12,000 bytes in the top five, of 14,400.
    expect(rxjs).toContain('<td>top 5</td><td></td><td class="n">11.7 KiB</td><td class="n">83.3%</td>');
    expect(rxjs).toContain('<td>memory phase slope</td><td></td><td class="n">13.5 KiB</td>');
    // callbacks has no slope in this run: the two-point figure stands in, and says so.
    expect(html).toContain('heapUsed + external at the two snapshots');
    expect(attributionTablesHtml(reportView(testResults([])))).toBe('');
  });

  it('gives the Markdown a row per style and scenario', () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('## Memory explained');
    expect(markdown).toMatch(/\| rxjs \| \(closure\) ×6: 3\.52 KiB \|.*\| 11\.7 KiB \| 14\.1 KiB \(1\.76 KiB\) \| 13\.5 KiB \|/);
    expect(markdown).toContain('**per in-flight workflow**');
    expect(renderMarkdown(testResults([]))).not.toContain('## Memory explained');
  });

  it('links each style\'s memory figure on the side-by-side page to its attribution', async () => {
    const links = memoryLinks(reportView(results));
    expect(links.get('echo:rxjs')).toEqual({ text: '13.5 KiB per idle connection', href: `#${explainAnchor('rxjs')}` });
    expect(links.get('repos-and-forks:callbacks')?.href).toBe(`#${explainAnchor('callbacks')}`);
    const { html } = await sideBySide(
      [{ style: 'rxjs', scenario: 'echo', path: 'styles/rxjs/echo.ts', text: 'function startEchoServer() {}\n' }],
      [],
      new Map(),
      links,
    );
    expect(html).toContain(`memory: <a href="#${explainAnchor('rxjs')}">13.5 KiB per idle connection</a>`);
  });

  it('reads results files with and without the attribution, and names a broken entry', () => {
    const text = JSON.stringify(results);
    expect(parseResults(text).memoryAttribution).toHaveLength(3);
    expect(parseResults(JSON.stringify(testResults([]))).memoryAttribution).toBeUndefined();
    const broken = JSON.parse(text) as { memoryAttribution: { entries: { bytesPerConnection: unknown }[] }[] };
    broken.memoryAttribution[1]!.entries[2]!.bytesPerConnection = 'many';
    expect(() => parseResults(JSON.stringify(broken))).toThrow('memoryAttribution[1].entries[2].bytesPerConnection must be a number');
  });
});
