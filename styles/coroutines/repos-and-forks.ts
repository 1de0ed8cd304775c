// repos-and-forks in generator coroutines: `function*` steps joined with `yield*`, on the kit's own
// asyncio-like loop (Future, Task, gather, Semaphore), no Promise anywhere.
// How it fails: an error is thrown into the waiting generator at its `yield`, so try/catch/finally
// read as in synchronous code; but `gen.throw` adds no frames, so an error from a fork's task shows
// none of the tasks that waited for it (run with ROSETTA_LOOP_DEBUG=1 to append that chain). A step
// called without `yield*` silently does nothing: its generator never runs. Look at: `send`, which
// lets a cancellation through, and the task per fork of sendForkedRepoRequests.
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';
import { CancelledError, Semaphore, createTask, gather, get, wait, type Coro } from './loop/index.js';

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** Fork requests in flight, across every page. */
  readonly limit: Semaphore;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

// The style's one bridge from the callback primitive: a raw error becomes a typed error here.
function* send(run: Run, url: string): Coro<RawResponse> {
  try {
    return yield* wait(get(run.client, url));
  } catch (error) {
    // A cancellation is not a network failure: let it through, or fail-fast would turn into errors.
    if (error instanceof CancelledError) throw error;
    // @fault-origin: reset, hang
    throw isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error);
  }
}

// 1. Pages are sequential: the next page's URL is in this page's `link` header.
export function* sendReposRequest(run: Run, firstUrl: string): Coro<MinimalRepository[]> {
  const repos: MinimalRepository[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const response = yield* send(run, url);
    run.pages.push(pageKey(url));
    const page = readRepos(response, run.pages, run.input.maxPages);
    for (const repo of page.repos) repos.push(repo);
    url = page.next;
  }
  return repos;
}

// 2. The body and the `link` header are read in one guarded block: either may be hostile, and the
// next page must be one this listing has not read, within its cap.
export function readRepos(response: RawResponse, pages: readonly string[], maxPages?: number): ReposPage {
  // @fault-origin: rate-limit
  if (!isOk(response.status)) throw new ApiError(response.status, response.url, response.headers, response.body);
  try {
    return {
      repos: parseRepos(response.body),
      next: unreadPage(nextPageUrl(response.headers.link, response.url), pages, maxPages),
    };
  } catch (error) {
    // @fault-origin: malformed-json
    throw new ParseError(response.url, error);
  }
}

// 3. One task per fork, `concurrency` of them past the semaphore at once. gather is fail-fast: the
// first error cancels the other tasks (a CancelledError at their yield), which aborts their requests.
// A task per fork, not `concurrency` workers sharing a cursor as in async-await, because that is how
// asyncio code bounds a fan-out (gather over tasks, a Semaphore for the bound), and a task is what
// cancellation reaches and what a debug chain names (`Task 'fork owner/repo'`).
export function* sendForkedRepoRequests(run: Run, forks: readonly string[]): Coro<string[]> {
  function* fork(fullName: string): Coro<string> {
    yield* run.limit.acquire();
    try {
      const response = yield* send(run, repoUrl(run.input, fullName));
      return readForkedRepoRequests(response);
    } finally {
      run.limit.release();
    }
  }

  return yield* wait(gather(...forks.map((fullName) => createTask(fork(fullName), { name: `fork ${fullName}` }))));
}

// 4. Parsing and the field access are one guarded block: a fork without `source` is a ParseError.
export function readForkedRepoRequests(response: RawResponse): string {
  // @fault-origin: http-500
  if (!isOk(response.status)) throw new ApiError(response.status, response.url, response.headers, response.body);
  try {
    const repo = JSON.parse(response.body) as ForkRepository;
    // @fault-origin: missing-field
    return repo.source.full_name;
  } catch (error) {
    throw new ParseError(response.url, error);
  }
}

// 5. gather keeps argument order, so completion order does not matter.
export function printSourceNames(run: Run, sources: readonly string[]): ReposAndForksResult {
  for (const name of sources) run.input.print?.(name);
  return { sourceNames: sources, pages: run.pages.length };
}

// 6.
export function cleanup(run: Run): void {
  run.client.close();
  run.input.onCleanup?.();
}

export function* reposAndForks(input: ReposAndForksInput): Coro<ReposAndForksResult> {
  // The semaphore first: if `concurrency` is invalid it throws before a client exists to clean up.
  const run: Run = { input, limit: new Semaphore(input.concurrency), client: createHttpClient(input), pages: [] };
  try {
    const repos = yield* sendReposRequest(run, reposPageUrl(input, 1));
    const sources = yield* sendForkedRepoRequests(run, forkNames(repos));
    return printSourceNames(run, sources);
  } finally {
    cleanup(run);
  }
}
