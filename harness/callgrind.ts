// Instructions, not seconds: a child run under valgrind's callgrind counts the instructions it
// executes (all its threads: the JIT's code, V8's compiler and GC threads, libuv, the kernel calls'
// user-side wrappers), a figure that does not move with what else the machine is doing, where CPU
// time per request does (docs/measurements.md). That makes it the figure a regression gate can read.
//
// The child starts with instrumentation off (valgrind's core only, a few times slower than native),
// is warmed that way, and then switched on with `callgrind_control`; a window is "zero the counters,
// drive the load, stop it, dump": the dump's total is the window's count.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './processes/watch.js';

const run = (command: string, args: readonly string[], deadlineMs = 60_000): Promise<string> =>
  runCommand({ label: command, command, args, deadlineMs });

/** The valgrind version, or undefined when valgrind or callgrind_control is not installed. */
export async function callgrindVersion(): Promise<string | undefined> {
  try {
    const version = await run('valgrind', ['--version']);
    await run('callgrind_control', ['--version']);
    return version.trim();
  } catch {
    return undefined;
  }
}

/** What goes in front of `node` to run it under callgrind, its dumps written into `dir`. */
export function callgrindWrapper(dir: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    // Warm-up runs uninstrumented; the harness switches counting on when the process is steady.
    '--instr-atstart=no',
    // V8 writes code at run time: valgrind must notice code it has translated being overwritten.
    '--smc-check=all-non-file',
    '--quiet',
    `--callgrind-out-file=${path.join(dir, 'callgrind.%p')}`,
  ];
}

async function control(pid: number, args: readonly string[]): Promise<void> {
  await run('callgrind_control', [...args, String(pid)], 60_000);
}

export const instrumentationOn = (pid: number): Promise<void> => control(pid, ['--instr=on']);
export const zeroCounters = (pid: number): Promise<void> => control(pid, ['--zero']);

/**
 * Dumps the counters of `pid` and returns the instructions counted since the last zero. Callgrind
 * names each dump `callgrind.<pid>.<n>`; the newest is the one just asked for.
 */
export async function dumpInstructions(pid: number, dir: string): Promise<number> {
  const before = dumpsOf(pid, dir);
  await control(pid, ['--dump=window']);
  const after = dumpsOf(pid, dir);
  const fresh = after.filter((n) => !before.includes(n));
  const newest = Math.max(...fresh);
  if (!Number.isFinite(newest)) throw new Error(`callgrind_control --dump ${pid} wrote no new file in ${dir}`);
  return instructionsIn(readFileSync(path.join(dir, `callgrind.${pid}.${newest}`), 'utf8'));
}

function dumpsOf(pid: number, dir: string): number[] {
  const prefix = `callgrind.${pid}.`;
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => Number(name.slice(prefix.length)))
    .filter((n) => Number.isInteger(n));
}

/** The dump's total instruction count: its `summary:` line (`totals:` in files that have no summary). */
export function instructionsIn(dump: string): number {
  const line = /^summary:\s*(\d+)/m.exec(dump) ?? /^totals:\s*(\d+)/m.exec(dump);
  if (line?.[1] === undefined) throw new Error('callgrind dump has neither a summary: nor a totals: line');
  return Number(line[1]);
}
