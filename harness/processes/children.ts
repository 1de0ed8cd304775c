// Measured children: the BUILT JavaScript under dist/harness/child, the same flags and environment
// for every style, optionally pinned to a core with taskset, request/reply over IPC with deadlines.
// Measured children also exit by themselves when the IPC channel closes (see child/ipc.ts): a
// harness that dies without cleaning up still leaves no orphan behind.
import { reviveError, type Reply, type Request } from '../child/ipc.js';
import { canPin, childEntry, TASKSET } from './probes.js';
import { startProcess, type ExitInfo } from './watch.js';

/** Flags every measured child starts with, whatever the style: recorded in results.environment.nodeFlags. */
export const CHILD_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/**
 * Environment every measured child starts with, whatever the style: recorded in
 * results.environment.childEnv. glibc's heap trimming off (256 MiB means never): a 100 KiB echo frees
 * enough for glibc to trim, and the next request's page faults would then be measured instead of the
 * style (docs/measurements.md, "glibc's heap trimming at 100 KiB").
 */
export const CHILD_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024) };

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
  /** Node flags after the kit's own, and environment over CHILD_ENV: a variant's debug aid (harness/aids.ts aidLaunch). */
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
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

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The command prefix that pins a child to `cpu` (taskset, which execs it: same pid), or none when it cannot. */
export function pinPrefix(cpu: number | undefined): readonly string[] {
  return cpu !== undefined && canPin(2) ? [TASKSET, '-c', String(cpu)] : [];
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
    ...(options.nodeFlags ?? []),
    file,
    ...(options.args ?? []),
  ] as [string, ...string[]];
  const proc = startProcess({
    label: options.label,
    command,
    args,
    // The recorded flags must be all the flags: NODE_OPTIONS would add some the report does not show.
    env: { NODE_OPTIONS: undefined, ...CHILD_ENV, ...options.env },
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
