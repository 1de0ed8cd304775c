// `rosetta echo-server --style ID` loads that style's code and no other: what it imports whatever the
// style (read from the import graph, literal dynamic imports included) reaches no style's folder, and
// the one style is loaded by id at run time (harness/child/style.ts). Another style's modules would
// enlarge the measured server's heap.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, kitFiles } from '../../test/architecture/import-graph.js';
import { command } from './echo-server.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Every file `from` loads at run time, following imports that are not type-only. */
function reachable(from: string): Set<string> {
  const edges = importGraph(root, kitFiles(root)).filter((edge) => !edge.typeOnly);
  const seen = new Set([from]);
  const todo = [from];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const edge of edges) {
      if (edge.from === file && !seen.has(edge.to)) {
        seen.add(edge.to);
        todo.push(edge.to);
      }
    }
  }
  return seen;
}

describe('rosetta echo-server', () => {
  it("imports no style's code of its own accord: neither the registry nor any style folder", () => {
    const loaded = [...reachable('cli/commands/echo-server.ts')];
    expect(loaded).toContain('harness/child/style.ts');
    expect(loaded.filter((file) => file.startsWith('styles/'))).toEqual(['styles/adapter.ts']);
  });

  it('still offers every style id, and the baseline, in --help', () => {
    for (const id of ['threads', 'callbacks', 'effect', 'baseline']) expect(command.help).toContain(id);
  });
});
