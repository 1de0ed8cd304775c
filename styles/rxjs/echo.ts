// Echo in RxJS: each connection is one Observable, as long-lived as its socket: chunks in, `concatMap`
// writes them out in order. The server around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) is an error notification
// of that connection's Observable only; `catchError` ends it there, and the server never sees it.
// Backpressure, where reactive streams are weakest: an Observable pushes and cannot say "wait", so
// `writeChunk` pauses the socket until 'drain', and concatMap's queue stays empty meanwhile.
// Look at: writeChunk, and `takeUntil(closedOrFailed(socket))`, which bounds a connection by its socket.
import type { Socket } from 'node:net';
import { EMPTY, NEVER, Observable, catchError, concat, concatMap, defer, finalize, takeUntil } from 'rxjs';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  // Subscribed while the 'connection' event is being delivered, so its listeners are in place
  // before the socket can emit anything.
  echoConnection(socket).subscribe();
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(socket: Socket): Observable<never> {
  return concat(readChunks(socket).pipe(concatMap((chunk) => writeChunk(socket, chunk))), endWriting(socket)).pipe(
    // Subscribed before the source, so the 'error' listener is in place before any other.
    takeUntil(closedOrFailed(socket)),
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    catchError(() => EMPTY),
    finalize(() => socket.destroy()),
  );
}

// The client's chunks; its half-close ('end') completes the stream. One Observable over both events
// rather than `fromEvent(socket, 'data')` cut by `takeUntil(fromEvent(socket, 'end'))`: the same
// stream, with one subscriber per connection instead of three, each held while the connection is open.
function readChunks(socket: Socket): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const onData = (chunk: Buffer): void => subscriber.next(chunk);
    const onEnd = (): void => subscriber.complete();
    socket.on('data', onData).once('end', onEnd);
    return () => {
      socket.off('data', onData).off('end', onEnd);
    };
  });
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, pauses it until 'drain'. */
function writeChunk(socket: Socket, chunk: Buffer): Observable<never> {
  return new Observable<never>((subscriber) => {
    if (socket.write(chunk)) {
      subscriber.complete();
      return undefined;
    }
    socket.pause();
    const onDrain = (): void => {
      socket.resume();
      subscriber.complete();
    };
    socket.once('drain', onDrain);
    return () => socket.off('drain', onDrain);
  });
}

// Once every chunk is written: end our side, flushing what is queued. It never completes: the
// connection ends when the socket has closed, which `closedOrFailed` says.
function endWriting(socket: Socket): Observable<never> {
  return defer(() => {
    socket.end();
    return NEVER;
  });
}

// Emits once the socket has closed, and is an error notification if it fails first: the events a
// connection ends on, for `takeUntil`. An 'error' without a listener would crash the process.
function closedOrFailed(socket: Socket): Observable<void> {
  return new Observable<void>((subscriber) => {
    const onClose = (): void => subscriber.next();
    const onError = (error: Error): void => subscriber.error(error);
    socket.once('close', onClose).on('error', onError);
    return () => {
      socket.off('close', onClose).off('error', onError);
    };
  });
}
