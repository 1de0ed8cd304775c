// The stopping rule of the block design on a virtual clock: rounds go on until the ranked figures
// are precise enough, the time is spent, or the cap is reached; the minimum is always taken.
import { describe, expect, it } from 'vitest';
import { Progress } from '../progress.js';
import { Collector } from '../results.js';
import { planConfig, type PhaseContext } from './common.js';
import { relativePrecision, runBlock, runRounds, worstOf } from './rounds.js';

/** A series whose every turn takes `turnMs` of a virtual clock and whose worst precision after round r is `precisionAfter(r)`. */
async function series(options: { precisionAfter: (rounds: number) => number; deadline: number; minRounds?: number; maxRounds?: number; turnMs?: number }) {
  let clock = 0;
  let rounds = 0;
  const orders: string[][] = [];
  const outcome = await runRounds({
    ids: ['a', 'b', 'c'],
    seed: 7,
    label: 'test',
    plan: { minRounds: options.minRounds ?? 2, maxRounds: options.maxRounds ?? 100, deadline: options.deadline, precision: 0.02 },
    signal: new AbortController().signal,
    turn: () => {
      clock += options.turnMs ?? 100;
      return Promise.resolve();
    },
    ended: (round, order) => {
      rounds = round + 1;
      orders.push([...order]);
    },
    worst: () => ({ precision: options.precisionAfter(rounds), figure: 'a cpu' }),
    now: () => clock,
  });
  return { outcome, orders };
}

describe('runRounds', () => {
  it('stops at the first round whose worst figure is within the target', async () => {
    const { outcome } = await series({ precisionAfter: (r) => 0.1 / Math.sqrt(r), deadline: 1e9 });
    // 0.1/√r ≤ 0.02 first at r = 25.
    expect(outcome).toMatchObject({ rounds: 25, stoppedBy: 'precision' });
  });

  it('starts no round that would end past the deadline, but always takes the minimum', async () => {
    // Each round takes 300 ms: the third would end at 900 > 800.
    expect((await series({ precisionAfter: () => 1, deadline: 800 })).outcome).toMatchObject({ rounds: 2, stoppedBy: 'budget' });
    expect((await series({ precisionAfter: () => 1, deadline: 0, minRounds: 4 })).outcome).toMatchObject({ rounds: 4, stoppedBy: 'budget' });
  });

  it('stops at the cap of rounds', async () => {
    expect((await series({ precisionAfter: () => 1, deadline: 1e9, maxRounds: 5 })).outcome).toMatchObject({ rounds: 5, stoppedBy: 'rounds' });
  });

  it('shuffles the order per round from the seed, the same for the same seed', async () => {
    const first = await series({ precisionAfter: () => 1, deadline: 1e9, maxRounds: 6 });
    const again = await series({ precisionAfter: () => 1, deadline: 1e9, maxRounds: 6 });
    expect(first.orders).toEqual(again.orders);
    expect(new Set(first.orders.map((order) => order.join(''))).size).toBeGreaterThan(1);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runRounds({ ids: ['a'], seed: 1, label: 't', plan: { minRounds: 1, maxRounds: 2, deadline: 1e9, precision: 0.02 }, signal: controller.signal, turn: () => Promise.resolve(), worst: () => ({ precision: 1, figure: 'x' }) }),
    ).rejects.toThrow('interrupted');
  });
});

describe('relativePrecision', () => {
  it('is the back-transformed half-width of the 95% t interval of the log values', () => {
    // logs of e^0.1, e^-0.1, e^0.1, e^-0.1: sd 0.11547, n 4, t(0.975, 3) = 3.182446.
    const values = [Math.exp(0.1), Math.exp(-0.1), Math.exp(0.1), Math.exp(-0.1)];
    expect(relativePrecision(values)).toBeCloseTo(Math.exp(3.182446 * (0.1154701 / 2)) - 1, 5);
  });

  it('is infinite below two values and ignores what is not a positive number', () => {
    expect(relativePrecision([1.2])).toBe(Number.POSITIVE_INFINITY);
    expect(relativePrecision([1, 0, -1, Number.NaN])).toBe(Number.POSITIVE_INFINITY);
  });

  it('names the worst figure', () => {
    const worst = worstOf(new Map([['tight', [1, 1.01, 0.99]], ['loose', [1, 1.5, 0.7]]]));
    expect(worst.figure).toBe('loose');
  });
});

describe('runBlock', () => {
  /** A context whose progress lines are kept; the contenders' pids name no process, so /proc reads nothing. */
  const contextOf = (lines: string[]): PhaseContext => ({
    config: planConfig({ scenarios: ['echo'], styles: ['callbacks'], quick: true, seed: 3, out: '/nonexistent' }),
    collector: new Collector(),
    progress: new Progress({ stream: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream, tty: false }),
    signal: new AbortController().signal,
    cpus: undefined,
  });
  const nobody = { pid: 0x3fffff };

  it('keeps each turn, drops the ones the phase refuses, and divides by the reference of the same round', async () => {
    const lines: string[] = [];
    const context = contextOf(lines);
    // The reference's value doubles every round, as a host's slow stretch would: the ratio holds still.
    const block = await runBlock<number>(context, {
      contenders: new Map([['ref', nobody], ['a', nobody], ['b', nobody]]),
      reference: 'ref',
      label: 'test',
      plan: { minRounds: 3, maxRounds: 3, deadline: 0, precision: 0.02 },
      take: (id, round) => {
        if (id === 'b' && round === 1) return Promise.resolve({ dropped: 'no request served' });
        const scale = 2 ** round;
        return Promise.resolve({ turn: (id === 'ref' ? 10 : id === 'a' ? 15 : 5) * scale, windowMs: 100 });
      },
      figures: { cost: (turn) => turn },
    });
    expect(block.outcome.rounds).toBe(3);
    expect([0, 1, 2].map((round) => block.ratio('a', round, (t) => t))).toEqual([1.5, 1.5, 1.5]);
    expect([0, 1, 2].map((round) => block.ratio('b', round, (t) => t))).toEqual([0.5, undefined, 0.5]);
    expect(block.dropped.get('b')).toBe(1);
    expect([...(block.turns.get('b')?.keys() ?? [])].sort()).toEqual([0, 2]);
    expect(lines.join('')).toContain('test: b round 2: no request served: dropped');
    // Every round's order is recorded under the series' label.
    expect(context.collector.orders.map((order) => [order.phase, order.repeat])).toEqual([['test', 0], ['test', 1], ['test', 2]]);
  });

  it('stops once every ranked ratio is as precise as asked', async () => {
    const block = await runBlock<number>(contextOf([]), {
      contenders: new Map([['ref', nobody], ['a', nobody]]),
      reference: 'ref',
      label: 'steady',
      plan: { minRounds: 2, maxRounds: 50, deadline: Number.POSITIVE_INFINITY, precision: 0.02 },
      take: (id) => Promise.resolve({ turn: id === 'ref' ? 4 : 3, windowMs: 100 }),
      figures: { cost: (turn) => turn },
    });
    // Identical ratios have no spread: precise after the minimum.
    expect(block.outcome).toMatchObject({ rounds: 2, stoppedBy: 'precision' });
  });

  it('with the reference inside each turn, divides by that side of the same turn and gives the reference no turn', async () => {
    type Paired = { mine: number; reference: number };
    const taken: string[] = [];
    // The reference's side differs from turn to turn (as 100 ms apart it follows the host): each ratio is that turn's.
    const block = await runBlock<Paired>(contextOf([]), {
      contenders: new Map([['a', nobody], ['b', nobody]]),
      reference: 'ref',
      referenceIn: (turn) => ({ mine: turn.reference, reference: turn.mine }),
      label: 'paired',
      plan: { minRounds: 2, maxRounds: 2, deadline: 0, precision: 0.02 },
      take: (id, round) => {
        taken.push(id);
        const host = round === 0 ? 1 : 3;
        return Promise.resolve({ turn: { mine: (id === 'a' ? 12 : 6) * host, reference: (id === 'a' ? 10 : 8) * host }, windowMs: 100 });
      },
      figures: { cost: (turn) => turn.mine },
    });
    expect([0, 1].map((round) => block.ratio('a', round, (t) => t.mine))).toEqual([1.2, 1.2]);
    expect([0, 1].map((round) => block.ratio('b', round, (t) => t.mine))).toEqual([0.75, 0.75]);
    expect(taken.sort()).toEqual(['a', 'a', 'b', 'b']);
  });
});
