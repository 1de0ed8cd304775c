// repos-and-forks in fp-ts: TaskEither values composed with `pipe`. `reposAndForks(input)` runs
// nothing: it is a description of the workflow, and calling it (`()`) runs it once.
// How it fails: an expected failure is a Left, a value in the return type; it short-circuits every
// `TE.flatMap` after it and comes out of the workflow with its typed error intact. Nothing is thrown,
// so a stack is where the error object was made (in the step that decided it) over fp-ts's `.then`
// plumbing; the steps that led there are not on it. Look at: `send`, the one place a callback becomes a
// TaskEither; the bounded traversal of sendForkedRepoRequests, which fp-ts lacks and
// traverse-with-concurrency.ts supplies; and `TE.bracketW`, which makes cleanup run once on every path.
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult, type WorkflowError,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';
import { traverseWithConcurrency } from './traverse-with-concurrency.js';

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
}

/** The pages read so far: state is passed along, not mutated. */
interface Listing {
  readonly repos: readonly MinimalRepository[];
  /** Each page read by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: readonly string[];
}

// The style's one bridge from the callback primitive. A TaskEither is a function that returns a
// Promise of an Either and never rejects, so `() => new Promise(...)` resolving a Left or a Right is
// the idiomatic boundary (`TE.tryCatch` is for Promises that reject; this one never does).
function send(run: Run, url: string): TE.TaskEither<WorkflowError, RawResponse> {
  return () =>
    new Promise<E.Either<WorkflowError, RawResponse>>((resolve) => {
      run.client.get(url, (error, response) => {
        if (error !== null || response === undefined) {
          // @fault-origin: reset, hang
          resolve(E.left(isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error)));
        } else {
          resolve(E.right(response));
        }
      });
    });
}

// 1. Pages are sequential: each page's TaskEither chains the next page's.
export function sendReposRequest(run: Run, url: string, listing: Listing): TE.TaskEither<WorkflowError, Listing> {
  const pages = listing.pages.concat(pageKey(url));
  return pipe(
    send(run, url),
    TE.flatMapEither((response) => readRepos(response, pages, run.input.maxPages)),
    TE.flatMap((page) => {
      const read: Listing = { repos: listing.repos.concat(page.repos), pages };
      return page.next === undefined ? TE.right(read) : sendReposRequest(run, page.next, read);
    }),
  );
}

// 2. Reading does no I/O, so it is an Either; the caller lifts it into the TaskEither. The body and
// the `link` header are read in one guarded block: either may be hostile, and the next page must be
// one this listing has not read, within its cap.
export function readRepos(response: RawResponse, pages: readonly string[], maxPages?: number): E.Either<WorkflowError, ReposPage> {
  // @fault-origin: rate-limit
  if (!isOk(response.status)) return E.left(new ApiError(response.status, response.url, response.headers, response.body));
  return E.tryCatch(
    (): ReposPage => ({
      repos: parseRepos(response.body),
      next: unreadPage(nextPageUrl(response.headers.link, response.url), pages, maxPages),
    }),
    // @fault-origin: malformed-json
    (error) => new ParseError(response.url, error),
  );
}

// 3. A bounded traversal: at most `concurrency` fork requests at once, results in listing order.
export function sendForkedRepoRequests(run: Run, forks: readonly string[]): TE.TaskEither<WorkflowError, readonly string[]> {
  return pipe(
    forks,
    traverseWithConcurrency(run.input.concurrency)((fork) =>
      pipe(send(run, repoUrl(run.input, fork)), TE.flatMapEither(readForkedRepoRequests)),
    ),
  );
}

// 4. Parsing and the field access are one guarded block: a fork without `source` is a ParseError.
export function readForkedRepoRequests(response: RawResponse): E.Either<WorkflowError, string> {
  // @fault-origin: http-500
  if (!isOk(response.status)) return E.left(new ApiError(response.status, response.url, response.headers, response.body));
  return E.tryCatch(
    // @fault-origin: missing-field
    () => (JSON.parse(response.body) as ForkRepository).source.full_name,
    (error) => new ParseError(response.url, error),
  );
}

// 5. Printing is an effect, so it is deferred into the TaskEither (it cannot fail).
export function printSourceNames(run: Run, listing: Listing, sources: readonly string[]): TE.TaskEither<never, ReposAndForksResult> {
  return TE.fromIO(() => {
    for (const name of sources) run.input.print?.(name);
    return { sourceNames: sources, pages: listing.pages.length };
  });
}

// 6.
export function cleanup(run: Run): TE.TaskEither<never, void> {
  return TE.fromIO(() => {
    run.client.close();
    run.input.onCleanup?.();
  });
}

// `TE.bracketW`: acquire the client, use it, and release it exactly once, whether `use` ends in a
// Right or a Left; the release's abort is what stops the fork requests still in flight after a Left.
// (The W, widening, lets acquire and release say they cannot fail: their error type is `never`.)
export function reposAndForks(input: ReposAndForksInput): TE.TaskEither<WorkflowError, ReposAndForksResult> {
  return TE.bracketW(
    TE.fromIO((): Run => ({ input, client: createHttpClient(input) })),
    (run) =>
      pipe(
        sendReposRequest(run, reposPageUrl(input, 1), { repos: [], pages: [] }),
        TE.bindTo('listing'),
        TE.bind('sources', ({ listing }) => sendForkedRepoRequests(run, forkNames(listing.repos))),
        TE.flatMap(({ listing, sources }) => printSourceNames(run, listing, sources)),
      ),
    (run) => cleanup(run),
  );
}
