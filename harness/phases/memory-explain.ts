// Memory explained: what a style keeps alive per idle echo connection and per in-flight workflow.
// In the same children the memory phases use (the style's real echo server, the workflow runner
// against a fake GitHub that holds every answer), a heap snapshot after GC with no unit held and
// another with N held; the parent parses both (harness/heap), diffs them by the name V8 gives each
// node and divides by N. The memory phases' own measure (heapUsed + external after GC) is read at the
// same two points, so the snapshot's total can be set against it. A snapshot sees the JS heap and
// the ArrayBuffer backing stores it owns, not the rest of `external` nor a worker thread's isolate
// (threads: the main isolate only; its unitCost says what a thread's own heap holds).
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Metric, MemoryAttribution } from '../schema.js';
import { findStyle } from '../../styles/registry.js';
import { HELD_USER } from '../child/world.js';
import type { SnapshotTaken } from '../child/heap-snapshot.js';
import { spawnChild, type Child } from '../processes/children.js';
import { attribute, round } from '../heap/attribution.js';
import { censusOfFile } from '../heap/snapshot.js';
import { forEachLimited, measure, throwIfAborted, type Phase, type PhaseContext, type Track } from './common.js';
import { CONNECT_BATCH, WARMUP_CONNECTIONS, settledConnections } from './echo-connections.js';
import { echoServers } from './servers.js';
import { stepsWithinFdLimit, sweepSteps } from './memory-fit.js';
import { BURST, HELD_TIMEOUT_MS, heldWaitMs, waitForHeld } from './held-workflows.js';

/** Entries kept per style in results.json: the report shows five, the command ten by default. */
export const KEPT_ENTRIES = 20;

export type ExplainScenario = MemoryAttribution['scenario'];

export interface ExplainOptions {
  /** `baseline` or a style id (echo); a style id (repos-and-forks). */
  readonly style: string;
  /** Units asked for; a style with its own memory steps (threads) is held to its largest step. */
  readonly units: number;
  /** Units for a style with its own memory steps, when fewer than its largest step (quick runs). */
  readonly costlyUnits?: number;
  readonly cpus?: { readonly measured: number; readonly load: number } | undefined;
  /** The Node binary the children start on (a runtime of `--node`); the harness's own when absent. */
  readonly node?: string | undefined;
}

/** The units one style is measured with: the ones asked for, or fewer for a style that costs megabytes each. */
export function unitsFor(style: string, scenario: ExplainScenario, asked: number, costly = Number.POSITIVE_INFINITY): { units: number; msPerUnit: number } {
  const own = findStyle(style)?.memorySteps?.[scenario === 'echo' ? 'echo' : 'workflow'];
  const sweep = sweepSteps([asked], own);
  const units = Math.min(asked, Math.max(...sweep.steps), own === undefined ? asked : costly);
  // Each connection is a descriptor in the server and one in the client, as in the sweeps.
  return { units: stepsWithinFdLimit([units]).cappedAt ?? units, msPerUnit: sweep.msPerUnit };
}

/**
 * The totals a hold goes through on its way to `units`: the style's own sweep steps below it (a
 * thread per unit: each wait covers a few dozen thread starts, as in the sweep), then `units`.
 */
export function holdSteps(style: string, scenario: ExplainScenario, units: number): number[] {
  const own = findStyle(style)?.memorySteps?.[scenario === 'echo' ? 'echo' : 'workflow'] ?? [];
  return [...own.filter((step) => step > 0 && step < units), units];
}

/** Two snapshots around `hold`, parsed and diffed in this process; the files are removed whatever happens. */
async function snapshotsAround(child: Child, units: number, hold: () => Promise<void>): Promise<Omit<MemoryAttribution, 'style' | 'scenario' | 'unit'>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rosetta-heap-'));
  // An interrupted run exits from its signal handler: the snapshots (tens of MB) must not stay behind.
  const removeOnExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  try {
    // Writing a snapshot of a large heap takes seconds: the deadline is generous.
    const first = await child.request<SnapshotTaken>('heapSnapshot', { file: path.join(dir, 'before.heapsnapshot') }, 120_000);
    // Parsed while the units are being opened: the parse is this process's work, the opening the children's.
    const parsing = censusOfFile(first.file);
    parsing.catch(() => undefined);
    await hold();
    const second = await child.request<SnapshotTaken>('heapSnapshot', { file: path.join(dir, 'after.heapsnapshot') }, 120_000);
    const before = await parsing;
    const after = await censusOfFile(second.file);
    const { entries, snapshotBytesPerConnection, nativeBytesPerConnection } = attribute(before, after, units);
    return {
      units,
      entries: entries.slice(0, KEPT_ENTRIES),
      snapshotBytesPerConnection,
      nativeBytesPerConnection,
      measuredBytesPerConnection: round((second.sample.bytes - first.sample.bytes) / units, 1),
    };
  } finally {
    process.off('exit', removeOnExit);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per idle echo connection, warmed up as the echo memory phase warms its servers. */
export async function explainEcho(options: ExplainOptions, track: Track): Promise<MemoryAttribution> {
  const { units, msPerUnit } = unitsFor(options.style, 'echo', options.units, options.costlyUnits);
  const deadlineMs = 120_000 + units * msPerUnit;
  const echo = track(spawnChild({ entry: 'echo-server', label: `echo-server[${options.style}]`, args: [options.style], cpu: options.cpus?.measured, deadlineMs, node: options.node }));
  const client = track(spawnChild({ entry: 'echo-conns', label: `echo-conns[${options.style}]`, cpu: options.cpus?.load, deadlineMs, node: options.node }));
  const { port } = await echo.request<{ port: number }>('start', { port: 0 });
  // As many as will be measured at most: a thread per connection makes each one dear to warm.
  await client.request('open', { port, total: Math.min(WARMUP_CONNECTIONS, units), batch: CONNECT_BATCH }, 60_000);
  await client.request('echoAll', { size: 1024, batch: 500 }, 60_000);
  await client.request('closeTo', { total: 0 });
  await settledConnections(echo, 0);
  const diff = await snapshotsAround(echo, units, async () => {
    for (const total of holdSteps(options.style, 'echo', units)) {
      await client.request('open', { port, total, batch: CONNECT_BATCH }, 60_000);
      await settledConnections(echo, total);
    }
  });
  return { style: options.style, scenario: 'echo', unit: 'idle connection', ...diff };
}

/** Per workflow suspended on its first listing request, held by the fake GitHub as the workflow memory phase holds it. */
export async function explainWorkflow(options: ExplainOptions, track: Track): Promise<MemoryAttribution> {
  const { units, msPerUnit } = unitsFor(options.style, 'repos-and-forks', options.units, options.costlyUnits);
  const deadlineMs = 120_000 + units * msPerUnit;
  const fake = track(spawnChild({ entry: 'fake-github', label: `fake-github[${options.style}]`, cpu: options.cpus?.load, deadlineMs, node: options.node }));
  const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${options.style}]`, args: [options.style], cpu: options.cpus?.measured, deadlineMs, node: options.node }));
  const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
  await runner.request('warmup', { apiUrl: url, user: HELD_USER, count: 3 }, 10_000);
  await fake.request('idle', { timeoutMs: 5_000 });
  await fake.request('setHold', { hold: true });
  const diff = await snapshotsAround(runner, units, async () => {
    let started = 0;
    for (const total of holdSteps(options.style, 'repos-and-forks', units)) {
      while (started < total) {
        const burst = Math.min(BURST, total - started);
        await runner.request('startHeld', { apiUrl: url, user: HELD_USER, count: burst, timeoutMs: HELD_TIMEOUT_MS });
        started += burst;
        await waitForHeld(fake, started, runner, heldWaitMs(burst, msPerUnit));
      }
    }
  });
  // Every held workflow must still finish with the right answer: a wrong one is not a measurement.
  await fake.request('setHold', { hold: false });
  await runner.request('settleHeld', {}, 60_000 + units * 5);
  return { style: options.style, scenario: 'repos-and-forks', unit: 'in-flight workflow', ...diff };
}

function explainPhase(scenario: ExplainScenario): Phase {
  const servers = (styles: readonly string[]): string[] => (scenario === 'echo' ? echoServers(styles) : [...styles]);
  const explain = scenario === 'echo' ? explainEcho : explainWorkflow;
  return {
    name: `memory explained (${scenario})`,
    steps: (config) => servers(config.styles).length,
    async run(context: PhaseContext) {
      const { config } = context;
      await forEachLimited(servers(config.styles), config.memoryParallel, async (style) => {
        throwIfAborted(context.signal);
        const { units, costlyUnits } = config.memoryExplain;
        context.progress.doing(`${style}: heap snapshots at 0 and ${unitsFor(style, scenario, units, costlyUnits).units}`);
        await measure(context, `memory.explain.${scenario} style=${style}`, async (track) => {
          context.collector.explain(await explain({ style, units, costlyUnits, cpus: context.cpus, node: context.node }, track));
        });
        context.progress.step(style);
      });
    },
  };
}

export const echoExplainPhase = explainPhase('echo');
export const workflowExplainPhase = explainPhase('repos-and-forks');

/** The metric each attribution is set against: the memory phase's slope for the same unit. */
const SLOPE_OF: Readonly<Record<ExplainScenario, string>> = {
  echo: 'memory.echo_idle.bytes_per_conn',
  'repos-and-forks': 'memory.workflow.bytes_per_inflight',
};

/** Each attribution with the memory phase's slope of the same run, when it measured one. */
export function withSlopes(attributions: readonly MemoryAttribution[], metrics: readonly Metric[]): MemoryAttribution[] {
  return attributions.map((attribution) => {
    const slope = metrics.find((metric) => metric.name === SLOPE_OF[attribution.scenario] && metric.style === attribution.style && metric.kind === 'absolute');
    return slope === undefined ? attribution : { ...attribution, slopeBytesPerConnection: round(slope.median, 1) };
  });
}
