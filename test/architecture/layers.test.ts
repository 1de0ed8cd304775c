// The arrows point one way: scenarios <- styles <- harness <- reports <- cli (DESIGN.md, "Layers").
// ESLint's no-restricted-imports catches an upward import as it is typed; this test reads the whole
// graph, dynamic imports included, and also finds cycles, which a per-file lint rule cannot see.
// It prints the graph's summary, the evidence a reviewer can compare before and after a change.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cycles, importGraph, kitFiles, layerArrows, upwardArrows, type Edge } from './import-graph.js';

const root = path.resolve(import.meta.dirname, '../..');
const files = kitFiles(root);
const edges = importGraph(root, files);
const show = (edge: Edge): string => `${edge.from} -> ${edge.to}`;
/** The same graph with type-only imports counted as arrows: a loop of names, even if erased at run time. */
const typeCycles = cycles(edges.map((edge) => ({ ...edge, typeOnly: false })));

/**
 * The one loop of names the kit keeps, with its reason: the coroutine loop's Task and Future name
 * the EventLoop type that runs them, as asyncio's do (`import type`, erased at compile time).
 */
const KNOWN_TYPE_CYCLES = [['styles/coroutines/loop/debug.ts', 'styles/coroutines/loop/event-loop.ts', 'styles/coroutines/loop/future.ts', 'styles/coroutines/loop/task.ts']];

afterAll(() => {
  const lines = [...layerArrows(edges)].map(([pair, n]) => `  ${pair}: ${n}`);
  process.stdout.write(
    `import graph: ${files.length} files, ${edges.length} arrows (${edges.filter((edge) => edge.typeOnly).length} type-only); ` +
      `${upwardArrows(edges).length} upward, ${cycles(edges).length} cycles (${typeCycles.length} counting type-only imports); between folders:\n${lines.join('\n')}\n` +
      typeCycles.map((cycle) => `  loop of names: ${cycle.join(', ')}\n`).join(''),
  );
});

describe('the import graph', () => {
  it('reads the kit: every layer has files and arrows', () => {
    expect(files).toContain('harness/processes/watch.ts');
    expect(edges.some((edge) => edge.from.startsWith('cli/') && edge.to.startsWith('harness/'))).toBe(true);
  });

  it('has no arrow from a lower layer to a higher one', () => {
    expect(upwardArrows(edges).map(show)).toEqual([]);
  });

  it('has no cycle of run-time imports', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('has no loop of names either (type-only imports counted), but the one it explains', () => {
    expect(typeCycles).toEqual(KNOWN_TYPE_CYCLES);
  });

  it('would catch an upward arrow, a reach into test/ and a cycle', () => {
    const bad: Edge[] = [
      { from: 'harness/run.ts', to: 'reports/render.ts', typeOnly: false },
      { from: 'scenarios/echo/load.ts', to: 'test/support/resources.ts', typeOnly: false },
      { from: 'reports/a.ts', to: 'reports/b.ts', typeOnly: false },
      { from: 'reports/b.ts', to: 'reports/a.ts', typeOnly: false },
      // Allowed: downward, a test using test/, test/ using anything, a type-only loop.
      { from: 'cli/main.ts', to: 'harness/run.ts', typeOnly: false },
      { from: 'scenarios/echo/load.test.ts', to: 'test/support/resources.ts', typeOnly: false },
      { from: 'test/results-fixture.ts', to: 'cli/args.ts', typeOnly: false },
      { from: 'styles/x/a.ts', to: 'styles/x/b.ts', typeOnly: false },
      { from: 'styles/x/b.ts', to: 'styles/x/a.ts', typeOnly: true },
    ];
    expect(upwardArrows(bad).map(show)).toEqual(['harness/run.ts -> reports/render.ts', 'scenarios/echo/load.ts -> test/support/resources.ts']);
    expect(cycles(bad)).toEqual([['reports/a.ts', 'reports/b.ts']]);
  });
});
