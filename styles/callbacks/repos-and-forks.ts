// repos-and-forks in raw callbacks: Node's error-first callbacks, closures and hand-written counters.
// How it fails: every callback must check its error and be called exactly once; a forgotten check
// swallows an error, a second call corrupts the counters, and a throw inside a callback crashes the
// process. Look at: the counters of sendForkedRepoRequests and the `finished` guard of reposAndForks.
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult, type WorkflowError,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';

export type Callback<T> = (error: WorkflowError | null, value?: T) => void;

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

// The style's one bridge from the callback primitive: a raw error becomes a typed error here.
function send(run: Run, url: string, callback: Callback<RawResponse>): void {
  run.client.get(url, (error, response) => {
    if (error !== null || response === undefined) {
      // @fault-origin: reset, hang
      callback(isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error));
    } else {
      callback(null, response);
    }
  });
}

// 1. Pages are sequential: the next page's URL is in this page's `link` header.
export function sendReposRequest(run: Run, url: string, repos: MinimalRepository[], callback: Callback<MinimalRepository[]>): void {
  send(run, url, (error, response) => {
    if (error !== null || response === undefined) {
      callback(error);
      return;
    }
    run.pages.push(pageKey(url));
    readRepos(response, run.pages, run.input.maxPages, (readError, page) => {
      if (readError !== null || page === undefined) {
        callback(readError);
        return;
      }
      for (const repo of page.repos) repos.push(repo);
      if (page.next === undefined) callback(null, repos);
      else sendReposRequest(run, page.next, repos, callback);
    });
  });
}

// 2. The body and the `link` header are read in one guarded block: either may be hostile, and the
// next page must be one this listing has not read, within its cap.
export function readRepos(
  response: RawResponse, pages: readonly string[], maxPages: number | undefined, callback: Callback<ReposPage>,
): void {
  if (!isOk(response.status)) {
    // @fault-origin: rate-limit
    callback(new ApiError(response.status, response.url, response.headers, response.body));
    return;
  }
  let page: ReposPage;
  try {
    page = {
      repos: parseRepos(response.body),
      next: unreadPage(nextPageUrl(response.headers.link, response.url), pages, maxPages),
    };
  } catch (error) {
    // @fault-origin: malformed-json
    callback(new ParseError(response.url, error));
    return;
  }
  callback(null, page);
}

// 3. A hand-written pool: `started` and `finished` count, `active` bounds what is in flight.
export function sendForkedRepoRequests(run: Run, forks: readonly string[], callback: Callback<string[]>): void {
  const sources = new Array<string>(forks.length);
  let started = 0;
  let active = 0;
  let finished = 0;
  let failed = false;

  function startMore(): void {
    while (!failed && active < run.input.concurrency && started < forks.length) {
      startOne(started);
      started += 1;
    }
  }

  function startOne(index: number): void {
    active += 1;
    send(run, repoUrl(run.input, forks[index] ?? ''), (error, response) => {
      active -= 1;
      if (failed) return;
      if (error !== null || response === undefined) {
        fail(error);
        return;
      }
      readForkedRepoRequests(response, (readError, source) => {
        if (readError !== null || source === undefined) {
          fail(readError);
          return;
        }
        sources[index] = source;
        finished += 1;
        if (finished === forks.length) callback(null, sources);
        else startMore();
      });
    });
  }

  function fail(error: WorkflowError | null): void {
    failed = true;
    callback(error);
  }

  if (forks.length === 0) callback(null, sources);
  else startMore();
}

// 4. Parsing and the field access are one guarded block: a fork without `source` is a ParseError.
export function readForkedRepoRequests(response: RawResponse, callback: Callback<string>): void {
  if (!isOk(response.status)) {
    // @fault-origin: http-500
    callback(new ApiError(response.status, response.url, response.headers, response.body));
    return;
  }
  let source: string;
  try {
    const repo = JSON.parse(response.body) as ForkRepository;
    // @fault-origin: missing-field
    source = repo.source.full_name;
  } catch (error) {
    callback(new ParseError(response.url, error));
    return;
  }
  callback(null, source);
}

// 5. `sources` is indexed by the fork's place in the listing, so completion order does not matter.
export function printSourceNames(run: Run, sources: readonly string[], callback: Callback<ReposAndForksResult>): void {
  for (const name of sources) run.input.print?.(name);
  callback(null, { sourceNames: sources, pages: run.pages.length });
}

// 6.
export function cleanup(run: Run): void {
  run.client.close();
  run.input.onCleanup?.();
}

export function reposAndForks(input: ReposAndForksInput, callback: Callback<ReposAndForksResult>): void {
  const run: Run = { input, client: createHttpClient(input), pages: [] };
  let finished = false;

  // The one exit: cleanup exactly once, then the caller hears exactly one answer.
  function finish(error: WorkflowError | null, result?: ReposAndForksResult): void {
    if (finished) return;
    finished = true;
    cleanup(run);
    callback(error, result);
  }

  sendReposRequest(run, reposPageUrl(input, 1), [], (error, repos) => {
    if (error !== null || repos === undefined) {
      finish(error);
      return;
    }
    sendForkedRepoRequests(run, forkNames(repos), (forkError, sources) => {
      if (forkError !== null || sources === undefined) {
        finish(forkError);
        return;
      }
      printSourceNames(run, sources, finish);
    });
  });
}
