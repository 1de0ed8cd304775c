// `rosetta chat-server --style ID` loads that style's code and no other (as echo-server), and names
// the flag and what is accepted when its input is wrong.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, kitFiles } from '../../test/architecture/import-graph.js';
import { UsageError } from '../args.js';
import { command } from './chat-server.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('rosetta chat-server', () => {
  it("imports no style's code of its own accord: neither the registry nor any style folder", () => {
    const edges = importGraph(root, kitFiles(root)).filter((edge) => !edge.typeOnly);
    const seen = new Set(['cli/commands/chat-server.ts']);
    const todo = [...seen];
    for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
      for (const edge of edges) {
        if (edge.from === file && !seen.has(edge.to)) {
          seen.add(edge.to);
          todo.push(edge.to);
        }
      }
    }
    expect(seen).toContain('harness/child/style.ts');
    expect([...seen].filter((file) => file.startsWith('styles/'))).toEqual(['styles/adapter.ts']);
  });

  it('names the flag and what is accepted', async () => {
    await expect(command.run([])).rejects.toThrow(/--style is required; accepted: .*async-await.*baseline/);
    await expect(command.run(['--style', 'baseline', '--host', 'localhost'])).rejects.toThrow(/--host got "localhost"; expected an IP address/);
    await expect(command.run(['--style', 'nope'])).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(['--style', 'threads'])).rejects.toThrow(/--style threads has no chat room yet/);
  });
});
