// Workflow throughput and wall time. Per (style, repeat): a fresh fake GitHub child (load core) and
// workflow child (measured core), the styles in an order shuffled per round. At zero latency, C
// workers run workflows back to back: warmed until two short windows agree on the runner's CPU per
// request served, then a timed window of
// completed, verified workflows (counted between the runner's own CPU readings, exact on the shared
// monotonic clock), with the fake server's CPU share recorded: a cell where the fake server is the
// limit is flagged. Then at a set latency, workflows run one at a time and each is timed against the
// ideal lower bound of the schedule the spec allows: is the concurrency exploited?
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { median } from '../stats.js';
import { spawnChild, type Child } from '../processes.js';
import { benchWorld } from '../child/world.js';
import { measure, sleep, throwIfAborted, type Phase, type PhaseContext } from './common.js';
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
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      // Every repeat a fresh pair per style, the styles in an order shuffled per round.
      const order = shuffled(config.styles, config.seed, `workflow/${repeat}`);
      context.collector.order({ phase: 'workflow', repeat, order });
      for (const style of order) {
        throwIfAborted(context.signal);
        context.progress.doing(`${style} repeat ${repeat + 1}`);
        await measure(context, `workflow style=${style} repeat=${repeat + 1}`, async (track) => {
          const pair = await startPair(context, style, track);
          await measureOne(context, style, repeat, pair, { idealMs, pagesThenForksMs, requestsPerWorkflow: pages.length + forks });
        });
        context.progress.step(`${style} repeat ${repeat + 1}`);
      }
    }
  },
};

interface Pair {
  readonly fake: Child;
  readonly runner: Child;
  readonly url: string;
}

interface CpuReading {
  readonly user: number;
  readonly system: number;
  readonly t: number;
}

/** A fresh fake GitHub and workflow child; two workflows must return the expected names before anything is timed. */
async function startPair(context: PhaseContext, style: string, track: (child: Child) => Child): Promise<Pair> {
  const { workflow } = context.config;
  const deadlineMs = 30_000 + workflow.warmup.maxMs + 4 * workflow.windowMs + workflow.wallRuns * 5_000;
  const fake = track(spawnChild({ entry: 'fake-github', label: `fake-github[${style}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
  const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${style}]`, args: [style], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
  const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
  await runner.request('warmup', { apiUrl: url, user: DEFAULT_USER, count: 2 }, 10_000);
  return { fake, runner, url };
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

/** One exact window: both CPUs read at its edges, workflows counted between the runner's two instants. */
async function readWindow(pair: Pair, ms: number): Promise<Reading> {
  const [a, fa, sa] = await Promise.all([pair.runner.request<CpuReading>('cpu'), pair.fake.request<CpuReading>('cpu'), pair.fake.request<{ served: number }>('stats')]);
  await sleep(ms);
  const [b, fb, sb] = await Promise.all([pair.runner.request<CpuReading>('cpu'), pair.fake.request<CpuReading>('cpu'), pair.fake.request<{ served: number }>('stats')]);
  const { completed } = await pair.runner.request<{ completed: number }>('window', { from: a.t, to: b.t });
  return {
    completed,
    served: sb.served - sa.served,
    ms: b.t - a.t,
    runnerUs: b.user - a.user + (b.system - a.system),
    fakeUs: fb.user - fa.user + (fb.system - fa.system),
  };
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
  // on workflows/s, then one timed window of completed, verified workflows.
  await fake.request('setLatency', { latencyMs: 0 });
  await runner.request('loop-start', { apiUrl: url, user: DEFAULT_USER, concurrent: workflow.concurrent });
  const rate = (reading: Reading): number => (reading.completed / reading.ms) * 1000;
  const perRequest = (reading: Reading): number => (reading.served === 0 ? Number.POSITIVE_INFINITY : reading.runnerUs / reading.served);
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
  };
  const params = { latencyMs: 0, concurrent: workflow.concurrent };
  const add = (name: string, unit: string, direction: 'higher' | 'lower', value: number): void =>
    context.collector.add({ name, scenario: 'repos-and-forks', style, params, unit, direction, repeat, value, extra });
  add('workflow.throughput', 'workflows/s', 'higher', rate(window));
  // The runner's own CPU per workflow: the cost of the style's control flow plus the shared I/O. A
  // window in which no workflow completed has no cost per workflow to give (throughput says 0).
  if (window.completed > 0) add('workflow.cpu_ms_per_workflow', 'ms/workflow', 'lower', window.runnerUs / 1000 / window.completed);

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
