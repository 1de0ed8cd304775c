// The echo server in Effect: one fiber per connection, a loop of `yield* readChunk` and
// `yield* writeChunk` in `Effect.gen`, forked into a FiberSet that belongs to the server's Scope.
// Closing that Scope stops accepting, interrupts every connection fiber (each one's `ensuring`
// destroys its socket) and waits until the listener and every socket have closed.
// How it fails: a socket error fails that connection's fiber only; `Effect.ignore` drops it at the
// connection's edge, so a reset never reaches the server or the other fibers.
// Backpressure is the pull model (as in fp-ts): the socket stays in paused mode and is read only
// when the fiber asks for the next chunk, after the previous one was written or drained; a client
// that stops reading stops the server reading from it.
// Look at: readChunk and writeChunk, where socket events become Effects through `Effect.callback`;
// serveConnection, the one thing done before the fiber runs; and closeServer's order.
import net, { type AddressInfo, type Socket } from 'node:net';
// Deep imports (effect/Effect, not the 'effect' barrel): the barrel loads some 260 modules at start,
// and a server started with `ulimit -n 64` runs out of descriptors before it can listen.
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import * as Fiber from 'effect/Fiber';
import * as FiberSet from 'effect/FiberSet';
import * as Scope from 'effect/Scope';
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';

export interface EffectEchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, ends every open connection, and succeeds once the listener and all of them have closed. */
  readonly close: Effect.Effect<void>;
}

// Running it creates a server and listens; `close` closes the server's Scope, once however often it runs.
export function startEchoServer(options: EchoServerOptions): Effect.Effect<EffectEchoServer, Error> {
  return Effect.gen(function* () {
    const scope = yield* Scope.make();
    const server = yield* serve(options).pipe(
      Scope.provide(scope),
      Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
    );
    const close = yield* Effect.cached(Scope.close(scope, Exit.void));
    return { ...server, close };
  });
}

// Everything the server holds, acquired in the Scope it is given.
function serve(options: EchoServerOptions): Effect.Effect<Omit<EffectEchoServer, 'close'>, Error, Scope.Scope> {
  return Effect.gen(function* () {
    const sockets = new Set<Socket>();
    const fibers = yield* FiberSet.make<void>();
    const fork = yield* FiberSet.runtime(fibers)();
    const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => serveConnection(socket, sockets, fork));
    const address = yield* Effect.acquireRelease(listen(server, options), () => closeServer(server, fibers));
    return { host: options.host, port: address.port, connections: () => sockets.size };
  });
}

function listen(server: net.Server, options: EchoServerOptions): Effect.Effect<AddressInfo, Error> {
  return Effect.callback((resume) => {
    const onError = (error: Error): void => resume(Effect.fail(error));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
      // connection itself); the listener stays open, so surviving them means ignoring them.
      server.on('error', () => undefined);
      resume(Effect.succeed(server.address() as AddressInfo));
    });
  });
}

// The listener's release, in this order: stop accepting at once (the fork starts immediately, so
// no connection can arrive after the fibers were interrupted), interrupt every connection fiber and
// wait for their sockets to close, then wait for the listener's own 'close'.
function closeServer(server: net.Server, fibers: FiberSet.FiberSet<void>): Effect.Effect<void> {
  return Effect.gen(function* () {
    const closing = yield* Effect.forkChild(closeListener(server), { startImmediately: true });
    yield* FiberSet.clear(fibers);
    yield* Fiber.join(closing);
  });
}

// Done when the listener has closed, which Node does only once every connection has closed.
function closeListener(server: net.Server): Effect.Effect<void> {
  return Effect.callback((resume) => {
    server.close(() => resume(Effect.void));
  });
}

// What must be in place before the fiber first runs is done here, synchronously: Node may emit a
// socket's 'error' before any fiber gets round to it, and without a listener the process would crash.
function serveConnection(socket: Socket, sockets: Set<Socket>, fork: (effect: Effect.Effect<void>) => unknown): void {
  socket.on('error', () => undefined); // the loop reads it from `socket.errored`
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket)); // open until its handle is released
  fork(echoConnection(socket));
}

/** One connection's whole life, as one fiber: the loop, then the socket destroyed on every path. */
export function echoConnection(socket: Socket): Effect.Effect<void> {
  return Effect.gen(function* () {
    for (let chunk = yield* readChunk(socket); chunk !== null; chunk = yield* readChunk(socket)) {
      yield* writeChunk(socket, chunk);
    }
    yield* endWriting(socket);
  }).pipe(
    // The edge of the connection: its failure ends here, and nothing else hears of it.
    Effect.ignore,
    Effect.ensuring(closeSocket(socket)),
  );
}

// The next chunk, null once the client has half-closed (its 'end'); a failure if the socket failed.
// Interrupted while waiting (the server closing), it stops listening.
function readChunk(socket: Socket): Effect.Effect<Buffer | null, Error> {
  return Effect.callback((resume) => {
    const attempt = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) finish(Effect.succeed(chunk));
      else if (socket.readableEnded) finish(Effect.succeed(null));
      else if (socket.destroyed) finish(Effect.fail(closedError(socket)));
    };
    const stop = (): void => {
      socket.off('readable', attempt).off('end', attempt).off('close', attempt);
    };
    const finish = (result: Effect.Effect<Buffer | null, Error>): void => {
      stop();
      resume(result);
    };
    socket.on('readable', attempt).on('end', attempt).on('close', attempt);
    attempt();
    return Effect.sync(stop);
  });
}

// Done once the socket took the chunk: at once below the high-water mark, else on 'drain'.
function writeChunk(socket: Socket, chunk: Buffer): Effect.Effect<void, Error> {
  return Effect.suspend(() => {
    if (socket.destroyed) return Effect.fail(closedError(socket));
    return socket.write(chunk) ? Effect.void : drained(socket);
  });
}

function drained(socket: Socket): Effect.Effect<void, Error> {
  return Effect.callback((resume) => {
    const onDrain = (): void => finish(Effect.void);
    const onClose = (): void => finish(Effect.fail(closedError(socket)));
    const stop = (): void => {
      socket.off('drain', onDrain).off('close', onClose);
    };
    const finish = (result: Effect.Effect<void, Error>): void => {
      stop();
      resume(result);
    };
    socket.once('drain', onDrain).once('close', onClose);
    return Effect.sync(stop);
  });
}

// After the client's half-close: end our side and wait until everything queued has been flushed.
function endWriting(socket: Socket): Effect.Effect<void, Error> {
  return Effect.callback((resume) => {
    const onFinish = (): void => finish(Effect.void);
    const onClose = (): void => finish(socket.writableFinished ? Effect.void : Effect.fail(closedError(socket)));
    const stop = (): void => {
      socket.off('finish', onFinish).off('close', onClose);
    };
    const finish = (result: Effect.Effect<void, Error>): void => {
      stop();
      resume(result);
    };
    socket.once('finish', onFinish).once('close', onClose);
    socket.end();
    return Effect.sync(stop);
  });
}

// Destroys one connection; done when the socket has closed (its handle released), after `destroy`.
function closeSocket(socket: Socket): Effect.Effect<void> {
  return Effect.callback((resume) => {
    if (socket.closed) {
      resume(Effect.void);
      return;
    }
    socket.once('close', () => resume(Effect.void));
    socket.destroy();
  });
}

/** A socket that closed without an error of its own: destroyed by `close`, or the peer vanished. */
function closedError(socket: Socket): Error {
  return socket.errored ?? new Error('socket closed');
}
