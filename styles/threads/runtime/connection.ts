// One accepted socket, served to the one thread that owns it: `recv`, `sendAll`, `shutdown` and
// `close` as the main thread carries them out. Backpressure both ways:
// - reading: the socket is in paused mode; Node reads from the kernel only while its readable
//   buffer is under the high-water mark, and only `recv` empties that buffer, so nothing more is
//   read while the thread is busy (or blocked in sendAll): the kernel's buffers, then TCP, push
//   back on the peer;
// - writing: `sendAll` answers from the write callback, i.e. once libuv has handed the bytes to the
//   kernel, so the thread cannot queue a second chunk behind a full socket.
// An 'error' listener stays on the socket for its whole life (an unheard 'error' would be thrown).
import type net from 'node:net';

type Answer = (value: unknown) => void;
type Fail = (error: unknown) => void;

export class SocketConnection {
  private pendingRecv: { readonly answer: Answer; readonly fail: Fail } | undefined;
  /** A write, a shutdown: failed by 'close' if its own callback never comes. */
  private pendingWrite: Fail | undefined;
  private ended = false;
  private closed = false;
  private error: Error | undefined;

  constructor(readonly socket: net.Socket) {
    socket.on('readable', () => this.pump());
    socket.on('end', () => {
      this.ended = true;
      this.pump();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
      this.pump();
      this.pendingWrite?.(this.error ?? closedError('write'));
      this.pendingWrite = undefined;
    });
  }

  recv(answer: Answer, fail: Fail): void {
    this.pendingRecv = { answer, fail };
    this.pump();
  }

  sendAll(bytes: Uint8Array, answer: Answer, fail: Fail): void {
    if (this.closed || this.socket.destroyed) {
      fail(this.error ?? closedError('write'));
      return;
    }
    this.pendingWrite = fail;
    this.socket.write(bytes, (error) => {
      this.pendingWrite = undefined;
      if (error !== null && error !== undefined) fail(error);
      else answer(undefined);
    });
  }

  shutdown(answer: Answer, fail: Fail): void {
    if (this.closed || this.socket.destroyed) {
      fail(this.error ?? closedError('shutdown'));
      return;
    }
    this.pendingWrite = fail;
    this.socket.end(() => {
      this.pendingWrite = undefined;
      answer(undefined);
    });
  }

  close(answer: Answer): void {
    this.socket.destroy();
    answer(undefined);
  }

  /** Answers a waiting recv if it can be: bytes first, then the end of input, then an error or a close. */
  private pump(): void {
    const waiting = this.pendingRecv;
    if (waiting === undefined) return;
    const chunk = this.socket.destroyed ? null : (this.socket.read() as Buffer | null);
    if (chunk !== null) {
      this.pendingRecv = undefined;
      waiting.answer(chunk);
    } else if (this.error !== undefined) {
      this.pendingRecv = undefined;
      waiting.fail(this.error);
    } else if (this.ended) {
      this.pendingRecv = undefined;
      waiting.answer(new Uint8Array(0));
    } else if (this.closed || this.socket.destroyed) {
      this.pendingRecv = undefined;
      waiting.fail(closedError('read'));
    }
  }
}

/** The socket was destroyed under the thread (the server is closing): a socket error with a code. */
function closedError(what: string): Error {
  return Object.assign(new Error(`${what} on a connection that was closed`), { code: 'ECONNABORTED' });
}
