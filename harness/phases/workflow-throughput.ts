// Workflow throughput and wall time. Per (style, repeat): a fresh fake GitHub child (load core) and
// workflow child (measured core), the styles in an order shuffled per round. At zero latency, C
// workers run workflows back to back: warmed until two short windows agree on the runner's CPU per
// request served, then a timed window of
// completed, verified workflows (counted between the runner's own CPU readings, exact on the shared
// monotonic clock), with the fake server's CPU share recorded: a cell where the fake server is the
// limit is flagged. Then the style takes turns with the in-pair reference, a callbacks runner on the
// same core for the whole phase, for the throughput's ratio (readTurns), as echo cost does with its
// baseline server. Then at a set latency, workflows run one at a time and each is timed against the
// ideal lower bound of the schedule the spec allows: is the concurrency exploited?
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { median } from '../stats.js';
import { spawnChild, type Child } from '../processes.js';
import { benchWorld } from '../child/world.js';
import { measure, sleep, throwIfAborted, type Phase, type PhaseContext, type RunConfig } from './common.js';
import { REFERENCES } from '../results.js';
import { SATURATED_SHARE, warmUntilSteady } from './echo-cost.js';
import { shuffled } from './order.js';

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

export const workflowThroughputPhase: Phase = {
  name: 'workflow throughput',
  steps: (config) => config.repeats * config.styles.length,
  async run(context) {
    const { config } = context;
    const pages = forksPerPage(DEFAULT_USER, DEFAULT_INPUT.perPage);
    const forks = pages.reduce((sum, n) => sum + n, 0);
    const latencyMs = config.workflow.latencyMs;
    const idealMs = idealWallMs(pages, DEFAULT_INPUT.concurrency, latencyMs);
    // The brief's bound assumes fork requests wait for the last page: a style may beat it.
    const pagesThenForksMs = (pages.length + Math.ceil(forks / DEFAULT_INPUT.concurrency)) * latencyMs;
    const reference = await startReference(context, config.repeats * config.styles.length * pairDeadlineMs(context));
    if (reference === undefined) return;
    try {
      for (let repeat = 0; repeat < config.repeats; repeat++) {
        // Every repeat a fresh pair per style, the styles in an order shuffled per round.
        const order = shuffled(config.styles, config.seed, `workflow/${repeat}`);
        context.collector.order({ phase: 'workflow', repeat, order });
        for (const style of order) {
          throwIfAborted(context.signal);
          context.progress.doing(`${style} repeat ${repeat + 1}`);
          await measure(context, `workflow style=${style} repeat=${repeat + 1}`, async (track) => {
            const pair = await startPair(context, style, reference, track);
            await measureOne(context, style, repeat, pair, { idealMs, pagesThenForksMs, requestsPerWorkflow: pages.length + forks });
          });
          context.progress.step(`${style} repeat ${repeat + 1}`);
        }
      }
    } finally {
      await reference.stop(500);
    }
  },
};

/**
 * The in-pair reference: one workflow runner of the reference style (callbacks) on the measured
 * core for the whole phase, idle except in its own stretches. Each pair points it at its own fake
 * server, so the style and the reference are measured against the same server, seconds apart.
 */
async function startReference(context: PhaseContext, deadlineMs: number): Promise<Child | undefined> {
  let reference: Child | undefined;
  await measure(context, `workflow reference (${REFERENCES['repos-and-forks']}, in-pair)`, async (track) => {
    reference = track(
      spawnChild({ entry: 'workflow', label: 'workflow[reference]', args: [REFERENCES['repos-and-forks']], cpu: context.cpus?.measured, deadlineMs: 60_000 + deadlineMs, node: context.node }),
      { keep: true },
    );
    // Up and answering; its style loads in the background and is checked by each pair's warm-up.
    await reference.request('cpu', {}, 10_000);
  });
  return reference;
}

function pairDeadlineMs(context: PhaseContext): number {
  const { workflow } = context.config;
  const { turns } = workflow;
  const turnsMs = turns.count * 2 * (turns.settleMs + turns.stretchMs + 1_000);
  return 30_000 + workflow.warmup.maxMs + 4 * workflow.windowMs + turns.referenceWarmMs + turnsMs + workflow.wallRuns * 5_000;
}

interface Pair {
  readonly fake: Child;
  readonly runner: Child;
  readonly reference: Child;
  readonly url: string;
}

interface CpuReading {
  readonly user: number;
  readonly system: number;
  readonly t: number;
}

/** A fresh fake GitHub and workflow child; two workflows of the style and of the reference must return the expected names before anything is timed. */
async function startPair(context: PhaseContext, style: string, reference: Child, track: (child: Child) => Child): Promise<Pair> {
  const deadlineMs = pairDeadlineMs(context);
  const fake = track(spawnChild({ entry: 'fake-github', label: `fake-github[${style}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
  const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${style}]`, args: [style], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
  const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
  await runner.request('warmup', { apiUrl: url, user: DEFAULT_USER, count: 2 }, 10_000);
  await reference.request('warmup', { apiUrl: url, user: DEFAULT_USER, count: 2 }, 10_000);
  return { fake, runner, reference, url };
}

/** Fewer completed workflows than this in a window make its rate a count of a handful: the window grows. */
const MIN_WORKFLOWS_PER_WINDOW = 10;

interface Reading {
  readonly completed: number;
  /** HTTP requests the fake server answered over the window (read around it: for the warm-up only). */
  readonly served: number;
  readonly ms: number;
  readonly runnerUs: number;
  readonly fakeUs: number;
}

/** One exact window of `runner` (the style's, or the reference's): both CPUs read at its edges, workflows counted between the runner's two instants. */
async function readWindow(pair: Pair, ms: number, runner: Child = pair.runner): Promise<Reading> {
  const [a, fa, sa] = await Promise.all([runner.request<CpuReading>('cpu'), pair.fake.request<CpuReading>('cpu'), pair.fake.request<{ served: number }>('stats')]);
  await sleep(ms);
  const [b, fb, sb] = await Promise.all([runner.request<CpuReading>('cpu'), pair.fake.request<CpuReading>('cpu'), pair.fake.request<{ served: number }>('stats')]);
  const { completed } = await runner.request<{ completed: number }>('window', { from: a.t, to: b.t });
  return {
    completed,
    served: sb.served - sa.served,
    ms: b.t - a.t,
    runnerUs: b.user - a.user + (b.system - a.system),
    fakeUs: fb.user - fa.user + (fb.system - fa.system),
  };
}

/** The runner's CPU per HTTP request the fake server answered in a window (the warm-up's measure, and the turns'). */
function perRequest(reading: Reading): number {
  return reading.served === 0 ? Number.POSITIVE_INFINITY : reading.runnerUs / reading.served;
}

async function measureOne(
  context: PhaseContext,
  style: string,
  repeat: number,
  pair: Pair,
  bounds: { idealMs: number; pagesThenForksMs: number; requestsPerWorkflow: number },
): Promise<void> {
  const { workflow } = context.config;
  const { fake, runner, url } = pair;
  // Throughput at zero latency: a closed loop of C workflows, warmed until two short windows agree
  // on the runner's CPU per request served, then one timed window of completed, verified workflows.
  await fake.request('setLatency', { latencyMs: 0 });
  await runner.request('loop-start', { apiUrl: url, user: DEFAULT_USER, concurrent: workflow.concurrent });
  const rate = (reading: Reading): number => (reading.completed / reading.ms) * 1000;
  const warm = await warmUntilSteady(async () => perRequest(await readWindow(pair, workflow.warmup.stepMs)), workflow.warmup);
  // A slow style (threads: a few workflows a second) completes too few workflows in one window for
  // a rate: the window grows by whole windows until it holds enough of them, or four windows' time.
  let window = await readWindow(pair, workflow.windowMs);
  for (let extra = 1; window.completed < MIN_WORKFLOWS_PER_WINDOW && extra < 4; extra++) {
    const more = await readWindow(pair, workflow.windowMs);
    window = {
      completed: window.completed + more.completed,
      served: window.served + more.served,
      ms: window.ms + more.ms,
      runnerUs: window.runnerUs + more.runnerUs,
      fakeUs: window.fakeUs + more.fakeUs,
    };
  }
  // The in-pair ratio (readTurns). A style that ends at least one workflow a stretch (a pause then
  // waits at most C stretches for its workflows in flight) takes turns with the reference; a slower
  // one (threads, about 1 workflow/s: a workflow takes a worker seconds) would spend each switch
  // waiting, and keeps the same-repeat ratio (harness/results.ts). The line sits far from both
  // sides (3.3/s at 300 ms; the other styles ran 14.4/s and up in eighteen quick runs), so a host's slow
  // episode does not move a style across it: it once stood at C a stretch (13.3/s), and a loaded
  // machine left a callbacks pair unpaired.
  const paired = (window.completed / window.ms) * workflow.turns.stretchMs >= 1;
  const turns = paired ? await readTurns(pair, workflow) : undefined;
  await runner.request('loop-stop', {}, 15_000);
  const fakeShare = window.fakeUs / 1000 / window.ms;
  const fakeSaturated = fakeShare >= SATURATED_SHARE;
  if (fakeSaturated) {
    context.progress.note(`workflow: ${style}: the fake GitHub used ${Math.round(fakeShare * 100)}% of its core: its limit, not the style's; not ranked`);
  }
  const extra = {
    windowMs: Math.round(window.ms),
    completed: window.completed,
    warmupMs: warm.ms,
    warmupWindows: warm.windows,
    steady: warm.steady,
    fakeCpuShare: Math.round(fakeShare * 1000) / 1000,
    runnerCpuShare: Math.round((window.runnerUs / 1000 / window.ms) * 1000) / 1000,
    saturated: fakeSaturated,
    requestsPerWorkflow: bounds.requestsPerWorkflow,
    ...(turns !== undefined
      ? {
          pairedTurns: turns.perTurn.length,
          stretchMs: workflow.turns.stretchMs,
          servedPerS: Math.round(median(turns.perTurn.map((t) => t.main))),
          referenceServedPerS: Math.round(median(turns.perTurn.map((t) => t.ref))),
        }
      : {}),
  };
  const params = { latencyMs: 0, concurrent: workflow.concurrent };
  const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number, pairedRatio?: number): void =>
    context.collector.add({ name, scenario: 'repos-and-forks', style, params, unit, direction, repeat, value, extra, ...(pairedRatio !== undefined ? { pairedRatio } : {}) });
  add('workflow.throughput', 'workflows/s', 'higher', rate(window), turns?.ratio);
  // The runner's own CPU per workflow: the cost of the style's control flow plus the shared I/O. A
  // window in which no workflow completed has no cost per workflow to give (throughput says 0). Its
  // in-pair ratio comes from the same turns: each stretch's runner CPU per request served, the
  // style's over the reference's (the same requests make every workflow, so per request is per
  // workflow in the ratio).
  if (window.completed > 0) add('workflow.cpu_ms_per_workflow', 'ms/workflow', 'lower', window.runnerUs / 1000 / window.completed, turns?.cpuRatio);

  await fake.request('setLatency', { latencyMs: workflow.latencyMs });
  const wall = await runner.request<{ ms: number[]; pages: number; forks: number }>(
    'wall',
    { apiUrl: url, user: DEFAULT_USER, runs: workflow.wallRuns },
    workflow.wallRuns * 5_000 + 5_000,
  );
  const wallMs = median(wall.ms);
  const wallExtra = { idealMs: bounds.idealMs, pagesThenForksMs: bounds.pagesThenForksMs, runsPerSample: workflow.wallRuns };
  const wallParams = { latencyMs: workflow.latencyMs };
  context.collector.add({ name: 'workflow.wall_ms', scenario: 'repos-and-forks', style, params: wallParams, unit: 'ms', direction: 'lower', repeat, value: wallMs, extra: wallExtra });
  context.collector.add({
    name: 'workflow.bound_ratio',
    scenario: 'repos-and-forks',
    style,
    params: wallParams,
    unit: 'x ideal',
    direction: 'lower',
    repeat,
    value: wallMs / bounds.idealMs,
    extra: wallExtra,
  });
}

type Side = 'main' | 'ref';

interface Turns {
  /** Per turn: HTTP requests the fake server answered per second in the style's stretch, and in the reference's. */
  readonly perTurn: readonly { readonly main: number; readonly ref: number }[];
  /** The median over the turns of the style's rate over the reference's. */
  readonly ratio: number;
  /** The median over the turns of the style's runner CPU per request served over the reference's. */
  readonly cpuRatio: number;
}

/**
 * The in-pair ratio: `turns.count` turns, each an exact stretch of the style's closed loop and one
 * of the reference's against the same fake server, the order reversed every other turn (style,
 * reference; reference, style; ...). One runner drives the server at a time: a pause returns once
 * the runner's workflows in flight have ended, and a resume settles untimed for `settleMs`. A
 * stretch's rate is the requests the server answered in it, per second: a stretch holds about ten
 * workflows, whose ends bunch after a resume (the C workers start together), but hundreds of
 * requests. Every workflow makes the same requests, each page and each fork once (the conformance
 * suite checks it), so the ratio of request rates is the ratio of workflow rates; the absolute
 * figure stays the completed workflows of the long window. A slow
 * stretch of the host (DESIGN.md, "Timed figures") covers both stretches of a turn and cancels.
 */
async function readTurns(pair: Pair, workflow: RunConfig['workflow']): Promise<Turns> {
  const { turns } = workflow;
  const runners: Record<Side, Child> = { main: pair.runner, ref: pair.reference };
  await pair.runner.request('loop-pause', {}, 15_000);
  // The reference warms on this pair's fake server before its first timed stretch.
  await pair.reference.request('loop-start', { apiUrl: pair.url, user: DEFAULT_USER, concurrent: workflow.concurrent });
  const readings: Record<Side, Reading[]> = { main: [], ref: [] };
  try {
    await sleep(turns.referenceWarmMs);
    await pair.reference.request('loop-pause', {}, 15_000);
    for (let turn = 0; turn < turns.count; turn++) {
      const sides: readonly Side[] = turn % 2 === 0 ? ['main', 'ref'] : ['ref', 'main'];
      for (const side of sides) {
        await runners[side].request('loop-resume');
        await sleep(turns.settleMs);
        const reading = await readWindow(pair, turns.stretchMs, runners[side]);
        await runners[side].request('loop-pause', {}, 15_000);
        readings[side].push(reading);
      }
    }
  } finally {
    // The reference outlives the pair: it must leave no loop running for the next one.
    await pair.reference.request('loop-stop', {}, 15_000);
  }
  const rate = (reading: Reading): number => (reading.served / reading.ms) * 1000;
  const pairs = readings.main.map((main, turn) => ({ main, ref: readings.ref[turn] as Reading }));
  const perTurn = pairs.map((t) => ({ main: rate(t.main), ref: rate(t.ref) }));
  return {
    perTurn,
    ratio: median(perTurn.map((t) => t.main / t.ref)),
    cpuRatio: median(pairs.map((t) => perRequest(t.main) / perRequest(t.ref))),
  };
}
