// repos-and-forks in Effect: each step an `Effect.fn` generator run on Effect's fiber runtime, the
// generator-coroutine idea of styles/coroutines made industrial. Nothing runs until the adapter runs
// the Effect `reposAndForks(input)` describes.
// How it fails: an expected failure is a typed value in the error channel (`Effect<A, E>`); it stops
// the generator at its `yield*` like a throw, and `Effect.forEach` interrupts the sibling fibers
// (their `Effect.callback` finalisers abort their requests). Each `Effect.fn` opens a span, so the
// failure's Cause carries the logical call path (step -> step) even where the JS stack has none;
// the adapter prints it (Cause.prettyErrors) into the error's stack. Look at: `send`, the one boundary to
// the callback primitive; the fork traversal with `{ concurrency }`; `acquireRelease` for cleanup.
import * as Effect from 'effect/Effect';
import * as Contract from '../../scenarios/repos-and-forks/contract.js';
import {
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';

// The contract's errors, tagged for Effect's error channel (`Effect.catchTag` reads `_tag`). Each is
// an instance of the contract's class, with its url and cause, so the adapter rejects with it as is.
export class ApiError extends Contract.ApiError { readonly _tag = 'ApiError'; }
export class ParseError extends Contract.ParseError { readonly _tag = 'ParseError'; }
export class NetworkError extends Contract.NetworkError { readonly _tag = 'NetworkError'; }
export class TimeoutError extends Contract.TimeoutError { readonly _tag = 'TimeoutError'; }
export type WorkflowError = ApiError | ParseError | NetworkError | TimeoutError;

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

// The style's one bridge from the callback primitive. Interrupting the fiber that waits here (the
// fail-fast of a sibling, or the workflow's own interruption) runs the returned finaliser: abort.
function send(run: Run, url: string): Effect.Effect<RawResponse, NetworkError | TimeoutError> {
  return Effect.callback((resume) => {
    const abort = run.client.get(url, (error, response) => {
      if (error !== null || response === undefined) {
        // @fault-origin: reset, hang
        resume(Effect.fail(isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error)));
      } else {
        resume(Effect.succeed(response));
      }
    });
    return Effect.sync(abort);
  });
}

// 1. Pages are sequential: the next page's URL is in this page's `link` header.
export const sendReposRequest = Effect.fn('sendReposRequest')(function* (run: Run, firstUrl: string) {
  const repos: MinimalRepository[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const response: RawResponse = yield* send(run, url);
    run.pages.push(pageKey(url));
    const page: ReposPage = yield* readRepos(response, run.pages, run.input.maxPages);
    for (const repo of page.repos) repos.push(repo);
    url = page.next;
  }
  return repos;
});

// 2. The body and the `link` header are read in one guarded block: either may be hostile, and the
// next page must be one this listing has not read, within its cap.
export const readRepos = Effect.fn('readRepos')(function* (response: RawResponse, pages: readonly string[], maxPages?: number) {
  // @fault-origin: rate-limit
  if (!isOk(response.status)) return yield* Effect.fail(new ApiError(response.status, response.url, response.headers, response.body));
  return yield* Effect.try({
    try: (): ReposPage => ({
      repos: parseRepos(response.body),
      next: unreadPage(nextPageUrl(response.headers.link, response.url), pages, maxPages),
    }),
    // @fault-origin: malformed-json
    catch: (error) => new ParseError(response.url, error),
  });
});

// 3. One fiber per fork, `concurrency` of them at once; results keep the forks' order. The first
// failure interrupts the other fibers, whose `send` finalisers abort their requests.
export const sendForkedRepoRequests = Effect.fn('sendForkedRepoRequests')(function* (run: Run, forks: readonly string[]) {
  const fork = (fullName: string): Effect.Effect<string, WorkflowError> =>
    Effect.gen(function* () {
      const response = yield* send(run, repoUrl(run.input, fullName));
      // Called here, not passed point-free to a combinator: Effect.fn records this line as the call site.
      return yield* readForkedRepoRequests(response);
    });
  return yield* Effect.forEach(forks, fork, { concurrency: run.input.concurrency });
});

// 4. Parsing and the field access are one guarded block: a fork without `source` is a ParseError.
export const readForkedRepoRequests = Effect.fn('readForkedRepoRequests')(function* (response: RawResponse) {
  // @fault-origin: http-500
  if (!isOk(response.status)) return yield* Effect.fail(new ApiError(response.status, response.url, response.headers, response.body));
  return yield* Effect.try({
    // @fault-origin: missing-field
    try: () => (JSON.parse(response.body) as ForkRepository).source.full_name,
    catch: (error) => new ParseError(response.url, error),
  });
});

// 5. forEach keeps the input order, so completion order does not matter.
export const printSourceNames = Effect.fn('printSourceNames')(function* (run: Run, sources: readonly string[]) {
  for (const name of sources) run.input.print?.(name);
  return yield* Effect.succeed<ReposAndForksResult>({ sourceNames: sources, pages: run.pages.length });
});

// 6. The release of the run's acquireRelease: once, on success, failure and interruption alike.
export const cleanup = Effect.fn('cleanup')(function* (run: Run) {
  yield* Effect.sync(() => {
    run.client.close();
    run.input.onCleanup?.();
  });
});

// `Effect.scoped` closes the scope the run was acquired in when the steps end, however they end.
export const reposAndForks = Effect.fn('reposAndForks')(function* (input: ReposAndForksInput) {
  const run = yield* Effect.acquireRelease(Effect.sync((): Run => ({ input, client: createHttpClient(input), pages: [] })), cleanup);
  const repos = yield* sendReposRequest(run, reposPageUrl(input, 1));
  const sources = yield* sendForkedRepoRequests(run, forkNames(repos));
  return yield* printSourceNames(run, sources);
}, Effect.scoped);
