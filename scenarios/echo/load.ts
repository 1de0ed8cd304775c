// The echo load client: a closed loop of C connections, each sending an S-byte message and waiting
// for its whole echo before sending the next, measured for a duration after a warm-up. Every echoed
// byte is checked against the message sent (pattern.ts); latency goes into an HDR histogram.
// It is the same measuring stick for every server, not a style: it may use any idiom.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { cpuSnapshot, cpuSpent } from './cpu.js';
import type { CpuSnapshot, CpuSpent } from './cpu.js';
import { EchoPattern } from './pattern.js';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  /** Connections open at once, each with one message in flight. */
  readonly connections: number;
  /** Bytes per message. */
  readonly size: number;
  /** Length of the measured window, after the warm-up. */
  readonly durationMs: number;
  /** Load before the window starts, not counted (JIT, TCP windows, allocator). */
  readonly warmupMs: number;
  /** Aborting closes every connection and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
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
  /** Round-trip latency in microseconds, from the write of a message to the last byte of its echo. */
  readonly latencyUs: LatencySummary;
  /** Connections that failed: refused, reset, ended by the server, timed out connecting. */
  readonly errors: number;
  /** Echoes that differed from what was sent (the connection is closed after one). */
  readonly verifyFailures: number;
  /** The client's own CPU over the window; `share` near 1 means the client, not the server, limits. */
  readonly clientCpu: CpuSpent;
}

/** Not one connection could be made: nothing was measured. */
export class EchoLoadConnectError extends Error {
  override readonly name = 'EchoLoadConnectError';
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    super(`echo load: could not connect to ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Connections are opened this many at a time, so a burst stays under the listen backlog. */
const CONNECT_BATCH = 100;
const CONNECT_TIMEOUT_MS = 10_000;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  checkOptions(options);
  const { signal } = options;
  signal?.throwIfAborted();
  const run = new LoadRun(options);
  try {
    await run.connect();
    return await run.measure();
  } finally {
    await run.closeAll();
  }
}

function checkOptions(options: LoadOptions): void {
  const whole = (name: keyof LoadOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const got = typeof value === 'number' ? String(value) : typeof value;
      throw new RangeError(`echo load: ${name} must be a whole number from ${min} to ${max} (got ${got})`);
    }
  };
  whole('port', 1, 65535);
  whole('connections', 1);
  whole('size', 1);
  if (!(options.durationMs > 0)) throw new RangeError(`echo load: durationMs must be above 0 (got ${options.durationMs})`);
  if (!(options.warmupMs >= 0)) throw new RangeError(`echo load: warmupMs must be 0 or more (got ${options.warmupMs})`);
}

type Phase = 'connecting' | 'warmup' | 'measuring' | 'stopped';

/** One run: the connections, the counters of the window, the timers that bound it. */
class LoadRun {
  phase: Phase = 'connecting';
  readonly pattern: EchoPattern;
  readonly histogram: Histogram = build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000, // one minute in µs; autoResize covers anything longer
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  requests = 0;
  errors = 0;
  verifyFailures = 0;
  private readonly connections = new Set<LoadConnection>();
  private live = 0;
  private windowStart = 0;
  private windowEnd = 0;
  private cpuStart: CpuSnapshot = cpuSnapshot();
  private cpuEnd: CpuSnapshot = this.cpuStart;
  private timer: NodeJS.Timeout | undefined;
  /** Settles `measure()`: called once, when the window ends or the run is aborted. */
  private finish: ((error?: unknown) => void) | undefined;

  constructor(readonly options: LoadOptions) {
    this.pattern = new EchoPattern(options.size);
  }

  /**
   * Opens every connection, a batch at a time; throws only if none could be opened. A connection
   * counts as open once its first echo is back: on loopback the client's 'connect' comes before the
   * server has accepted, so only the echo proves the server took it, and waiting for it keeps a
   * batch from overflowing the server's accept queue (which costs a 1 s SYN-ACK retransmit).
   */
  async connect(): Promise<void> {
    const { connections, signal, host, port } = this.options;
    let firstError: Error | undefined;
    // An abort closes the batch in flight, which then settles at once instead of at its timeout.
    const onAbort = (): void => {
      for (const connection of this.connections) void connection.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.connectInBatches(connections, (error) => (firstError ??= error));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    if (this.live === 0) throw new EchoLoadConnectError(host, port, firstError);
  }

  private async connectInBatches(connections: number, onError: (error: Error) => void): Promise<void> {
    for (let first = 0; first < connections && this.options.signal?.aborted !== true; first += CONNECT_BATCH) {
      const batch: Promise<void>[] = [];
      for (let id = first; id < Math.min(connections, first + CONNECT_BATCH); id++) {
        batch.push(
          this.openConnection(id).then((error) => {
            if (error !== undefined) onError(error);
          }),
        );
      }
      await Promise.all(batch);
    }
  }

  /** Resolves once the connection's first echo is back (undefined) or it failed (the error). */
  private openConnection(id: number): Promise<Error | undefined> {
    return new Promise<Error | undefined>((resolve) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const connection = new LoadConnection(this, id, socket, (error) => {
        socket.setTimeout(0);
        if (error === undefined) this.live++;
        resolve(error);
      });
      this.connections.add(connection);
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`no echo within ${CONNECT_TIMEOUT_MS} ms of connecting`)));
      socket.once('connect', () => connection.sendNext());
    });
  }

  /** Starts every loop, waits out the warm-up and the window, and returns the window's numbers. */
  measure(): Promise<LoadResult> {
    const { signal, warmupMs, durationMs } = this.options;
    signal?.throwIfAborted();
    return new Promise<LoadResult>((resolve, reject) => {
      const onAbort = (): void => this.stop(signal?.reason);
      this.finish = (error?: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve(this.result());
        else reject(error instanceof Error ? error : new Error('echo load aborted', { cause: error }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.phase = 'warmup';
      for (const connection of this.connections) if (connection.open) connection.sendNext();
      const startWindow = (): void => {
        this.requests = 0;
        this.histogram.reset();
        this.phase = 'measuring';
        this.windowStart = performance.now();
        this.cpuStart = cpuSnapshot();
        this.timer = setTimeout(() => this.stop(), durationMs);
      };
      if (warmupMs > 0) this.timer = setTimeout(startWindow, warmupMs);
      else startWindow();
      // Connections may have died between connect() and now.
      if (this.live === 0) this.stop();
    });
  }

  /** Records one completed round trip (only inside the window). */
  completed(latencyMs: number): void {
    if (this.phase !== 'measuring') return;
    this.requests++;
    this.histogram.recordValue(Math.round(latencyMs * 1000));
  }

  connectionClosed(wasLive: boolean): void {
    if (wasLive) this.live--;
    // Nothing left to measure: end the window now instead of idling until the timer.
    if (this.live === 0 && (this.phase === 'warmup' || this.phase === 'measuring')) this.stop();
  }

  /** Ends the window (or aborts the run with `reason`); the connections close in `closeAll`. */
  stop(reason?: unknown): void {
    if (this.phase === 'stopped') return;
    const measuring = this.phase === 'measuring';
    this.phase = 'stopped';
    clearTimeout(this.timer);
    this.windowEnd = performance.now();
    this.cpuEnd = cpuSnapshot();
    if (!measuring) {
      // Stopped before the window opened: the window is empty, not negative.
      this.windowStart = this.windowEnd;
      this.cpuStart = this.cpuEnd;
    }
    this.finish?.(reason);
  }

  /** Destroys every connection and resolves once each has closed: the run leaves no socket behind. */
  async closeAll(): Promise<void> {
    this.phase = 'stopped';
    clearTimeout(this.timer);
    await Promise.all([...this.connections].map((connection) => connection.destroy()));
  }

  private result(): LoadResult {
    const durationMs = this.windowEnd - this.windowStart;
    const seconds = durationMs / 1000;
    const bytes = this.requests * this.options.size;
    const h = this.histogram;
    const empty = this.requests === 0;
    // A percentile is the top of its bucket's range (3 significant digits), which can lie above the
    // exact maximum recorded; no round trip took longer than that maximum.
    const at = (percentile: number): number => (empty ? 0 : Math.min(h.getValueAtPercentile(percentile), h.maxValue));
    return {
      requests: this.requests,
      bytes,
      durationMs,
      rps: seconds > 0 ? this.requests / seconds : 0,
      mibps: seconds > 0 ? bytes / (1024 * 1024) / seconds : 0,
      latencyUs: { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: empty ? 0 : h.maxValue },
      errors: this.errors,
      verifyFailures: this.verifyFailures,
      clientCpu: cpuSpent(this.cpuStart, this.cpuEnd, durationMs),
    };
  }
}

/** One connection of the closed loop: one message buffer, reused for every message it sends. */
class LoadConnection {
  /** Its first echo came back and it has not failed since. */
  open = false;
  private readonly message: Buffer;
  private seq = 0;
  private received = 0;
  private sentAt = 0;
  private failed = false;
  private readonly closed: Promise<void>;

  constructor(
    private readonly run: LoadRun,
    private readonly id: number,
    private readonly socket: net.Socket,
    /** Called once: when the first echo is back, or with the error if the connection failed first. */
    private onFirstEcho: ((error?: Error) => void) | undefined,
  ) {
    this.message = Buffer.allocUnsafe(run.options.size);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.fail('error', new Error('the server ended the connection')));
    socket.on('error', (error) => this.fail('error', error));
    // Our own destroy() at the end of a run emits no 'error': only real failures are counted.
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => {
      const wasOpen = this.open;
      this.open = false;
      this.settleFirstEcho(new Error('connection closed before its first echo'));
      run.connectionClosed(wasOpen);
    });
  }

  /** Sends the next message, unless the run is over. */
  sendNext(): void {
    if (this.run.phase === 'stopped' || this.failed || this.socket.destroyed) return;
    // Reusing the buffer is safe: the whole previous message has come back, so the kernel has sent
    // all of it and Node no longer reads from it.
    this.run.pattern.fill(this.message, this.id, this.seq++);
    this.received = 0;
    this.sentAt = performance.now();
    this.socket.write(this.message);
  }

  private onData(chunk: Buffer): void {
    const end = this.received + chunk.length;
    // memcmp of the chunk against the same span of what was sent: no per-byte JS on the hot path.
    if (end > this.message.length || chunk.compare(this.message, this.received, end) !== 0) {
      this.fail('verify', new Error(`echo of message ${this.seq - 1} differs from what was sent`));
      return;
    }
    this.received = end;
    if (end < this.message.length) return;
    if (this.onFirstEcho !== undefined) {
      // Connecting: the first echo proves the server accepted us; the run starts the loop later.
      this.open = true;
      this.settleFirstEcho();
      return;
    }
    this.run.completed(performance.now() - this.sentAt);
    this.sendNext();
  }

  private settleFirstEcho(error?: Error): void {
    const settle = this.onFirstEcho;
    this.onFirstEcho = undefined;
    settle?.(error);
  }

  /** A failure is counted once, the connection closed, and the others carry on. */
  private fail(kind: 'error' | 'verify', error: Error): void {
    if (this.failed || this.run.phase === 'stopped') return;
    this.failed = true;
    if (kind === 'verify') this.run.verifyFailures++;
    else this.run.errors++;
    this.settleFirstEcho(error);
    this.socket.destroy();
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
