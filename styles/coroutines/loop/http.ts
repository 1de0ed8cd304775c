// The loop's bridge to the kit's one raw-I/O primitive (scenarios/repos-and-forks/http.ts): `get`
// turns its error-first callback into a Future, and cancelling that Future aborts the request. It
// adds no meaning: the raw response or the raw socket error, for the style's step functions to judge.
import type { HttpClient, RawResponse } from '../../../scenarios/repos-and-forks/http.js';
import { InvalidStateError } from './errors.js';
import { Future } from './future.js';
import { getRunningLoop, type EventLoop } from './event-loop.js';

/**
 * A request in flight as a Future: cancelling it aborts the request, at once. An override rather
 * than a done-callback: one closure (and its callback list) less for every request in flight.
 */
class RequestFuture extends Future<RawResponse> {
  /** Set once the request has started: the primitive hands its abort back from `get`. */
  abort: () => void = noop;

  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.abort();
    return true;
  }
}

/** Starts `GET url` at once; the Future settles with the raw response or the raw error. */
export function get(client: HttpClient, url: string, loop: EventLoop = getRunningLoop()): Future<RawResponse> {
  if (loop.isClosed()) throw new InvalidStateError('get(): the event loop is closed');
  const future = new RequestFuture(loop);
  future.abort = client.get(url, (error, response) => {
    // Cancelled (and aborted) first, or the loop is gone: nobody is waiting for this answer.
    if (future.done() || loop.isClosed()) return;
    if (error === null && response !== undefined) future.setResult(response);
    else future.setException(error ?? new Error(`http get ${url}: the primitive answered with neither error nor response`));
  });
  return future;
}

function noop(): void {
  // Nothing to abort yet.
}
