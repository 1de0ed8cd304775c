// Memory per echo connection. A server child (--expose-gc, measured core) and a client child (load
// core) that only opens sockets. Idle sweep: connections are opened in steps; after each step, once
// the server counts them all, it forces GC twice and reports heap (heapUsed + external) and RSS.
// Active sweep: every open connection echoes one message, then connections are closed in steps back
// down to 0 and read the same way, so every connection measured has echoed once. The slope of each
// line is bytes per connection; R² says whether memory really grows linearly. Two servers are
// measured at once (config.memoryParallel): heap after forced GC does not depend on CPU contention.
//
// The reference servers not written in Node (harness/references.ts) get the idle sweep too, read
// as VmRSS from /proc (they have no V8 heap and no forced GC): a metric of its own,
// memory.echo_idle.reference_rss_per_conn, so no report sets it beside the styles' heap slope.
import { spawnChild, type Child } from '../processes/children.js';
import { availableReferences, heldConnections, REFERENCE_SERVERS, residentBytes, startReferenceServer, type ReferenceId } from '../references.js';
import { linearFit } from '../stats/fit.js';
import type { MemorySample } from '../child/ipc.js';
import { findStyle } from '../../styles/registry.js';
import { addSlopes, stepsWithinFdLimit, sweepSteps, type MemoryPoint } from './memory-fit.js';
import { forEachLimited, measure, sleep, throwIfAborted, waitUntil, type Phase, type PhaseContext } from './common.js';
import { CONNECT_BATCH, settledConnections, SETTLE_MS, WARMUP_CONNECTIONS } from './echo-connections.js';
import { aidLaunch } from '../aids.js';
import { echoServersWithCalibration } from './servers.js';

/** The reference servers' idle slope: process RSS, not comparable byte for byte with the styles' heap. */
export const REFERENCE_RSS_METRIC = 'memory.echo_idle.reference_rss_per_conn';

export const echoMemoryPhase: Phase = {
  name: 'echo memory',
  steps: (config) => (echoServersWithCalibration(config.styles, config.aids).length + (config.echo.references ? REFERENCE_SERVERS.length : 0)) * config.memoryRepeats,
  async run(context) {
    const { config } = context;
    // Each repeat of a server's sweep is its own pair of fresh processes: an independent sample. The
    // calibration's slowed server (rosetta calibrate) is swept too: it also holds extra bytes a connection.
    const sweeps = Array.from({ length: config.memoryRepeats }, (_, repeat) => echoServersWithCalibration(config.styles, config.aids).map((server) => ({ server, repeat }))).flat();
    await forEachLimited(sweeps, config.memoryParallel, async ({ server, repeat }) => {
      throwIfAborted(context.signal);
      // A style may sweep its own steps (threads: a few hundred, at megabytes a connection).
      const sweep = sweepSteps(config.echoMemorySteps, findStyle(server)?.memorySteps?.echo);
      const { steps, cappedAt } = stepsWithinFdLimit(sweep.steps);
      if (cappedAt !== undefined) {
        context.progress.note(`echo memory: steps above ${cappedAt} connections dropped: the open-file limit is ${cappedAt + 256}`);
      }
      const max = steps[steps.length - 1] ?? 0;
      const label = `${server} up to ${max} connections${config.memoryRepeats > 1 ? `, sweep ${repeat + 1}` : ''}`;
      context.progress.doing(label);
      await measure(context, `memory.echo style=${server}${config.memoryRepeats > 1 ? ` sweep=${repeat + 1}` : ''}`, async (track) => {
        const deadlineMs = 60_000 + max * sweep.msPerUnit;
        const echo = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}]`, args: [server], ...aidLaunch(server), cpu: context.cpus?.measured, deadlineMs, node: context.node }));
        const client = track(spawnChild({ entry: 'echo-conns', label: `echo-conns[${server}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
        const { port } = await echo.request<{ port: number }>('start', { port: 0 });
        // Warm-up: the first connections compile the server's code and build its hidden classes, a
        // one-time cost that would otherwise land between the first two steps and bend the line.
        await client.request('open', { port, total: Math.min(WARMUP_CONNECTIONS, Math.max(max, 1)), batch: CONNECT_BATCH }, 60_000);
        await client.request('echoAll', { size: config.echoActiveBytes, batch: 500 }, 60_000);
        await client.request('closeTo', { total: 0 });
        await settledSample(echo, 0);

        const idle: MemoryPoint[] = [];
        for (const step of steps) {
          throwIfAborted(context.signal);
          await client.request('open', { port, total: step, batch: CONNECT_BATCH }, 60_000);
          idle.push({ count: step, sample: await settledSample(echo, step) });
        }
        await client.request('echoAll', { size: config.echoActiveBytes, batch: 500 }, 60_000);
        const active: MemoryPoint[] = [];
        for (const step of [...steps].reverse()) {
          throwIfAborted(context.signal);
          await client.request('closeTo', { total: step });
          active.push({ count: step, sample: await settledSample(echo, step) });
        }
        active.reverse();

        const params = { maxConnections: max };
        const unitCost = await echo.request<Record<string, string | number> | null>('unitCost');
        const extra = { ...sweep.extra, ...unitCost };
        addSlopes(context.collector, idle, {
          name: 'memory.echo_idle.bytes_per_conn',
          rssName: 'memory.echo_idle.rss_per_conn',
          scenario: 'echo',
          style: server,
          params,
          unit: 'bytes/conn',
          repeat,
          cappedAt,
          extra,
        });
        addSlopes(context.collector, active, {
          name: 'memory.echo_active.bytes_per_conn',
          scenario: 'echo',
          style: server,
          params: { ...params, messageBytes: config.echoActiveBytes },
          unit: 'bytes/conn',
          repeat,
          cappedAt,
          extra,
        });
      });
      context.progress.step(label);
    });
    if (config.echo.references) await referenceSweeps(context);
  },
};

/** The idle sweep of every reference server this machine can run; the missing ones are named in one line. */
export async function referenceSweeps(context: PhaseContext): Promise<void> {
  const { config } = context;
  const { available, missing } = await availableReferences();
  if (missing.length > 0) {
    context.progress.note(`echo memory: reference rows left out: ${missing.map((entry) => `${entry.id} (${entry.why})`).join('; ')}`);
  }
  for (let repeat = 0; repeat < config.memoryRepeats; repeat++) {
    for (const entry of missing) context.progress.step(`${entry.id}: not available`);
  }
  const sweeps = Array.from({ length: config.memoryRepeats }, (_, repeat) => available.map((id) => ({ id, repeat }))).flat();
  await forEachLimited(sweeps, config.memoryParallel, async ({ id, repeat }) => {
    throwIfAborted(context.signal);
    const { steps, cappedAt } = stepsWithinFdLimit(config.echoMemorySteps);
    const max = steps[steps.length - 1] ?? 0;
    const label = `${id} (reference) up to ${max} connections${config.memoryRepeats > 1 ? `, sweep ${repeat + 1}` : ''}`;
    context.progress.doing(label);
    await measure(context, `memory.echo reference=${id}${config.memoryRepeats > 1 ? ` sweep=${repeat + 1}` : ''}`, async (track) => {
      const client = track(spawnChild({ entry: 'echo-conns', label: `echo-conns[${id}]`, cpu: context.cpus?.load, deadlineMs: 60_000 + max * 10, node: context.node }));
      const server = await startReferenceServer(id, { cpu: context.cpus?.measured });
      try {
        // The same warm-up as the styles': every connection measured comes after some have echoed.
        await client.request('open', { port: server.port, total: Math.min(WARMUP_CONNECTIONS, Math.max(max, 1)), batch: CONNECT_BATCH }, 60_000);
        await client.request('echoAll', { size: config.echoActiveBytes, batch: 500 }, 60_000);
        await client.request('closeTo', { total: 0 });
        await settledHeld(id, server, 0);
        const rss: number[] = [];
        for (const step of steps) {
          throwIfAborted(context.signal);
          await client.request('open', { port: server.port, total: step, batch: CONNECT_BATCH }, 60_000);
          await settledHeld(id, server, step);
          rss.push(residentBytes(server.pid));
        }
        const fit = linearFit(steps, rss);
        context.collector.add({
          name: REFERENCE_RSS_METRIC,
          scenario: 'echo',
          style: id,
          params: { maxConnections: max },
          unit: 'bytes/conn',
          direction: 'lower',
          repeat,
          value: fit.slope,
          extra: {
            kind: 'reference',
            measure: 'VmRSS',
            r2: Math.round(fit.r2 * 1e4) / 1e4,
            slopeSe: Math.round(fit.slopeSe * 100) / 100,
            interceptBytes: Math.round(fit.intercept),
            steps: steps.join(','),
            ...(cappedAt !== undefined ? { cappedByOpenFileLimitAt: cappedAt } : {}),
          },
        });
      } finally {
        await server.stop();
      }
    });
    context.progress.step(label);
  });
}

/** Waits until the reference process holds exactly `connections` (read from /proc), then a moment to settle. */
async function settledHeld(id: ReferenceId, server: { readonly pid: number; readonly port: number }, connections: number): Promise<void> {
  let seen = -1;
  await waitUntil(
    () => {
      seen = heldConnections(server.pid, server.port);
      return Promise.resolve(seen === connections);
    },
    30_000,
    () => `reference ${id} to hold ${connections} connections (it holds ${seen})`,
    10,
  );
  await sleep(SETTLE_MS);
}

/** Waits until the server counts exactly `connections`, lets it settle, then reads its memory after GC. */
async function settledSample(echo: Child, connections: number): Promise<MemorySample> {
  await settledConnections(echo, connections);
  const sample = await echo.request<MemorySample & { connections: number }>('memory', {}, 30_000);
  if (sample.connections !== connections) {
    throw new Error(`the server counted ${sample.connections} connections while its memory was read, expected ${connections}`);
  }
  return sample;
}
