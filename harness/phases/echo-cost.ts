// Echo cost and capacity, the way MEASUREMENT.md says to take them on a small, noisy machine.
//
// Each repeat is a round: every echo server takes one turn, in an order shuffled per round (seeded,
// recorded), and each turn is a FRESH process pair: a server child on the measured core and a load
// child on the other. Beside them, for the whole phase, runs the in-pair reference: a baseline echo
// server on the same measured core, warm, idle except in its own stretches. Within the pair, for
// every cell of the grid (size x connections):
//   1. cost: an open loop at the cell's fixed offered rate (the same for every server, below the
//      slowest one's capacity), warmed up until two consecutive short windows agree on CPU per
//      request (with a floor and a cap; the warm-up used is recorded); then a few turns, each an
//      exact stretch of the style's and one of the reference's, in the order style, reference;
//      reference, style; ... The sample is the median of the style's stretches; its ratio to the
//      reference is the median of the turns' ratios. This host has slow episodes of tens of seconds
//      that double what a request costs (DESIGN.md): an episode covers both stretches of a turn, so
//      the ratio cancels it where the absolute figure cannot;
//   2. capacity: a closed loop, briefly re-warmed, then one timed window, with who saturated; and
//      the same for the reference right next to it.
// Exact windows: the server answers each CPU reading with the instant it read it on the monotonic
// clock every process shares, and the load child counts the round trips that completed between the
// two instants. CPU per request = server CPU in [A, B] / requests completed in [A, B].
import { spawnChild, type Child } from '../processes.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../child/style.js';
import { shuffled } from './order.js';
import { echoServers } from './echo-memory.js';
import { kib, measure, sleep, throwIfAborted, type EchoCell, type Phase, type PhaseContext, type RunConfig } from './common.js';
import type { LatencyPercentiles, WindowStats } from '../../scenarios/echo/session.js';
import { median } from '../stats.js';

interface CpuReading {
  readonly user: number;
  readonly system: number;
  /** Monotonic ms at which it was read. */
  readonly t: number;
}

/** A process that used this much of one core over a window is the bottleneck there. */
export const SATURATED_SHARE = 0.9;
/** Below this share of the offered rate, an open-loop cell did not get its load: saturated, not ranked. */
export const ACHIEVED_MIN = 0.99;

export const echoCostPhase: Phase = {
  name: 'echo cost and capacity',
  steps: (config) => config.repeats * (echoServers(config.styles).length + (process.env[SLOW_SERVER_ENV] !== undefined ? 1 : 0)),
  async run(context) {
    const { config } = context;
    // Calibration only (rosetta calibrate): a deliberately slowed callbacks server beside the real one.
    const servers = [...echoServers(config.styles), ...(process.env[SLOW_SERVER_ENV] !== undefined ? [SLOW_SERVER_ID] : [])];
    const reference = await startReference(context, config.repeats * servers.length * pairDeadlineMs(context));
    if (reference === undefined) return;
    try {
      for (let repeat = 0; repeat < config.repeats; repeat++) {
        const order = shuffled(servers, config.seed, `echo/${repeat}`);
        context.collector.order({ phase: 'echo', repeat, order });
        for (const server of order) {
          throwIfAborted(context.signal);
          const label = `${server} repeat ${repeat + 1}`;
          context.progress.doing(label);
          await measure(context, `echo style=${server} repeat=${repeat + 1}`, async (track) => {
            const pair = await startPair(context, server, reference, track);
            for (const [index, cell] of config.echo.cells.entries()) {
              throwIfAborted(context.signal);
              await measureCell(context, server, repeat, pair, cell, index === 0);
            }
          });
          context.progress.step(label);
        }
      }
    } finally {
      await reference.server.stop(500);
    }
  },
};

/** The reference every pair measures its style against: one warm baseline server for the whole phase. */
interface Reference {
  readonly server: Child;
  readonly port: number;
}

async function startReference(context: PhaseContext, deadlineMs: number): Promise<Reference | undefined> {
  let reference: Reference | undefined;
  await measure(context, 'echo reference (baseline, in-pair)', async (track) => {
    const server = track(
      spawnChild({ entry: 'echo-server', label: 'echo-server[reference]', args: ['baseline'], cpu: context.cpus?.measured, deadlineMs: 60_000 + deadlineMs, node: context.node }),
      { keep: true },
    );
    const { port } = await server.request<{ port: number }>('start', { port: 0 });
    reference = { server, port };
  });
  return reference;
}

function pairDeadlineMs(context: PhaseContext): number {
  const { echo } = context.config;
  const turns = echo.windows * 2 * (echo.settleMs + echo.windowMs + 500);
  const perCell = echo.warmup.maxMs + echo.reference.warmMs + turns + 2 * (echo.capacity.warmMs + echo.capacity.windowMs) + 10_000;
  return 30_000 + echo.cells.length * perCell;
}

interface Pair {
  readonly server: Child;
  readonly load: Child;
  readonly port: number;
  readonly reference: Reference;
}

/** A fresh server and load child; a known payload of every size must echo back identical first, from both servers. */
async function startPair(context: PhaseContext, server: string, reference: Reference, track: (child: Child) => Child): Promise<Pair> {
  const { echo } = context.config;
  const deadlineMs = pairDeadlineMs(context);
  const serverChild = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}]`, args: [server], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
  const load = track(spawnChild({ entry: 'echo-load', label: `echo-load[${server}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
  const { port } = await serverChild.request<{ port: number }>('start', { port: 0 });
  const sizes = [...new Set(echo.cells.map((cell) => cell.size))];
  await load.request('verify', { port, sizes }, 15_000);
  await load.request('verify', { port: reference.port, sizes }, 15_000);
  return { server: serverChild, load, port, reference };
}

/** One of the two servers a pair drives: the style's (load session `main`) or the reference's (`ref`). */
type Side = 'main' | 'ref';

function serverOf(pair: Pair, side: Side): Child {
  return side === 'main' ? pair.server : pair.reference.server;
}

/** Drives one side as asked and leaves the other idle (the idle one first: never both at once). */
async function driveOnly(pair: Pair, side: Side, drive: { readonly mode: 'open'; readonly rate: number } | { readonly mode: 'closed' }): Promise<void> {
  await pair.load.request('drive', { session: side === 'main' ? 'ref' : 'main', mode: 'idle' });
  await pair.load.request('drive', { session: side, ...drive });
}

interface Reading {
  readonly stats: WindowStats;
  /** Server CPU µs over the window. */
  readonly serverUs: number;
  /** Load CPU µs over the window. */
  readonly loadUs: number;
  readonly ms: number;
}

/**
 * One exact window: CPU of both processes read at its edges, round trips counted between the server's
 * two instants. `keep` leaves the load child's records of the window in place, for a later window
 * over a longer interval (the latency of a cost window made of several).
 */
async function readWindow(pair: Pair, side: Side, ms: number, keep = false): Promise<Reading> {
  const server = serverOf(pair, side);
  const [a, la] = await Promise.all([server.request<CpuReading>('cpu'), pair.load.request<CpuReading>('cpu')]);
  await sleep(ms);
  const [b, lb] = await Promise.all([server.request<CpuReading>('cpu'), pair.load.request<CpuReading>('cpu')]);
  const stats = await pair.load.request<WindowStats>('window', { session: side, from: a.t, to: b.t, keep });
  return {
    stats,
    serverUs: b.user - a.user + (b.system - a.system),
    loadUs: lb.user - la.user + (lb.system - la.system),
    ms: b.t - a.t,
  };
}

interface CostWindow {
  /** The median of the style's stretches' CPU per request, and of the reference's. */
  readonly cpuPerReq: number;
  readonly referencePerReq: number;
  /** The median over the turns of the style's CPU per request over the reference's. */
  readonly ratio: number;
  readonly perTurn: readonly { readonly main: number; readonly ref: number }[];
  /** Over the style's stretches, and over the reference's: rate, latency, skips. */
  readonly stats: WindowStats;
  readonly referenceStats: WindowStats;
  /** The style's stretches' total length. */
  readonly ms: number;
}

/**
 * The cost window as `turns` turns at the cell's rate, each an exact stretch of the style's and one
 * of the reference's, the order reversed every other turn (style, reference; reference, style; ...)
 * so a drift over the window weighs on both alike. After each switch the newly driven side settles
 * untimed for `settleMs`. Medians: a collection or a scheduler hiccup that lands in one stretch moves
 * one value, not the figure.
 */
async function readCostWindow(pair: Pair, rate: number, echo: RunConfig['echo']): Promise<CostWindow> {
  const readings: Record<Side, Reading[]> = { main: [], ref: [] };
  let driven: Side = 'ref';
  for (let turn = 0; turn < echo.windows; turn++) {
    const sides: readonly Side[] = turn % 2 === 0 ? ['main', 'ref'] : ['ref', 'main'];
    for (const side of sides) {
      if (side !== driven) {
        await driveOnly(pair, side, { mode: 'open', rate });
        driven = side;
        await sleep(echo.settleMs);
      }
      readings[side].push(await readWindow(pair, side, echo.windowMs, true));
    }
  }
  const spans = (side: Side): [number, number][] => readings[side].map((reading) => [reading.stats.from, reading.stats.to]);
  const stats = await pair.load.request<WindowStats>('window', { session: 'main', spans: spans('main') });
  const referenceStats = await pair.load.request<WindowStats>('window', { session: 'ref', spans: spans('ref') });
  const perTurn = readings.main.map((reading, turn) => ({ main: perRequest(reading), ref: perRequest(readings.ref[turn] as Reading) }));
  return {
    cpuPerReq: median(perTurn.map((t) => t.main)),
    referencePerReq: median(perTurn.map((t) => t.ref)),
    ratio: median(perTurn.map((t) => t.main / t.ref)),
    perTurn,
    stats,
    referenceStats,
    ms: readings.main.reduce((sum, reading) => sum + reading.ms, 0),
  };
}

const perRequest = (reading: Reading): number => (reading.stats.requests === 0 ? Number.POSITIVE_INFINITY : reading.serverUs / reading.stats.requests);

export interface WarmUp {
  readonly ms: number;
  readonly windows: number;
  readonly steady: boolean;
}

/**
 * Short untimed windows until two in a row agree within the tolerance on CPU per request, after the
 * floor and before the cap. A cell that never settles is still measured after the cap, flagged.
 */
export async function warmUntilSteady(
  measureOne: () => Promise<number>,
  options: { readonly stepMs: number; readonly minMs: number; readonly maxMs: number; readonly tolerance: number },
  now: () => number = () => performance.now(),
): Promise<WarmUp> {
  const started = now();
  let previous: number | undefined;
  let windows = 0;
  for (;;) {
    const value = await measureOne();
    windows++;
    const agrees = previous !== undefined && Number.isFinite(value) && Math.abs(value / previous - 1) <= options.tolerance;
    previous = value;
    const elapsed = now() - started;
    if (agrees && elapsed >= options.minMs) return { ms: Math.round(elapsed), windows, steady: true };
    if (elapsed >= options.maxMs) return { ms: Math.round(elapsed), windows, steady: false };
  }
}

async function measureCell(context: PhaseContext, server: string, repeat: number, pair: Pair, cell: EchoCell, first: boolean): Promise<void> {
  const { echo } = context.config;
  const { size, connections, rate } = cell;
  await pair.load.request('session-open', { session: 'main', port: pair.port, connections, size }, 60_000);
  await pair.load.request('session-open', { session: 'ref', port: pair.reference.port, connections, size }, 60_000);

  // 1. Cost at the fixed offered rate. The pair's first cell warms a fresh process (the JIT's floor);
  // a later cell only has new connections and a new size to settle, so its floor is shorter. The
  // reference is warm already: its new connections settle in a short untimed stretch.
  await driveOnly(pair, 'main', { mode: 'open', rate });
  const warmup = first ? echo.warmup : { ...echo.warmup, minMs: echo.warmup.laterMinMs };
  const warm = await warmUntilSteady(async () => perRequest(await readWindow(pair, 'main', echo.warmup.stepMs)), warmup);
  await driveOnly(pair, 'ref', { mode: 'open', rate });
  await sleep(echo.reference.warmMs);
  const cost = await readCostWindow(pair, rate, echo);
  const achieved = cost.stats.rps / rate;
  const referenceAchieved = cost.referenceStats.rps / rate;
  const saturated = achieved < ACHIEVED_MIN || cost.stats.skipped > 0;
  // A reference that did not get its rate cannot be divided by: the cell is not ranked either.
  const referenceSaturated = referenceAchieved < ACHIEVED_MIN || cost.referenceStats.skipped > 0;
  if (saturated || referenceSaturated) {
    const who = saturated ? server : 'the in-pair reference';
    const stats = saturated ? cost.stats : cost.referenceStats;
    context.progress.note(
      `echo: ${server} ${kib(size)} x ${connections}: ${who} achieved ${Math.round(stats.rps)} of ${rate} req/s offered` +
        `${stats.skipped > 0 ? ` (${stats.skipped} sends skipped)` : ''}: saturated, not ranked`,
    );
  }
  const costExtra = {
    rate,
    achievedRate: Math.round(cost.stats.rps),
    saturated: saturated || referenceSaturated,
    referenceAchievedRate: Math.round(cost.referenceStats.rps),
    warmupMs: warm.ms,
    warmupWindows: warm.windows,
    steady: warm.steady,
    windowMs: Math.round(cost.ms),
    windows: cost.perTurn.length,
    // The stretches' own spread, so a reader sees how much the medians had to absorb.
    windowMinUs: round3(Math.min(...cost.perTurn.map((t) => t.main))),
    windowMaxUs: round3(Math.max(...cost.perTurn.map((t) => t.main))),
    requests: cost.stats.requests,
  };
  const params = { size, connections };
  const add: Add = (name, unit, direction, value, extra, pairedRatio) =>
    context.collector.add({ name, scenario: 'echo', style: server, params, unit, direction, repeat, value, extra, ...(Number.isFinite(pairedRatio) ? { pairedRatio } : {}) });
  add('echo.cpu_us_per_req', 'us/req', 'lower', cost.cpuPerReq, costExtra, cost.ratio);
  // What one core could serve at that cost: the capacity the CPU figure implies, with no client in the way.
  add('echo.rps_per_core', 'req/s/core', 'higher', 1e6 / cost.cpuPerReq, costExtra, 1 / cost.ratio);
  addLatency(add, 'echo', cost.stats.latencyUs, costExtra);
  add('echo.p99_sent_us', 'us', 'lower', positive(cost.stats.sentLatencyUs.p99), costExtra, Number.NaN);

  // 2. Capacity: closed loop on the same connections, the style's and the reference's right next to
  // each other (which goes first alternates with the repeat).
  const capacityOf = async (side: Side): Promise<Reading> => {
    await driveOnly(pair, side, { mode: 'closed' });
    await sleep(echo.capacity.warmMs);
    return readWindow(pair, side, echo.capacity.windowMs);
  };
  const styleFirst = repeat % 2 === 0;
  const before = await capacityOf(styleFirst ? 'main' : 'ref');
  const after = await capacityOf(styleFirst ? 'ref' : 'main');
  const [capacity, referenceCapacity] = styleFirst ? [before, after] : [after, before];
  await pair.load.request('session-close', { session: 'main' }, 15_000);
  await pair.load.request('session-close', { session: 'ref' }, 15_000);
  const serverShare = capacity.serverUs / 1000 / capacity.ms;
  const clientShare = capacity.loadUs / 1000 / capacity.ms;
  const saturatedBy =
    serverShare >= SATURATED_SHARE && clientShare >= SATURATED_SHARE ? 'both' : serverShare >= SATURATED_SHARE ? 'server' : clientShare >= SATURATED_SHARE ? 'client' : 'neither';
  const capacityExtra = {
    saturatedBy,
    serverCpuShare: round3(serverShare),
    clientCpuShare: round3(clientShare),
    warmupMs: echo.capacity.warmMs,
    windowMs: Math.round(capacity.ms),
  };
  const capacityRatio = capacity.stats.rps / referenceCapacity.stats.rps;
  add('echo.rps', 'req/s', 'higher', capacity.stats.rps, capacityExtra, capacityRatio);
  add('echo.mibps', 'MiB/s', 'higher', capacity.stats.mibps, capacityExtra, capacityRatio);
}

/** Records one sample; `pairedRatio` is its ratio to the in-pair reference, NaN where it has none. */
type Add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, extra: Record<string, string | number | boolean>, pairedRatio: number) => void;

/**
 * Latency has no in-pair ratio: a tail percentile of a few stretches is set by the few slowest round
 * trips (a collection, a late wake-up), which one side has and the other not, so dividing two of them
 * made the spread between runs larger, not smaller (4 quick runs: corrected p99's CV 44% as in-pair
 * ratios, 30% absolute). Its `.ratio` twin divides by the baseline row of the same repeat. Nor does
 * a median over the stretches' own p99s steady it: in 8 quick runs it spread 33% between runs
 * (median over cells) against the pooled p99's 38%, and 42% against 41% inside a run, so the p99
 * stays the pooled one (DESIGN.md, "Timed figures").
 */
function addLatency(add: Add, prefix: string, latency: LatencyPercentiles, extra: Record<string, string | number | boolean>): void {
  for (const p of ['p50', 'p99', 'p999'] as const) add(`${prefix}.${p}_us`, 'us', 'lower', positive(latency[p]), extra, Number.NaN);
}

/** A latency of 0 µs is below the clock's resolution; the log-scale statistics need a positive value. */
function positive(us: number): number {
  return Math.max(us, 0.5);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
