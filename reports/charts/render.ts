// Every chart of the report is a vega-lite spec built from results.json (bars.ts, two-axes.ts),
// compiled to vega and drawn here to an SVG string by vega's headless renderer (`renderer: 'none'`,
// no browser, no canvas), so the page carries its charts inline and needs no JavaScript to show them.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

// Chart text names one family plus the generic fallback: vega repeats it on every text element.
const CHART_FONT = 'system-ui, sans-serif';

/** How every chart is drawn; exported so a test lays a chart out exactly as the page does. */
export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  // No generated ARIA descriptions per mark: they triple the SVG's size, and every figure has a
  // caption and its numbers in #results-table.
  aria: false,
  background: '#ffffff',
  padding: 6,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 600,
    titleColor: '#333',
    labelColor: '#444',
    gridColor: '#ececec',
    domainColor: '#999',
    tickColor: '#999',
  },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: '#222', titleFontSize: 12, titleFontWeight: 400, titleColor: '#555' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600 },
  text: { fontSize: 10, color: '#333' },
};

export interface Chart {
  readonly id: string;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  /** What vega-lite or vega complained about; the tests hold the fixture's charts to none. */
  readonly warnings: readonly string[];
}

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/** Compiles and draws one chart. `id` prefixes the SVG's internal ids so several can share a page. */
export async function renderChart(id: string, spec: TopLevelSpec): Promise<Chart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { config: CHART_CONFIG, logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const raw = await view.toSVG();
    // vega numbers clip paths and gradients from one counter per process; a prefix keeps two
    // charts from pointing at each other's definitions whatever process drew them.
    const svg = raw
      .replace(/\bid="([^"]+)"/g, (_, name: string) => `id="${id}-${name}"`)
      .replace(/url\(#([^)]+)\)/g, (_, name: string) => `url(#${id}-${name})`);
    const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
    return { id, svg, width: Number(size?.[1] ?? 0), height: Number(size?.[2] ?? 0), warnings };
  } finally {
    view.finalize();
  }
}

function collectingLogger(into: string[]): Logger {
  let level = 2; // vega's Warn
  const logger: Logger = {
    level(value?: number) {
      if (value === undefined) return level as never;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      into.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      into.push(`warning: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as Logger;
  return logger;
}

/**
 * vega-lite's types cannot follow a spec assembled from shared parts (a layer list built from
 * conditions, a facet chosen at run time); `compile` checks the spec, and the tests hold every
 * chart of the fixture to zero warnings.
 */
export function asSpec(spec: object): TopLevelSpec {
  return spec as TopLevelSpec;
}
