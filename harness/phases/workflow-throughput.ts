// Workflow throughput and wall time. Per (style, repeat): a fake GitHub child (load core) and a
// workflow child (measured core). At zero latency, C workers run workflows back to back for a timed
// window: workflows/s. Then at a set latency, workflows run one at a time and each is timed against
// the ideal lower bound of the schedule the spec allows: is the concurrency exploited?
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { median } from '../stats.js';
import { spawnChild, type Child } from '../processes.js';
import { benchWorld } from '../child/world.js';
import { measure, Pool, sleep, throwIfAborted, type Phase, type PhaseContext, type Track } from './common.js';

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
    const pool = new Pool<Pair>();
    try {
      for (let repeat = 0; repeat < config.repeats; repeat++) {
        // Styles interleave within a repeat, so a drift of the machine touches every style alike.
        for (const style of config.styles) {
          throwIfAborted(context.signal);
          context.progress.doing(`${style} repeat ${repeat + 1}`);
          await measure(context, `workflow.throughput style=${style} repeat=${repeat + 1}`, async (track) => {
            const pair = await pool.get(style, track, (keep) => startPair(context, style, keep));
            await measureOne(context, style, repeat, pair, { idealMs, pagesThenForksMs, requestsPerWorkflow: pages.length + forks });
          });
          context.progress.step(`${style} repeat ${repeat + 1}`);
        }
      }
    } finally {
      await pool.close();
    }
  },
};

interface Pair {
  readonly children: readonly Child[];
  readonly fake: Child;
  readonly runner: Child;
  readonly url: string;
}

/** A fake GitHub and a workflow child; two workflows must return the expected names before anything is timed. */
async function startPair(context: PhaseContext, style: string, track: Track): Promise<Pair> {
  const { config } = context;
  const { workflow } = config;
  // The pair lives for all repeats of the phase; each request is bounded by its own timeout.
  const deadlineMs = 30_000 + config.repeats * config.styles.length * (workflow.warmupMs + workflow.windowMs + workflow.wallRuns * 2_000 + 5_000);
  const fake = track(spawnChild({ entry: 'fake-github', label: `fake-github[${style}]`, cpu: context.cpus?.load, deadlineMs }));
  const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${style}]`, args: [style], cpu: context.cpus?.measured, deadlineMs }));
  const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
  await runner.request('warmup', { apiUrl: url, user: DEFAULT_USER, count: 2 }, 10_000);
  // A fresh pair ran a first repeat far slower than the next ones (JIT tiering, heap growth in
  // both processes): an untimed closed loop, twice the per-repeat warm-up, brings both up to speed.
  const runMs = 2 * workflow.warmupMs;
  const warming = runner.request('throughput', { apiUrl: url, user: DEFAULT_USER, concurrent: workflow.concurrent, runMs }, runMs + 15_000);
  await runner.nextEvent('throughput-started', 10_000);
  await warming;
  return { children: [fake, runner], fake, runner, url };
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
  await fake.request('setLatency', { latencyMs: 0 });
  // The window is read off the fake server, not counted in whole workflows: at a few dozen
  // workflows/s a count over a short window would move in steps of several percent. The rate is
  // responses served per second over [A, B], divided by the requests one workflow makes; A and B
  // fall inside the closed loop (after its warm-up, before its workers stop).
  const margin = 100;
  const running = runner.request<{ completed: number }>(
    'throughput',
    { apiUrl: url, user: DEFAULT_USER, concurrent: workflow.concurrent, runMs: workflow.warmupMs + workflow.windowMs + margin },
    workflow.warmupMs + workflow.windowMs + 15_000,
  );
  await runner.nextEvent('throughput-started', 10_000);
  const started = performance.now();
  await sleep(workflow.warmupMs);
  const a = await fake.request<{ served: number }>('stats');
  const tA = performance.now();
  await sleep(started + workflow.warmupMs + workflow.windowMs - performance.now());
  const b = await fake.request<{ served: number }>('stats');
  const tB = performance.now();
  const { completed } = await running;
  const perSecond = (b.served - a.served) / bounds.requestsPerWorkflow / ((tB - tA) / 1000);
  context.collector.add({
    name: 'workflow.throughput',
    scenario: 'repos-and-forks',
    style,
    params: { latencyMs: 0, concurrent: workflow.concurrent },
    unit: 'workflows/s',
    direction: 'higher',
    repeat,
    value: perSecond,
    extra: { windowMs: workflow.windowMs, requestsPerWorkflow: bounds.requestsPerWorkflow, completedInRun: completed },
  });

  await fake.request('setLatency', { latencyMs: workflow.latencyMs });
  const wall = await runner.request<{ ms: number[]; pages: number; forks: number }>(
    'wall',
    { apiUrl: url, user: DEFAULT_USER, runs: workflow.wallRuns },
    workflow.wallRuns * 5_000 + 5_000,
  );
  const wallMs = median(wall.ms);
  const extra = { idealMs: bounds.idealMs, pagesThenForksMs: bounds.pagesThenForksMs, runsPerSample: workflow.wallRuns };
  const params = { latencyMs: workflow.latencyMs };
  context.collector.add({ name: 'workflow.wall_ms', scenario: 'repos-and-forks', style, params, unit: 'ms', direction: 'lower', repeat, value: wallMs, extra });
  context.collector.add({
    name: 'workflow.bound_ratio',
    scenario: 'repos-and-forks',
    style,
    params,
    unit: 'x ideal',
    direction: 'lower',
    repeat,
    value: wallMs / bounds.idealMs,
    extra,
  });
}
