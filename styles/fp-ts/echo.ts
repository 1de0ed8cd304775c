// Echo in fp-ts: each connection is one TaskEither loop, run in constant memory by chainRec inside
// `TE.bracket`, whose release destroys the socket on every path; the socket is read only once the
// last chunk is written (pull). The server around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) is a Left of that
// connection's loop only; the release runs, and the Left is dropped at the connection's edge.
// Look at: readChunk and writeChunk, where socket events become TaskEithers (`() => new Promise`).
import type { Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as T from 'fp-ts/lib/Task.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { closedError } from '../../scenarios/echo/contract.js';
import { chainRec } from './chain-rec.js';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  // At once: fp-ts runs every IO a microtask late, and an 'error' with no listener crashes the process.
  socket.on('error', () => undefined); // the loop reads the error from `socket.errored`
  void echoConnection(socket)(); // never rejects: its Left is dropped at its edge
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(socket: Socket): T.Task<void> {
  // One turn, built once and run per chunk (a TaskEither can run again); Left means "go round again".
  const turn = pipe(
    readChunk(socket),
    TE.flatMap(
      O.match(
        // The client half-closed: end our side once everything owed is written, and stop.
        () => pipe(endWriting(socket), TE.map(() => E.right(undefined))),
        (chunk) => pipe(writeChunk(socket, chunk), TE.map(() => E.left(undefined))),
      ),
    ),
  );
  return pipe(
    TE.bracketW(TE.right(socket), () => chainRec(undefined, () => turn), (connection) => TE.fromIO(() => void connection.destroy())),
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    TE.match(() => undefined, () => undefined),
  );
}

/** The next chunk, `None` at the half-close, a Left if the socket failed. */
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

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, waits for 'drain'. */
function writeChunk(socket: Socket, chunk: Buffer): TE.TaskEither<Error, void> {
  return () =>
    new Promise<E.Either<Error, void>>((resolve) => {
      if (socket.destroyed) return resolve(E.left(closedError(socket)));
      if (socket.write(chunk)) return resolve(E.right(undefined));
      settleOn(socket, 'drain', resolve);
    });
}

/** Ends our side after the queued bytes, and waits until they are all out. */
function endWriting(socket: Socket): TE.TaskEither<Error, void> {
  return () => new Promise<E.Either<Error, void>>((resolve) => settleOn(socket, 'finish', resolve, () => socket.end()));
}

/** Right on `event` (listened for before `start`); a Left if the socket closes first with bytes still owed. */
function settleOn(socket: Socket, event: 'drain' | 'finish', resolve: (result: E.Either<Error, void>) => void, start?: () => void): void {
  const onEvent = (): void => finish(E.right(undefined));
  const onClose = (): void => finish(socket.writableFinished ? E.right(undefined) : E.left(closedError(socket)));
  const finish = (result: E.Either<Error, void>): void => {
    socket.off(event, onEvent).off('close', onClose);
    resolve(result);
  };
  socket.once(event, onEvent).once('close', onClose);
  start?.();
}
