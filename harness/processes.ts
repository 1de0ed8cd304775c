// The child process model: every measurement runs in a fresh Node process started from the BUILT
// JavaScript (dist/harness/child/*.js) with the same flags, optionally pinned to one core with
// taskset, and talked to over IPC with request/reply messages that carry deadlines.
//
// Each child gets its own process group (`detached`), so killing `-pid` takes everything it could
// have started; every live child is tracked here, so a signal to the harness can kill them all.
// Children also exit by themselves when the IPC channel closes (see child/ipc.ts): a harness that
// dies without cleaning up still leaves no orphan behind.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply, Request } from './child/ipc.js';

/** Flags every measured child starts with, whatever the style: recorded in results.environment.nodeFlags. */
export const CHILD_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/** How much of a child's stderr a failure keeps: the end is where the error is. */
export const STDERR_TAIL_BYTES = 2048;

const TASKSET = '/usr/bin/taskset';

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

/** An error a child's handler raised and sent back over IPC, re-raised in the parent under its own name. */
export class RemoteError extends Error {
  override readonly name: string;
  readonly child: string;
  readonly remoteStack: string;

  constructor(child: string, name: string, message: string, stack: string) {
    super(`${child}: ${message}`);
    this.name = name;
    this.child = child;
    this.remoteStack = stack;
  }
}

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
  /**
   * A program that runs node under it, with its arguments, e.g. valgrind's (harness/callgrind.ts).
   * It must exec node in the same process, keeping the pid and the inherited IPC channel, as taskset does.
   */
  readonly wrapper?: readonly string[];
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly label: string;
  readonly pid: number;
  /** True when the child was started through taskset on a core. */
  readonly pinned: boolean;
  /** Sends a request and resolves with the reply value; rejects with ChildError or RemoteError. */
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

const live = new Set<Child>();

/** Every child started and not yet exited: what a signal to the harness must kill. */
export function liveChildren(): readonly Child[] {
  return [...live];
}

/** Kills every live child and waits (at most `waitMs`) until each has exited. */
export async function killAllChildren(waitMs = 2_000): Promise<void> {
  const children = [...live];
  await Promise.race([Promise.all(children.map((child) => child.kill())), delay(waitMs)]);
}

let tasksetChecked: boolean | undefined;
/** True when `taskset` exists and the machine has at least two cores to keep server and load apart. */
export function canPin(cores: number): boolean {
  tasksetChecked ??= existsSync(TASKSET);
  return tasksetChecked && cores >= 2 && process.env.ROSETTA_NO_PIN !== '1';
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

export function spawnChild(options: SpawnOptions): Child {
  const file = childEntry(options.entry);
  const pinned = options.cpu !== undefined && canPin(2);
  const env = { ...process.env };
  // The recorded flags must be all the flags: NODE_OPTIONS would add some the report does not show.
  delete env.NODE_OPTIONS;
  // fork() runs `execPath ...execArgv file ...args`; with taskset as execPath, taskset execs node on
  // the core, keeping the pid and the IPC channel (NODE_CHANNEL_FD is inherited across exec).
  const command = [...(pinned ? [TASKSET, '-c', String(options.cpu)] : []), ...(options.wrapper ?? []), process.execPath, ...CHILD_NODE_FLAGS];
  const proc: ChildProcess = fork(file, [...(options.args ?? [])], {
    execPath: command[0],
    execArgv: command.slice(1),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
    env,
    serialization: 'json',
  });
  if (proc.pid === undefined) throw new Error(`${options.label}: could not start ${file}`);
  const pid = proc.pid;

  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  // Stdout is drained so a chatty child never blocks on a full pipe; the harness does not read it.
  proc.stdout?.resume();

  let exitInfo: ExitInfo | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  const waiters = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }[]>();
  const events = new Map<string, unknown[]>();

  const failAll = (error: ChildError): void => {
    for (const entry of pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    pending.clear();
    for (const list of waiters.values()) {
      for (const entry of list) {
        clearTimeout(entry.timer);
        entry.reject(error);
      }
    }
    waiters.clear();
  };

  let killedForTimeout: string | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    proc.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(child);
      clearTimeout(deadline);
      // Let the last stderr bytes arrive before a failure quotes them.
      const finish = (): void => {
        const how = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
        failAll(
          killedForTimeout !== undefined
            ? new ChildError('timeout', options.label, killedForTimeout, tail)
            : new ChildError('crashed', options.label, `${how} while the harness waited on it`, tail),
        );
        resolve(exitInfo ?? { code, signal });
      };
      if (proc.stderr !== null && !proc.stderr.readableEnded) {
        proc.stderr.once('end', finish);
        setTimeout(finish, 200).unref();
      } else finish();
    });
  });
  proc.on('error', () => undefined);

  proc.on('message', (raw: unknown) => {
    const message = raw as Reply;
    if ('id' in message && typeof message.id === 'number') {
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.value);
      else entry.reject(new RemoteError(options.label, message.error.name, message.error.message, message.error.stack));
      return;
    }
    if ('event' in message) {
      const list = waiters.get(message.event);
      const first = list?.shift();
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

  const killGroup = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already (or never formed): kill the pid itself.
      try {
        proc.kill('SIGKILL');
      } catch {
        // Already exited.
      }
    }
  };

  const timeoutKill = (why: string): void => {
    if (exitInfo !== undefined || killedForTimeout !== undefined) return;
    killedForTimeout = why;
    killGroup();
  };

  const deadline = setTimeout(() => timeoutKill(`still running after its deadline of ${options.deadlineMs} ms; killed`), options.deadlineMs);
  deadline.unref();

  const child: Child = {
    label: options.label,
    pid,
    pinned,
    request<T>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
      if (exitInfo !== undefined) {
        return Promise.reject(new ChildError('crashed', options.label, `has already exited; cannot ask it ${type}`, tail));
      }
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => timeoutKill(`no answer to ${type} within ${timeoutMs} ms; killed`), timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        const request: Request = { id, type, payload };
        proc.send(request, (error) => {
          if (error !== null && pending.has(id)) {
            pending.delete(id);
            clearTimeout(timer);
            reject(new ChildError('crashed', options.label, `could not send ${type}: ${error.message}`, tail));
          }
        });
      });
    },
    nextEvent<T>(event: string, timeoutMs: number): Promise<T> {
      const queued = events.get(event);
      if (queued !== undefined && queued.length > 0) return Promise.resolve(queued.shift() as T);
      if (exitInfo !== undefined) {
        return Promise.reject(new ChildError('crashed', options.label, `has already exited; no ${event} will come`, tail));
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => timeoutKill(`no ${event} within ${timeoutMs} ms; killed`), timeoutMs);
        const list = waiters.get(event) ?? [];
        list.push({ resolve: resolve as (value: unknown) => void, reject, timer });
        waiters.set(event, list);
      });
    },
    exited,
    alive: () => exitInfo === undefined,
    stderrTail: () => tail,
    kill() {
      if (exitInfo === undefined) killGroup();
      return exited;
    },
    async stop(graceMs = 2_000) {
      if (exitInfo !== undefined) return exitInfo;
      // Closing the channel is the child's cue to close its servers and exit (child/ipc.ts).
      if (proc.connected) proc.disconnect();
      const timer = setTimeout(killGroup, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
  live.add(child);
  return child;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
