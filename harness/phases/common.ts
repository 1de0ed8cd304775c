// What every measurement phase shares: the run's configuration, where samples and failures go, and
// how an error in a measurement becomes a recorded failure (reason, message, stderr tail) instead
// of ending the run.
import type { Failure } from '../schema.js';
import { RemoteError } from '../child/ipc.js';
import { ChildError, type Child } from '../processes/children.js';
import { STDERR_TAIL_BYTES } from '../processes/watch.js';
import type { Progress } from '../progress.js';
import type { Collector } from '../results.js';
import type { Runtime } from '../runtimes.js';
import { VerificationError } from '../verification.js';
import { aidsFor, variantId } from '../aids.js';

/**
 * What `--scenario` selects. The two programs (echo: cost, capacity and memory; repos-and-forks:
 * throughput, wall time and memory), and two kinds of measurement across both: `memory` (the memory
 * sweeps alone) and `instructions` (echo's cost counted by callgrind: needs valgrind, takes minutes);
 * the regression gate runs those two. Metrics still belong to their program (metric.scenario).
 */
export type ScenarioName = 'echo' | 'repos-and-forks' | 'memory' | 'instructions' | 'micro' | 'tracebacks';
export const SCENARIOS: readonly ScenarioName[] = ['echo', 'repos-and-forks', 'memory', 'instructions', 'micro', 'tracebacks'];
/**
 * What `--quick` measures when no `--scenario` is given: everything but the instruction counts, which
 * take minutes under callgrind (the full run and the gate, which asks for them by name, have them).
 */
export const QUICK_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((scenario) => scenario !== 'instructions');

/** One cell of the echo grid, with the open-loop rate every server is offered there. */
export interface EchoCell {
  /** Bytes per message. */
  readonly size: number;
  readonly connections: number;
  /** Requests per second offered in all (spread over the connections) for the cost window. */
  readonly rate: number;
}

export interface EchoGrid {
  readonly cells: readonly EchoCell[];
  /**
   * Steady state before the cost window: short windows until two agree within `tolerance`, after
   * `minMs` in a pair's first cell (a fresh process) and `laterMinMs` in its later cells.
   */
  readonly warmup: { readonly stepMs: number; readonly minMs: number; readonly laterMinMs: number; readonly maxMs: number; readonly tolerance: number };
  /**
   * One server's turn in a round (phases/echo-cost.ts), paired with the reference: after `settleMs`
   * untimed, `costPairs` pairs of slices of `sliceMs` (the server's, then the reference's, or the other
   * way round) in an open loop at the cell's rate, read in two halves; `settleMs` again, then
   * `capacityPairs` pairs in a closed loop.
   */
  readonly turn: { readonly settleMs: number; readonly sliceMs: number; readonly costPairs: number; readonly capacityPairs: number };
  /** Rounds always taken, and at most, per cell and generation; between them the budget and the target decide. */
  readonly rounds: { readonly minRounds: number; readonly maxRounds: number };
  /** Sets of fresh server processes, each measured in its own rounds (the variance analysis takes several). */
  readonly generations: number;
  /** Whether the servers not written in Node (harness/references.ts) that this machine can run join the rounds. */
  readonly references: boolean;
}

export interface RunConfig {
  readonly mode: 'quick' | 'full';
  /** Seeds the order servers and styles take turns in (phases/order.ts); recorded in results.json. */
  readonly seed: number;
  readonly scenarios: readonly ScenarioName[];
  /** Styles measured, in report order (references included: see run.ts). */
  readonly styles: readonly string[];
  /**
   * Debug-aid variants (`callbacks+trace`, harness/aids.ts) the memory and instruction phases measure
   * beside their plain styles; empty unless asked (`rosetta run --aids`). The traceback matrix runs
   * every variant of the measured styles whatever this says.
   */
  readonly aids: readonly string[];
  readonly repeats: number;
  readonly echo: EchoGrid;
  /** Open connections at each step of the echo memory sweep (first 0). */
  readonly echoMemorySteps: readonly number[];
  /** Bytes each connection echoes once before the active sweep. */
  readonly echoActiveBytes: number;
  /** Suspended workflows at each step of the workflow memory sweep (first 0). */
  readonly workflowMemorySteps: readonly number[];
  /**
   * Idle connections (and in-flight workflows) held at the second heap snapshot of the memory
   * attribution; `costly` for a style whose unit costs megabytes and a thread to start (own memorySteps).
   */
  readonly memoryExplain: { readonly units: number; readonly costlyUnits: number };
  readonly workflow: {
    readonly concurrent: number;
    /** Steady state of each runner before the rounds: short windows until two agree on CPU per request served. */
    readonly warmup: { readonly stepMs: number; readonly minMs: number; readonly maxMs: number; readonly tolerance: number };
    /**
     * A runner's turn in a round, paired with the reference runner: `pairs` times each of the two is
     * resumed, settled untimed for `settleMs`, read over one exact window of `windowMs`, and paused.
     */
    readonly turn: { readonly settleMs: number; readonly windowMs: number; readonly pairs: number };
    readonly rounds: { readonly minRounds: number; readonly maxRounds: number };
    readonly latencyMs: number;
    /** Sequential workflows timed per runner at `latencyMs`; the sample is their median. */
    readonly wallRuns: number;
  };
  readonly micro: { readonly timeMs: number; readonly warmupMs: number };
  /** Echo instructions per request under callgrind (phases/instructions.ts). */
  readonly instructions: {
    /** Fresh server processes per server: the samples. */
    readonly repeats: number;
    /** Servers counted at once: a count does not depend on what the other core does. */
    readonly parallel: number;
    /** Echo round trips of the uninstrumented closed loop before counting starts, and of one counted window. */
    readonly echoWarmRequests: number;
    readonly echoWindowRequests: number;
    /** Windows are taken until two in a row agree within `tolerance`, at most `maxWindows`. */
    readonly maxWindows: number;
    readonly tolerance: number;
  };
  /** Styles whose memory is measured at once (memory does not depend on CPU contention; timing does). */
  readonly memoryParallel: number;
  /**
   * Sweeps of each style's memory, each in fresh processes (1 unless asked): the gate takes 2, so
   * that one sweep bent by a one-off allocation cannot decide a verdict alone.
   */
  readonly memoryRepeats: number;
  /** Wall ms the whole run may take: the timed phases' rounds spend what the precise phases leave. */
  readonly budgetMs: number;
  /** Target relative half-width of every ranked timed figure's 95% interval: rounds stop there. */
  readonly precision: number;
  readonly out: string;
}

const KIB = 1024;

/** What a run may take when not told (`--budget`), and the precision its timed rounds aim for (`--precision`). */
// A full run's default leaves a minute of ten for what `npm ci && npm start` does around it.
export const DEFAULT_BUDGET_MS = { full: 9 * 60_000, quick: 3 * 60_000 } as const;
export const DEFAULT_PRECISION = 0.02;

export interface PhaseContext {
  readonly config: RunConfig;
  readonly collector: Collector;
  readonly progress: Progress;
  /** Aborted when the harness got SIGINT/SIGTERM: stop starting work. */
  readonly signal: AbortSignal;
  /** Cores the children may be pinned to (server/measured child, load/backend child), or undefined. */
  readonly cpus: { readonly measured: number; readonly load: number } | undefined;
  /** The Node binary every child of the run starts on (harness/runtimes.ts); the harness's own when absent. */
  readonly node?: string | undefined;
  /** performance.now() by which a timed phase should have taken its last round (run.ts shares the budget out). */
  readonly deadline?: number | undefined;
  /** The echo load client the timed echo phase drives its sessions with. */
  readonly loadClient?: LoadClient | undefined;
}

export const LOAD_CLIENTS = ['auto', 'native', 'node'] as const;
export type LoadClientChoice = (typeof LOAD_CLIENTS)[number];

/** The C engine, compiled (harness/native.ts), or the Node client, with why the C one is not used. */
export type LoadClient = { readonly kind: 'native'; readonly binary: string } | { readonly kind: 'node'; readonly why: string };

export interface Phase {
  readonly name: string;
  /** How many steps `run` will report, for the progress line. */
  steps(config: RunConfig): number;
  /**
   * A timed phase (rounds until precise or out of time) runs after the precise ones and gets a share
   * of the time they leave, in proportion to this weight; a precise phase has none.
   */
  timedWeight?(config: RunConfig): number;
  run(context: PhaseContext): Promise<void>;
}

/** The run was interrupted; phases rethrow it instead of recording a failure. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError('interrupted');
}

/** Turns an error from a measurement into a Failure; the stderr tails of the children involved are kept. */
export function failureOf(what: string, error: unknown, children: readonly (Child | undefined)[]): Failure {
  const talking = children.filter((child): child is Child => child !== undefined && child.stderrTail() !== '');
  // Each child gets an equal share of the 2 KiB, its own end kept, under its own label.
  const share = talking.length === 0 ? 0 : Math.floor(STDERR_TAIL_BYTES / talking.length);
  const tails = talking
    .map((child) => {
      const header = `--- ${child.label} ---\n`;
      return header + child.stderrTail().slice(-Math.max(0, share - header.length - 1));
    })
    .join('\n');
  if (error instanceof ChildError) {
    return { what, reason: error.reason, message: error.message, stderrTail: tails || error.stderrTail.slice(-STDERR_TAIL_BYTES) };
  }
  if (error instanceof VerificationError) {
    return { what, reason: 'verification', message: error.message, stderrTail: tails };
  }
  const message = error instanceof RemoteError ? `${error.name}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { what, reason: 'error', message, stderrTail: tails };
}

export type Track = (child: Child, options?: { readonly keep?: boolean }) => Child;

/**
 * Runs one measurement with its children; any failure is recorded and the run goes on. Children
 * tracked plainly are stopped afterwards; children tracked with `keep` (a Pool's) live on after a
 * success and are killed after a failure, so a pool never hands out a child in an unknown state.
 * An interruption propagates.
 */
export async function measure(context: PhaseContext, what: string, body: (track: Track) => Promise<void>): Promise<boolean> {
  throwIfAborted(context.signal);
  const children: { child: Child; keep: boolean }[] = [];
  const track: Track = (child, options) => {
    children.push({ child, keep: options?.keep === true });
    return child;
  };
  let ok = false;
  try {
    await body(track);
    ok = true;
    return true;
  } catch (error) {
    if (context.signal.aborted || error instanceof InterruptedError) throw new InterruptedError('interrupted');
    const failure = failureOf(what, error, children.map(({ child }) => child));
    context.collector.fail(failure);
    context.progress.note(`failed: ${what}: ${failure.reason}: ${failure.message.split('\n')[0] ?? ''}`);
    return false;
  } finally {
    await Promise.all(children.filter(({ keep }) => !ok || !keep).map(({ child }) => (ok ? child.stop(500) : child.kill())));
  }
}

/**
 * Runs `fn` over `items`, at most `limit` at once, in order of start. The memory phases use it: a
 * heap read after forced GC does not depend on CPU contention, so two styles can be measured at
 * once; timing phases never use it.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs` with `describe()`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, describe: () => string, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}KiB` : `${bytes}B`;
}

export interface RunOptions {
  readonly scenarios: readonly ScenarioName[];
  /** Styles asked for; references (baseline echo server, callbacks workflow) are added by the phases that need them. */
  readonly styles: readonly string[];
  /** Measure the debug-aid variants of the styles asked for too, in the memory and instruction phases. */
  readonly aids?: boolean;
  readonly quick: boolean;
  readonly repeats?: number;
  /** Memory sweeps of each style (default 1). */
  readonly memoryRepeats?: number;
  /** Points of each echo and workflow memory sweep above 0 (default 4 quick, 5 full): more points, a steadier slope. */
  readonly memoryPoints?: number;
  readonly seed?: number;
  /** Wall ms the run may take (default: 10 min, quick 3 min). */
  readonly budgetMs?: number;
  /** Target relative precision of the timed figures (default 0.02). */
  readonly precision?: number;
  /** Sets of fresh echo servers, each in its own rounds (default 1). */
  readonly generations?: number;
  /** The echo load client: the C one when a compiler is present (auto, the default), or one of the two. */
  readonly loadClient?: LoadClientChoice;
  readonly out: string;
  /** The Node the children run on (harness/runtimes.ts); the CLI's own when absent. */
  readonly runtime?: Runtime;
  /**
   * A later round of a runtime matrix (harness/matrix.ts): what a run measures once and the merge
   * takes from the first round (the traceback matrix, the memory attribution's heap snapshots) is
   * left out.
   */
  readonly laterRound?: boolean;
}


/**
 * The grid, sweeps and turns of each mode. The precise phases are sized to leave most of the default
 * budget to the timed rounds; the rates are the open-loop cost rates, below the slowest server's
 * capacity on this machine class (each turn checks that it got its rate; one that did not is marked
 * saturated and not ranked).
 */
export function planConfig(options: RunOptions): RunConfig {
  const quick = options.quick;
  const steps = (max: number, count: number): number[] => Array.from({ length: count + 1 }, (_, i) => Math.round((max * i) / count));
  const points = options.memoryPoints ?? (quick ? 4 : 5);
  // Background JIT and GC threads count in a process's CPU time, so a fresh server settles over its
  // first second or two: the floor is a second and the windows must agree within 4%
  // (docs/measurements.md, "Warm-up").
  // A later cell of the same pair has a warm JIT: only its new connections and size must settle.
  const warmup = { stepMs: 250, minMs: 1_000, laterMinMs: 500, maxMs: 3_000, tolerance: 0.04 };
  // A server's turn in a round: slices of 100 ms in alternation with the reference's, 4 pairs at the
  // fixed rate and 3 in a closed loop: the host's noise is correlated over about 100-300 ms, so two
  // servers 100 ms apart see the same host (docs/measurements.md, "The host's noise, seen without the kit").
  const timed = {
    warmup,
    turn: { settleMs: 100, sliceMs: 100, costPairs: 4, capacityPairs: 3 },
    // Three rounds, the fewest an interval can be drawn from, whatever the clock says: on a slow hour
    // the precise phases take most of the default budget and the minimum is all the rounds get.
    rounds: { minRounds: 3, maxRounds: 200 },
    generations: options.generations ?? 1,
    // The servers not written in Node are a full run's rows: a quick run is the styles alone.
    references: !quick,
  };
  return {
    mode: quick ? 'quick' : 'full',
    seed: options.seed ?? 0,
    scenarios: options.scenarios,
    styles: options.styles,
    aids: options.aids === true ? aidsFor(options.styles).map(variantId) : [],
    repeats: options.repeats ?? 3,
    echo: quick
      ? {
          cells: [{ size: 1 * KIB, connections: 10, rate: 5_000 }],
          ...timed,
        }
      : {
          // The two ends of the size axis and of the connection axis: a 10 KiB cell in between
          // would add about two minutes to a full run, and the ends bracket it.
          cells: [
            { size: 1 * KIB, connections: 10, rate: 5_000 },
            { size: 100 * KIB, connections: 10, rate: 1_500 },
            { size: 1 * KIB, connections: 100, rate: 5_000 },
          ],
          ...timed,
        },
    // Sized so the precise phases leave the timed rounds about half of the default budget; a slope
    // over 5,000 connections or 3,000 workflows has a standard error under 1% (docs/measurements.md).
    echoMemorySteps: steps(quick ? 1_000 : 5_000, points),
    echoActiveBytes: 1 * KIB,
    workflowMemorySteps: steps(quick ? 500 : 3_000, points),
    memoryExplain: quick ? { units: 200, costlyUnits: 20 } : { units: 500, costlyUnits: 100 },
    workflow: {
      concurrent: 4,
      // Steady on the runner's CPU per HTTP request served: a 250 ms window holds hundreds of requests
      // but only a few workflows, too few to agree on workflows/s within a few percent.
      warmup: { stepMs: 250, minMs: 750, maxMs: 2_500, tolerance: 0.05 },
      // Windows of 200 ms in alternation with the reference's, as echo's slices (docs/measurements.md).
      turn: { settleMs: 50, windowMs: 200, pairs: 3 },
      rounds: { minRounds: 3, maxRounds: 200 },
      latencyMs: 20,
      wallRuns: quick ? 1 : 3,
    },
    micro: quick ? { timeMs: 100, warmupMs: 30 } : { timeMs: 300, warmupMs: 100 },
    // Under callgrind an echo request costs about a millisecond: a window of 3,000 is long enough that
    // a scavenge more or less moves the count by under 1%; the warm-up runs at valgrind's
    // uninstrumented speed, several times faster.
    instructions: {
      // Two fresh processes a server: counts agree within ~1% from process to process (docs/measurements.md).
      repeats: options.repeats ?? 2,
      parallel: 2,
      echoWarmRequests: 20_000,
      echoWindowRequests: 3_000,
      maxWindows: 8,
      tolerance: 0.02,
    },
    memoryParallel: 2,
    memoryRepeats: options.memoryRepeats ?? 1,
    budgetMs: options.budgetMs ?? (quick ? DEFAULT_BUDGET_MS.quick : DEFAULT_BUDGET_MS.full),
    precision: options.precision ?? DEFAULT_PRECISION,
    out: options.out,
  };
}
