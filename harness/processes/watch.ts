// Starting, watching, tailing and stopping any child process, for every caller: the measured
// children (children.ts), the traceback matrix's trace-case children, `compare --against`'s builds
// and runs, the gate's run, and the tests' servers. A child may get its own process group (`group`),
// so killing `-pid` takes everything it could have started; every live child is tracked here, so a
// signal to the harness can kill them all.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';

/** How much of a child's stderr a failure keeps: the end is where the error is. */
export const STDERR_TAIL_BYTES = 2048;

/** How long an exited child's last output may take to arrive before the tail is read anyway. */
const OUTPUT_GRACE_MS = 200;

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
  /** Its stdin: nothing (default), or a pipe that `write` feeds. */
  readonly stdin?: 'ignore' | 'pipe';
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
  /** Writes to its stdin (started with `stdin: 'pipe'`). */
  write(text: string): void;
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
    options.stdin ?? 'ignore',
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
    write(text) {
      if (proc.stdin === null) throw new Error(`${options.label}: started without a stdin pipe`);
      proc.stdin.write(text);
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
