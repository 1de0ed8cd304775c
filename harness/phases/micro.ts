// Micro benchmarks: each style's suite (styles/<id>/micro.ts, timed by harness/micro/bench.ts) in
// its own child, on the measured core.
// One sample per style per run: tinybench takes many iterations itself and reports the margin of
// error, kept as `extra.rme`.
import { hasMicroSuite } from '../../styles/micro-suites.js';
import type { MicroResult } from '../micro/bench.js';
import { spawnChild } from '../processes/children.js';
import { measure, throwIfAborted, type Phase } from './common.js';

export const microPhase: Phase = {
  name: 'micro',
  steps: (config) => config.styles.filter(hasMicroSuite).length,
  async run(context) {
    const { config } = context;
    for (const style of config.styles.filter(hasMicroSuite)) {
      throwIfAborted(context.signal);
      context.progress.doing(style);
      await measure(context, `micro style=${style}`, async (track) => {
        // Three benchmarks, each warm-up plus timed budget, plus start-up and verification.
        const budgetMs = 3 * (config.micro.timeMs + config.micro.warmupMs) * 3 + 15_000;
        const child = track(spawnChild({ entry: 'micro', label: `micro[${style}]`, args: [style], cpu: context.cpus?.measured, deadlineMs: budgetMs, node: context.node }));
        const results = await child.request<MicroResult[]>('run', { timeMs: config.micro.timeMs, warmupMs: config.micro.warmupMs }, budgetMs);
        for (const result of results) {
          context.collector.add({
            name: result.name,
            scenario: 'micro',
            style,
            params: {},
            unit: 'ns',
            direction: 'lower',
            repeat: 0,
            value: result.ns,
            extra: { rme: Math.round(result.rme * 100) / 100, iterations: result.samples },
          });
        }
      });
      context.progress.step(style);
    }
  },
};
