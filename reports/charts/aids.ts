// Score gained against cost paid: one point per (style, aid) in each panel, a panel per cost
// (instructions per echo request, heap per idle connection, heap per in-flight workflow). x is what
// the aid multiplies the plain style's cost by (log scale), y the traceback points it adds.
import type { TopLevelSpec } from 'vega-lite';
import { asSpec } from './render.js';

export interface AidPoint {
  readonly variant: string;
  /** The cost panel's title, e.g. `instructions per echo request`. */
  readonly cost: string;
  /** The variant's median over the plain style's, in the same run. */
  readonly factor: number;
  /** Traceback total of the variant minus the plain style's. */
  readonly gain: number;
}

export function aidTradeoffSpec(points: readonly AidPoint[]): TopLevelSpec | undefined {
  // A log axis has no place for a factor of zero or less (a slope that did not resolve).
  const values = points.filter((point) => point.factor > 0 && Number.isFinite(point.factor));
  if (values.length === 0) return undefined;
  const costs = [...new Set(values.map((point) => point.cost))];
  const x = { field: 'factor', type: 'quantitative', title: 'cost with the aid ÷ cost without (log scale)', scale: { type: 'log', padding: 20 }, axis: { format: '~g' } } as const;
  const y = { field: 'gain', type: 'quantitative', title: 'traceback points gained', scale: { zero: true, padding: 16 } } as const;
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
        { mark: { type: 'point', filled: true, size: 120, color: '#4e79a7', stroke: '#333', strokeWidth: 1, opacity: 1 }, encoding: { x, y } },
        { mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11 }, encoding: { x, y, text: { field: 'variant' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  });
}
