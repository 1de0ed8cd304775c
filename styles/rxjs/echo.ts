// The echo server in RxJS: the server is a stream of connections, each connection one Observable
// that lives exactly as long as its socket: chunks in, `concatMap` writes them out in order, and it
// completes when the socket closes. Unsubscribing a connection destroys its socket.
// How it fails: a socket error is an error notification of that connection's Observable only;
// `catchError` ends it there, so a reset closes one connection and never the server.
// Backpressure, where reactive streams are weakest: an Observable pushes and has no way to say
// "wait", and `concatMap` would buffer every chunk a fast client sends while a slow one reads.
// So the write side pulls the brake itself: `writeChunk` completes only when the socket took the
// chunk (`write` returned true) or, when its buffer is full, on 'drain', and while it waits the
// socket is paused, so no 'data' arrives and concatMap's queue stays empty.
// Look at: writeChunk, and `takeUntil(closedOrFailed(socket))`, which bounds each connection by its
// socket's own life.
import net, { type AddressInfo, type Socket } from 'node:net';
import {
  EMPTY, NEVER, Observable, Subscription, catchError, concat, concatMap, defer, finalize, forkJoin, fromEvent, map, merge,
  mergeMap, of, shareReplay, take, takeUntil, tap,
} from 'rxjs';
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';

export interface ObservableEchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, ends every open connection, and emits once when the listener has closed. */
  close(): Observable<void>;
}

export function startEchoServer(options: EchoServerOptions): Observable<ObservableEchoServer> {
  return defer(() => {
    const server = net.createServer(ECHO_SERVER_OPTIONS);
    const sockets = new Set<Socket>();
    const serving = fromEvent<Socket>(server, 'connection')
      .pipe(
        mergeMap((socket) => {
          sockets.add(socket);
          return echoConnection(socket).pipe(finalize(() => sockets.delete(socket)));
        }),
      )
      .subscribe();
    // `shareReplay` so that a second close() hears the first one's answer instead of closing twice.
    const closed$ = closeServer(server, serving, sockets).pipe(shareReplay({ bufferSize: 1, refCount: false }));
    return listen(server, options).pipe(
      tap({ error: () => serving.unsubscribe() }),
      map((address) => ({ host: options.host, port: address.port, connections: () => sockets.size, close: () => closed$ })),
    );
  });
}

function listen(server: net.Server, options: EchoServerOptions): Observable<AddressInfo> {
  return new Observable<AddressInfo>((subscriber) => {
    const onError = (error: Error): void => subscriber.error(error);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
      // connection itself); the listener stays open, so surviving them means ignoring them.
      server.on('error', () => undefined);
      subscriber.next(server.address() as AddressInfo);
      subscriber.complete();
    });
  });
}

// The listener's close fires as soon as no connection is counted, before the destroyed sockets
// have released their handles; waiting for every socket's own 'close' too makes "closed" mean
// nothing is left open. `merge` subscribes in order: first stop accepting and start waiting, then
// end `serving`, which unsubscribes every connection, whose `finalize` destroys its socket.
function closeServer(server: net.Server, serving: Subscription, sockets: ReadonlySet<Socket>): Observable<void> {
  return defer(() => {
    const closeListener = new Observable<void>((subscriber) => {
      server.close((error) => {
        if (error !== undefined) {
          subscriber.error(error);
        } else {
          subscriber.next();
          subscriber.complete();
        }
      });
    });
    const closed = forkJoin([closeListener, ...[...sockets].map(closeEvent)]);
    const endServing = defer(() => {
      serving.unsubscribe();
      return EMPTY;
    });
    return merge(closed.pipe(map(() => undefined)), endServing);
  });
}

// Done when the socket has closed (its handle released), which comes after `destroy`.
function closeEvent(socket: Socket): Observable<unknown> {
  return socket.closed ? of(undefined) : fromEvent(socket, 'close').pipe(take(1));
}

// One connection, subscribed while the 'connection' event is being delivered, so its 'data' and
// 'error' listeners are in place before the socket can emit either.
export function echoConnection(socket: Socket): Observable<never> {
  return concat(readChunks(socket).pipe(concatMap((chunk) => writeChunk(socket, chunk))), endWriting(socket)).pipe(
    // Subscribed before the source, so the 'error' listener is in place before any other.
    takeUntil(closedOrFailed(socket)),
    catchError(() => EMPTY),
    finalize(() => socket.destroy()),
  );
}

// The bytes the client sends, chunk by chunk; its half-close ('end') completes the stream. Written
// as one Observable over both events rather than `fromEvent(socket, 'data')` cut by
// `takeUntil(fromEvent(socket, 'end'))`: the same stream, with one subscriber per connection instead
// of three, each held as long as the connection is open.
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

// Completes when the chunk is written or queued below the high-water mark; otherwise pauses the
// socket and completes on 'drain'. Unsubscribing (the socket closed) stops waiting.
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

// Once every chunk is written: end our side (after the client's half-close), flushing what is queued.
// It never completes: the connection ends when the socket has closed, which `closedOrFailed` says.
function endWriting(socket: Socket): Observable<never> {
  return defer(() => {
    socket.end();
    return NEVER;
  });
}

// Emits once the socket has closed, and is an error notification if it fails first: the events a
// connection ends on, for `takeUntil`. An 'error' without a listener would crash the process; this
// one turns it into a notification.
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
