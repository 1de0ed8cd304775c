// A long-lived echo load session for the harness: C connections kept open while the parent switches
// the way they are driven and reads exact windows afterwards.
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

export type Drive = { readonly mode: 'closed' } | { readonly mode: 'open'; readonly rate: number } | { readonly mode: 'idle' };

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly size: number;
  /** Messages one connection may have outstanding in the open loop before it skips sends (and says so). */
  readonly maxOutstanding?: number;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** What completed in a window [from, to] of the monotonic clock. */
export interface WindowStats {
  readonly from: number;
  readonly to: number;
  readonly requests: number;
  /** requests / (to - from). */
  readonly rps: number;
  readonly mibps: number;
  /** Open loop: from the due time (coordinated omission corrected). Closed loop: the same as `sent`. */
  readonly latencyUs: LatencyPercentiles;
  /** From the moment the message was written. */
  readonly sentLatencyUs: LatencyPercentiles;
  /** Open loop: sends that were due in the window but skipped because too many were outstanding. */
  readonly skipped: number;
}

/**
 * Connections opened at once, each proven by a first echo before the next batch. Small: a server that
 * starts a thread per connection (threads) pays a new isolate for each, all on the one core it is
 * pinned to; a hundred started together took over 10 s for most of them in a slow episode of the
 * host (a full run lost the threads 1 KiB x 100 cell that way in all 3 repeats).
 */
export const CONNECT_BATCH = 10;
const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTSTANDING = 256;

/** Completion records in growable typed arrays: time, latency from due, latency from send. */
class Records {
  times = new Float64Array(1 << 14);
  fromDue = new Float32Array(1 << 14);
  fromSend = new Float32Array(1 << 14);
  length = 0;

  push(time: number, fromDueUs: number, fromSendUs: number): void {
    if (this.length === this.times.length) this.grow();
    this.times[this.length] = time;
    this.fromDue[this.length] = fromDueUs;
    this.fromSend[this.length] = fromSendUs;
    this.length++;
  }

  /** Index of the first record at or after `time` (records are in completion order). */
  indexAt(time: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops every record before `time`: a long session's memory stays bounded by its window. */
  forget(time: number): void {
    const keep = this.indexAt(time);
    this.times.copyWithin(0, keep, this.length);
    this.fromDue.copyWithin(0, keep, this.length);
    this.fromSend.copyWithin(0, keep, this.length);
    this.length -= keep;
  }

  private grow(): void {
    const grow = <T extends Float64Array | Float32Array>(old: T, make: (n: number) => T): T => {
      const next = make(old.length * 2);
      next.set(old);
      return next;
    };
    this.times = grow(this.times, (n) => new Float64Array(n));
    this.fromDue = grow(this.fromDue, (n) => new Float32Array(n));
    this.fromSend = grow(this.fromSend, (n) => new Float32Array(n));
  }
}

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

  /** Opens every connection (each proven by a first echo); throws when none could be opened. */
  static async open(options: SessionOptions): Promise<LoadSession> {
    const session = new LoadSession(options);
    let firstError: Error | undefined;
    for (let first = 0; first < options.connections; first += CONNECT_BATCH) {
      const batch: Promise<void>[] = [];
      for (let id = first; id < Math.min(options.connections, first + CONNECT_BATCH); id++) {
        batch.push(
          session.#connect(id).then(
            (connection) => void session.#connections.push(connection),
            (error: Error) => void (firstError ??= error),
          ),
        );
      }
      await Promise.all(batch);
    }
    if (session.#connections.length < options.connections) {
      await session.close();
      throw new Error(
        `echo load: ${options.connections - session.#connections.length} of ${options.connections} connections to ` +
          `${options.host}:${options.port} failed: ${firstError?.message ?? 'unknown error'}`,
        { cause: firstError },
      );
    }
    return session;
  }

  #connect(id: number): Promise<SessionConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const timer = setTimeout(() => socket.destroy(new Error(`no echo within ${CONNECT_TIMEOUT_MS} ms of connecting`)), CONNECT_TIMEOUT_MS);
      const connection = new SessionConnection(this, id, socket, (error) => {
        clearTimeout(timer);
        if (error === undefined) resolve(connection);
        else reject(error);
      });
      socket.once('connect', () => connection.send(monotonicMs()));
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
      for (const connection of this.#connections) if (connection.outstanding === 0) connection.send(now);
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
   * in flight at the count finish too). Instruction counting uses it (harness/phases/echo-instructions.ts):
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
    if (spans.length === 0) throw new RangeError('echo load: a window needs at least one span');
    let previous = Number.NEGATIVE_INFINITY;
    for (const [from, to] of spans) {
      if (!(to > from)) throw new RangeError(`echo load: a window needs to > from (got ${from} .. ${to})`);
      if (from < previous) throw new RangeError(`echo load: spans must be in time order and not overlap (${from} < ${previous})`);
      previous = to;
    }
    const ranges = spans.map(([from, to]) => [this.records.indexAt(from), this.records.indexAt(to)] as const);
    const requests = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
    const gather = (column: Float32Array): Float32Array => {
      const out = new Float32Array(requests);
      let at = 0;
      for (const [start, end] of ranges) {
        out.set(column.subarray(start, end), at);
        at += end - start;
      }
      return out;
    };
    const seconds = spans.reduce((sum, [from, to]) => sum + (to - from), 0) / 1000;
    const first = spans[0] as readonly [number, number];
    const last = spans[spans.length - 1] as readonly [number, number];
    return {
      from: first[0],
      to: last[1],
      requests,
      rps: requests / seconds,
      mibps: (requests * this.options.size) / (1024 * 1024) / seconds,
      latencyUs: percentiles(gather(this.records.fromDue)),
      sentLatencyUs: percentiles(gather(this.records.fromSend)),
      skipped: this.#skips.filter((due) => spans.some(([from, to]) => due >= from && due < to)).length,
    };
  }

  /** Forgets the records before `time`. */
  forget(time: number): void {
    this.records.forget(time);
  }

  failed(kind: 'error' | 'verify'): void {
    if (kind === 'verify') this.verifyFailures++;
    else this.errors++;
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

interface Outstanding {
  readonly message: Buffer;
  readonly due: number;
  readonly sent: number;
}

/** One connection: the messages it has outstanding, in order, each checked byte for byte as it returns. */
class SessionConnection {
  readonly #queue: Outstanding[] = [];
  #received = 0;
  #seq = 0;
  #nextDue = 0;
  #period = 0;
  #failed = false;
  readonly #closed: Promise<void>;

  constructor(
    private readonly session: LoadSession,
    private readonly id: number,
    private readonly socket: net.Socket,
    private onFirstEcho: ((error?: Error) => void) | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#fail('error', new Error('the server ended the connection')));
    socket.on('error', (error) => this.#fail('error', error));
    this.#closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.#settleFirstEcho(new Error('connection closed before its first echo')));
  }

  get outstanding(): number {
    return this.#queue.length;
  }

  schedule(firstDue: number, period: number): void {
    this.#nextDue = firstDue;
    this.#period = period;
  }

  /** Sends every message due by `now`; beyond `max` outstanding, skips them (the run is saturated). */
  sendDue(now: number, max: number, skip: (due: number) => void): void {
    while (this.#nextDue <= now) {
      if (this.#queue.length >= max) skip(this.#nextDue);
      else this.send(this.#nextDue);
      this.#nextDue += this.#period;
    }
  }

  /** Writes the next message, due at `due`. A fresh buffer each: an open loop may have several in the kernel at once. */
  send(due: number): void {
    if (this.#failed || this.socket.destroyed) return;
    const message = Buffer.allocUnsafe(this.session.options.size);
    this.session.pattern.fill(message, this.id, this.#seq++);
    this.#queue.push({ message, due, sent: monotonicMs() });
    this.socket.write(message);
  }

  #onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const head = this.#queue[0];
      if (head === undefined) {
        this.#fail('verify', new Error(`${chunk.length - offset} bytes came back that were never sent`));
        return;
      }
      const take = Math.min(chunk.length - offset, head.message.length - this.#received);
      // memcmp of the chunk's span against the same span of what was sent.
      if (chunk.compare(head.message, this.#received, this.#received + take, offset, offset + take) !== 0) {
        this.#fail('verify', new Error(`echo of message ${this.#seq - this.#queue.length} differs from what was sent`));
        return;
      }
      offset += take;
      this.#received += take;
      if (this.#received < head.message.length) return;
      this.#queue.shift();
      this.#received = 0;
      this.#complete(head);
    }
  }

  #complete(head: Outstanding): void {
    const now = monotonicMs();
    if (this.onFirstEcho !== undefined) {
      // Connecting: the first echo proves the server accepted us.
      this.#settleFirstEcho();
      return;
    }
    this.session.completed(now, head.due, head.sent);
    if (this.session.drive.mode === 'closed' && this.#queue.length === 0) this.send(now);
  }

  #settleFirstEcho(error?: Error): void {
    const settle = this.onFirstEcho;
    this.onFirstEcho = undefined;
    settle?.(error);
  }

  #fail(kind: 'error' | 'verify', error: Error): void {
    if (this.#failed || this.session.closing || this.onFirstEcho !== undefined) {
      this.#settleFirstEcho(error);
      return;
    }
    this.#failed = true;
    this.session.failed(kind);
    this.#settleFirstEcho(error);
    this.socket.destroy();
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.#closed;
  }
}

/** Exact percentiles (nearest rank) of a window's latencies, in µs; all 0 for an empty window. */
export function percentiles(values: Float32Array): LatencyPercentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const sorted = Float32Array.from(values).sort();
  // The small epsilon keeps 99.9% of 1,000 at rank 999 despite 99.9 / 100 not being exact in binary.
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length - 1e-9) - 1))] as number;
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: sorted[sorted.length - 1] as number };
}
