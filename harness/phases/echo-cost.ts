// Echo cost and capacity in a block design (phases/rounds.ts). For each generation, every echo
// server (each style's, the baseline row, and the reference: a second baseline server every ratio
// divides by) starts at once on the measured core, with one load child on the other core holding a
// session per server. For each cell of the grid (size x connections), every server is verified,
// then warmed to its steady state once; then rounds, in which each server takes one turn in an order
// shuffled per round: an open loop at the cell's fixed rate (cost: server CPU per request over exact
// sub-windows, and latency from each message's due time), then a closed loop (capacity). Only the
// server whose turn it is gets any load; each turn settles before its window opens, and a window in
// which the other servers used more than a sliver of the core is dropped (their leftover work would
// be billed to this one). A style's ratio is taken against the reference's turn of the same round.
// Exact windows: the server answers each CPU reading with the instant it read it on the monotonic
// clock every process shares; the load child counts the round trips completed between the two.
import { spawnChild, type Child } from '../processes/children.js';
import { echoServersWithCalibration } from './servers.js';
import { kib, measure, sleep, type EchoCell, type Phase, type PhaseContext, type RunConfig } from './common.js';
import { runBlock, SATURATED_SHARE, type Block } from './rounds.js';
import { warmUntilSteady, type WarmUp } from './steady.js';
import type { WindowStats } from '../../scenarios/echo/records.js';
import { REFERENCES } from '../results.js';
import { availableReferences, startReferenceServer, type ReferenceId, type ReferenceServer } from '../references.js';

interface CpuReading {
  readonly user: number;
  readonly system: number;
  /** Monotonic ms at which it was read. */
  readonly t: number;
}

/** Below this share of the offered rate, an open-loop turn did not get its load: saturated, not ranked. */
export const ACHIEVED_MIN = 0.99;
/** The session and row name of the server every ratio divides by. */
const REFERENCE = 'reference';

export const echoCostPhase: Phase = {
  name: 'echo cost and capacity',
  steps: (config) => config.echo.generations * config.echo.cells.length,
  timedWeight: (config) => config.echo.cells.length,
  async run(context) {
    const { config } = context;
    const { echo } = config;
    // Calibration only (rosetta calibrate): a deliberately slowed callbacks server beside the real one.
    const servers = echoServersWithCalibration(config.styles);
    // The servers not written in Node that this machine can run: reference rows beside the styles.
    const { available, missing } = config.echo.references ? await availableReferences() : { available: [], missing: [] };
    if (missing.length > 0) context.progress.note(`echo: reference rows left out: ${missing.map((entry) => `${entry.id} (${entry.why})`).join(', ')}`);
    const deadline = context.deadline ?? performance.now() + 60_000 * echo.cells.length;
    let slotsLeft = echo.generations * echo.cells.length;
    const roundsBefore = new Map<number, number>();
    for (let generation = 0; generation < echo.generations; generation++) {
      await measure(context, `echo generation ${generation + 1}`, async (track) => {
        const fleet = await startFleet(context, servers, available, track);
        try {
        for (const [index, cell] of echo.cells.entries()) {
          // Each (generation, cell) gets an equal share of the time that is left.
          const cellDeadline = performance.now() + Math.max(0, deadline - performance.now()) / slotsLeft;
          const label = `${kib(cell.size)} x ${cell.connections} generation ${generation + 1}`;
          context.progress.doing(label);
          const first = roundsBefore.get(index) ?? 0;
          const rounds = await measureCell(context, fleet, cell, { generation, first, fresh: index === 0, deadline: cellDeadline });
          roundsBefore.set(index, first + rounds);
          slotsLeft--;
          context.progress.step(`${label}: ${rounds} rounds`);
        }
        } finally {
          await Promise.all(fleet.references.map((server) => server.stop()));
        }
      });
    }
  },
};

/** A server of the fleet: a Node child asked over IPC, or a reference process asked on its stdin. */
interface FleetServer {
  readonly pid: number;
  readonly port: number;
  cpu(): Promise<CpuReading>;
}

/** Every server of the run at once on the measured core, and one load child on the other. */
interface Fleet {
  readonly servers: ReadonlyMap<string, FleetServer>;
  readonly references: readonly ReferenceServer[];
  readonly load: Child;
}

function fleetDeadlineMs(context: PhaseContext): number {
  // The children outlive the phase's budget by the longest a round can overrun it, with margin.
  const left = (context.deadline ?? performance.now()) - performance.now();
  return Math.max(0, left) + 10 * 60_000;
}

async function startFleet(context: PhaseContext, servers: readonly string[], references: readonly ReferenceId[], track: (child: Child) => Child): Promise<Fleet> {
  const deadlineMs = fleetDeadlineMs(context);
  const started = new Map<string, FleetServer>();
  for (const id of [...servers, REFERENCE]) {
    const style = id === REFERENCE ? REFERENCES.echo : id;
    const child = track(spawnChild({ entry: 'echo-server', label: `echo-server[${id}]`, args: [style], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
    const { port } = await child.request<{ port: number }>('start', { port: 0 });
    started.set(id, { pid: child.pid, port, cpu: () => child.request<CpuReading>('cpu') });
  }
  const referenceServers: ReferenceServer[] = [];
  for (const id of references) {
    const server = await startReferenceServer(id, { cpu: context.cpus?.measured });
    referenceServers.push(server);
    started.set(id, server);
  }
  const native = context.loadClient?.kind === 'native' ? ['--native', context.loadClient.binary] : [];
  const load = track(spawnChild({ entry: 'echo-load', label: 'echo-load', args: native, cpu: context.cpus?.load, deadlineMs, node: context.node }));
  return { servers: started, references: referenceServers, load };
}

interface Reading {
  readonly stats: WindowStats;
  /** Server CPU µs over the window. */
  readonly serverUs: number;
  /** Load CPU µs over the window. */
  readonly loadUs: number;
  readonly ms: number;
}

/** One exact window of `id`'s server: CPU of it and of the load child read at its edges, round trips counted between the server's two instants. */
async function readWindow(fleet: Fleet, id: string, ms: number, keep: boolean): Promise<Reading> {
  const server = serverOf(fleet, id);
  const [a, la] = await Promise.all([server.cpu(), fleet.load.request<CpuReading>('cpu')]);
  await sleep(ms);
  const [b, lb] = await Promise.all([server.cpu(), fleet.load.request<CpuReading>('cpu')]);
  const stats = await fleet.load.request<WindowStats>('window', { session: id, from: a.t, to: b.t, keep });
  return { stats, serverUs: b.user - a.user + (b.system - a.system), loadUs: lb.user - la.user + (lb.system - la.system), ms: b.t - a.t };
}

function serverOf(fleet: Fleet, id: string): FleetServer {
  const server = fleet.servers.get(id);
  if (server === undefined) throw new Error(`echo: no server ${JSON.stringify(id)} in the fleet`);
  return server;
}

const perRequest = (reading: Reading): number => (reading.stats.requests === 0 ? Number.POSITIVE_INFINITY : reading.serverUs / reading.stats.requests);

/** One server's turn of one round: its cost sub-windows at the fixed rate, then its capacity window. */
interface Turn {
  readonly parts: readonly Reading[];
  /** Server CPU µs per request over the whole cost window. */
  readonly cpuPerReq: number;
  readonly cost: WindowStats;
  readonly capacity: Reading;
}

async function takeTurn(fleet: Fleet, id: string, rate: number, echo: RunConfig['echo']): Promise<Turn> {
  const { turn } = echo;
  const load = fleet.load;
  await load.request('drive', { session: id, mode: 'open', rate });
  await sleep(turn.settleMs);
  const parts: Reading[] = [];
  for (let part = 0; part < turn.parts; part++) parts.push(await readWindow(fleet, id, turn.costMs / turn.parts, true));
  const spans = parts.map((reading): [number, number] => [reading.stats.from, reading.stats.to]);
  const cost = await load.request<WindowStats>('window', { session: id, spans });
  await load.request('drive', { session: id, mode: 'closed' });
  await sleep(turn.settleMs);
  const capacity = await readWindow(fleet, id, turn.capacityMs, false);
  await load.request('drive', { session: id, mode: 'idle' });
  const serverUs = parts.reduce((sum, reading) => sum + reading.serverUs, 0);
  return {
    parts,
    cpuPerReq: cost.requests === 0 ? Number.POSITIVE_INFINITY : serverUs / cost.requests,
    cost,
    capacity,
  };
}

interface CellPlan {
  readonly generation: number;
  /** Rounds of this cell recorded by earlier generations: this generation's first round's index. */
  readonly first: number;
  /** The fleet's first cell: fresh processes, the JIT's floor applies. */
  readonly fresh: boolean;
  readonly deadline: number;
}

/** Verifies, warms and measures one cell in rounds; records every server's turns; returns the rounds taken. */
async function measureCell(context: PhaseContext, fleet: Fleet, cell: EchoCell, plan: CellPlan): Promise<number> {
  const { echo } = context.config;
  const { size, connections, rate } = cell;
  const ids = [...fleet.servers.keys()];
  for (const id of ids) await fleet.load.request('verify', { port: serverOf(fleet, id).port, sizes: [size] }, 15_000);
  for (const id of ids) await fleet.load.request('session-open', { session: id, port: serverOf(fleet, id).port, connections, size }, 60_000);
  // Steady state, each server alone in turn: a fresh process's JIT floor in the first cell, only new
  // connections and a new size to settle in a later one.
  const warmups = new Map<string, WarmUp>();
  const warmup = plan.fresh ? echo.warmup : { ...echo.warmup, minMs: echo.warmup.laterMinMs };
  for (const id of ids) {
    await fleet.load.request('drive', { session: id, mode: 'open', rate });
    warmups.set(id, await warmUntilSteady(async () => perRequest(await readWindow(fleet, id, echo.warmup.stepMs, false)), warmup));
    await fleet.load.request('drive', { session: id, mode: 'idle' });
  }

  const block = await runBlock<Turn>(context, {
    contenders: fleet.servers,
    reference: REFERENCE,
    label: `echo/${kib(size)}x${connections}/generation-${plan.generation + 1}`,
    plan: { ...echo.rounds, deadline: plan.deadline, precision: context.config.precision },
    first: plan.first,
    take: async (id) => {
      const turn = await takeTurn(fleet, id, rate, echo);
      return { turn, windowMs: turn.parts.reduce((sum, reading) => sum + reading.ms, 0) + turn.capacity.ms };
    },
    figures: { cpu: (turn) => turn.cpuPerReq, capacity: (turn) => turn.capacity.stats.rps },
  });
  for (const id of ids) await fleet.load.request('session-close', { session: id }, 15_000);

  for (const id of ids) {
    if (id === REFERENCE) continue;
    record(context, { id, cell, plan, block, warm: warmups.get(id) });
  }
  return block.outcome.rounds;
}

interface RecordInput {
  readonly id: string;
  readonly cell: EchoCell;
  readonly plan: CellPlan;
  readonly block: Block<Turn>;
  readonly warm: WarmUp | undefined;
}

/** One sample per round of every figure of one server, each with its ratio to the reference's turn of the same round. */
function record(context: PhaseContext, input: RecordInput): void {
  const { id, cell, plan, block } = input;
  const { outcome } = block;
  const { size, connections, rate } = cell;
  const params = { size, connections };
  const common = {
    rate,
    generation: plan.generation,
    rounds: outcome.rounds,
    stoppedBy: outcome.stoppedBy,
    warmupMs: input.warm?.ms ?? 0,
    steady: input.warm?.steady ?? false,
    droppedTurns: block.dropped.get(id) ?? 0,
  };
  for (const [round, { turn, othersShare }] of block.turns.get(id) ?? []) {
    const repeat = plan.first + round;
    // A round whose reference turn was dropped lost its block: nothing of it is recorded.
    const reference = block.turns.get(REFERENCE)?.get(round)?.turn;
    if (reference === undefined) continue;
    const achieved = turn.cost.rps / rate;
    const saturated = achieved < ACHIEVED_MIN || turn.cost.skipped > 0 || reference.cost.rps / rate < ACHIEVED_MIN || reference.cost.skipped > 0;
    const costExtra = { ...common, achievedRate: Math.round(turn.cost.rps), saturated, windowMs: Math.round(turn.parts.reduce((sum, r) => sum + r.ms, 0)) };
    const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, extra: Record<string, string | number | boolean>, pairedRatio?: number): void =>
      context.collector.add({ name, scenario: 'echo', style: id, params, unit, direction, repeat, value, extra, ...(pairedRatio !== undefined ? { pairedRatio } : {}) });
    const costRatio = block.ratio(id, round, (t) => t.cpuPerReq);
    add('echo.cpu_us_per_req', 'us/req', 'lower', turn.cpuPerReq, costExtra, costRatio);
    // What one core could serve at that cost: the capacity the CPU figure implies, with no client in the way.
    add('echo.rps_per_core', 'req/s/core', 'higher', 1e6 / turn.cpuPerReq, costExtra, costRatio === undefined ? undefined : 1 / costRatio);
    // Latency's .ratio divides by the baseline row of the same round (a tail percentile is set by a
    // few slow round trips, which one turn has and another not: no in-round pairing for it).
    for (const p of ['p50', 'p99', 'p999'] as const) add(`echo.${p}_us`, 'us', 'lower', positive(turn.cost.latencyUs[p]), costExtra);
    add('echo.p99_sent_us', 'us', 'lower', positive(turn.cost.sentLatencyUs.p99), costExtra);

    const { capacity } = turn;
    const serverShare = capacity.serverUs / 1000 / capacity.ms;
    const clientShare = capacity.loadUs / 1000 / capacity.ms;
    const saturatedBy =
      serverShare >= SATURATED_SHARE && clientShare >= SATURATED_SHARE ? 'both' : serverShare >= SATURATED_SHARE ? 'server' : clientShare >= SATURATED_SHARE ? 'client' : 'neither';
    const capacityExtra = { ...common, saturatedBy, serverCpuShare: round3(serverShare), clientCpuShare: round3(clientShare), windowMs: Math.round(capacity.ms) };
    const capacityRatio = block.ratio(id, round, (t) => t.capacity.stats.rps);
    add('echo.rps', 'req/s', 'higher', capacity.stats.rps, capacityExtra, capacityRatio);
    add('echo.mibps', 'MiB/s', 'higher', capacity.stats.mibps, capacityExtra, capacityRatio);
    context.collector.turn({
      phase: 'echo',
      params,
      generation: plan.generation,
      round: repeat,
      id,
      parts: turn.parts.map(perRequest),
      referenceParts: reference.parts.map(perRequest),
      othersShare: round3(othersShare),
    });
  }
}

/** A latency of 0 µs is below the clock's resolution; the log-scale statistics need a positive value. */
function positive(us: number): number {
  return Math.max(us, 0.5);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
