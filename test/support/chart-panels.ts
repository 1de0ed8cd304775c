// What a reader sees in a chart of several panels (facets or concatenated views): each panel's box,
// the labels that stand over it or beside it, and the data of the marks drawn inside it. Read from
// vega's scenegraph after a headless run, by position alone, so a layout that draws a panel under
// another panel's label is caught whatever the spec meant.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from '../../reports/charts/render.js';

export interface Panel {
  /** The plotting area. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Left and right of everything the panel draws, its axis labels included. */
  readonly left: number;
  readonly right: number;
  /** The label nearest above the panel, then any to its left at its height (a crossed facet's row header). */
  readonly labels: readonly string[];
  /** The data of every mark drawn in the panel that names a style. */
  readonly data: readonly Readonly<Record<string, unknown>>[];
  /** The length in pixels of each style's bar (its widest rectangle), for a bar chart. */
  readonly bars: ReadonlyMap<string, number>;
}

export interface Label {
  readonly text: string;
  /** The centre of the text. */
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly panels: readonly Panel[];
  /** Every panel label and facet header label of the chart (not axis titles, not the headers' own titles). */
  readonly labels: readonly Label[];
}

// The parts of vega's scenegraph read here: marks hold items, a group item holds marks.
interface SceneMark {
  readonly marktype: string;
  readonly role?: string;
  readonly items: readonly SceneItem[];
}
interface SceneItem {
  /** The item's extent in its group's coordinates, axis labels and all for a group. */
  readonly bounds: { readonly x1: number; readonly x2: number; readonly y1: number; readonly y2: number };
  readonly x?: number;
  readonly y?: number;
  readonly width?: number;
  readonly height?: number;
  readonly text?: string | readonly string[];
  readonly datum?: Readonly<Record<string, unknown>>;
  readonly items?: readonly SceneMark[];
}

/** Groups whose titles are a facet's header titles ("message size"), not the label of any one panel. */
const HEADER_TITLE_ROLES = new Set(['row-title', 'column-title']);

export async function layoutOf(spec: TopLevelSpec): Promise<Layout> {
  const view = new vega.View(vega.parse(compile(spec, { config: CHART_CONFIG }).spec), { renderer: 'none' });
  try {
    await view.runAsync();
    const labels: Label[] = [];
    const boxes = new Map<SceneItem, Omit<Panel, 'labels' | 'data' | 'bars'> & { data: Record<string, unknown>[]; bars: Map<string, number> }>();
    const walk = (mark: SceneMark, ox: number, oy: number, roles: readonly string[], panel: SceneItem | undefined): void => {
      const here = [...roles, mark.role ?? ''];
      for (const item of mark.items) {
        const x = ox + (item.x ?? 0);
        const y = oy + (item.y ?? 0);
        if (mark.marktype === 'group') {
          // A panel is the innermost group that draws axes of its own; a row header draws its row's
          // y axis and is not one.
          const drawsAxes = (item.items ?? []).some((child) => child.role === 'axis');
          if (drawsAxes && !here.includes('row-header') && !here.includes('column-header')) {
            boxes.set(item, { x, y, width: item.width ?? 0, height: item.height ?? 0, left: ox + item.bounds.x1, right: ox + item.bounds.x2, data: [], bars: new Map() });
          }
          for (const child of item.items ?? []) walk(child, x, y, here, boxes.has(item) ? item : panel);
          continue;
        }
        if (mark.marktype === 'text' && mark.role === 'title-text' && !here.some((role) => HEADER_TITLE_ROLES.has(role))) {
          const { x1, x2, y1, y2 } = item.bounds;
          labels.push({ text: [item.text ?? ''].flat().join(' '), x: ox + (x1 + x2) / 2, y: oy + (y1 + y2) / 2 });
        }
        const datum = item.datum;
        if (mark.role === 'mark' && panel !== undefined && datum !== undefined && 'style' in datum) {
          const box = boxes.get(panel);
          box?.data.push(datum);
          const style = String(datum.style);
          if (mark.marktype === 'rect' && box !== undefined) box.bars.set(style, Math.max(box.bars.get(style) ?? 0, Math.abs(item.width ?? 0)));
        }
      }
    };
    // vega's typings call the scenegraph a Scene; at run time it holds the root mark as `root`.
    const root = (view.scenegraph() as unknown as { readonly root: SceneMark }).root;
    walk(root, 0, 0, [], undefined);
    const panels = [...boxes.values()]
      .filter((box) => box.data.length > 0)
      .map((box): Panel => {
        const above = labels
          .filter((label) => label.y < box.y && label.x >= box.left && label.x <= box.right)
          .sort((a, b) => b.y - a.y)
          .slice(0, 1);
        const left = labels.filter((label) => label.x < box.x && label.y >= box.y && label.y <= box.y + box.height);
        return { ...box, labels: [...above, ...left].map((label) => label.text) };
      });
    return { panels, labels };
  } finally {
    view.finalize();
  }
}
