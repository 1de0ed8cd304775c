// Memory per echo connection. A server child (--expose-gc, measured core) and a client child (load
// core) that only opens sockets. Idle sweep: connections are opened in steps; after each step, once
// the server counts them all, it forces GC twice and reports heap (heapUsed + external) and RSS.
// Active sweep: every open connection echoes one message, then connections are closed in steps back
// down to 0 and read the same way, so every connection measured has echoed once. The slope of each
// line is bytes per connection; R² says whether memory really grows linearly. Two servers are
// measured at once (config.memoryParallel): heap after forced GC does not depend on CPU contention.
import { spawnChild, type Child } from '../processes/children.js';
import type { MemorySample } from '../child/ipc.js';
import { findStyle } from '../../styles/registry.js';
import { addSlopes, stepsWithinFdLimit, sweepSteps, type MemoryPoint } from './memory-fit.js';
import { forEachLimited, measure, throwIfAborted, type Phase } from './common.js';
import { CONNECT_BATCH, settledConnections, WARMUP_CONNECTIONS } from './echo-connections.js';
import { echoServers } from './servers.js';

export const echoMemoryPhase: Phase = {
  name: 'echo memory',
  steps: (config) => echoServers(config.styles).length * config.memoryRepeats,
  async run(context) {
    const { config } = context;
    // Each repeat of a server's sweep is its own pair of fresh processes: an independent sample.
    const sweeps = Array.from({ length: config.memoryRepeats }, (_, repeat) => echoServers(config.styles).map((server) => ({ server, repeat }))).flat();
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
        const echo = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}]`, args: [server], cpu: context.cpus?.measured, deadlineMs, node: context.node }));
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
  },
};

/** Waits until the server counts exactly `connections`, lets it settle, then reads its memory after GC. */
async function settledSample(echo: Child, connections: number): Promise<MemorySample> {
  await settledConnections(echo, connections);
  const sample = await echo.request<MemorySample & { connections: number }>('memory', {}, 30_000);
  if (sample.connections !== connections) {
    throw new Error(`the server counted ${sample.connections} connections while its memory was read, expected ${connections}`);
  }
  return sample;
}
