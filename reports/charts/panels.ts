// The bar chart every section shares: one horizontal bar per style with its 95% interval and its
// value written at the end, in one panel or in a grid of panels (one per echo cell, metric or
// workflow setting). Each panel is its own view with its own data and its own title, laid side by
// side with vega-lite's concat, so a panel's bars cannot be drawn under another panel's label.
// (A crossed facet with a custom sort cannot promise that: when a combination of row and column is
// missing, vega-lite 5 sorts the empty cell it adds first and every cell after it moves one place:
// vega/vega-lite#8675.) Each panel also picks its own axis, linear or logarithmic (scale.ts).
import type { TopLevelSpec } from 'vega-lite';
import { asSpec } from './render.js';
import { barScale, type BarScale } from './scale.js';

export interface Bar {
  readonly style: string;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly label: string;
  /** A reference line (the ideal wall time), drawn dashed. */
  readonly reference?: number;
}

export interface BarPanel {
  /** What the panel shows, in the report's words: `1 KiB · 10 conn`, `RSS per idle connection`. */
  readonly title: string;
  readonly bars: readonly Bar[];
}

export interface BarOptions {
  readonly panels: readonly BarPanel[];
  readonly styles: readonly string[];
  readonly colours: ReadonlyMap<string, string>;
  readonly xTitle: string;
  /** Panels per row; the rest wrap. */
  readonly columns?: number;
  readonly width?: number;
  /** Reference rows: labelled `(reference)` and drawn with a dashed outline; never a style. */
  readonly references?: ReadonlySet<string>;
  /** Whiskers from `lo` to `hi`; off for a figure with no interval of its own. */
  readonly whiskers?: boolean;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
// Room at the end of the longest bar for its value: the axis runs about a third further.
const LABEL_ROOM = 1.32;

/** The panels as one chart: a single view when there is one, else a grid of views. */
export function panelsSpec(views: readonly object[], columns: number): TopLevelSpec {
  const [only] = views;
  if (views.length === 1 && only !== undefined) return asSpec({ $schema: SCHEMA, ...only });
  return asSpec({ $schema: SCHEMA, concat: views, columns, spacing: { row: 16, column: 28 } });
}

/** A panel's title, set over its own view. */
export function panelTitle(text: string): object | undefined {
  return text === '' ? undefined : { text, anchor: 'start', fontSize: 12, fontWeight: 600, color: '#222', offset: 6 };
}

export function barSpec(options: BarOptions): TopLevelSpec {
  const views = options.panels.map((panel) => barView(panel, options));
  return panelsSpec(views, options.columns ?? 3);
}

function barView(panel: BarPanel, options: BarOptions): object {
  const { styles, colours } = options;
  const scale = barScale(panel.bars.map((bar) => bar.value));
  const references = options.references ?? new Set<string>();
  const values = panel.bars.map((bar) => ({ ...placed(bar, scale, panel.bars), ref: references.has(bar.style) }));
  const y = { field: 'style', type: 'nominal', title: null, sort: [...styles], scale: { domain: [...styles] }, ...referenceAxis(styles, references) } as const;
  const top = Math.max(...values.map((bar) => bar.pad));
  const x = {
    type: 'quantitative',
    title: scale.type === 'log' ? `${options.xTitle}, log scale` : options.xTitle,
    // A log axis is labelled and gridded at the powers of ten only: vega's own log ticks grid every
    // integer multiple, a comb that hides the bars.
    axis: scale.type === 'log' ? { format: ',~f', values: powersOfTen(scale.floor, top), labelFlush: true } : { format: ',~f', tickCount: 4, labelFlush: true },
    scale: scale.type === 'log' ? { type: 'log', nice: false } : { zero: true, nice: false },
  } as const;
  const layers = [
    {
      mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.72 } },
      encoding: {
        y,
        x: { field: 'value', ...x },
        x2: { field: 'base' },
        color: { field: 'style', type: 'nominal', legend: null, scale: { domain: [...styles], range: styles.map((s) => colours.get(s) ?? '#999') } },
        ...referenceOutline,
      },
    },
    ...(options.whiskers === false
      ? []
      : [
          {
            mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222', thickness: 1 },
            encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' } },
          },
        ]),
    {
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5 },
      encoding: { y, x: { field: 'hi', ...x }, text: { field: 'label' } },
    },
    { mark: { type: 'point', opacity: 0 }, encoding: { y, x: { field: 'pad', ...x } } },
    ...(panel.bars.some((bar) => bar.reference !== undefined)
      ? [{ mark: { type: 'tick', color: '#000', thickness: 1.5, strokeDash: [3, 2], bandSize: 14 }, encoding: { y, x: { field: 'reference', ...x } } }]
      : []),
  ];
  const title = panelTitle(panel.title);
  return { ...(title !== undefined ? { title } : {}), width: options.width ?? 190, height: { step: 17 }, data: { values }, layer: layers };
}

/** A reference row's bar: a dashed dark outline, so it reads as a reference in grey as in print. */
export const referenceOutline = {
  stroke: { condition: { test: 'datum.ref', value: '#222' }, value: null },
  strokeDash: { condition: { test: 'datum.ref', value: [3, 2] }, value: [1, 0] },
} as const;

/** The style axis of a chart with reference rows: each one's label followed by `(reference)`. */
export function referenceAxis(styles: readonly string[], references: ReadonlySet<string>): { axis?: object } {
  const shown = styles.filter((style) => references.has(style));
  if (shown.length === 0) return {};
  // Room for the longest name with its mark: vega cuts a label at 180 px by default.
  return { axis: { labelExpr: `indexof(${JSON.stringify(shown)}, datum.label) >= 0 ? datum.label + ' (reference)' : datum.label`, labelLimit: 260 } };
}

/** 1, 10, 100, ... from `low` to `high`. */
export function powersOfTen(low: number, high: number): number[] {
  const out: number[] = [];
  for (let exponent = Math.ceil(Math.log10(low)); 10 ** exponent <= high; exponent++) out.push(10 ** exponent);
  return out;
}

/**
 * A bar as drawn on its panel's axis: from zero on a linear axis; on a log axis from the floor, with
 * its whisker cut at the floor where its interval reaches below it, and the label room measured in
 * orders of magnitude rather than in units.
 */
function placed(bar: Bar, scale: BarScale, all: readonly Bar[]): Bar & { base: number; pad: number } {
  const end = Math.max(bar.hi, bar.value, bar.reference ?? 0);
  if (scale.type === 'linear') return { ...bar, base: 0, pad: end * LABEL_ROOM };
  const top = Math.max(...all.map((other) => Math.max(other.hi, other.value)));
  const span = top / scale.floor;
  return { ...bar, base: scale.floor, lo: Math.max(bar.lo, scale.floor), pad: end * span ** (LABEL_ROOM - 1) };
}
