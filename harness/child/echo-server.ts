// Child: one echo server (a style's, or the `baseline` reference) and nothing else, so its CPU time
// and memory are the server's alone. The harness asks it for `process.cpuUsage()` at the edges of a
// timed window and for heap and RSS after a forced GC.
//   argv: <style id | variant style+aid (started with its aid on: harness/aids.ts) | baseline>
import { startBaselineEchoServer } from '../../scenarios/echo/baseline.js';
import type { EchoServerHandle } from '../../scenarios/echo/contract.js';
import { monotonicMs } from '../../scenarios/clock.js';
import { takeHeapSnapshot } from './heap-snapshot.js';
import { memorySample, num, serve } from './ipc.js';
import { loadStyle } from './style.js';

const id = process.argv[2] ?? '';
let server: EchoServerHandle | undefined;
let unitCost: (() => Readonly<Record<string, number | string>> | undefined) | undefined;

async function start(host: string, port: number): Promise<EchoServerHandle> {
  if (id === 'baseline') return startBaselineEchoServer({ host, port });
  const style = await loadStyle(id);
  unitCost = style.unitCost?.bind(style);
  return style.startEchoServer({ host, port });
}

serve({
  handlers: {
    async start(payload) {
      server = await start('127.0.0.1', num(payload, 'port'));
      return { host: server.host, port: server.port };
    },
    // µs of user and system CPU this process has used since it started, and the instant it was read
    // on the monotonic clock every process shares: the parent counts the requests completed between two.
    cpu: () => ({ ...process.cpuUsage(), t: monotonicMs() }),
    connections: () => server?.connections() ?? 0,
    memory: () => ({ ...memorySample(), connections: server?.connections() ?? 0 }),
    heapSnapshot: (payload) => ({ ...takeHeapSnapshot(payload), connections: server?.connections() ?? 0 }),
    // What one connection costs as the style's runtime sees it (threads: its thread's own heap).
    unitCost: () => unitCost?.() ?? null,
    async close() {
      await server?.close();
      server = undefined;
      return null;
    },
  },
  cleanup: async () => {
    await server?.close();
  },
});
