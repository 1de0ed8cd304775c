// Memory per in-flight workflow. A workflow child (--expose-gc, measured core) starts workflows in
// steps against a fake GitHub child (load core) that holds every answer; at each step, once the
// fake server holds exactly that many requests, the child forces GC and reports its memory. The
// suspension point measured: each workflow has sent its first listing request (page 1 of a
// one-page, fork-free user) and waits for the answer, inside sendReposRequest. What it stores there
// is the style's continuation plus the shared HTTP client's request and socket (equal in every
// style). Then everything is released and every workflow must finish with the expected result.
// Two styles are measured at once (config.memoryParallel): heap after forced GC does not depend on
// CPU contention.
import { HELD_USER } from '../child/world.js';
import { spawnChild } from '../processes/children.js';
import { aidLaunch } from '../aids.js';
import { withVariants } from './servers.js';
import { findStyle } from '../../styles/registry.js';
import { addSlopes, stepsWithinFdLimit, sweepSteps, type MemoryPoint } from './memory-fit.js';
import { forEachLimited, measure, throwIfAborted, type Phase } from './common.js';
import { BURST, HELD_TIMEOUT_MS, heldWaitMs, waitForHeld } from './held-workflows.js';
import type { MemorySample } from '../child/ipc.js';

export const workflowMemoryPhase: Phase = {
  name: 'workflow memory',
  steps: (config) => withVariants(config.styles, config.aids).length * config.memoryRepeats,
  async run(context) {
    const { config } = context;
    // Each repeat of a style's sweep is its own pair of fresh processes: an independent sample.
    const sweeps = Array.from({ length: config.memoryRepeats }, (_, repeat) => withVariants(config.styles, config.aids).map((style) => ({ style, repeat }))).flat();
    await forEachLimited(sweeps, config.memoryParallel, async ({ style, repeat }) => {
      throwIfAborted(context.signal);
      // A style may sweep its own steps (threads: a thread per held workflow).
      const sweep = sweepSteps(config.workflowMemorySteps, findStyle(style)?.memorySteps?.workflow);
      const { steps, cappedAt } = stepsWithinFdLimit(sweep.steps);
      if (cappedAt !== undefined) context.progress.note(`workflow memory: steps capped at ${cappedAt} by the open-file limit`);
      const max = steps[steps.length - 1] ?? 0;
      const label = `${style} up to ${max} held${config.memoryRepeats > 1 ? `, sweep ${repeat + 1}` : ''}`;
      context.progress.doing(label);
      await measure(context, `memory.workflow style=${style}${config.memoryRepeats > 1 ? ` sweep=${repeat + 1}` : ''}`, async (track) => {
        const deadlineMs = 60_000 + max * sweep.msPerUnit;
        const fake = track(spawnChild({ entry: 'fake-github', label: `fake-github[${style}]`, cpu: context.cpus?.load, deadlineMs, node: context.node }));
        const runner = track(spawnChild({ entry: 'workflow', label: `workflow[${style}]`, args: [style], ...aidLaunch(style), cpu: context.cpus?.measured, deadlineMs, node: context.node }));
        const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
        // Verified warm-up: the code paths are compiled before the first point is read.
        await runner.request('warmup', { apiUrl: url, user: HELD_USER, count: 3 }, 10_000);
        await fake.request('idle', { timeoutMs: 5_000 });
        await fake.request('setHold', { hold: true });
        const points: MemoryPoint[] = [];
        let started = 0;
        for (const step of steps) {
          throwIfAborted(context.signal);
          while (started < step) {
            const burst = Math.min(BURST, step - started);
            await runner.request('startHeld', { apiUrl: url, user: HELD_USER, count: burst, timeoutMs: HELD_TIMEOUT_MS });
            started += burst;
            await waitForHeld(fake, started, runner, heldWaitMs(burst, sweep.msPerUnit));
          }
          const sample = await runner.request<MemorySample>('memory', {}, 30_000);
          points.push({ count: step, sample });
        }
        const unitCost = await runner.request<Record<string, string | number> | null>('unitCost');
        await fake.request('setHold', { hold: false });
        await runner.request('settleHeld', {}, 60_000 + max * 5);
        addSlopes(context.collector, points, {
          name: 'memory.workflow.bytes_per_inflight',
          rssName: 'memory.workflow.rss_per_inflight',
          scenario: 'repos-and-forks',
          style,
          params: { maxInflight: max },
          unit: 'bytes/workflow',
          repeat,
          cappedAt,
          extra: { ...sweep.extra, ...unitCost },
        });
      });
      context.progress.step(label);
    });
  },
};
