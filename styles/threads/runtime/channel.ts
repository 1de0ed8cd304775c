// The blocking call: how a worker thread waits for the main thread, synckit's technique. Each
// thread owns one channel: a MessagePort pair and a 4-byte SharedArrayBuffer flag. The worker
// posts a request and sleeps in `Atomics.wait` on the flag; the main thread does the I/O on its
// event loop, posts the reply, then sets the flag and `Atomics.notify`s; the worker wakes and takes
// the reply off its port with `receiveMessageOnPort` (its own event loop never runs meanwhile).
//
//   worker                               main
//   flag = WAITING; post(request) ──────► on 'message': start the I/O
//   Atomics.wait(flag, WAITING)          ... I/O completes ...
//        (blocked, no CPU)       ◄────── post(reply); flag = REPLIED; Atomics.notify(flag)
//   receiveMessageOnPort(port) -> reply
//
// Invariant: a channel has at most one request outstanding (its thread is blocked on it), so the
// flag needs no sequence number and the main side holds at most one pending reply per thread. A
// notify may land a call late (the worker saw REPLIED before it came): the worker re-checks the flag.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { decodeError, encodeError, type EncodedError } from './errors.js';

const WAITING = 0;
const REPLIED = 1;

/** What the worker receives: its port and the flag, both transferable to a Worker. */
export interface ChannelEnds {
  readonly port: MessagePort;
  readonly flag: SharedArrayBuffer;
}

export type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: EncodedError };

/** Main side: the worker's requests, one at a time, and the one way to answer each. */
export interface ChannelHost<Request> {
  /** Handed to the Worker (in workerData and its transfer list). */
  readonly workerEnds: ChannelEnds;
  /** Called for each request; one of `answer` / `fail` must be called for it, now or later (a second call is ignored). */
  onRequest(handler: (request: Request, answer: (value: unknown) => void, fail: (error: unknown) => void) => void): void;
  /** Stops listening: the port closes, so the main event loop is not kept alive by it. */
  close(): void;
}

export function createChannel<Request>(): ChannelHost<Request> {
  const { port1: mainPort, port2: workerPort } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const state = new Int32Array(flag);
  // Invariant: `current` numbers the request the thread is blocked on; `answered` says whether it
  // has its reply. An answer for an older request (a late I/O callback) is dropped, never delivered.
  let current = 0;
  let answered = true;

  const send = (seq: number, reply: Reply): void => {
    if (seq !== current || answered) return;
    answered = true;
    mainPort.postMessage(reply);
    // After the post: the worker reads the port as soon as it wakes.
    Atomics.store(state, 0, REPLIED);
    Atomics.notify(state, 0);
  };

  return {
    workerEnds: { port: workerPort, flag },
    onRequest(handler) {
      mainPort.on('message', (request: Request) => {
        const seq = ++current;
        answered = false;
        try {
          handler(request, (value) => send(seq, { ok: true, value }), (error) => send(seq, { ok: false, error: encodeError(error) }));
        } catch (error) {
          send(seq, { ok: false, error: encodeError(error) });
        }
      });
    },
    close() {
      mainPort.close();
    },
  };
}

/** Worker side: a request in, the reply out, the thread blocked in between. */
export class BlockingChannel {
  private readonly state: Int32Array;

  constructor(private readonly ends: ChannelEnds) {
    this.state = new Int32Array(ends.flag);
  }

  /** Blocks this thread until the main thread answers; throws the (rebuilt) error it answered with. */
  call(request: unknown): unknown {
    Atomics.store(this.state, 0, WAITING);
    this.ends.port.postMessage(request);
    // A wake-up is not a reply: the notify of the previous call may arrive only now (the flag read
    // REPLIED and this thread went on before the main thread got to notify), so wait until the flag
    // says REPLIED, which the main thread sets only after posting the reply (esbuild#590's race).
    while (Atomics.load(this.state, 0) === WAITING) Atomics.wait(this.state, 0, WAITING);
    const received = receiveMessageOnPort(this.ends.port);
    if (received === undefined) throw new Error('the main thread woke this thread without a reply (runtime bug)');
    const reply = received.message as Reply;
    if (reply.ok) return reply.value;
    throw decodeError(reply.error);
  }
}
