// The echo block design end to end on real servers: every server warm at once, rounds of turns,
// each turn's slices taken in alternation with the reference's, every ratio taken within the turn. Needs the build (dist/).
import { afterEach, describe, expect, it } from 'vitest';
import { Progress } from '../progress.js';
import { liveChildren } from '../processes/watch.js';
import { buildMetrics, Collector } from '../results.js';
import { planConfig, type PhaseContext } from './common.js';
import { echoCostPhase } from './echo-cost.js';
import { nativeBinary } from '../native.js';
import { availableReferences } from '../references.js';

afterEach(() => {
  expect(liveChildren()).toEqual([]);
});

describe('echo cost and capacity in rounds', () => {
  it.each(['node', 'native'] as const)('pairs every turn with the reference inside it, records each turn, and stops at the cap of rounds (%s load client)', async (client) => {
    const collector = new Collector();
    const quick = planConfig({ scenarios: ['echo'], styles: ['callbacks'], quick: true, seed: 5, out: '/nonexistent' });
    // Shorter than a quick run's (the suite's time is CI's): a low rate, short turns, three rounds.
    const echo = {
      ...quick.echo,
      cells: [{ size: 1024, connections: 4, rate: 1_000 }],
      warmup: { ...quick.echo.warmup, minMs: 250, laterMinMs: 250, maxMs: 500 },
      turn: { settleMs: 50, sliceMs: 50, costPairs: 2, capacityPairs: 1 },
      rounds: { minRounds: 3, maxRounds: 3 },
      references: client === 'native',
    };
    const lines: string[] = [];
    const context: PhaseContext = {
      config: { ...quick, echo },
      collector,
      progress: new Progress({ stream: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream, tty: false }),
      signal: new AbortController().signal,
      cpus: undefined,
      deadline: performance.now(),
      loadClient: client === 'native' ? { kind: 'native', binary: await nativeBinary('echo-load') } : { kind: 'node', why: 'the test asks for it' },
    };
    await echoCostPhase.run(context);
    expect(collector.failures).toEqual([]);
    // With the native client the reference servers this machine can run are rows too (not ranked: the report's business).
    const references = client === 'native' ? (await availableReferences()).available : [];
    const rows = ['baseline', 'callbacks', ...references].sort();

    const cost = collector.samples.filter((sample) => sample.name === 'echo.cpu_us_per_req');
    // The baseline row and the style; the reference is what they divide by, never a row.
    expect([...new Set(cost.map((sample) => sample.style))].sort()).toEqual(rows);
    for (const style of rows) {
      const mine = cost.filter((sample) => sample.style === style);
      expect(mine.length + Number(mine[0]?.extra?.droppedTurns ?? 0)).toBeGreaterThanOrEqual(3);
      expect(mine[0]?.extra?.stoppedBy).toBe('rounds');
      expect(new Set(mine.map((sample) => sample.repeat)).size).toBe(mine.length);
    }
    for (const sample of cost) {
      expect(sample.value).toBeGreaterThan(0);
      expect(sample.pairedRatio).toBeGreaterThan(0.2);
      expect(sample.pairedRatio).toBeLessThan(5);
      expect(sample.extra?.achievedRate).toBeGreaterThan(0);
    }
    // Capacity of every turn, with who saturated, and its ratio from the same round.
    for (const sample of collector.samples.filter((s) => s.name === 'echo.rps')) {
      expect(['server', 'client', 'both', 'neither']).toContain(sample.extra?.saturatedBy);
      expect(sample.pairedRatio).toBeGreaterThan(0);
    }
    const metrics = buildMetrics(collector.samples);
    const twins = metrics.filter((metric) => metric.name === 'echo.cpu_us_per_req.ratio');
    expect(twins.map((metric) => [metric.style, metric.extra?.paired]).sort()).toEqual(rows.map((style) => [style, true]));
    // Every recorded turn is kept for the variance analysis, with both halves of its cost window
    // and the idle check's reading; the order of every round is recorded.
    const turns = collector.turns.filter((turn) => turn.phase === 'echo');
    expect(turns.length).toBe(cost.length);
    for (const turn of turns) {
      expect(turn.parts).toHaveLength(2);
      expect(turn.referenceParts).toHaveLength(2);
      expect(turn.othersShare).toBeGreaterThanOrEqual(0);
    }
    // The reference takes no turn of its own: it has its slices inside every other server's.
    expect(collector.orders.map((order) => [...order.order].sort())).toEqual(Array.from({ length: 3 }, () => rows));
  }, 120_000);
});
