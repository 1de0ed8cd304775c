// Echo in Effect: one fiber per connection, a loop of `yield* readChunk` and `yield* writeChunk` in
// `Effect.gen`, whose `ensuring` destroys the socket on every path; the socket is read only once the
// last chunk is written (pull). The server around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) fails that connection's
// fiber only; `Effect.ignore` drops it at the connection's edge, and the server never sees it.
// Look at: readChunk and writeChunk, where socket events become Effects through `Effect.callback`.
import type { Socket } from 'node:net';
// Deep imports (effect/Effect, not the 'effect' barrel): the barrel loads some 260 modules, and a
// server started with `ulimit -n 64` runs out of descriptors before it can listen.
import * as Effect from 'effect/Effect';
import { closedError } from '../../scenarios/echo/contract.js';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  // At once: the fiber starts later, and an 'error' with no listener crashes the process.
  socket.on('error', () => undefined); // the loop reads the error from `socket.errored`
  Effect.runFork(echoConnection(socket));
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(socket: Socket): Effect.Effect<void> {
  return Effect.gen(function* () {
    for (let chunk = yield* readChunk(socket); chunk !== null; chunk = yield* readChunk(socket)) {
      yield* writeChunk(socket, chunk);
    }
    // The client half-closed: end our side once everything owed is written.
    yield* endWriting(socket);
  }).pipe(
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    Effect.ignore,
    Effect.ensuring(Effect.sync(() => socket.destroy())),
  );
}

/** The next chunk, null at the half-close, a failure if the socket failed; interrupted, it stops listening. */
function readChunk(socket: Socket): Effect.Effect<Buffer | null, Error> {
  return Effect.callback((resume) => {
    const attempt = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) finish(Effect.succeed(chunk));
      else if (socket.readableEnded) finish(Effect.succeed(null));
      else if (socket.destroyed) finish(Effect.fail(closedError(socket)));
    };
    const stop = (): void => void socket.off('readable', attempt).off('end', attempt).off('close', attempt);
    const finish = (result: Effect.Effect<Buffer | null, Error>): void => {
      stop();
      resume(result);
    };
    socket.on('readable', attempt).on('end', attempt).on('close', attempt);
    attempt();
    return Effect.sync(stop);
  });
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, waits for 'drain'. */
function writeChunk(socket: Socket, chunk: Buffer): Effect.Effect<void, Error> {
  return Effect.suspend(() => {
    if (socket.destroyed) return Effect.fail(closedError(socket));
    return socket.write(chunk) ? Effect.void : settleOn(socket, 'drain');
  });
}

/** Ends our side after the queued bytes, and waits until they are all out. */
function endWriting(socket: Socket): Effect.Effect<void, Error> {
  return settleOn(socket, 'finish', () => socket.end());
}

/** Done on `event` (listened for before `start`); a failure if the socket closes first with bytes still owed. */
function settleOn(socket: Socket, event: 'drain' | 'finish', start?: () => void): Effect.Effect<void, Error> {
  return Effect.callback((resume) => {
    const onEvent = (): void => finish(Effect.void);
    const onClose = (): void => finish(socket.writableFinished ? Effect.void : Effect.fail(closedError(socket)));
    const stop = (): void => void socket.off(event, onEvent).off('close', onClose);
    const finish = (result: Effect.Effect<void, Error>): void => {
      stop();
      resume(result);
    };
    socket.once(event, onEvent).once('close', onClose);
    start?.();
    return Effect.sync(stop);
  });
}
