// The native load client: the same sessions as session.ts (closed loop, open loop at a fixed rate,
// every byte verified, one record per round trip on the machine's monotonic clock), with the socket
// work done by a C engine (native/load.c) so that the client is not the bottleneck of a capacity
// window. The engine only records; windows are read here with the Node client's code (records.ts).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { monotonicMs } from '../clock.js';
import { Records, windowOf, type WindowStats } from './records.js';
import { EchoLoadConnectError, type Drive, type SessionOptions } from './session.js';

const DEFAULT_MAX_OUTSTANDING = 256;
/** Bytes of one record the engine sends: f64 completion ms, f32 µs from due, f32 µs from send. */
const RECORD_BYTES = 16;

/** The engine answered `err`, or ended while a command waited. */
export class NativeLoadError extends Error {
  override readonly name = 'NativeLoadError';
}

/** One engine process holding any number of named sessions; commands go one at a time. */
export class NativeEngine {
  readonly #proc: ChildProcessByStdio<Writable, Readable, Readable>;
  #buffer: Buffer = Buffer.alloc(0);
  #queue: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | undefined;
  #ended: string | undefined;
  #stderr = '';

  /** Starts the compiled engine (harness/native.ts builds it). */
  constructor(readonly binary: string) {
    this.#proc = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdout.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    this.#proc.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-2000);
    });
    const end = (why: string): void => {
      this.#ended ??= why;
      this.#wake?.();
    };
    this.#proc.on('error', (error) => end(`could not start ${binary}: ${error.message}`));
    this.#proc.on('exit', (code, signal) => end(`the engine exited (${signal ?? `code ${String(code)}`})${this.#stderr === '' ? '' : `: ${this.#stderr.trim()}`}`));
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /** Sends one command; resolves with the words after `ok` and, when `binary` says how many, the bytes that follow. */
  command(line: string, binary?: (words: readonly string[]) => number): Promise<{ words: string[]; bytes: Buffer }> {
    const run = async (): Promise<{ words: string[]; bytes: Buffer }> => {
      if (this.#ended !== undefined) throw new NativeLoadError(`native load: ${this.#ended}`);
      this.#proc.stdin.write(`${line}\n`);
      const text = (await this.#take((buffer) => (buffer.indexOf(10) < 0 ? undefined : buffer.indexOf(10) + 1))).toString().trimEnd();
      if (!text.startsWith('ok')) throw new NativeLoadError(`native load: ${line.split(' ')[0] ?? line}: ${text.replace(/^err /, '')}`);
      const words = text.split(' ').slice(1);
      const length = binary?.(words) ?? 0;
      const bytes = length === 0 ? Buffer.alloc(0) : await this.#take((buffer) => (buffer.length >= length ? length : undefined));
      return { words, bytes };
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Waits until `ready` says how many buffered bytes make the next answer, and takes them. */
  async #take(ready: (buffer: Buffer) => number | undefined): Promise<Buffer> {
    for (;;) {
      const length = ready(this.#buffer);
      if (length !== undefined) {
        const taken = Buffer.from(this.#buffer.subarray(0, length));
        this.#buffer = this.#buffer.subarray(length);
        return taken;
      }
      if (this.#ended !== undefined) throw new NativeLoadError(`native load: ${this.#ended}`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  /** The engine's CPU, read by itself, with the instant on the monotonic clock. */
  async cpu(): Promise<{ user: number; system: number; t: number }> {
    const { words } = await this.command('cpu');
    return { user: Number(words[0]), system: Number(words[1]), t: Number(words[2]) };
  }

  /** Closes its stdin (it exits at EOF), then kills it if it has not gone within a second. */
  async stop(): Promise<void> {
    if (this.#ended !== undefined) return;
    const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()));
    this.#proc.stdin.end();
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 1_000);
    await exited;
    clearTimeout(timer);
  }
}

let sessionIds = 0;

/** A load session whose connections live in the engine; the same surface as LoadSession where the harness uses it. */
export class NativeSession {
  readonly records = new Records();
  errors = 0;
  verifyFailures = 0;
  readonly #skips: number[] = [];

  private constructor(
    readonly engine: NativeEngine,
    readonly name: string,
    readonly options: SessionOptions,
    readonly connections: number,
  ) {}

  /** Opens every connection (in batches of ten, each proven by a first echo, as session.ts does), or throws EchoLoadConnectError. */
  static async open(engine: NativeEngine, options: SessionOptions): Promise<NativeSession> {
    options.signal?.throwIfAborted();
    if (options.host !== '127.0.0.1') throw new RangeError(`native load: only 127.0.0.1 is supported (got ${options.host}); use the node client for another host`);
    const name = `s${++sessionIds}`;
    const max = options.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING;
    try {
      const { words } = await engine.command(`open ${name} ${options.port} ${options.connections} ${options.size} ${max}`);
      return new NativeSession(engine, name, options, Number(words[0]));
    } catch (error) {
      const opened = /^native load: open: (\d+) of/.exec(error instanceof Error ? error.message : '');
      if (opened === null) throw error;
      const count = Number(opened[1]);
      throw new EchoLoadConnectError(options.host, options.port, count, options.connections - count, options.connections, error);
    }
  }

  /** Changes how the connections are driven; resolves with the instant the engine made the change. */
  async setDrive(drive: Drive): Promise<number> {
    if (drive.mode === 'open' && !(drive.rate > 0)) throw new RangeError(`echo load: an open loop needs a rate above 0 (got ${drive.rate})`);
    const { words } = await this.engine.command(`drive ${this.name} ${drive.mode}${drive.mode === 'open' ? ` ${drive.rate}` : ''}`);
    return Number(words[0]);
  }

  /** Brings the engine's records, skips and failure counts over. */
  async #drain(): Promise<void> {
    const { words, bytes } = await this.engine.command(`drain ${this.name}`, (w) => Number(w[0]) * RECORD_BYTES + Number(w[1]) * 8);
    const records = Number(words[0]);
    for (let i = 0; i < records; i++) {
      const at = i * RECORD_BYTES;
      this.records.push(bytes.readDoubleLE(at), bytes.readFloatLE(at + 8), bytes.readFloatLE(at + 12));
    }
    for (let i = 0, at = records * RECORD_BYTES; i < Number(words[1]); i++, at += 8) this.#skips.push(bytes.readDoubleLE(at));
    if (this.#skips.length > 100_000) this.#skips.splice(0, 50_000);
    this.errors = Number(words[2]);
    this.verifyFailures = Number(words[3]);
  }

  async window(from: number, to: number): Promise<WindowStats> {
    return this.spans([[from, to]]);
  }

  async spans(spans: readonly (readonly [number, number])[]): Promise<WindowStats> {
    await this.#drain();
    return windowOf(this.records, this.#skips, spans, this.options.size);
  }

  forget(time: number): void {
    this.records.forget(time);
  }

  /** Resolves once the monotonic clock has passed `time` (the engine's failures show in the window's counts). */
  async waitUntil(time: number, signal?: AbortSignal): Promise<number> {
    while (monotonicMs() < time) {
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(100, Math.ceil(time - monotonicMs())))));
    }
    await this.#drain();
    return time;
  }

  async close(): Promise<void> {
    await this.engine.command(`close ${this.name}`).catch(() => undefined);
  }
}
