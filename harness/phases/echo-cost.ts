// Echo cost and capacity in a block design (phases/rounds.ts). For each generation, every echo
// server (each style's, the baseline row, and the reference: a second baseline server every ratio
// divides by) starts at once on the measured core, with one load child on the other core holding a
// session per server. For each cell of the grid (size x connections), every server is verified,
// then warmed to its steady state once; then rounds, in which each server takes one turn in an order
// shuffled per round. A turn is slices of 100 ms, the server's in alternation with the reference's:
// first in an open loop at the cell's fixed rate (cost: server CPU per request over its slices, and
// latency from each message's due time), then in a closed loop (capacity). A style's ratio is taken
// within its turn, the two servers having met the same host 100 ms apart. Only the two servers of
// the turn get load; a turn in which the other servers used more than a sliver of the core is
// dropped (their leftover work would be billed to this one).
// Exact windows: the server answers each CPU reading with the instant it read it on the monotonic
// clock every process shares; the load engine says the instant each slice began and ended.
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

/** What one server did in its slices of a paired turn. */
interface Side {
  /** Server CPU µs per request over its cost slices. */
  readonly cpuPerReq: number;
  /** The same over the first and the second half of the cost slices. */
  readonly parts: readonly number[];
  readonly cost: WindowStats;
  readonly capacity: WindowStats;
  /** Its CPU over the capacity part, as a share of its own slices' time. */
  readonly serverShare: number;
  /** Wall ms of its own cost slices and capacity slices. */
  readonly costMs: number;
  readonly capacityMs: number;
}

/**
 * A server's turn of one round, the reference's slices taken in alternation with its own: the
 * host's noise is correlated over less than a second, so slices 100 ms apart see the same host
 * (docs/measurements.md, "The host's noise, seen without the kit").
 */
interface Turn {
  readonly mine: Side;
  readonly reference: Side;
  /** The load client's CPU over the capacity part, as a share of its wall time. */
  readonly clientShare: number;
  /** Wall ms of the turn's slices. */
  readonly ms: number;
}

/** The reference's side of a turn, as a turn of its own (ratios within the turn: rounds.ts). */
const swapped = (turn: Turn): Turn => ({ ...turn, mine: turn.reference, reference: turn.mine });

type Spans = [number, number][];

/**
 * Drives `ids[0]` and `ids[1]` in alternation, one slice of `sliceMs` each, `pairs` times, the load
 * switched in one request from one to the other. Resolves with each session's slices as spans on
 * the monotonic clock, and calls `between` after the first half of the pairs.
 */
async function alternate(fleet: Fleet, ids: readonly [string, string], drive: Record<string, unknown>, options: { pairs: number; sliceMs: number; between?: () => Promise<void> }): Promise<Map<string, Spans>> {
  const spans = new Map<string, Spans>(ids.map((id) => [id, []]));
  let previous: { id: string; from: number } | undefined;
  const step = async (next: string | undefined): Promise<void> => {
    const { stopped, started } = await fleet.load.request<{ stopped?: number; started?: number }>('switch', { idle: previous?.id, ...(next === undefined ? {} : { session: next, ...drive }) });
    if (previous !== undefined && stopped !== undefined) spans.get(previous.id)?.push([previous.from, stopped]);
    previous = next === undefined || started === undefined ? undefined : { id: next, from: started };
  };
  for (let pair = 0; pair < options.pairs; pair++) {
    if (pair === Math.floor(options.pairs / 2) && options.between !== undefined) {
      await step(undefined);
      await options.between();
    }
    for (const id of ids) {
      await step(id);
      await sleep(options.sliceMs);
    }
  }
  await step(undefined);
  return spans;
}

const totalMs = (spans: Spans): number => spans.reduce((sum, [from, to]) => sum + (to - from), 0);
const cpuUs = (a: CpuReading, b: CpuReading): number => b.user - a.user + (b.system - a.system);

/**
 * One server's turn of one round, paired with the reference: open-loop slices at the cell's rate
 * (cost, read in two halves), then closed-loop slices (capacity). Which of the two goes first
 * alternates from round to round, so neither always inherits the other's leftover work.
 */
async function takeTurn(fleet: Fleet, id: string, rate: number, echo: RunConfig['echo'], round: number): Promise<Turn> {
  const { turn } = echo;
  const ids: [string, string] = round % 2 === 0 ? [id, REFERENCE] : [REFERENCE, id];
  const servers = ids.map((who) => serverOf(fleet, who));
  const readAll = (): Promise<CpuReading[]> => Promise.all(servers.map((server) => server.cpu()));
  const started = performance.now();

  await sleep(turn.settleMs);
  const costStart = await readAll();
  let costMid: CpuReading[] = costStart;
  const costSpans = await alternate(fleet, ids, { mode: 'open', rate }, { pairs: turn.costPairs, sliceMs: turn.sliceMs, between: async () => void (costMid = await readAll()) });
  const costEnd = await readAll();

  await sleep(turn.settleMs);
  const capacityStart = await readAll();
  const loadStart = await fleet.load.request<CpuReading>('cpu');
  const capacitySpans = await alternate(fleet, ids, { mode: 'closed' }, { pairs: turn.capacityPairs, sliceMs: turn.sliceMs });
  const loadEnd = await fleet.load.request<CpuReading>('cpu');
  const capacityEnd = await readAll();

  const sides: Side[] = [];
  for (const [index, who] of ids.entries()) {
    const spans = costSpans.get(who) ?? [];
    const half = Math.ceil(spans.length / 2);
    const window = (part: Spans, keep: boolean): Promise<WindowStats> => fleet.load.request<WindowStats>('window', { session: who, spans: part, keep });
    const first = await window(spans.slice(0, half), true);
    const second = await window(spans.slice(half), true);
    const cost = await window(spans, true);
    const capacitySpansOf = capacitySpans.get(who) ?? [];
    const capacity = await window(capacitySpansOf, false);
    const per = (us: number, requests: number): number => (requests === 0 ? Number.POSITIVE_INFINITY : us / requests);
    const [a, m, b] = [costStart[index]!, costMid[index]!, costEnd[index]!];
    sides.push({
      cpuPerReq: per(cpuUs(a, b), cost.requests),
      parts: [per(cpuUs(a, m), first.requests), per(cpuUs(m, b), second.requests)],
      cost,
      capacity,
      serverShare: cpuUs(capacityStart[index]!, capacityEnd[index]!) / 1000 / Math.max(1, totalMs(capacitySpansOf)),
      costMs: totalMs(spans),
      capacityMs: totalMs(capacitySpansOf),
    });
  }
  const [mine, reference] = ids[0] === id ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!];
  return { mine, reference, clientShare: cpuUs(loadStart, loadEnd) / 1000 / Math.max(1, loadEnd.t - loadStart.t), ms: performance.now() - started };
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

  // The reference takes its slices inside every other server's turn, not a turn of its own.
  const contenders = new Map([...fleet.servers].filter(([id]) => id !== REFERENCE));
  const block = await runBlock<Turn>(context, {
    contenders,
    reference: REFERENCE,
    label: `echo/${kib(size)}x${connections}/generation-${plan.generation + 1}`,
    plan: { ...echo.rounds, deadline: plan.deadline, precision: context.config.precision },
    first: plan.first,
    referenceIn: swapped,
    take: async (id, round) => {
      const turn = await takeTurn(fleet, id, rate, echo, round);
      return { turn, windowMs: turn.ms };
    },
    figures: { cpu: (turn) => turn.mine.cpuPerReq, capacity: (turn) => turn.mine.capacity.rps },
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

/** One sample per round of every figure of one server, each with its ratio to the reference's slices of the same turn. */
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
    const { mine, reference } = turn;
    const saturated = mine.cost.rps / rate < ACHIEVED_MIN || mine.cost.skipped > 0 || reference.cost.rps / rate < ACHIEVED_MIN || reference.cost.skipped > 0;
    const costExtra = { ...common, achievedRate: Math.round(mine.cost.rps), saturated, windowMs: Math.round(mine.costMs) };
    const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, extra: Record<string, string | number | boolean>, pairedRatio?: number): void =>
      context.collector.add({ name, scenario: 'echo', style: id, params, unit, direction, repeat, value, extra, ...(pairedRatio !== undefined ? { pairedRatio } : {}) });
    const costRatio = block.ratio(id, round, (t) => t.mine.cpuPerReq);
    add('echo.cpu_us_per_req', 'us/req', 'lower', mine.cpuPerReq, costExtra, costRatio);
    // What one core could serve at that cost: the capacity the CPU figure implies, with no client in the way.
    add('echo.rps_per_core', 'req/s/core', 'higher', 1e6 / mine.cpuPerReq, costExtra, costRatio === undefined ? undefined : 1 / costRatio);
    // Latency's .ratio divides by the baseline row of the same round (a tail percentile is set by a
    // few slow round trips, which one turn has and another not: no in-turn pairing for it).
    for (const p of ['p50', 'p99', 'p999'] as const) add(`echo.${p}_us`, 'us', 'lower', positive(mine.cost.latencyUs[p]), costExtra);
    add('echo.p99_sent_us', 'us', 'lower', positive(mine.cost.sentLatencyUs.p99), costExtra);

    const { serverShare } = mine;
    const { clientShare } = turn;
    const saturatedBy =
      serverShare >= SATURATED_SHARE && clientShare >= SATURATED_SHARE ? 'both' : serverShare >= SATURATED_SHARE ? 'server' : clientShare >= SATURATED_SHARE ? 'client' : 'neither';
    const capacityExtra = { ...common, saturatedBy, serverCpuShare: round3(serverShare), clientCpuShare: round3(clientShare), windowMs: Math.round(mine.capacityMs) };
    const capacityRatio = block.ratio(id, round, (t) => t.mine.capacity.rps);
    add('echo.rps', 'req/s', 'higher', mine.capacity.rps, capacityExtra, capacityRatio);
    add('echo.mibps', 'MiB/s', 'higher', mine.capacity.mibps, capacityExtra, capacityRatio);
    context.collector.turn({ phase: 'echo', params, generation: plan.generation, round: repeat, id, parts: [...mine.parts], referenceParts: [...reference.parts], othersShare: round3(othersShare) });
  }
}

/** A latency of 0 µs is below the clock's resolution; the log-scale statistics need a positive value. */
function positive(us: number): number {
  return Math.max(us, 0.5);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
