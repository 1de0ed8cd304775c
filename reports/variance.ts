// Where the spread of the timed ratios lives, from a run's recorded turns (results.json `turns`):
// for every contender of every cell, the log ratio of each part of its turn to the reference's turn
// of the same round, split into between-generation, between-round and within-turn components
// (harness/variance.ts). What decides the unit of a timed figure's interval: the round when the
// generations add nothing beyond what the rounds predict, else the generation.
import type { Results, TimedTurn } from '../harness/schema.js';
import { nestedComponents, standardError, type NestedComponents } from '../harness/variance.js';

export interface VarianceRow {
  readonly phase: TimedTurn['phase'];
  readonly cell: string;
  readonly id: string;
  readonly components: NestedComponents;
  /** Standard error (log scale) of the figure as it was measured: all generations, rounds and parts. */
  readonly standardError: number;
}

export interface VarianceReport {
  readonly rows: readonly VarianceRow[];
  /** What could not be analysed, and why (too few rounds, one part a turn). */
  readonly notes: readonly string[];
}

const cellOf = (params: Readonly<Record<string, number>>): string =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');

/** The nested components of every (phase, cell, contender) with at least 2 rounds in each generation and 2 parts a turn. */
export function varianceOf(results: Results): VarianceReport {
  const groups = new Map<string, TimedTurn[]>();
  for (const turn of results.turns ?? []) {
    const key = `${turn.phase}\u0000${cellOf(turn.params)}\u0000${turn.id}`;
    groups.set(key, [...(groups.get(key) ?? []), turn]);
  }
  const rows: VarianceRow[] = [];
  const notes: string[] = [];
  for (const turns of groups.values()) {
    const first = turns[0] as TimedTurn;
    const label = `${first.phase} ${cellOf(first.params)} ${first.id}`;
    const parts = Math.min(...turns.map((turn) => Math.min(turn.parts.length, turn.referenceParts.length)));
    if (parts < 2) {
      notes.push(`${label}: one window a turn, no within-turn component to split off`);
      continue;
    }
    const byGeneration = new Map<number, TimedTurn[]>();
    for (const turn of turns) byGeneration.set(turn.generation, [...(byGeneration.get(turn.generation) ?? []), turn]);
    // A balanced design: every generation cut to the fewest rounds any of them has.
    const rounds = Math.min(...[...byGeneration.values()].map((list) => list.length));
    if (rounds < 2) {
      notes.push(`${label}: a generation with fewer than 2 kept rounds`);
      continue;
    }
    const values = [...byGeneration.keys()]
      .sort((a, b) => a - b)
      .map((generation) =>
        (byGeneration.get(generation) as TimedTurn[])
          .sort((a, b) => a.round - b.round)
          .slice(0, rounds)
          .map((turn) => {
            const reference = turn.referenceParts.slice(0, parts).reduce((sum, x) => sum + x, 0) / parts;
            return turn.parts.slice(0, parts).map((x) => x / reference);
          }),
      );
    const components = nestedComponents(values);
    rows.push({ phase: first.phase, cell: cellOf(first.params), id: first.id, components, standardError: standardError(components, values.length, rounds, parts) });
  }
  return { rows, notes };
}

/** The components as a table: each as a standard deviation in percent of the ratio (√variance of the log, ×100). */
export function formatVariance(report: VarianceReport): string {
  const pct = (variance: number): string => (Math.sqrt(variance) * 100).toFixed(1);
  const header = ['phase', 'cell', 'contender', 'G', 'R', 'P', 'sd gen %', 'sd round %', 'sd within %', 'F gen', 'F round', 'SE %'];
  const table = report.rows.map((row) => {
    const c = row.components;
    return [
      row.phase,
      row.cell,
      row.id,
      String(c.generations),
      String(c.rounds),
      String(c.parts),
      pct(c.betweenGenerations),
      pct(c.betweenRounds),
      pct(c.withinTurn),
      Number.isFinite(c.fGenerations) ? c.fGenerations.toFixed(2) : '-',
      Number.isFinite(c.fRounds) ? c.fRounds.toFixed(2) : '-',
      (row.standardError * 100).toFixed(2),
    ];
  });
  const widths = header.map((_, col) => Math.max(...[header, ...table].map((cells) => (cells[col] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, col) => (col < 3 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ');
  return [line(header), ...table.map(line), ...report.notes.map((note) => `note: ${note}`)].join('\n') + '\n';
}
