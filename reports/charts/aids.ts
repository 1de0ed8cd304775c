// Score gained against cost paid: one point per (style, aid) in each panel, a panel per cost
// (instructions per echo request, heap per idle connection, heap per in-flight workflow). x is what
// the aid multiplies the plain style's cost by (log scale), y the points per case it adds. Points are
// told apart by colour, with one legend: text labels overlap where two aids cost alike.
import type { TopLevelSpec } from 'vega-lite';
import { asSpec } from './render.js';

export interface AidPoint {
  readonly variant: string;
  /** The cost panel's title, e.g. `instructions per echo request`. */
  readonly cost: string;
  /** The variant's median over the plain style's, in the same run. */
  readonly factor: number;
  /** The variant's mean traceback score per case minus the plain style's. */
  readonly gain: number;
}

export function aidTradeoffSpec(points: readonly AidPoint[]): TopLevelSpec | undefined {
  // A log axis has no place for a factor of zero or less (a slope that did not resolve).
  const values = points.filter((point) => point.factor > 0 && Number.isFinite(point.factor));
  if (values.length === 0) return undefined;
  const costs = [...new Set(values.map((point) => point.cost))];
  const variants = [...new Set(values.map((point) => point.variant))];
  const x = { field: 'factor', type: 'quantitative', title: 'cost with the aid ÷ cost without (log scale)', scale: { type: 'log', padding: 20 }, axis: { format: '~g' } } as const;
  const y = { field: 'gain', type: 'quantitative', title: 'points gained per case', scale: { zero: true, padding: 16 } } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { column: { field: 'cost', type: 'nominal', title: null, sort: costs } },
    spec: {
      width: 220,
      height: 220,
      layer: [
        // Where the aid costs nothing: a factor of one.
        { mark: { type: 'rule', color: '#bbb', strokeDash: [4, 3] }, encoding: { x: { datum: 1, type: 'quantitative', scale: { type: 'log', padding: 20 } } } },
        {
          mark: { type: 'point', filled: true, size: 140, stroke: '#333', strokeWidth: 1, opacity: 1 },
          encoding: {
            x,
            y,
            color: { field: 'variant', type: 'nominal', title: 'style + aid', sort: variants },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  });
}
