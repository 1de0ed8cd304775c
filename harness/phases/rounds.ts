// The block design every timed figure uses: contenders (servers, runners) are all warm at once on
// the measured core, and rounds are run in which each takes one short turn, in an order shuffled
// per round from the run's seed. A round is a block: a slow stretch of the host that covers it
// weighs on the reference's turn as on every other's, so a ratio taken within the round cancels it.
// Where the host's noise is faster than a round, the reference is measured inside every turn instead
// (`referenceIn`: slices in alternation), and the ratio is taken within the turn.
// Rounds go on until every ranked figure is as precise as asked, or the time given is spent.
import { interval95 } from '../stats/summary.js';
import { procCpuMs } from '../proc-cpu.js';
import { shuffled } from './order.js';
import { throwIfAborted, type PhaseContext } from './common.js';

/** A process that used this much of one core over a window is the bottleneck there. */
export const SATURATED_SHARE = 0.9;
/** A window in which the other contenders on the measured core used more than this share of it is dropped. */
export const OTHERS_MAX_SHARE = 0.1;

/** Why a series of rounds stopped: its figures reached the target, its time ran out, or its cap of rounds. */
export type StoppedBy = 'precision' | 'budget' | 'rounds';

export interface RoundsPlan {
  /** Rounds always taken, whatever the clock says: an interval needs a few. */
  readonly minRounds: number;
  readonly maxRounds: number;
  /** performance.now() after which no new round starts (the minimum still runs). */
  readonly deadline: number;
  /** Target relative half-width of the 95% interval of every ranked figure (0.02: ±2%). */
  readonly precision: number;
}

export interface RoundsOutcome {
  readonly rounds: number;
  readonly stoppedBy: StoppedBy;
  /** The worst relative half-width when it stopped, and the figure that had it. */
  readonly worst: { readonly precision: number; readonly figure: string };
}

export interface RoundsOptions<Id extends string> {
  readonly ids: readonly Id[];
  readonly seed: number;
  /** Names this series in the seed's stream, so two series shuffle independently. */
  readonly label: string;
  readonly plan: RoundsPlan;
  readonly signal: AbortSignal;
  /** One turn of one contender in round `round`. */
  turn(id: Id, round: number): Promise<void>;
  /** Called after each round with the order it took. */
  ended?(round: number, order: readonly Id[]): void;
  /** The worst precision over the ranked figures so far (Infinity while any has too few rounds). */
  worst(): { readonly precision: number; readonly figure: string };
  now?: () => number;
}

/** Runs rounds until the ranked figures are as precise as the plan asks, or its time or rounds run out. */
export async function runRounds<Id extends string>(options: RoundsOptions<Id>): Promise<RoundsOutcome> {
  const now = options.now ?? (() => performance.now());
  const { plan } = options;
  let round = 0;
  let lastRoundMs = 0;
  for (;;) {
    const worst = options.worst();
    if (round >= plan.minRounds) {
      if (worst.precision <= plan.precision) return { rounds: round, stoppedBy: 'precision', worst };
      if (round >= plan.maxRounds) return { rounds: round, stoppedBy: 'rounds', worst };
      // A round that would end past the deadline is not started.
      if (now() + lastRoundMs > plan.deadline) return { rounds: round, stoppedBy: 'budget', worst };
    }
    throwIfAborted(options.signal);
    const started = now();
    const order = shuffled(options.ids, options.seed, `${options.label}/${round}`);
    for (const id of order) await options.turn(id, round);
    options.ended?.(round, order);
    lastRoundMs = now() - started;
    round++;
  }
}

/**
 * The relative half-width of the 95% interval of the geometric mean of positive values (ratios):
 * t · sd(log x) / √n on the log scale, back-transformed. Infinity below two values.
 */
export function relativePrecision(values: readonly number[]): number {
  const positive = values.filter((x) => x > 0 && Number.isFinite(x));
  if (positive.length < 2) return Number.POSITIVE_INFINITY;
  const [low, high] = interval95(positive);
  return Math.sqrt(high / low) - 1;
}

/** The worst of several figures' precisions, with its name; Infinity when there is none yet. */
export function worstOf(figures: ReadonlyMap<string, readonly number[]>): { precision: number; figure: string } {
  let worst = { precision: Number.POSITIVE_INFINITY, figure: 'none yet' };
  let first = true;
  for (const [figure, values] of figures) {
    const precision = relativePrecision(values);
    if (first || precision > worst.precision) worst = { precision, figure };
    first = false;
  }
  return worst;
}

/** The progress line's account of a series: the worst figure's precision and the time left. */
export function roundStatus(round: number, worst: { readonly precision: number; readonly figure: string }, deadline: number): string {
  const precision = Number.isFinite(worst.precision) ? `±${(worst.precision * 100).toFixed(1)}%` : '±?';
  const left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
  return `round ${round + 1}, worst ${precision} (${worst.figure}), ${left} s left`;
}

/** A contender's turn as its phase measured it, or why it was dropped. */
export type Taken<T> = { readonly turn: T; readonly windowMs: number } | { readonly dropped: string };

export interface BlockOptions<T> {
  /** Every contender by row name, with the process the idle check reads; the reference among them. */
  readonly contenders: ReadonlyMap<string, { readonly pid: number }>;
  /** The row every ratio divides by, turn for turn in the same round. */
  readonly reference: string;
  /**
   * When the reference is measured inside every turn (slices taken in alternation with the
   * contender's), its side of a turn, as a turn of its own: ratios are then taken within the turn,
   * and the reference is not a contender.
   */
  readonly referenceIn?: (turn: T) => T;
  /** Names the series (seed stream, the order's phase, progress). */
  readonly label: string;
  readonly plan: RoundsPlan;
  /** The first round's index in results.json (a later generation continues the count). */
  readonly first?: number;
  /** One turn of one contender: its measurement and the length of its windows, or a reason to drop it. */
  take(id: string, round: number): Promise<Taken<T>>;
  /** The ranked figures of a turn, by name: the stopping rule reads their ratios to the reference's. */
  readonly figures: Readonly<Record<string, (turn: T) => number>>;
}

/** A kept turn, with the other contenders' CPU over it as a share of its windows. */
export interface KeptTurn<T> {
  readonly turn: T;
  readonly othersShare: number;
}

export interface Block<T> {
  readonly outcome: RoundsOutcome;
  readonly turns: ReadonlyMap<string, ReadonlyMap<number, KeptTurn<T>>>;
  readonly dropped: ReadonlyMap<string, number>;
  /** `id`'s figure over the reference's in `round`, when both turns were kept. */
  ratio(id: string, round: number, pick: (turn: T) => number): number | undefined;
}

/**
 * The turn engine both timed phases share: rounds of turns (runRounds), each turn checked on /proc
 * for the other contenders' CPU (their leftover work would be billed to it), and every ranked figure
 * taken as a ratio to the reference's turn of the same round, until precise or out of time.
 */
export async function runBlock<T>(context: PhaseContext, options: BlockOptions<T>): Promise<Block<T>> {
  const ids = [...options.contenders.keys()];
  const turns = new Map<string, Map<number, KeptTurn<T>>>(ids.map((id) => [id, new Map()]));
  const dropped = new Map<string, number>();
  const series = new Map<string, number[]>();
  const ratio = (id: string, round: number, pick: (turn: T) => number): number | undefined => {
    const mine = turns.get(id)?.get(round)?.turn;
    const reference = mine !== undefined && options.referenceIn !== undefined ? options.referenceIn(mine) : turns.get(options.reference)?.get(round)?.turn;
    return mine === undefined || reference === undefined ? undefined : pick(mine) / pick(reference);
  };
  const othersCpuMs = (id: string): number => {
    let total = 0;
    for (const [other, { pid }] of options.contenders) if (other !== id) total += procCpuMs(pid) ?? 0;
    return total;
  };
  const first = options.first ?? 0;
  const outcome = await runRounds({
    ids,
    seed: context.config.seed,
    label: options.label,
    plan: options.plan,
    signal: context.signal,
    async turn(id, round) {
      const before = othersCpuMs(id);
      const taken = await options.take(id, round);
      // The turn's settling time is in the /proc interval too: it can only make the check stricter.
      const othersShare = 'turn' in taken ? (othersCpuMs(id) - before) / taken.windowMs : 0;
      const why = 'dropped' in taken ? taken.dropped : othersShare > OTHERS_MAX_SHARE ? `the others used ${Math.round(othersShare * 100)}% of the core in its window` : undefined;
      if (why !== undefined || !('turn' in taken)) {
        dropped.set(id, (dropped.get(id) ?? 0) + 1);
        context.progress.note(`${options.label}: ${id} round ${first + round + 1}: ${why ?? 'no turn'}: dropped`);
        return;
      }
      turns.get(id)?.set(round, { turn: taken.turn, othersShare });
    },
    ended(round, order) {
      context.collector.order({ phase: options.label, repeat: first + round, order });
      for (const id of ids) {
        if (id === options.reference) continue;
        for (const [name, pick] of Object.entries(options.figures)) {
          const value = ratio(id, round, pick);
          const key = `${id} ${name}`;
          if (value !== undefined) series.set(key, [...(series.get(key) ?? []), value]);
        }
      }
      context.progress.status(`${options.label}: ${roundStatus(round, worstOf(series), options.plan.deadline)}`);
    },
    worst: () => worstOf(series),
  });
  return { outcome, turns, dropped, ratio };
}
