// Cost in instructions: the measured process's CPU work counted by callgrind (harness/callgrind.ts),
// the figure the regression gate reads because the machine's noise does not move it.
//
// Echo: each echo server under valgrind, one connection in a closed loop of 1 KiB messages (send,
// wait for the whole echo, send the next), so every request is one wake-up, one read and one write in
// every style and the count does not depend on how requests happen to batch. Each repeat of each
// server is a fresh process: warmed uninstrumented (the JIT tiers up, the heap grows to its working
// size), counting switched on, then windows of a fixed number of round trips (never a time, so what
// is counted does not depend on how fast the process ran) until two in a row agree. The sample is the
// instructions of those two windows over their round trips. Nothing outside a window is counted: the
// load stops before each zero and each dump.
//
// The workflow is not counted this way: its count is almost all Node's HTTP client, the same in every
// style, so a style's own cost drowns in it (docs/measurements.md, "Instructions, not CPU time").
//
// Two processes are counted at once (one per core): an instruction count does not depend on what the
// other core is doing, which is the point of it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnChild, type Child } from '../processes/children.js';
import { callgrindWrapper, dumpInstructions, instrumentationOn, zeroCounters } from '../callgrind.js';
import { shuffled } from './order.js';
import { aidLaunch } from '../aids.js';
import { echoServersWithCalibration } from './servers.js';
import { VerificationError } from '../verification.js';
import { forEachLimited, measure, throwIfAborted, type Phase, type PhaseContext, type RunConfig, type Track } from './common.js';

/** The one echo cell counted: 1 KiB messages on one connection. */
export const INSTRUCTIONS_CELL = { size: 1024, connections: 1 } as const;

/** The echo servers counted: those of the run with the debug-aid variants it asks for, and the calibration's slowed one when it is asked for. */
function servers(config: RunConfig): string[] {
  return echoServersWithCalibration(config.styles, config.aids);
}

/** What one counted process does: start, warm up by `units`, and run `units` more for a window. */
interface Subject {
  readonly child: Child;
  run(units: number): Promise<number>;
  close(): Promise<void>;
}

interface Plan {
  readonly round: string;
  readonly subjects: (config: RunConfig) => string[];
  readonly start: (context: PhaseContext, style: string, cpu: number | undefined, dir: string, track: Track) => Promise<Subject>;
  readonly warmUnits: (config: RunConfig) => number;
  readonly windowUnits: (config: RunConfig) => number;
  readonly metric: { readonly name: string; readonly scenario: 'echo'; readonly unit: string; readonly params: Readonly<Record<string, number>> };
  readonly what: string;
}

function phaseOf(name: string, plan: Plan): Phase {
  return {
    name,
    steps: (config) => config.instructions.repeats * plan.subjects(config).length,
    async run(context) {
      const { config } = context;
      const turns: { style: string; repeat: number }[] = [];
      for (let repeat = 0; repeat < config.instructions.repeats; repeat++) {
        const order = shuffled(plan.subjects(config), config.seed, `${plan.round}/${repeat}`);
        context.collector.order({ phase: plan.round, repeat, order });
        turns.push(...order.map((style) => ({ style, repeat })));
      }
      const cores = context.cpus === undefined ? [undefined, undefined] : [context.cpus.measured, context.cpus.load];
      let slot = 0;
      await forEachLimited(turns, config.instructions.parallel, async ({ style, repeat }) => {
        throwIfAborted(context.signal);
        const cpu = cores[slot++ % cores.length];
        const label = `${style} repeat ${repeat + 1}`;
        context.progress.doing(label);
        await measure(context, `${plan.round} style=${style} repeat=${repeat + 1}`, (track) => count(context, plan, style, repeat, cpu, track));
        context.progress.step(label);
      });
    },
  };
}

interface Window {
  readonly instructions: number;
  readonly units: number;
}

const perUnit = (w: Window): number => (w.units === 0 ? Number.POSITIVE_INFINITY : w.instructions / w.units);

async function count(context: PhaseContext, plan: Plan, style: string, repeat: number, cpu: number | undefined, track: Track): Promise<void> {
  const { config } = context;
  const settings = config.instructions;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-callgrind-'));
  try {
    const subject = await plan.start(context, style, cpu, dir, track);
    await subject.run(plan.warmUnits(config));
    await instrumentationOn(subject.child.pid);
    const window = async (): Promise<Window> => {
      await zeroCounters(subject.child.pid);
      const units = await subject.run(plan.windowUnits(config));
      return { instructions: await dumpInstructions(subject.child.pid, dir), units };
    };
    const windows: Window[] = [];
    let steady = false;
    while (windows.length < settings.maxWindows) {
      throwIfAborted(context.signal);
      windows.push(await window());
      const [a, b] = windows.slice(-2);
      if (a !== undefined && b !== undefined && Math.abs(perUnit(b) / perUnit(a) - 1) <= settings.tolerance) {
        steady = true;
        break;
      }
    }
    await subject.close();
    const last = windows.slice(-2);
    const units = last.reduce((sum, w) => sum + w.units, 0);
    if (units === 0) throw new VerificationError(`${style}: nothing completed in the counted windows`);
    if (!steady) {
      context.progress.note(
        `${plan.round}: ${style} repeat ${repeat + 1} did not settle within ${settings.maxWindows} windows ` +
          `(${windows.map((w) => Math.round(perUnit(w))).join(', ')}); the last two are kept, flagged`,
      );
    }
    context.collector.add({
      ...plan.metric,
      params: { ...plan.metric.params },
      style,
      direction: 'lower',
      repeat,
      value: last.reduce((sum, w) => sum + w.instructions, 0) / units,
      extra: { steady, windows: windows.length, units, warmupUnits: plan.warmUnits(config), windowUnits: plan.windowUnits(config), counted: plan.what },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Valgrind starts node several times slower than native: first replies wait longer than usual.
const DEADLINE_MS = 600_000;
const SLOW_REPLY_MS = 60_000;

export const echoInstructionsPhase: Phase = phaseOf('echo instructions (callgrind)', {
  round: 'echo-instructions',
  subjects: (config) => servers(config),
  what: 'round trips of 1 KiB on one connection',
  warmUnits: (config) => config.instructions.echoWarmRequests,
  windowUnits: (config) => config.instructions.echoWindowRequests,
  metric: { name: 'echo.instructions_per_req', scenario: 'echo', unit: 'instr/req', params: INSTRUCTIONS_CELL },
  async start(context, server, cpu, dir, track) {
    const child = track(spawnChild({ entry: 'echo-server', label: `echo-server[${server}] (callgrind)`, args: [server], ...aidLaunch(server), cpu, deadlineMs: DEADLINE_MS, wrapper: callgrindWrapper(dir), node: context.node }));
    const load = track(spawnChild({ entry: 'echo-load', label: `echo-load[${server}]`, deadlineMs: DEADLINE_MS, node: context.node }));
    const { port } = await child.request<{ port: number }>('start', { port: 0 }, SLOW_REPLY_MS);
    await load.request('verify', { port, sizes: [INSTRUCTIONS_CELL.size] }, SLOW_REPLY_MS);
    await load.request('session-open', { port, ...INSTRUCTIONS_CELL }, SLOW_REPLY_MS);
    return {
      child,
      run: async (count) => (await load.request<{ requests: number }>('round-trips', { count }, DEADLINE_MS)).requests,
      close: async () => void (await load.request('session-close', {}, 15_000)),
    };
  },
});
