// Child: the fake GitHub server for the workflow measurements, in its own process (pinned apart
// from the workflow child where taskset exists), so neither its CPU nor its memory is counted as
// the style's. The parent drives it: latency, hold/release, stats.
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { monotonicMs } from '../../scenarios/clock.js';
import { num, serve } from './ipc.js';
import { benchWorld } from './world.js';

let fake: FakeGithub | undefined;

function running(): FakeGithub {
  if (fake === undefined) throw new Error('the fake GitHub is not started; send start first');
  return fake;
}

serve({
  handlers: {
    async start(payload) {
      fake = await startFakeGithub({ world: benchWorld(), latency: num(payload, 'latencyMs'), hold: payload.hold === true });
      return { url: fake.url };
    },
    stats: () => running().stats(),
    // Its own CPU, read with the instant on the shared clock: the fake server's share of a window.
    cpu: () => ({ ...process.cpuUsage(), t: monotonicMs() }),
    resetStats: () => running().resetStats(),
    setLatency(payload) {
      running().setLatency(num(payload, 'latencyMs'));
      return null;
    },
    setHold(payload) {
      running().setHold(payload.hold === true);
      return null;
    },
    release: () => running().release(),
    async idle(payload) {
      await running().idle(num(payload, 'timeoutMs'));
      return running().stats();
    },
    async close() {
      await fake?.close();
      fake = undefined;
      return null;
    },
  },
  cleanup: async () => {
    await fake?.close();
  },
});
