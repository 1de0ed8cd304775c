// The load `rosetta echo-load` runs: one window of a load session (session.ts), the same connections,
// verification and exact percentiles the harness measures with. It opens the session, drives it
// (a closed loop, or an open loop at a fixed rate), lets the warm-up pass, reads the window that
// follows on the monotonic clock, and closes every connection.
import { monotonicMs } from '../clock.js';
import { cpuSnapshot, cpuSpent } from './cpu.js';
import type { CpuSnapshot, CpuSpent } from './cpu.js';
import type { LatencyPercentiles } from './records.js';
import { NativeSession, type NativeEngine } from './native-session.js';
import { LoadSession } from './session.js';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  /** Connections open at once. */
  readonly connections: number;
  /** Bytes per message. */
  readonly size: number;
  /** Length of the measured window, after the warm-up. */
  readonly durationMs: number;
  /** Load before the window starts, not counted (JIT, TCP windows, allocator). */
  readonly warmupMs: number;
  /** Requests a second over all connections, sent on schedule (open loop); without it, a closed loop. */
  readonly rate?: number | undefined;
  /** Open loop: messages a connection may have outstanding before it skips sends (default 256). */
  readonly maxOutstanding?: number;
  /** Aborting closes every connection and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The native client's engine (native-session.ts); the Node client when absent. */
  readonly engine?: NativeEngine;
}

export interface LoadResult {
  /** Round trips completed inside the window. */
  readonly requests: number;
  /** Payload bytes of those round trips, counted once (sent and echoed). */
  readonly bytes: number;
  /** The window actually measured (shorter than asked if every connection failed). */
  readonly durationMs: number;
  readonly rps: number;
  readonly mibps: number;
  /** Round-trip latency in µs to the last byte of the echo: from the due time in an open loop, from the write in a closed one. */
  readonly latencyUs: LatencyPercentiles;
  /** From the write of each message (the same as `latencyUs` in a closed loop). */
  readonly sentLatencyUs: LatencyPercentiles;
  /** Open loop: sends skipped because a connection already had too many messages outstanding. */
  readonly skipped: number;
  /** Connections that failed after opening: reset or ended by the server. */
  readonly errors: number;
  /** Echoes that differed from what was sent (the connection is closed after one). */
  readonly verifyFailures: number;
  /** The client's own CPU over the window; `share` near 1 means the client, not the server, limits. */
  readonly clientCpu: CpuSpent;
}

const EMPTY: LatencyPercentiles = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  checkOptions(options);
  const { signal, warmupMs, durationMs, rate } = options;
  const { engine } = options;
  const session = engine === undefined ? await LoadSession.open(options) : await NativeSession.open(engine, options);
  // The client's CPU: this process's, and the engine's when it does the socket work.
  const cpuNow = async (): Promise<CpuSnapshot> => {
    const own = cpuSnapshot();
    if (engine === undefined) return own;
    const native = await engine.cpu();
    return { userUs: own.userUs + native.user, systemUs: own.systemUs + native.system };
  };
  try {
    const start = monotonicMs();
    await session.setDrive(rate === undefined ? { mode: 'closed' } : { mode: 'open', rate });
    // The window's edges are instants on the clock, not timer firings; it ends early if every connection fails.
    const from = await session.waitUntil(start + warmupMs, signal);
    session.forget(from);
    const cpuStart = await cpuNow();
    const to = await session.waitUntil(from + durationMs, signal);
    const cpuEnd = await cpuNow();
    await session.setDrive({ mode: 'idle' });
    const measuredMs = Math.max(0, to - from);
    const window = measuredMs > 0 ? await session.window(from, to) : undefined;
    const requests = window?.requests ?? 0;
    return {
      requests,
      bytes: requests * options.size,
      durationMs: measuredMs,
      rps: window?.rps ?? 0,
      mibps: window?.mibps ?? 0,
      latencyUs: wholeUs(window?.latencyUs ?? EMPTY),
      sentLatencyUs: wholeUs(window?.sentLatencyUs ?? EMPTY),
      skipped: window?.skipped ?? 0,
      errors: session.errors,
      verifyFailures: session.verifyFailures,
      clientCpu: cpuSpent(cpuStart, cpuEnd, measuredMs),
    };
  } finally {
    await session.close();
  }
}

/** Whole microseconds for the report; the session keeps the fractions. */
function wholeUs(l: LatencyPercentiles): LatencyPercentiles {
  return { p50: Math.round(l.p50), p90: Math.round(l.p90), p99: Math.round(l.p99), p999: Math.round(l.p999), max: Math.round(l.max) };
}

/** The window's own options; the session checks the connections' (port, connections, size). */
function checkOptions(options: LoadOptions): void {
  if (!(options.durationMs > 0)) throw new RangeError(`echo load: durationMs must be above 0 (got ${options.durationMs})`);
  if (!(options.warmupMs >= 0)) throw new RangeError(`echo load: warmupMs must be 0 or more (got ${options.warmupMs})`);
  if (options.rate !== undefined && !(options.rate > 0)) throw new RangeError(`echo load: rate must be above 0 (got ${options.rate})`);
}
