// Echo cost in instructions: each server's CPU work per request counted by callgrind (harness/
// callgrind.ts), the figure the regression gate reads because the machine's noise does not move it.
//
// Each repeat of each server is a fresh process pair: the server under valgrind, the load child
// beside it. One connection in a closed loop (send a 1 KiB message, wait for its whole echo, send
// the next), so every request is one wake-up, one read and one write in every style and the count
// does not depend on how requests happen to batch. The server is warmed uninstrumented, counting is
// switched on, and windows are taken until two in a row agree (the first counted windows still
// carry the JIT's and GC's settling); the sample is the instructions of those two windows divided by
// the round trips completed in them. Warm-up and windows are numbers of round trips, not times, and
// the load is stopped before each zero and each dump, so nothing outside the window is counted.
//
// Two servers are measured at once (one per core): an instruction count does not depend on what
// the other core is doing, which is the point of it (checked in reports/BASELINE.md).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnChild, type Child } from '../processes.js';
import { callgrindWrapper, dumpInstructions, instrumentationOn, zeroCounters } from '../callgrind.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../child/style.js';
import { shuffled } from './order.js';
import { echoServers } from './echo-memory.js';
import { forEachLimited, measure, throwIfAborted, VerificationError, type Phase, type PhaseContext } from './common.js';

/** The one cell counted: 1 KiB messages on one connection. */
export const INSTRUCTIONS_CELL = { size: 1024, connections: 1 } as const;

/** The servers counted: the echo servers of the run, and the calibration's slowed one when it is asked for. */
function servers(styles: readonly string[]): string[] {
  return [...echoServers(styles), ...(process.env[SLOW_SERVER_ENV] !== undefined ? [SLOW_SERVER_ID] : [])];
}

export const echoInstructionsPhase: Phase = {
  name: 'echo instructions (callgrind)',
  steps: (config) => config.instructions.repeats * servers(config.styles).length,
  async run(context) {
    const { config } = context;
    const turns: { server: string; repeat: number }[] = [];
    for (let repeat = 0; repeat < config.instructions.repeats; repeat++) {
      const order = shuffled(servers(config.styles), config.seed, `instructions/${repeat}`);
      context.collector.order({ phase: 'instructions', repeat, order });
      turns.push(...order.map((server) => ({ server, repeat })));
    }
    const cores = context.cpus === undefined ? [undefined, undefined] : [context.cpus.measured, context.cpus.load];
    let slot = 0;
    await forEachLimited(turns, config.instructions.parallel, async ({ server, repeat }) => {
      throwIfAborted(context.signal);
      const cpu = cores[slot++ % cores.length];
      const label = `${server} repeat ${repeat + 1}`;
      context.progress.doing(label);
      await measure(context, `instructions style=${server} repeat=${repeat + 1}`, (track) => countServer(context, server, repeat, cpu, track));
      context.progress.step(label);
    });
  },
};

interface Window {
  readonly instructions: number;
  readonly requests: number;
}

const perRequest = (w: Window): number => (w.requests === 0 ? Number.POSITIVE_INFINITY : w.instructions / w.requests);

async function countServer(context: PhaseContext, server: string, repeat: number, cpu: number | undefined, track: (child: Child) => Child): Promise<void> {
  const settings = context.config.instructions;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-callgrind-'));
  try {
    const deadlineMs = 600_000;
    const serverChild = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}] (callgrind)`, args: [server], cpu, deadlineMs, wrapper: callgrindWrapper(dir) }));
    const load = track(spawnChild({ entry: 'echo-load', label: `echo-load[${server}]`, deadlineMs }));
    // Valgrind starts node several times slower than native: the first request waits longer.
    const { port } = await serverChild.request<{ port: number }>('start', { port: 0 }, 60_000);
    await load.request('verify', { port, sizes: [INSTRUCTIONS_CELL.size] }, 30_000);
    await load.request('session-open', { port, ...INSTRUCTIONS_CELL }, 30_000);

    // Uninstrumented warm-up: the JIT tiers up, the heap grows to its working size. Counted in round
    // trips, not time, like the windows: what the server did does not depend on how fast it ran.
    const roundTrips = async (count: number): Promise<number> =>
      (await load.request<{ requests: number }>('round-trips', { count }, 600_000)).requests;
    await roundTrips(settings.warmRequests);
    await instrumentationOn(serverChild.pid);

    const window = async (): Promise<Window> => {
      await zeroCounters(serverChild.pid);
      const requests = await roundTrips(settings.windowRequests);
      const instructions = await dumpInstructions(serverChild.pid, dir);
      return { instructions, requests };
    };

    const windows: Window[] = [];
    let steady = false;
    while (windows.length < settings.maxWindows) {
      throwIfAborted(context.signal);
      windows.push(await window());
      const [a, b] = windows.slice(-2);
      if (a !== undefined && b !== undefined && Math.abs(perRequest(b) / perRequest(a) - 1) <= settings.tolerance) {
        steady = true;
        break;
      }
    }
    await load.request('session-close', {}, 15_000);
    const last = windows.slice(-2);
    const requests = last.reduce((sum, w) => sum + w.requests, 0);
    if (requests === 0) throw new VerificationError(`${server}: no round trip completed in the counted windows`);
    if (!steady) context.progress.note(`instructions: ${server} repeat ${repeat + 1} did not settle within ${settings.maxWindows} windows (${windows.map((w) => Math.round(perRequest(w))).join(', ')}); the last two are kept, flagged`);
    const value = last.reduce((sum, w) => sum + w.instructions, 0) / requests;
    context.collector.add({
      name: 'echo.instructions_per_req',
      scenario: 'echo',
      style: server,
      params: { ...INSTRUCTIONS_CELL },
      unit: 'instr/req',
      direction: 'lower',
      repeat,
      value,
      extra: { steady, windows: windows.length, requests, warmupRequests: settings.warmRequests, windowRequests: settings.windowRequests },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
