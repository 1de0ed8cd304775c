// repos-and-forks with threads: plain sequential, blocking code, as in Java or Python with a thread
// pool. The workflow runs on a thread of its own; each `httpGet` blocks that thread until the
// response is in (the runtime, ./runtime, does the I/O on the main thread meanwhile); the forks run
// on a pool of `concurrency` threads, each running `fetchForkSource` for one fork after another.
// How it fails: a throw, caught by try/finally as in synchronous code. An error on a pool thread
// stops the pool and is rethrown by `executor.map` in the workflow's thread, its stack holding
// the pool thread's frames and then, past a "thread boundary" line, those of the thread that
// waited. Look at: how little there is; and `fetchForkSource`, an exported top-level function,
// because a new thread loads its code by module and name (Node cannot send a function to a thread).
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import type { RawResponse } from '../../scenarios/repos-and-forks/http.js';
import {
  InterruptedError, ThreadPoolExecutor, closeHttpClient, httpGet, openHttpClient, task,
  type HttpClient,
} from './runtime/index.js';

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

// The style's one bridge to the I/O: a raw error becomes a typed error here.
function send(client: HttpClient, url: string): RawResponse {
  try {
    return httpGet(client, url);
  } catch (error) {
    // An interruption is the pool stopping at another thread's error, not a network failure.
    if (error instanceof InterruptedError) throw error;
    // @fault-origin: reset, hang
    throw isTimeout(error) ? new TimeoutError(url, client.timeoutMs, error) : new NetworkError(url, error);
  }
}

// 1. Pages are sequential: the next page's URL is in this page's `link` header.
export function sendReposRequest(run: Run, firstUrl: string): MinimalRepository[] {
  const repos: MinimalRepository[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const response = send(run.client, url);
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

// 3. A pool of `concurrency` threads; map returns the sources in the order of the forks.
export function sendForkedRepoRequests(run: Run, forks: readonly string[]): string[] {
  const urls: string[] = [];
  for (const fullName of forks) urls.push(repoUrl(run.input, fullName));
  const executor = new ThreadPoolExecutor(run.input.concurrency);
  return executor.map(FETCH_FORK_SOURCE, run.client, urls);
}

// What each pool thread runs, for one fork after another.
export function fetchForkSource(client: HttpClient, url: string): string {
  return readForkedRepoRequests(send(client, url));
}

const FETCH_FORK_SOURCE = task(import.meta.url, fetchForkSource);

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

// 5. map keeps the order of its items, so completion order does not matter.
export function printSourceNames(run: Run, sources: readonly string[]): ReposAndForksResult {
  for (const name of sources) run.input.print?.(name);
  return { sourceNames: sources, pages: run.pages.length };
}

// 6.
export function cleanup(run: Run): void {
  closeHttpClient(run.client);
  run.input.onCleanup?.();
}

export function reposAndForks(input: ReposAndForksInput): ReposAndForksResult {
  const run: Run = { input, client: openHttpClient(input), pages: [] };
  try {
    const repos = sendReposRequest(run, reposPageUrl(input, 1));
    const sources = sendForkedRepoRequests(run, forkNames(repos));
    return printSourceNames(run, sources);
  } finally {
    cleanup(run);
  }
}
