// Echo cost and capacity, the way MEASUREMENT.md says to take them on a small, noisy machine.
//
// Each repeat is a round: every echo server takes one turn, in an order shuffled per round (seeded,
// recorded), and each turn is a FRESH process pair: a server child on the measured core and a load
// child on the other. Within the pair, for every cell of the grid (size x connections):
//   1. cost: an open loop at the cell's fixed offered rate (the same for every server, below the
//      slowest one's capacity), warmed up until two consecutive short windows agree on CPU per
//      request (with a floor and a cap; the warm-up used is recorded), then one timed window made
//      of a few exact sub-windows, whose median CPU per request is the sample;
//   2. capacity: a closed loop, briefly re-warmed, then one timed window, with who saturated.
// Exact windows: the server answers each CPU reading with the instant it read it on the monotonic
// clock every process shares, and the load child counts the round trips that completed between the
// two instants. CPU per request = server CPU in [A, B] / requests completed in [A, B].
import { spawnChild, type Child } from '../processes.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../child/style.js';
import { shuffled } from './order.js';
import { echoServers } from './echo-memory.js';
import { kib, measure, sleep, throwIfAborted, type EchoCell, type Phase, type PhaseContext } from './common.js';
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
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const order = shuffled(servers, config.seed, `echo/${repeat}`);
      context.collector.order({ phase: 'echo', repeat, order });
      for (const server of order) {
        throwIfAborted(context.signal);
        const label = `${server} repeat ${repeat + 1}`;
        context.progress.doing(label);
        await measure(context, `echo style=${server} repeat=${repeat + 1}`, async (track) => {
          const pair = await startPair(context, server, track);
          for (const [index, cell] of config.echo.cells.entries()) {
            throwIfAborted(context.signal);
            await measureCell(context, server, repeat, pair, cell, index === 0);
          }
        });
        context.progress.step(label);
      }
    }
  },
};

interface Pair {
  readonly server: Child;
  readonly load: Child;
  readonly port: number;
}

/** A fresh server and load child; a known payload of every size must echo back identical first. */
async function startPair(context: PhaseContext, server: string, track: (child: Child) => Child): Promise<Pair> {
  const { echo } = context.config;
  const perCell = echo.warmup.maxMs + echo.windowMs + echo.capacity.warmMs + echo.capacity.windowMs + 10_000;
  const deadlineMs = 30_000 + echo.cells.length * perCell;
  const serverChild = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}]`, args: [server], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
  const load = track(spawnChild({ entry: 'echo-load', label: `echo-load[${server}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
  const { port } = await serverChild.request<{ port: number }>('start', { port: 0 });
  const sizes = [...new Set(echo.cells.map((cell) => cell.size))];
  await load.request('verify', { port, sizes }, 15_000);
  return { server: serverChild, load, port };
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
async function readWindow(pair: Pair, ms: number, keep = false): Promise<Reading> {
  const [a, la] = await Promise.all([pair.server.request<CpuReading>('cpu'), pair.load.request<CpuReading>('cpu')]);
  await sleep(ms);
  const [b, lb] = await Promise.all([pair.server.request<CpuReading>('cpu'), pair.load.request<CpuReading>('cpu')]);
  const stats = await pair.load.request<WindowStats>('window', { from: a.t, to: b.t, keep });
  return {
    stats,
    serverUs: b.user - a.user + (b.system - a.system),
    loadUs: lb.user - la.user + (lb.system - la.system),
    ms: b.t - a.t,
  };
}

interface CostWindow {
  /** The median of the sub-windows' CPU per request. */
  readonly cpuPerReq: number;
  readonly perWindow: readonly number[];
  /** From the first sub-window's start to the last one's end: rate, latency, skips. */
  readonly stats: WindowStats;
  readonly ms: number;
}

/**
 * The cost window as `count` consecutive exact sub-windows. CPU per request is their median: a
 * scheduler hiccup or a collection that lands in one sub-window moves one of them, not the figure.
 * (A slow episode of the host covers the whole pair, and the median cannot remove it: DESIGN.md.)
 * Rate, skips and latency are read over the whole span.
 */
async function readCostWindow(pair: Pair, totalMs: number, count: number): Promise<CostWindow> {
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) readings.push(await readWindow(pair, totalMs / count, true));
  const first = readings[0] as Reading;
  const last = readings[readings.length - 1] as Reading;
  const stats = await pair.load.request<WindowStats>('window', { from: first.stats.from, to: last.stats.to });
  const perWindow = readings.map(perRequest);
  return { cpuPerReq: median(perWindow), perWindow, stats, ms: last.stats.to - first.stats.from };
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
  await pair.load.request('session-open', { port: pair.port, connections, size }, 60_000);

  // 1. Cost at the fixed offered rate. The pair's first cell warms a fresh process (the JIT's floor);
  // a later cell only has new connections and a new size to settle, so its floor is shorter.
  await pair.load.request('drive', { mode: 'open', rate });
  const warmup = first ? echo.warmup : { ...echo.warmup, minMs: echo.warmup.laterMinMs };
  const warm = await warmUntilSteady(async () => perRequest(await readWindow(pair, echo.warmup.stepMs)), warmup);
  const cost = await readCostWindow(pair, echo.windowMs, echo.windows);
  const achieved = cost.stats.rps / rate;
  const saturated = achieved < ACHIEVED_MIN || cost.stats.skipped > 0;
  if (saturated) {
    context.progress.note(
      `echo: ${server} ${kib(size)} x ${connections}: achieved ${Math.round(cost.stats.rps)} of ${rate} req/s offered` +
        `${cost.stats.skipped > 0 ? ` (${cost.stats.skipped} sends skipped)` : ''}: saturated, not ranked`,
    );
  }
  const costExtra = {
    rate,
    achievedRate: Math.round(cost.stats.rps),
    saturated,
    warmupMs: warm.ms,
    warmupWindows: warm.windows,
    steady: warm.steady,
    windowMs: Math.round(cost.ms),
    windows: cost.perWindow.length,
    // The sub-windows' own spread, so a reader sees how much the median had to absorb.
    windowMinUs: round3(Math.min(...cost.perWindow)),
    windowMaxUs: round3(Math.max(...cost.perWindow)),
    requests: cost.stats.requests,
  };
  const params = { size, connections };
  const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, extra: Record<string, string | number | boolean>): void =>
    context.collector.add({ name, scenario: 'echo', style: server, params, unit, direction, repeat, value, extra });
  const cpuPerReq = cost.cpuPerReq;
  add('echo.cpu_us_per_req', 'us/req', 'lower', cpuPerReq, costExtra);
  // What one core could serve at that cost: the capacity the CPU figure implies, with no client in the way.
  add('echo.rps_per_core', 'req/s/core', 'higher', 1e6 / cpuPerReq, costExtra);
  addLatency(add, 'echo', cost.stats.latencyUs, costExtra);
  add('echo.p99_sent_us', 'us', 'lower', positive(cost.stats.sentLatencyUs.p99), costExtra);

  // 2. Capacity: closed loop on the same connections.
  await pair.load.request('drive', { mode: 'closed' });
  await sleep(echo.capacity.warmMs);
  const capacity = await readWindow(pair, echo.capacity.windowMs);
  await pair.load.request('session-close', {}, 15_000);
  const serverShare = capacity.serverUs / 1000 / capacity.ms;
  const clientShare = capacity.loadUs / 1000 / capacity.ms;
  const saturatedBy =
    serverShare >= SATURATED_SHARE && clientShare >= SATURATED_SHARE ? 'both' : serverShare >= SATURATED_SHARE ? 'server' : clientShare >= SATURATED_SHARE ? 'client' : 'neither';
  const capacityExtra = {
    saturatedBy,
    serverCpuShare: round3(serverShare),
    clientCpuShare: round3(clientShare),
    windowMs: Math.round(capacity.ms),
  };
  add('echo.rps', 'req/s', 'higher', capacity.stats.rps, capacityExtra);
  add('echo.mibps', 'MiB/s', 'higher', capacity.stats.mibps, capacityExtra);
}

function addLatency(
  add: (name: string, unit: string, direction: 'higher' | 'lower', value: number, extra: Record<string, string | number | boolean>) => void,
  prefix: string,
  latency: LatencyPercentiles,
  extra: Record<string, string | number | boolean>,
): void {
  add(`${prefix}.p50_us`, 'us', 'lower', positive(latency.p50), extra);
  add(`${prefix}.p99_us`, 'us', 'lower', positive(latency.p99), extra);
  add(`${prefix}.p999_us`, 'us', 'lower', positive(latency.p999), extra);
}

/** A latency of 0 µs is below the clock's resolution; the log-scale statistics need a positive value. */
function positive(us: number): number {
  return Math.max(us, 0.5);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
