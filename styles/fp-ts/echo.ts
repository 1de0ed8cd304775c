// The echo server in fp-ts: each connection is one TaskEither loop, read a chunk, write it (waiting
// for 'drain' when the socket's buffer is full), loop, run in constant memory by chainRec and
// wrapped in `TE.bracket`, whose release destroys the socket on every path.
// How it fails: a socket error is a Left of that connection's loop only; the loop stops, the release
// runs, and the Left is dropped at the connection's edge, so a reset never reaches the server.
// Backpressure is the pull model: the socket stays in paused mode and is read only when the previous
// chunk has been written, so a client that stops reading stops the server reading from it.
// Look at: readChunk and writeChunk, where socket events become TaskEithers (the same
// `() => new Promise(...)` boundary as the workflow's `send`), echoConnection's bracket, and
// serveConnection, the one thing that cannot wait for fp-ts to get round to it.
import net, { type AddressInfo, type Socket } from 'node:net';
import { sequenceT } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import * as T from 'fp-ts/lib/Task.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';
import { chainRec } from './chain-rec.js';

export interface TaskEitherEchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, ends every open connection, and resolves a Right when the listener has closed. */
  readonly close: TE.TaskEither<Error, void>;
}

// Building the TaskEither starts nothing; running it creates a server and listens.
export function startEchoServer(options: EchoServerOptions): TE.TaskEither<Error, TaskEitherEchoServer> {
  return pipe(
    TE.fromIO(() => {
      const sockets = new Set<Socket>();
      const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => serveConnection(socket, sockets));
      return { server, sockets };
    }),
    TE.flatMap(({ server, sockets }) =>
      pipe(
        listen(server, options),
        TE.map((address) => ({
          host: options.host,
          port: address.port,
          connections: () => sockets.size,
          close: once(closeServer(server, sockets)),
        })),
      ),
    ),
  );
}

/** Runs a task once however often it is run; every run gets the first run's answer. */
function once<A>(task: T.Task<A>): T.Task<A> {
  let running: ReturnType<T.Task<A>> | undefined;
  return () => (running ??= task());
}

function listen(server: net.Server, options: EchoServerOptions): TE.TaskEither<Error, AddressInfo> {
  return () =>
    new Promise<E.Either<Error, AddressInfo>>((resolve) => {
      const onError = (error: Error): void => resolve(E.left(error));
      server.once('error', onError);
      server.listen(options.port, options.host, () => {
        server.off('error', onError);
        // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
        // connection itself); the listener stays open, so surviving them means ignoring them.
        server.on('error', () => undefined);
        resolve(E.right(server.address() as AddressInfo));
      });
    });
}

// Both at once (ApplyPar): the listener's close waits for the connections, so it cannot come first;
// and the sockets' own 'close' events come after the listener's, so both are waited for.
function closeServer(server: net.Server, sockets: ReadonlySet<Socket>): TE.TaskEither<Error, void> {
  const closeConnections: T.Task<readonly void[]> = () => pipe([...sockets], T.traverseArray(closeSocket))();
  return pipe(
    sequenceT(TE.ApplyPar)(closeListener(server), TE.fromTask(closeConnections)),
    TE.map(() => undefined),
  );
}

// Done when the listener has closed; the listener waits for every connection to be destroyed.
function closeListener(server: net.Server): TE.TaskEither<Error, void> {
  return () =>
    new Promise<E.Either<Error, void>>((resolve) => {
      server.close((error) => resolve(error === undefined ? E.right(undefined) : E.left(error)));
    });
}

// Destroys one connection; done when the socket has closed (its handle released), after `destroy`.
function closeSocket(socket: Socket): T.Task<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (socket.closed) {
        resolve();
        return;
      }
      socket.once('close', () => resolve());
      socket.destroy();
    });
}

// Where a connection's Task is run. What must be in place before the next tick is done here,
// synchronously, because fp-ts runs every IO a microtask late and Node may emit a socket's 'error'
// on the next tick, before any microtask: without a listener by then, the process would crash.
export function serveConnection(socket: Socket, sockets: Set<Socket>): void {
  socket.on('error', () => undefined); // the error reaches the loop as a Left, from `socket.errored`
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket)); // open until its handle is released
  // The Task never rejects: its Left was dropped at its edge.
  void echoConnection(socket)();
}

// One connection's whole life: the loop, bracketed so that the socket is destroyed on every path.
export function echoConnection(socket: Socket): T.Task<void> {
  return pipe(
    TE.bracketW(
      TE.right(socket),
      (connection) => {
        // A TaskEither is a description that can run again and again: one turn, built once, run per chunk.
        const turn = echoTurn(connection);
        return chainRec(undefined, () => turn);
      },
      (connection) =>
        TE.fromIO(() => {
          connection.destroy();
        }),
    ),
    // The edge of the connection: its Left ends here, and nothing else hears of it.
    T.map(() => undefined),
  );
}

// One turn of the loop: Left(undefined) means "go round again", Right(undefined) means "done".
function echoTurn(socket: Socket): TE.TaskEither<Error, E.Either<void, void>> {
  return pipe(
    readChunk(socket),
    TE.flatMap(
      O.match(
        () => pipe(endWriting(socket), TE.map(() => E.right(undefined))),
        (chunk) => pipe(writeChunk(socket, chunk), TE.map(() => E.left(undefined))),
      ),
    ),
  );
}

// The next chunk, `None` once the client has half-closed (its 'end'), a Left if the socket failed.
function readChunk(socket: Socket): TE.TaskEither<Error, O.Option<Buffer>> {
  return () =>
    new Promise<E.Either<Error, O.Option<Buffer>>>((resolve) => {
      const attempt = (): void => {
        const chunk = socket.read() as Buffer | null;
        if (chunk !== null) finish(E.right(O.some(chunk)));
        else if (socket.readableEnded) finish(E.right(O.none));
        else if (socket.destroyed) finish(E.left(closedError(socket)));
      };
      const finish = (result: E.Either<Error, O.Option<Buffer>>): void => {
        socket.off('readable', attempt).off('end', attempt).off('close', attempt);
        resolve(result);
      };
      socket.on('readable', attempt).on('end', attempt).on('close', attempt);
      attempt();
    });
}

// Right once the socket took the chunk: at once below the high-water mark, else on 'drain'.
function writeChunk(socket: Socket, chunk: Buffer): TE.TaskEither<Error, void> {
  return () =>
    new Promise<E.Either<Error, void>>((resolve) => {
      if (socket.destroyed) {
        resolve(E.left(closedError(socket)));
        return;
      }
      if (socket.write(chunk)) {
        resolve(E.right(undefined));
        return;
      }
      const onDrain = (): void => finish(E.right(undefined));
      const onClose = (): void => finish(E.left(closedError(socket)));
      const finish = (result: E.Either<Error, void>): void => {
        socket.off('drain', onDrain).off('close', onClose);
        resolve(result);
      };
      socket.once('drain', onDrain).once('close', onClose);
    });
}

// After the client's half-close: end our side and wait until everything queued has been flushed.
function endWriting(socket: Socket): TE.TaskEither<Error, void> {
  return () =>
    new Promise<E.Either<Error, void>>((resolve) => {
      const onFinish = (): void => finish(E.right(undefined));
      const onClose = (): void => finish(socket.writableFinished ? E.right(undefined) : E.left(closedError(socket)));
      const finish = (result: E.Either<Error, void>): void => {
        socket.off('finish', onFinish).off('close', onClose);
        resolve(result);
      };
      socket.once('finish', onFinish).once('close', onClose);
      socket.end();
    });
}

/** A socket that closed without an error of its own: destroyed by `close`, or the peer vanished. */
function closedError(socket: Socket): Error {
  return socket.errored ?? new Error('socket closed');
}
