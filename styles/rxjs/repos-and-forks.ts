// repos-and-forks in RxJS: Observables and operators; `expand` walks the pages, `mergeMap` with a
// concurrency limit is the pool, `finalize` cleans up. Nothing runs until something subscribes.
// How it fails: an error notification travels down the pipe and unsubscribes everything above it,
// so fail-fast comes free: every request still in flight is torn down (its teardown aborts it) and
// no queued one starts. The traps: a step that forgets to return its Observable, and stacks that
// show operator internals between your frames. Look at: `send`'s teardown, and the index each
// fork carries through sendForkedRepoRequests so printSourceNames can restore listing order.
import { EMPTY, Observable, concatMap, defer, expand, finalize, from, map, mergeMap, of, reduce, throwError, toArray } from 'rxjs';
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult, type WorkflowError,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

/** A fork's source name and the fork's place in the listing: completion order is not listing order. */
interface PlacedSource {
  readonly index: number;
  readonly source: string;
}

// The style's one bridge from the callback primitive: subscribing starts the GET, a raw error
// becomes a typed error notification here, and unsubscribing aborts the request in flight.
function send(run: Run, url: string): Observable<RawResponse> {
  return new Observable<RawResponse>((subscriber) => {
    const abort = run.client.get(url, (error, response) => {
      if (error !== null || response === undefined) {
        // @fault-origin: reset, hang
        subscriber.error(isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error));
      } else {
        subscriber.next(response);
        subscriber.complete();
      }
    });
    return abort;
  });
}

/** An Observable that only errors, with an error made by the caller (so the stack is the caller's). */
function fail(error: WorkflowError): Observable<never> {
  return throwError(() => error);
}

// 1. Pages are sequential: `expand` asks for page n+1 only once page n has been read and its `link`
// header names one; `reduce` emits the whole listing once, after the last page, so the fork
// requests (as in every style) start when the listing is complete.
export function sendReposRequest(run: Run, firstUrl: string): Observable<MinimalRepository[]> {
  function requestPage(url: string): Observable<ReposPage> {
    return send(run, url).pipe(
      concatMap(function readPage(response) {
        run.pages.push(pageKey(url));
        return readRepos(response, run.pages, run.input.maxPages);
      }),
    );
  }
  return requestPage(firstUrl).pipe(
    expand((page) => (page.next === undefined ? EMPTY : requestPage(page.next))),
    reduce((repos, page) => repos.concat(page.repos), new Array<MinimalRepository>()),
  );
}

// 2. An expected failure is an error notification, not a throw. `fail` gets the error already made
// here, not in `throwError`'s factory, so its stack starts in this step, not in rxjs's subscribe.
// The body and the `link` header are read in one guarded block: either may be hostile, and the next
// page must be one this listing has not read, within its cap.
export function readRepos(response: RawResponse, pages: readonly string[], maxPages?: number): Observable<ReposPage> {
  // @fault-origin: rate-limit
  if (!isOk(response.status)) return fail(new ApiError(response.status, response.url, response.headers, response.body));
  try {
    return of({
      repos: parseRepos(response.body),
      next: unreadPage(nextPageUrl(response.headers.link, response.url), pages, maxPages),
    });
  } catch (error) {
    // @fault-origin: malformed-json
    return fail(new ParseError(response.url, error));
  }
}

// 3. `mergeMap`'s concurrency argument is the pool: it subscribes to at most `concurrency` requests
// and queues the rest in listing order; each result carries the index of its fork.
export function sendForkedRepoRequests(run: Run, forks: readonly string[]): Observable<PlacedSource> {
  return from(forks).pipe(
    mergeMap(function requestFork(fork, index) {
      return send(run, repoUrl(run.input, fork)).pipe(
        concatMap(readForkedRepoRequests),
        map((source) => ({ index, source })),
      );
    }, run.input.concurrency),
  );
}

// 4. Parsing and the field access are one guarded block: a fork without `source` is a ParseError.
export function readForkedRepoRequests(response: RawResponse): Observable<string> {
  // @fault-origin: http-500
  if (!isOk(response.status)) return fail(new ApiError(response.status, response.url, response.headers, response.body));
  try {
    const repo = JSON.parse(response.body) as ForkRepository;
    // @fault-origin: missing-field
    return of(repo.source.full_name);
  } catch (error) {
    return fail(new ParseError(response.url, error));
  }
}

// 5. The sources came in completion order; each goes back to its fork's place in the listing.
export function printSourceNames(run: Run, placed: readonly PlacedSource[]): Observable<ReposAndForksResult> {
  const sources = new Array<string>(placed.length);
  for (const { index, source } of placed) sources[index] = source;
  for (const name of sources) run.input.print?.(name);
  return of({ sourceNames: sources, pages: run.pages.length });
}

// 6.
export function cleanup(run: Run): void {
  run.client.close();
  run.input.onCleanup?.();
}

// `defer` makes the workflow cold: every subscription is one run with its own client, and
// `finalize` runs once per subscription, whether it completes, errors or is unsubscribed.
export function reposAndForks(input: ReposAndForksInput): Observable<ReposAndForksResult> {
  return defer(() => {
    const run: Run = { input, client: createHttpClient(input), pages: [] };
    return sendReposRequest(run, reposPageUrl(input, 1)).pipe(
      concatMap((repos) => sendForkedRepoRequests(run, forkNames(repos))),
      toArray(),
      concatMap((placed) => printSourceNames(run, placed)),
      finalize(() => cleanup(run)),
    );
  });
}
