// One connection of the load session: the messages it has outstanding, in order, each checked byte
// for byte as its echo returns (pattern.ts). It proves itself with a first echo, then sends as its
// owner drives it: on each echo (closed loop) or on a schedule (open loop).
import type net from 'node:net';
import { monotonicMs } from '../clock.js';
import type { EchoPattern } from './pattern.js';

/** What a connection needs from the session that owns it. */
export interface ConnectionOwner {
  readonly pattern: EchoPattern;
  readonly drive: { readonly mode: string };
  /** Set while the session closes: the sockets it destroys are not failures. */
  readonly closing: boolean;
  completed(time: number, due: number, sent: number): void;
  failed(kind: 'error' | 'verify'): void;
}

interface Outstanding {
  readonly message: Buffer;
  readonly due: number;
  readonly sent: number;
}

export class SessionConnection {
  readonly #queue: Outstanding[] = [];
  #received = 0;
  #seq = 0;
  #nextDue = 0;
  #period = 0;
  #failed = false;
  /** The buffer of the last message whose whole echo is back: the kernel has sent it, so it is free again. */
  #spare: Buffer | undefined;
  readonly #closed: Promise<void>;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly id: number,
    private readonly socket: net.Socket,
    /** Called once: when the first echo is back, or with the error if the connection failed first. */
    private onFirstEcho: ((error?: Error) => void) | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#fail('error', new Error('the server ended the connection')));
    socket.on('error', (error) => this.#fail('error', error));
    // Our own destroy() emits no 'error': only real failures are counted.
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

  /**
   * Writes the next message, in a buffer of its own while outstanding (an open loop may have several
   * in the kernel). `due` is its place on the open loop's schedule; unscheduled, it is due when sent.
   */
  send(due?: number): void {
    if (this.#failed || this.socket.destroyed) return;
    const message = this.#spare ?? Buffer.allocUnsafe(this.owner.pattern.size);
    this.#spare = undefined;
    this.owner.pattern.fill(message, this.id, this.#seq++);
    const sent = monotonicMs();
    this.#queue.push({ message, due: due ?? sent, sent });
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
      // memcmp of the chunk's span against the same span of what was sent: no per-byte JS.
      if (chunk.compare(head.message, this.#received, this.#received + take, offset, offset + take) !== 0) {
        this.#fail('verify', new Error(`echo of message ${this.#seq - this.#queue.length} differs from what was sent`));
        return;
      }
      offset += take;
      this.#received += take;
      if (this.#received < head.message.length) return;
      this.#queue.shift();
      this.#received = 0;
      this.#spare = head.message;
      this.#complete(head);
    }
  }

  #complete(head: Outstanding): void {
    const now = monotonicMs();
    if (this.onFirstEcho !== undefined) {
      // Connecting: the first echo proves the server accepted us; it is not a measured round trip.
      this.#settleFirstEcho();
      return;
    }
    this.owner.completed(now, head.due, head.sent);
    if (this.owner.drive.mode === 'closed' && this.#queue.length === 0) this.send();
  }

  #settleFirstEcho(error?: Error): void {
    const settle = this.onFirstEcho;
    this.onFirstEcho = undefined;
    settle?.(error);
  }

  /** A failure closes this connection, and is counted once if it came after connecting; the others carry on. */
  #fail(kind: 'error' | 'verify', error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    if (this.onFirstEcho === undefined && !this.owner.closing) this.owner.failed(kind);
    this.#settleFirstEcho(error);
    this.socket.destroy();
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.#closed;
  }
}
