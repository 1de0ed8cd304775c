// The loop's bridge to the kit's one raw-I/O primitive (scenarios/repos-and-forks/http.ts): `get`
// turns its error-first callback into a Future, and cancelling that Future aborts the request. It
// adds no meaning: the raw response or the raw socket error, for the style's step functions to judge.
import type { HttpClient, RawResponse } from '../../../scenarios/repos-and-forks/http.js';
import type { Future } from './future.js';
import { getRunningLoop, type EventLoop } from './event-loop.js';

/** Starts `GET url` at once; the Future settles with the raw response or the raw error. */
export function get(client: HttpClient, url: string, loop: EventLoop = getRunningLoop()): Future<RawResponse> {
  const future = loop.createFuture<RawResponse>();
  const abort = client.get(url, (error, response) => {
    // Cancelled (and aborted) first, or the loop is gone: nobody is waiting for this answer.
    if (future.done() || loop.isClosed()) return;
    if (error === null && response !== undefined) future.setResult(response);
    else future.setException(error ?? new Error(`http get ${url}: the primitive answered with neither error nor response`));
  });
  future.addDoneCallback((done) => {
    if (done.cancelled()) abort();
  });
  return future;
}
