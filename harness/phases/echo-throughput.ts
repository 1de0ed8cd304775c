// Echo throughput and latency. Per server: a server child (measured core) and a load child (load
// core), kept for the whole phase; first a known payload of every size must echo back identical.
// Then each cell of the grid (size x connections) is one load run, a warm-up then the timed window,
// with the servers taking turns on each cell (baseline first), so each repeat yields one ratio
// sample per style measured seconds away from its baseline.
//
// The server CPU window, exactly. runLoad has no hook at its window's edges, and reading the server's
// CPU around the whole call would also count C connects and C closes (measured on the baseline: 1-2%
// of the window's CPU at 10 connections, 6-9% at 100). So the parent times it: the load child says
// `load-started` just before runLoad; the parent reads the server's process.cpuUsage() (over IPC)
// at started + warmupMs (every connection is open by then: connecting takes ~10-20 ms of a 100-200
// ms warm-up) and again at started + warmupMs + windowMs - margin (before runLoad's window ends and
// the closes begin). Both readings fall inside steady closed-loop traffic, so
//   cpu_us_per_req = server CPU µs in [A, B] / (load's req/s over its window x (B - A)).
// A reading B taken after the load child already answered would include the closes: that cell's
// CPU sample is dropped (and said on stderr), never silently kept.
import { spawnChild, type Child } from '../processes.js';
import { echoServers } from './echo-memory.js';
import { kib, measure, Pool, sleep, throwIfAborted, type EchoGrid, type Phase, type PhaseContext, type Track } from './common.js';

interface LoadResult {
  readonly requests: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly rps: number;
  readonly mibps: number;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly errors: number;
  readonly verifyFailures: number;
  readonly clientCpu: { readonly userUs: number; readonly systemUs: number; readonly share: number };
}

interface CpuUsage {
  readonly user: number;
  readonly system: number;
}

/** A load client that used this much of one core may itself be the bottleneck. */
export const CLIENT_SATURATED_SHARE = 0.9;

export const echoThroughputPhase: Phase = {
  name: 'echo throughput',
  steps: (config) => config.repeats * cellsOf(config.echo).length * echoServers(config.styles).length,
  async run(context) {
    const { config } = context;
    const pool = new Pool<Pair>();
    const saturated = { cells: 0, of: 0 };
    try {
      // Cell-major: every server runs a cell back to back, so a style and the baseline it is divided
      // by are measured seconds apart, not minutes; a drift of the machine touches them alike.
      for (let repeat = 0; repeat < config.repeats; repeat++) {
        for (const cell of cellsOf(config.echo)) {
          for (const server of echoServers(config.styles)) {
            throwIfAborted(context.signal);
            const label = `${server} ${kib(cell.size)} x ${cell.connections} repeat ${repeat + 1}`;
            context.progress.doing(label);
            await measure(context, `echo.throughput style=${server} size=${cell.size} connections=${cell.connections} repeat=${repeat + 1}`, async (track) => {
              const pair = await pool.get(server, track, (keep) => startPair(context, server, keep));
              const clientShare = await measureCell(context, server, repeat, pair, cell);
              saturated.of++;
              if (clientShare >= CLIENT_SATURATED_SHARE) saturated.cells++;
            });
            context.progress.step(label);
          }
        }
      }
    } finally {
      await pool.close();
    }
    if (saturated.cells > 0) {
      context.progress.note(
        `echo: the load client used >= ${CLIENT_SATURATED_SHARE * 100}% of a core in ${saturated.cells} of ${saturated.of} runs (extra.clientSaturated): ` +
          'there req/s is the client\'s limit as much as the server\'s; echo.cpu_us_per_req still compares the servers',
      );
    }
  },
};

type Cell = { readonly size: number; readonly connections: number };

function cellsOf(echo: EchoGrid): Cell[] {
  return echo.sizes.flatMap((size) => echo.connections.map((connections) => ({ size, connections })));
}

interface Pair {
  readonly children: readonly Child[];
  readonly server: Child;
  readonly load: Child;
  readonly port: number;
}

/** Starts a server and its load child; a known payload of every size must echo back identical first. */
async function startPair(context: PhaseContext, server: string, track: Track): Promise<Pair> {
  const { config } = context;
  const { echo } = config;
  const cells = cellsOf(echo).length;
  // The pair lives for all repeats of the phase; each cell is bounded by its own request timeout.
  const deadlineMs = 30_000 + config.repeats * cells * (echo.warmupMs + echo.windowMs + 5_000) * echoServers(config.styles).length;
  const serverChild = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}]`, args: [server], cpu: context.cpus?.measured, deadlineMs }));
  const load = track(spawnChild({ entry: 'echo-load', label: `echo-load[${server}]`, cpu: context.cpus?.load, deadlineMs }));
  const { port } = await serverChild.request<{ port: number }>('start', { port: 0 });
  await load.request('verify', { port, sizes: echo.sizes }, 15_000);
  return { children: [serverChild, load], server: serverChild, load, port };
}

/** Runs one cell and records its samples; returns the load client's CPU share over the window. */
async function measureCell(context: PhaseContext, server: string, repeat: number, pair: Pair, cell: Cell): Promise<number> {
  const { echo } = context.config;
  const { load, port } = pair;
  const { size, connections } = cell;
  const cellMs = echo.warmupMs + echo.windowMs;
  const run = { port, connections, size, warmupMs: echo.warmupMs, durationMs: echo.windowMs };
  let answered = false;
  const reply = load.request<LoadResult>('load', run, cellMs + 15_000);
  void reply.then(() => (answered = true), () => undefined);
  await load.nextEvent('load-started', 10_000);
  const started = performance.now();
  const margin = Math.max(20, echo.windowMs * 0.1);
  await sleep(echo.warmupMs);
  const a = await pair.server.request<CpuUsage>('cpu');
  const tA = performance.now();
  await sleep(started + echo.warmupMs + echo.windowMs - margin - performance.now());
  const lateB = answered;
  const b = await pair.server.request<CpuUsage>('cpu');
  const tB = performance.now();
  const result = await reply;
  const cpuUs = b.user - a.user + (b.system - a.system);
  const cpuPerReq = lateB ? undefined : cpuUs / ((result.rps * (tB - tA)) / 1000);
  if (cpuPerReq === undefined) {
    context.progress.note(`echo: ${server} ${kib(size)} x ${connections}: the CPU window overran the load window (a late timer); CPU sample dropped`);
  }
  addCell(context, server, repeat, cell, result, cpuPerReq);
  return result.clientCpu.share;
}

function addCell(
  context: PhaseContext,
  style: string,
  repeat: number,
  params: Cell,
  result: LoadResult,
  cpuPerReq: number | undefined,
): void {
  const saturated = result.clientCpu.share >= CLIENT_SATURATED_SHARE;
  const extra = { clientSaturated: saturated, clientCpuShare: Math.round(result.clientCpu.share * 1000) / 1000, windowMs: context.config.echo.windowMs };
  const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number): void =>
    context.collector.add({ name, scenario: 'echo', style, params, unit, direction, repeat, value, extra });
  add('echo.rps', 'req/s', 'higher', result.rps);
  add('echo.mibps', 'MiB/s', 'higher', result.mibps);
  add('echo.p50_us', 'us', 'lower', result.latencyUs.p50);
  add('echo.p99_us', 'us', 'lower', result.latencyUs.p99);
  add('echo.p999_us', 'us', 'lower', result.latencyUs.p999);
  if (cpuPerReq !== undefined) add('echo.cpu_us_per_req', 'us/req', 'lower', cpuPerReq);
  add('echo.client_cpu_share', 'cores', 'lower', result.clientCpu.share);
}
