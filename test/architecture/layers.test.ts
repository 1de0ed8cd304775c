// The arrows point one way: scenarios <- styles <- harness <- reports <- cli (DESIGN.md, "Layers").
// ESLint's no-restricted-imports catches an upward import as it is typed; this test reads the whole
// graph, dynamic imports included, and also finds cycles, which a per-file lint rule cannot see.
// Within two layers, siblings stay apart: no command imports another command (cli/commands/*), and
// no phase module imports another phase module (a file under harness/phases/ exporting a `...Phase`
// value); what they share has its own module.
// It prints the graph's summary, the evidence a reviewer can compare before and after a change.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandArrows, cycles, exportsPhase, importGraph, kitFiles, layerArrows, phaseArrows, phaseModules, upwardArrows, type Edge } from './import-graph.js';

const root = path.resolve(import.meta.dirname, '../..');
const files = kitFiles(root);
const edges = importGraph(root, files);
const phases = phaseModules(root, files);
const show = (edge: Edge): string => `${edge.from} -> ${edge.to}`;
/** The same graph with type-only imports counted as arrows: a loop of names, even if erased at run time. */
const typeCycles = cycles(edges.map((edge) => ({ ...edge, typeOnly: false })));

/**
 * The one loop of names the kit keeps, with its reason: the coroutine loop's Task and Future, and
 * its exception handler's signature, name the EventLoop type that runs them, as asyncio's do
 * (`import type`, erased at compile time).
 */
const KNOWN_TYPE_CYCLES = [
  ['styles/coroutines/loop/debug.ts', 'styles/coroutines/loop/event-loop.ts', 'styles/coroutines/loop/exceptions.ts', 'styles/coroutines/loop/future.ts', 'styles/coroutines/loop/task.ts'],
];

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

  it('has no command importing another command', () => {
    expect(commandArrows(edges).map(show)).toEqual([]);
  });

  it('recognises the phase modules, and no phase imports another', () => {
    expect([...phases].sort()).toEqual(
      expect.arrayContaining(['harness/phases/echo-cost.ts', 'harness/phases/echo-memory.ts', 'harness/phases/micro.ts', 'harness/phases/workflow-throughput.ts']),
    );
    expect(phases.has('harness/phases/common.ts')).toBe(false);
    expect(phases.has('harness/phases/servers.ts')).toBe(false);
    expect(phaseArrows(edges, phases).map(show)).toEqual([]);
  });

  it('would catch a command importing a command, and a phase importing a phase', () => {
    const bad: Edge[] = [
      { from: 'cli/commands/gate.ts', to: 'cli/commands/compare.ts', typeOnly: false },
      { from: 'cli/commands/run.ts', to: 'cli/commands/report.ts', typeOnly: true },
      { from: 'harness/phases/echo-cost.ts', to: 'harness/phases/echo-memory.ts', typeOnly: false },
      // Allowed: a command using cli/, a test of several commands, a phase using a shared module.
      { from: 'cli/commands/gate.ts', to: 'cli/input-errors.ts', typeOnly: false },
      { from: 'cli/commands/hostile-input.test.ts', to: 'cli/commands/run.ts', typeOnly: false },
      { from: 'harness/phases/echo-cost.ts', to: 'harness/phases/servers.ts', typeOnly: false },
      { from: 'harness/run.ts', to: 'harness/phases/echo-memory.ts', typeOnly: false },
    ];
    expect(commandArrows(bad).map(show)).toEqual(['cli/commands/gate.ts -> cli/commands/compare.ts', 'cli/commands/run.ts -> cli/commands/report.ts']);
    expect(phaseArrows(bad, new Set(['harness/phases/echo-cost.ts', 'harness/phases/echo-memory.ts'])).map(show)).toEqual([
      'harness/phases/echo-cost.ts -> harness/phases/echo-memory.ts',
    ]);
    expect(exportsPhase('export const echoCostPhase: Phase = { name: "echo" };')).toBe(true);
    expect(exportsPhase('export const workflowExplainPhase = explainPhase("repos-and-forks");')).toBe(true);
    expect(exportsPhase('// echoCostPhase lives elsewhere\nexport const SETTLE_MS = 30;\nconst localPhase = 1;')).toBe(false);
  });
});
