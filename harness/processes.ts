// The child process model: the one module that starts, watches, tails and stops child processes,
// for every caller: the measurement children (spawnChild below: the BUILT JavaScript under
// dist/harness/child, the same flags, optionally pinned to a core with taskset, request/reply over
// IPC with deadlines), the traceback matrix's trace-case children, `compare --against`'s builds and
// runs, the gate's run, and the tests' servers.
//
// A child may get its own process group (`group`), so killing `-pid` takes everything it could have
// started; every live child is tracked here, so a signal to the harness can kill them all. Measured
// children also exit by themselves when the IPC channel closes (see child/ipc.ts): a harness that
// dies without cleaning up still leaves no orphan behind.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reviveError, type Reply, type Request } from './child/ipc.js';

/** Flags every measured child starts with, whatever the style: recorded in results.environment.nodeFlags. */
export const CHILD_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/**
 * Environment every measured child starts with, whatever the style: recorded in
 * results.environment.childEnv. glibc's heap trimming off (256 MiB means never): a 100 KiB echo frees
 * enough for glibc to trim, and the next request's page faults would then be measured instead of the
 * style (docs/measurements.md, "glibc's heap trimming at 100 KiB").
 */
export const CHILD_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024) };

/** How much of a child's stderr a failure keeps: the end is where the error is. */
export const STDERR_TAIL_BYTES = 2048;

/** How long an exited child's last output may take to arrive before the tail is read anyway. */
const OUTPUT_GRACE_MS = 200;

const TASKSET = '/usr/bin/taskset';

// ---------------------------------------------------------------------------------------------
// Starting and watching any child process.

export interface StartOptions {
  /** A label for progress and failures, e.g. `echo-server[rxjs]`. */
  readonly label: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Changes to this process's environment for the child; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Opens a JSON IPC channel: `send`, `onMessage`, and `stop` closes it. */
  readonly ipc?: boolean;
  /** The child's stdout: dropped (default), kept in the tail with stderr, or passed on to this process's stderr. */
  readonly stdout?: 'drop' | 'tail' | 'pass';
  /** The child's stderr: kept in the tail (default), or passed on to this process's stderr (a live progress line stays live). */
  readonly stderr?: 'tail' | 'pass';
  /** How much output the tail keeps (default STDERR_TAIL_BYTES). */
  readonly tailBytes?: number;
  /** Starts the child in its own process group: `kill` then takes everything it started. */
  readonly group?: boolean;
  /** The child is killed when it lives longer than this, whatever it is doing. */
  readonly deadlineMs?: number;
  /** Called with each chunk of its output as it arrives (with `stdout: 'tail'` for stdout), e.g. to read a start-up line. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why this module killed it (`killBecause`, or the deadline), when it did. */
  readonly killedBecause?: string;
  /** It never ran: the error starting it (ENOENT, EACCES). */
  readonly startError?: string;
}

export interface WatchedProcess {
  readonly label: string;
  /** Undefined when it could not be started; `exited` then says why. */
  readonly pid: number | undefined;
  /** Resolves once it has exited and its last output has arrived; never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** False once it has exited (or never started). */
  alive(): boolean;
  /** The last `tailBytes` of its output. */
  tail(): string;
  /** Sends one message over IPC; rejects when the channel is closed. */
  send(message: unknown): Promise<void>;
  /** Calls `listener` with every IPC message it sends; returns the way to stop listening. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Sends a signal (SIGKILL by default) to it, or to its group; resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Kills it now (SIGKILL), and `exited` says why; the first reason wins, and an exited child stays as it is. */
  killBecause(why: string): void;
  /** Asks it to exit (closes IPC, or SIGTERM without it), then kills it if it has not within `graceMs`. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

const live = new Set<WatchedProcess>();

/** Every child started and not yet exited: what a signal to the harness must kill. */
export function liveChildren(): readonly WatchedProcess[] {
  return [...live];
}

/** Kills every live child and waits (at most `waitMs`) until each has exited. */
export async function killAllChildren(waitMs = 2_000): Promise<void> {
  const children = [...live];
  await Promise.race([Promise.all(children.map((child) => child.kill())), delay(waitMs)]);
}

export function startProcess(options: StartOptions): WatchedProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const stdoutMode = options.stdout ?? 'drop';
  const stderrMode = options.stderr ?? 'tail';
  const stdio: StdioOptions = [
    'ignore',
    stdoutMode === 'drop' ? 'ignore' : stdoutMode === 'pass' ? process.stderr : 'pipe',
    stderrMode === 'pass' ? process.stderr : 'pipe',
    ...(options.ipc === true ? (['ipc'] as const) : []),
  ];
  const proc: ChildProcess = spawn(options.command, [...(options.args ?? [])], {
    stdio,
    env,
    detached: options.group === true,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.ipc === true ? { serialization: 'json' as const } : {}),
  });
  const pid = proc.pid;

  const tailBytes = options.tailBytes ?? STDERR_TAIL_BYTES;
  let tail = '';
  for (const [name, stream] of [['stdout', proc.stdout], ['stderr', proc.stderr]] as const) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-tailBytes);
      options.onOutput?.(chunk, name);
    });
  }

  let running = pid !== undefined;
  let killedBecause: string | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false;
      live.delete(watched);
      clearTimeout(deadline);
      // Let the last output arrive before anyone quotes the tail; a grandchild that holds the pipe
      // open must not hold this up for long.
      const info = (): ExitInfo => ({ code, signal, ...(killedBecause !== undefined ? { killedBecause } : {}) });
      const open = [proc.stdout, proc.stderr].filter((stream) => stream !== null && !stream.readableEnded);
      if (open.length === 0) resolve(info());
      else {
        setTimeout(() => resolve(info()), OUTPUT_GRACE_MS).unref();
        void Promise.all(open.map((stream) => once(stream!, 'close').catch(() => undefined))).then(() => resolve(info()));
      }
    });
    proc.on('error', (error) => {
      // After a start it is a failed kill or send, which the caller sees otherwise; before, it never ran.
      if (pid !== undefined) return;
      running = false;
      live.delete(watched);
      resolve({ code: null, signal: null, startError: error.message });
    });
  });

  const signalTo = (signal: NodeJS.Signals): void => {
    if (!running || pid === undefined) return;
    try {
      if (options.group === true) process.kill(-pid, signal);
      else proc.kill(signal);
    } catch {
      // The group is gone already (or never formed): signal the pid itself.
      try {
        proc.kill(signal);
      } catch {
        // Already exited.
      }
    }
  };

  const watched: WatchedProcess = {
    label: options.label,
    pid,
    exited,
    alive: () => running,
    tail: () => tail,
    send(message) {
      return new Promise<void>((resolve, reject) => {
        if (options.ipc !== true) {
          reject(new Error(`${options.label}: started without an IPC channel`));
          return;
        }
        proc.send(message as object, (error) => (error === null ? resolve() : reject(error)));
      });
    },
    onMessage(listener) {
      proc.on('message', listener);
      return () => proc.off('message', listener);
    },
    kill(signal = 'SIGKILL') {
      signalTo(signal);
      return exited;
    },
    killBecause(why) {
      if (!running || killedBecause !== undefined) return;
      killedBecause = why;
      signalTo('SIGKILL');
    },
    async stop(graceMs = 2_000) {
      if (!running) return exited;
      // Closing the channel is a measured child's cue to close its servers and exit (child/ipc.ts).
      if (options.ipc === true && proc.connected) proc.disconnect();
      else signalTo('SIGTERM');
      const timer = setTimeout(() => signalTo('SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
  if (running) {
    live.add(watched);
    if (options.deadlineMs !== undefined) {
      const ms = options.deadlineMs;
      deadline = setTimeout(() => watched.killBecause(`still running after its deadline of ${ms} ms; killed`), ms);
      deadline.unref();
    }
  }
  return watched;
}

/** A command that did not exit 0 (or never ran); the message ends with the tail of its output. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly exit: ExitInfo;

  constructor(label: string, exit: ExitInfo, tail: string) {
    const how = exit.startError ?? exit.killedBecause ?? (exit.signal !== null ? `killed by ${exit.signal}` : `exit ${String(exit.code)}`);
    super(`${label} failed (${how})${tail.trim() === '' ? '' : `: ${tail.trim()}`}`);
    this.exit = exit;
  }
}

/** Runs a command to its end; resolves with the tail of its output (stdout and stderr), rejects with CommandError unless it exits 0. */
export async function runCommand(options: StartOptions): Promise<string> {
  const child = startProcess({ stdout: 'tail', ...options });
  const exit = await child.exited;
  if (exit.code !== 0) throw new CommandError(options.label, exit, child.tail());
  return child.tail();
}

// ---------------------------------------------------------------------------------------------
// Measured children: the built JavaScript, pinned where it can be, asked over IPC.

export type ChildFailureReason = 'crashed' | 'timeout';

/** A child that died or stopped answering; `stderrTail` is the last 2 KiB it wrote. */
export class ChildError extends Error {
  override readonly name = 'ChildError';
  readonly reason: ChildFailureReason;
  readonly child: string;
  readonly stderrTail: string;

  constructor(reason: ChildFailureReason, child: string, message: string, stderrTail: string) {
    super(`${child}: ${message}`);
    this.reason = reason;
    this.child = child;
    this.stderrTail = stderrTail;
  }
}

export { RemoteError } from './child/ipc.js';

export interface SpawnOptions {
  /** Entry name under dist/harness/child, without `.js`, e.g. `echo-server`. */
  readonly entry: string;
  /** A label for progress and failures, e.g. `echo-server[rxjs]`. */
  readonly label: string;
  readonly args?: readonly string[];
  /** Pin to this core with taskset, when taskset exists. */
  readonly cpu?: number | undefined;
  /** The child is killed when it lives longer than this, whatever it is doing. */
  readonly deadlineMs: number;
  /** The Node binary the child runs on (a runtime of `--node`); the harness's own when absent. */
  readonly node?: string | undefined;
  /**
   * A program that runs node under it, with its arguments, e.g. valgrind's (harness/callgrind.ts).
   * It must exec node in the same process, keeping the pid and the inherited IPC channel, as taskset does.
   * It goes in front of the chosen node binary: `[taskset -c N] [wrapper...] node flags file args`.
   */
  readonly wrapper?: readonly string[];
}

export interface Child {
  readonly label: string;
  readonly pid: number;
  /** True when the child was started through taskset on a core. */
  readonly pinned: boolean;
  /** Sends a request and resolves with the reply value; rejects with ChildError, or the error the child raised. */
  request<T = unknown>(type: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Waits for the next event of this name the child sends on its own (not a reply). */
  nextEvent<T = unknown>(event: string, timeoutMs: number): Promise<T>;
  readonly exited: Promise<ExitInfo>;
  /** False once the child has exited (or been killed). */
  alive(): boolean;
  stderrTail(): string;
  /** SIGKILL to the child's process group; resolves once it has exited. */
  kill(): Promise<ExitInfo>;
  /** Asks the child to exit (closes IPC), then kills it if it has not within `graceMs`. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

let tasksetChecked: boolean | undefined;
/** True when `taskset` exists and the machine has at least two cores to keep server and load apart. */
export function canPin(cores: number): boolean {
  tasksetChecked ??= existsSync(TASKSET);
  return tasksetChecked && cores >= 2 && process.env.ROSETTA_NO_PIN !== '1';
}

/** The command prefix that pins a child to `cpu` (taskset, which execs it: same pid), or none when it cannot. */
export function pinPrefix(cpu: number | undefined): readonly string[] {
  return cpu !== undefined && canPin(2) ? [TASKSET, '-c', String(cpu)] : [];
}

/** The repository root: the nearest folder above this file that holds package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The built entry point of a child; the harness never runs a child from TypeScript source. */
export function childEntry(entry: string): string {
  const file = path.join(repoRoot(), 'dist', 'harness', 'child', `${entry}.js`);
  if (!existsSync(file)) {
    throw new Error(`child entry ${file} does not exist; build first with \`npx tsc -p tsconfig.build.json\` (npm run build)`);
  }
  return file;
}

/** The open-file limit children inherit (Node raises its soft limit to the hard one at start-up). */
export function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    const hard = match?.[2];
    if (hard === undefined) return Number.POSITIVE_INFINITY;
    return hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export function spawnChild(options: SpawnOptions): Child {
  const file = childEntry(options.entry);
  const pin = pinPrefix(options.cpu);
  const pinned = pin.length > 0;
  // With taskset (or a wrapper such as valgrind) in front, it execs node in the same process,
  // keeping the pid and the IPC channel (NODE_CHANNEL_FD is inherited across exec).
  const [command, ...args] = [
    ...pin,
    ...(options.wrapper ?? []),
    options.node ?? process.execPath,
    ...CHILD_NODE_FLAGS,
    file,
    ...(options.args ?? []),
  ] as [string, ...string[]];
  const proc = startProcess({
    label: options.label,
    command,
    args,
    // The recorded flags must be all the flags: NODE_OPTIONS would add some the report does not show.
    env: { NODE_OPTIONS: undefined, ...CHILD_ENV },
    ipc: true,
    group: true,
    deadlineMs: options.deadlineMs,
  });
  if (proc.pid === undefined) throw new Error(`${options.label}: could not start ${file}`);

  let nextId = 1;
  const pending = new Map<number, Waiter>();
  const waiters = new Map<string, Waiter[]>();
  const events = new Map<string, unknown[]>();

  // Every request and wait still open fails with why the child ended, its stderr tail quoted.
  const exited = proc.exited.then((info) => {
    const how = info.signal !== null ? `killed by ${info.signal}` : `exited with code ${String(info.code)}`;
    const error =
      info.killedBecause !== undefined
        ? new ChildError('timeout', options.label, info.killedBecause, proc.tail())
        : new ChildError('crashed', options.label, `${how} while the harness waited on it`, proc.tail());
    for (const entry of [...pending.values(), ...[...waiters.values()].flat()]) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    pending.clear();
    waiters.clear();
    return info;
  });

  proc.onMessage((raw: unknown) => {
    const message = raw as Reply;
    if ('id' in message && typeof message.id === 'number') {
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.value);
      else entry.reject(reviveError(options.label, message.error));
      return;
    }
    if ('event' in message) {
      const first = waiters.get(message.event)?.shift();
      if (first !== undefined) {
        clearTimeout(first.timer);
        first.resolve(message.value);
      } else {
        const queue = events.get(message.event) ?? [];
        queue.push(message.value);
        events.set(message.event, queue);
      }
    }
  });

  return {
    label: options.label,
    pid: proc.pid,
    pinned,
    request<T>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
      if (!proc.alive()) {
        return Promise.reject(new ChildError('crashed', options.label, `has already exited; cannot ask it ${type}`, proc.tail()));
      }
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => proc.killBecause(`no answer to ${type} within ${timeoutMs} ms; killed`), timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        const request: Request = { id, type, payload };
        proc.send(request).catch((error: unknown) => {
          if (!pending.delete(id)) return;
          clearTimeout(timer);
          reject(new ChildError('crashed', options.label, `could not send ${type}: ${(error as Error).message}`, proc.tail()));
        });
      });
    },
    nextEvent<T>(event: string, timeoutMs: number): Promise<T> {
      const queued = events.get(event);
      if (queued !== undefined && queued.length > 0) return Promise.resolve(queued.shift() as T);
      if (!proc.alive()) {
        return Promise.reject(new ChildError('crashed', options.label, `has already exited; no ${event} will come`, proc.tail()));
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => proc.killBecause(`no ${event} within ${timeoutMs} ms; killed`), timeoutMs);
        const list = waiters.get(event) ?? [];
        list.push({ resolve: resolve as (value: unknown) => void, reject, timer });
        waiters.set(event, list);
      });
    },
    exited,
    alive: () => proc.alive(),
    stderrTail: () => proc.tail(),
    kill: async () => {
      await proc.kill();
      return exited;
    },
    stop: async (graceMs) => {
      await proc.stop(graceMs);
      return exited;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
