// Workflow throughput and wall time, in the block design echo cost uses (phases/rounds.ts). Every
// style's workflow runner (and the reference, a second callbacks runner every ratio divides by)
// starts at once on the measured core, against one fake GitHub on the other core. Each runner is
// warmed alone (C workers running workflows back to back at zero latency, until two short windows
// agree on its CPU per request served), then paused. Then rounds, in which each runner takes one
// turn in an order shuffled per round: it and the reference in alternation, each resumed, settled,
// read over one exact window and paused (a pause returns once the workflows in flight have ended),
// a few times; the ratio is taken within the turn. A turn's rate is the requests the fake server
// answered in its windows: every verified workflow makes the same requests (each page and each fork once; the
// conformance suite checks it), so workflows/s is that rate over the requests per workflow, and a
// ratio of rates is a ratio of workflows/s. Then, at a set latency, each runner runs workflows one
// at a time, each timed against the ideal lower bound of the schedule the spec allows.
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { median } from '../stats/summary.js';
import { spawnChild, type Child } from '../processes/children.js';
import { benchWorld } from '../child/world.js';
import { measure, sleep, type Phase, type PhaseContext } from './common.js';
import { REFERENCES } from '../results.js';
import { warmUntilSteady, type WarmUp } from './steady.js';
import { runBlock, SATURATED_SHARE, type Block } from './rounds.js';

/**
 * The least wall time any style can take: page k (1-based) arrives at k·latency, pages being
 * sequential; a fork listed on page k may be requested from then on (SPEC step 3); at most
 * `concurrency` fork requests are in flight and each takes `latency`. Requests of equal length with
 * release times: starting the earliest-released waiting fork whenever a slot frees is optimal.
 */
export function idealWallMs(forksPerPage: readonly number[], concurrency: number, latencyMs: number): number {
  const slots = new Array<number>(concurrency).fill(0);
  let end = forksPerPage.length * latencyMs;
  forksPerPage.forEach((forks, index) => {
    const released = (index + 1) * latencyMs;
    for (let i = 0; i < forks; i++) {
      // The slot that frees first takes the next fork.
      let best = 0;
      for (let s = 1; s < slots.length; s++) if ((slots[s] as number) < (slots[best] as number)) best = s;
      const start = Math.max(released, slots[best] as number);
      slots[best] = start + latencyMs;
      end = Math.max(end, start + latencyMs);
    }
  });
  return end;
}

/** Forks on each listing page of `user` at `perPage`, from the world both children serve. */
export function forksPerPage(user: string, perPage: number): number[] {
  const listing = benchWorld().listRepos(user) ?? [];
  const pages: number[] = [];
  for (let start = 0; start < Math.max(1, listing.length); start += perPage) {
    pages.push(listing.slice(start, start + perPage).filter((repo) => repo.fork).length);
  }
  return pages;
}

/** The row name of the runner every ratio divides by (a second runner of the reference style). */
const REFERENCE = 'reference';

export const workflowThroughputPhase: Phase = {
  name: 'workflow throughput',
  steps: () => 1,
  timedWeight: () => 1,
  async run(context) {
    const { config } = context;
    const pages = forksPerPage(DEFAULT_USER, DEFAULT_INPUT.perPage);
    const forks = pages.reduce((sum, n) => sum + n, 0);
    const latencyMs = config.workflow.latencyMs;
    const bounds = {
      idealMs: idealWallMs(pages, DEFAULT_INPUT.concurrency, latencyMs),
      // The brief's bound assumes fork requests wait for the last page: a style may beat it.
      pagesThenForksMs: (pages.length + Math.ceil(forks / DEFAULT_INPUT.concurrency)) * latencyMs,
      requestsPerWorkflow: pages.length + forks,
    };
    const deadline = context.deadline ?? performance.now() + 60_000;
    await measure(context, 'workflow throughput', async (track) => {
      const fleet = await startFleet(context, track);
      context.progress.doing('warming every runner');
      const warmups = new Map<string, WarmUp>();
      for (const id of fleet.runners.keys()) warmups.set(id, await warm(context, fleet, id));
      const outcome = await measureRounds(context, fleet, deadline);
      for (const id of fleet.runners.keys()) {
        if (id !== REFERENCE) record(context, id, outcome, warmups.get(id), bounds);
      }
      await measureWall(context, fleet, bounds);
      context.progress.step(`${outcome.outcome.rounds} rounds`);
    });
  },
};

/** Every style's runner and the reference on the measured core, one fake GitHub on the other. */
interface Fleet {
  readonly fake: Child;
  readonly url: string;
  readonly runners: ReadonlyMap<string, Child>;
}

async function startFleet(context: PhaseContext, track: (child: Child) => Child): Promise<Fleet> {
  const { config } = context;
  const deadlineMs = Math.max(0, (context.deadline ?? performance.now()) - performance.now()) + 10 * 60_000;
  const fake = track(spawnChild({ entry: 'fake-github', label: 'fake-github', cpu: context.cpus?.load, deadlineMs, node: context.node }));
  const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
  const runners = new Map<string, Child>();
  for (const id of [...config.styles, REFERENCE]) {
    const style = id === REFERENCE ? REFERENCES['repos-and-forks'] : id;
    const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${id}]`, args: [style], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
    // Two workflows must return the expected names before anything is timed.
    await runner.request('warmup', { apiUrl: url, user: DEFAULT_USER, count: 2 }, 10_000);
    runners.set(id, runner);
  }
  return { fake, url, runners };
}

interface CpuReading {
  readonly user: number;
  readonly system: number;
  readonly t: number;
}

interface Reading {
  readonly completed: number;
  /** HTTP requests the fake server answered over the window (read around it). */
  readonly served: number;
  readonly ms: number;
  readonly runnerUs: number;
  readonly fakeUs: number;
}

function runnerOf(fleet: Fleet, id: string): Child {
  const runner = fleet.runners.get(id);
  if (runner === undefined) throw new Error(`workflow: no runner ${JSON.stringify(id)} in the fleet`);
  return runner;
}

/** One exact window of `id`'s runner: its CPU and the fake server's read at its edges, workflows counted between the runner's two instants. */
async function readWindow(fleet: Fleet, id: string, ms: number): Promise<Reading> {
  const runner = runnerOf(fleet, id);
  const [a, fa, sa] = await Promise.all([runner.request<CpuReading>('cpu'), fleet.fake.request<CpuReading>('cpu'), fleet.fake.request<{ served: number }>('stats')]);
  await sleep(ms);
  const [b, fb, sb] = await Promise.all([runner.request<CpuReading>('cpu'), fleet.fake.request<CpuReading>('cpu'), fleet.fake.request<{ served: number }>('stats')]);
  const { completed } = await runner.request<{ completed: number }>('window', { from: a.t, to: b.t });
  return { completed, served: sb.served - sa.served, ms: b.t - a.t, runnerUs: b.user - a.user + (b.system - a.system), fakeUs: fb.user - fa.user + (fb.system - fa.system) };
}

/** The runner's CPU per HTTP request the fake server answered in a window. */
function perRequest(reading: Reading): number {
  return reading.served === 0 ? Number.POSITIVE_INFINITY : reading.runnerUs / reading.served;
}

/** Warms one runner alone to its steady state, then pauses it. */
async function warm(context: PhaseContext, fleet: Fleet, id: string): Promise<WarmUp> {
  const { workflow } = context.config;
  const runner = runnerOf(fleet, id);
  await runner.request('loop-start', { apiUrl: fleet.url, user: DEFAULT_USER, concurrent: workflow.concurrent });
  const warmUp = await warmUntilSteady(async () => perRequest(await readWindow(fleet, id, workflow.warmup.stepMs)), workflow.warmup);
  await runner.request('loop-pause', {}, 30_000);
  return warmUp;
}

/** A runner's turn, paired: its windows and the reference's, each summed over the turn. */
interface Turn {
  readonly mine: Reading;
  readonly reference: Reading;
}

const swapped = (turn: Turn): Turn => ({ mine: turn.reference, reference: turn.mine });

const sum = (a: Reading, b: Reading): Reading => ({
  completed: a.completed + b.completed,
  served: a.served + b.served,
  ms: a.ms + b.ms,
  runnerUs: a.runnerUs + b.runnerUs,
  fakeUs: a.fakeUs + b.fakeUs,
});

/**
 * Rounds of turns. A turn alternates the runner and the reference: each resumed, settled, read over
 * one exact window and paused again, `pairs` times (which goes first alternates by round), so the
 * two meet the same host a fraction of a second apart and the ratio is taken within the turn.
 */
function measureRounds(context: PhaseContext, fleet: Fleet, deadline: number): Promise<Block<Turn>> {
  const { workflow } = context.config;
  const contenders = new Map([...fleet.runners].filter(([id]) => id !== REFERENCE));
  return runBlock<Turn>(context, {
    contenders,
    reference: REFERENCE,
    referenceIn: swapped,
    label: 'workflow',
    plan: { ...workflow.rounds, deadline, precision: context.config.precision },
    async take(id, round) {
      const order = round % 2 === 0 ? [id, REFERENCE] : [REFERENCE, id];
      const empty: Reading = { completed: 0, served: 0, ms: 0, runnerUs: 0, fakeUs: 0 };
      const sums = new Map<string, Reading>(order.map((who) => [who, empty]));
      for (let pair = 0; pair < workflow.turn.pairs; pair++) {
        for (const who of order) {
          const runner = runnerOf(fleet, who);
          await runner.request('loop-resume');
          await sleep(workflow.turn.settleMs);
          const reading = await readWindow(fleet, who, workflow.turn.windowMs);
          await runner.request('loop-pause', {}, 30_000);
          sums.set(who, sum(sums.get(who) ?? empty, reading));
        }
      }
      const mine = sums.get(id) ?? empty;
      const reference = sums.get(REFERENCE) ?? empty;
      if (mine.served === 0 || reference.served === 0) return { dropped: `no request served in ${mine.served === 0 ? 'its' : "the reference's"} windows` };
      return { turn: { mine, reference }, windowMs: mine.ms + reference.ms };
    },
    figures: { throughput: (turn) => turn.mine.served / turn.mine.ms },
  });
}

/** One sample per round of the throughput and CPU per workflow, each with its ratio to the reference's windows of the same turn. */
function record(context: PhaseContext, id: string, measured: Block<Turn>, warmUp: WarmUp | undefined, bounds: { readonly requestsPerWorkflow: number }): void {
  const { workflow } = context.config;
  const params = { latencyMs: 0, concurrent: workflow.concurrent };
  for (const [round, { turn, othersShare }] of measured.turns.get(id) ?? []) {
    const { mine: reading, reference } = turn;
    const fakeShare = reading.fakeUs / 1000 / reading.ms;
    const fakeSaturated = fakeShare >= SATURATED_SHARE;
    const extra = {
      windowMs: Math.round(reading.ms),
      completed: reading.completed,
      rounds: measured.outcome.rounds,
      stoppedBy: measured.outcome.stoppedBy,
      warmupMs: warmUp?.ms ?? 0,
      steady: warmUp?.steady ?? false,
      droppedTurns: measured.dropped.get(id) ?? 0,
      fakeCpuShare: Math.round(fakeShare * 1000) / 1000,
      runnerCpuShare: Math.round((reading.runnerUs / 1000 / reading.ms) * 1000) / 1000,
      saturated: fakeSaturated,
      requestsPerWorkflow: bounds.requestsPerWorkflow,
      // A turn that serves less than one workflow's requests measures the runner's start after a
      // resume (threads starts its workers anew), not its steady rate: not ranked.
      shortTurn: reading.served < bounds.requestsPerWorkflow,
    };
    const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, pairedRatio: number): void =>
      context.collector.add({ name, scenario: 'repos-and-forks', style: id, params, unit, direction, repeat: round, value, extra, pairedRatio });
    const ratePerS = (r: Reading): number => (r.served / r.ms) * 1000;
    add('workflow.throughput', 'workflows/s', 'higher', ratePerS(reading) / bounds.requestsPerWorkflow, ratePerS(reading) / ratePerS(reference));
    // The runner's own CPU per workflow: the cost of the style's control flow plus the shared I/O.
    add('workflow.cpu_ms_per_workflow', 'ms/workflow', 'lower', (perRequest(reading) * bounds.requestsPerWorkflow) / 1000, perRequest(reading) / perRequest(reference));
    context.collector.turn({
      phase: 'workflow',
      params,
      generation: 0,
      round,
      id,
      parts: [perRequest(reading)],
      referenceParts: [perRequest(reference)],
      othersShare: Math.round(othersShare * 1000) / 1000,
    });
  }
}

/** At a set latency, each runner alone runs workflows one at a time, each timed against the ideal bound. */
async function measureWall(context: PhaseContext, fleet: Fleet, bounds: { readonly idealMs: number; readonly pagesThenForksMs: number }): Promise<void> {
  const { workflow } = context.config;
  await fleet.fake.request('setLatency', { latencyMs: workflow.latencyMs });
  for (const [id, runner] of fleet.runners) {
    if (id === REFERENCE) continue;
    await runner.request('loop-stop', {}, 30_000);
    const wall = await runner.request<{ ms: number[] }>('wall', { apiUrl: fleet.url, user: DEFAULT_USER, runs: workflow.wallRuns }, workflow.wallRuns * 5_000 + 5_000);
    const wallMs = median(wall.ms);
    const extra = { idealMs: bounds.idealMs, pagesThenForksMs: bounds.pagesThenForksMs, runsPerSample: workflow.wallRuns };
    const params = { latencyMs: workflow.latencyMs };
    const add = (name: string, unit: string, value: number): void =>
      context.collector.add({ name, scenario: 'repos-and-forks', style: id, params, unit, direction: 'lower', repeat: 0, value, extra });
    add('workflow.wall_ms', 'ms', wallMs);
    add('workflow.bound_ratio', 'x ideal', wallMs / bounds.idealMs);
  }
}
