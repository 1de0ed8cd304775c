// Putting a decided answer on the wire (fake-github-answer.ts decides it; the server has already
// applied the latency and hold): a normal answer at once, a reset as a TCP RST, and the two streamed
// faults, huge-body as fast as the client reads and trickle one byte at a time.
import type http from 'node:http';
import type { Answer } from './fake-github-answer.js';
import { HUGE_BODY_BYTES } from './faults.js';

const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x20);

/** A request the server has decided and not yet answered. */
export interface Pending {
  readonly request: http.IncomingMessage;
  readonly response: http.ServerResponse;
  readonly answer: Answer;
  /** The latency's timeout, then trickle's interval: the response's 'close' clears either. */
  timer: NodeJS.Timeout | undefined;
}

/** Writes the answer, unless the client has gone; a hang is never delivered (the server keeps it open). */
export function deliver(entry: Pending): void {
  const { answer, request, response } = entry;
  if (response.destroyed || response.writableEnded) return;
  if (answer.kind === 'reset') {
    // A TCP RST, not a FIN: the client sees ECONNRESET, as when a proxy drops the connection.
    request.socket.resetAndDestroy();
    return;
  }
  if (answer.kind === 'respond') {
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }
  if (answer.kind === 'stream') stream(entry, answer);
}

// huge-body writes HUGE_BODY_BYTES of JSON whitespace as fast as the client reads (waiting for
// 'drain', so the server holds one chunk at a time); trickle writes one byte of the real body every
// `everyMs`. Both stop when the client hangs up: 'close' clears the timer kept in `entry.timer`.
function stream(entry: Pending, answer: Extract<Answer, { kind: 'stream' }>): void {
  const { response } = entry;
  response.writeHead(200, answer.headers);
  if (answer.fault === 'huge-body') {
    let sent = 0;
    const pump = (): void => {
      while (sent < HUGE_BODY_BYTES && !response.destroyed) {
        sent += HUGE_CHUNK.length;
        if (!response.write(HUGE_CHUNK)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    pump();
    return;
  }
  let at = 0;
  entry.timer = setInterval(() => {
    if (response.destroyed) return;
    response.write(answer.body.subarray(at, at + 1));
    at++;
    if (at >= answer.body.length) {
      clearInterval(entry.timer);
      response.end();
    }
  }, answer.everyMs);
}
