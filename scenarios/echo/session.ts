// A long-lived echo load session: C connections kept open while the caller switches the way they are
// driven and reads exact windows afterwards. The harness's load child keeps one per cell; `rosetta
// echo-load` opens one for a single window (load.ts).
//
// - Closed loop (capacity): each connection sends, waits for the whole echo, sends again.
// - Open loop (cost): each connection sends on a schedule at a fixed rate, whether or not the last
//   echo is back (the message goes right behind it; echo keeps order, so every byte is still
//   checked). Message k of connection c is due at t0 + (c / C + k) · period; latency is measured from
//   that due time (coordinated omission corrected, as wrk2 does) and also from the actual send.
//
// Every completed round trip is recorded with its completion time on the machine's monotonic clock
// (the same clock in every process: `monotonicMs`), so the parent can ask afterwards how many
// requests completed between two instants another process took, e.g. the server's CPU readings.
// This is the same measuring stick for every server, not a style: it may use any idiom.
import net from 'node:net';
import { monotonicMs } from '../clock.js';
import { EchoPattern } from './pattern.js';
import { Records, windowOf } from './records.js';
import type { WindowStats } from './records.js';
import { SessionConnection } from './session-connection.js';

export type Drive = { readonly mode: 'closed' } | { readonly mode: 'open'; readonly rate: number } | { readonly mode: 'idle' };

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly size: number;
  /** Messages one connection may have outstanding in the open loop before it skips sends (and says so). */
  readonly maxOutstanding?: number;
  /** Aborting while connecting closes every connection and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Not every connection could be opened, so nothing is measured: a window at fewer connections than asked is another test. */
export class EchoLoadConnectError extends Error {
  override readonly name = 'EchoLoadConnectError';
  constructor(
    readonly host: string,
    readonly port: number,
    /** Connections that opened (each proven by its first echo) before the session gave up. */
    readonly opened: number,
    readonly failed: number,
    readonly connections: number,
    cause: unknown,
  ) {
    const tried = opened + failed === connections ? String(connections) : `the first ${opened + failed}`;
    const why = cause instanceof Error ? cause.message : 'unknown error';
    super(`echo load: ${failed} of ${tried} connections to ${host}:${port} failed: ${why}`, { cause });
  }
}

function checkOptions(options: SessionOptions): void {
  const whole = (name: 'port' | 'connections' | 'size', min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const value = options[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`echo load: ${name} must be a whole number from ${min} to ${max} (got ${String(value)})`);
    }
  };
  whole('port', 1, 65535);
  whole('connections', 1);
  whole('size', 1);
}

/**
 * Connections opened at once, each proven by a first echo before the next batch. Small: a server that
 * starts a thread per connection (threads) pays a new isolate for each, on the one core it is pinned
 * to, and a large batch can outlast the connect timeout. The native engine (native/load.c) uses the same.
 */
export const CONNECT_BATCH = 10;
const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTSTANDING = 256;

export class LoadSession {
  readonly pattern: EchoPattern;
  readonly records = new Records();
  errors = 0;
  verifyFailures = 0;
  drive: Drive = { mode: 'idle' };
  /** Set by close(): the sockets it destroys are not failures. */
  closing = false;
  readonly #connections: SessionConnection[] = [];
  #tick: NodeJS.Immediate | undefined;
  /** Sends skipped by the open loop, with the due time of each (bounded: only counts are kept). */
  readonly #skips: number[] = [];

  private constructor(readonly options: SessionOptions) {
    this.pattern = new EchoPattern(options.size);
  }

  /**
   * Opens every connection, a batch at a time, each proven by a first echo: on loopback the client's
   * 'connect' comes before the server has accepted, so only the echo shows the server took it, and
   * waiting for it keeps a batch inside the server's accept queue. Throws EchoLoadConnectError after
   * the first batch with a failure, having closed every connection.
   */
  static async open(options: SessionOptions): Promise<LoadSession> {
    checkOptions(options);
    const { signal } = options;
    signal?.throwIfAborted();
    const session = new LoadSession(options);
    let failed = 0;
    let firstError: Error | undefined;
    // An abort destroys every connection, so the batch in flight settles at once instead of at its timeout.
    const onAbort = (): void => void session.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let first = 0; first < options.connections && failed === 0 && signal?.aborted !== true; first += CONNECT_BATCH) {
        const batch: Promise<void>[] = [];
        for (let id = first; id < Math.min(options.connections, first + CONNECT_BATCH); id++) {
          batch.push(
            session.#connect(id).catch((error: Error) => {
              failed++;
              firstError ??= error;
            }),
          );
        }
        await Promise.all(batch);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted === true || failed > 0) {
      await session.close();
      signal?.throwIfAborted();
      const opened = session.#connections.length - failed;
      throw new EchoLoadConnectError(options.host, options.port, opened, failed, options.connections, firstError);
    }
    return session;
  }

  /** Resolves once the connection's first echo is back; it is in the session's list from the start, so close() reaches it. */
  #connect(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const timer = setTimeout(() => socket.destroy(new Error(`no echo within ${CONNECT_TIMEOUT_MS} ms of connecting`)), CONNECT_TIMEOUT_MS);
      const connection = new SessionConnection(this, id, socket, (error) => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      });
      this.#connections.push(connection);
      socket.once('connect', () => connection.send());
    });
  }

  get connections(): number {
    return this.#connections.length;
  }

  /** Changes how the connections are driven, from now on. Messages already outstanding complete as usual. */
  setDrive(drive: Drive): void {
    if (drive.mode === 'open' && !(drive.rate > 0)) throw new RangeError(`echo load: an open loop needs a rate above 0 (got ${drive.rate})`);
    this.drive = drive;
    clearImmediate(this.#tick);
    this.#tick = undefined;
    const now = monotonicMs();
    if (drive.mode === 'closed') {
      for (const connection of this.#connections) if (connection.outstanding === 0) connection.send();
    } else if (drive.mode === 'open') {
      const period = (1000 * this.#connections.length) / drive.rate;
      this.#connections.forEach((connection, c) => connection.schedule(now + (c / this.#connections.length) * period, period));
      this.#runSchedule();
    }
  }

  /**
   * The open loop's clock: every connection sends whatever has fallen due. It spins on setImmediate,
   * so sends leave within a few microseconds of their due time; the load has a core of its own.
   */
  #runSchedule(): void {
    if (this.drive.mode !== 'open') return;
    const now = monotonicMs();
    const max = this.options.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING;
    for (const connection of this.#connections) connection.sendDue(now, max, (due) => this.#skip(due));
    this.#tick = setImmediate(() => this.#runSchedule());
  }

  #skip(due: number): void {
    // Only the window's count is ever asked for; keep the due times of the last few seconds' skips.
    this.#skips.push(due);
    if (this.#skips.length > 100_000) this.#skips.splice(0, 50_000);
  }

  /** Called by a connection when a round trip is complete. */
  completed(time: number, due: number, sent: number): void {
    this.records.push(time, (time - due) * 1000, (time - sent) * 1000);
    this.#completions++;
    if (this.#countdown !== undefined && this.#completions >= this.#countdown.target) this.#countdown.done();
  }

  #completions = 0;
  #countdown: { readonly target: number; readonly done: () => void } | undefined;

  /**
   * A closed loop for a number of round trips rather than a time: drives until `count` have completed,
   * stops sending, and resolves when nothing is outstanding, with how many completed in all (the ones
   * in flight at the count finish too). Instruction counting uses it (harness/phases/instructions.ts):
   * a window of a fixed number of requests does not depend on how fast the server ran.
   */
  async roundTrips(count: number): Promise<number> {
    if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`echo load: roundTrips needs a whole number above 0 (got ${count})`);
    const start = this.#completions;
    await new Promise<void>((resolve) => {
      this.#countdown = { target: start + count, done: resolve };
      this.setDrive({ mode: 'closed' });
    });
    this.#countdown = undefined;
    this.setDrive({ mode: 'idle' });
    while (this.#connections.some((connection) => connection.outstanding > 0)) {
      if (this.errors > 0 || this.closing) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return this.#completions - start;
  }

  /** Every round trip that completed in [from, to] of the monotonic clock. */
  window(from: number, to: number): WindowStats {
    return this.spans([[from, to]]);
  }

  /**
   * Every round trip that completed in any of several disjoint spans, in time order, as one window:
   * the cost window whose stretches alternate with the in-pair reference's (harness/phases/echo-cost.ts).
   * Rates are over the spans' total length, latencies over all their round trips, skips over each span.
   */
  spans(spans: readonly (readonly [number, number])[]): WindowStats {
    return windowOf(this.records, this.#skips, spans, this.options.size);
  }

  /** Forgets the records before `time`. */
  forget(time: number): void {
    this.records.forget(time);
  }

  /** Called by a connection that failed after opening (once each); it sends no more. */
  failed(kind: 'error' | 'verify'): void {
    if (kind === 'verify') this.verifyFailures++;
    else this.errors++;
    if (this.errors + this.verifyFailures === this.options.connections) {
      this.#allFailedAt = monotonicMs();
      for (const wake of this.#waiters) wake();
    }
  }

  /** When the last connection failed, on the monotonic clock; undefined while any is left. */
  #allFailedAt: number | undefined;
  readonly #waiters = new Set<() => void>();

  /**
   * Waits until the monotonic clock has passed `time`, or until every connection has failed, and
   * resolves with the earlier of the two instants; rejects with the signal's reason on an abort.
   */
  waitUntil(time: number, signal?: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        settle();
        const reason: unknown = signal?.reason;
        reject(reason instanceof Error ? reason : new Error('echo load aborted', { cause: reason }));
      };
      const check = (): void => {
        clearTimeout(timer);
        const now = monotonicMs();
        if (this.#allFailedAt !== undefined || now >= time) {
          settle();
          resolve(Math.min(this.#allFailedAt ?? time, time));
          return;
        }
        // A timer can fire a little early on this clock: check again rather than trust it.
        timer = setTimeout(check, Math.max(1, Math.ceil(time - now)));
      };
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(check);
      check();
    });
  }

  /** Stops sending and destroys every connection; resolves once each has closed. */
  async close(): Promise<void> {
    this.closing = true;
    this.drive = { mode: 'idle' };
    clearImmediate(this.#tick);
    this.#tick = undefined;
    await Promise.all(this.#connections.map((connection) => connection.destroy()));
  }
}

