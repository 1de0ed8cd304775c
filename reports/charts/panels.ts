// The bar chart every section shares: one horizontal bar per style with its 95% interval and its
// value written at the end, in one panel or in a grid of panels (one per echo cell, metric or
// workflow setting). Each panel is its own view with its own data and its own title, laid side by
// side with vega-lite's concat, so a panel's bars cannot be drawn under another panel's label.
// (A crossed facet with a custom sort cannot promise that: when a combination of row and column is
// missing, vega-lite 5 sorts the empty cell it adds first and every cell after it moves one place:
// vega/vega-lite#8675.)
import type { TopLevelSpec } from 'vega-lite';
import { asSpec } from './render.js';

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
  const values = panel.bars.map((bar) => ({ ...bar, base: 0, pad: Math.max(bar.hi, bar.value, bar.reference ?? 0) * LABEL_ROOM }));
  const y = { field: 'style', type: 'nominal', title: null, sort: [...styles], scale: { domain: [...styles] } } as const;
  const x = { type: 'quantitative', title: options.xTitle, axis: { format: ',~f', tickCount: 4, labelFlush: true }, scale: { zero: true, nice: false } } as const;
  const layers = [
    {
      mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.72 } },
      encoding: {
        y,
        x: { field: 'value', ...x },
        x2: { field: 'base' },
        color: { field: 'style', type: 'nominal', legend: null, scale: { domain: [...styles], range: styles.map((s) => colours.get(s) ?? '#999') } },
      },
    },
    {
      mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222', thickness: 1 },
      encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' } },
    },
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
