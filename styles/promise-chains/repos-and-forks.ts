// repos-and-forks in promise chains: `.then/.catch/.finally` and Promise.all, no async/await.
// How it fails: a rejection travels down the chain to the first `.catch`; a chain that is not
// returned is a floating promise whose rejection nobody sees. Look at: the recursion that walks the
// pages, and the pool of workers in sendForkedRepoRequests, each a chain that calls itself.
import {
  ApiError, NetworkError, ParseError, TimeoutError,
  forkNames, isOk, isTimeout, nextPageUrl, parseRepos, repoUrl, reposPageUrl,
  type ForkRepository, type MinimalRepository, type ReposPage, type ReposAndForksInput, type ReposAndForksResult,
} from '../../scenarios/repos-and-forks/contract.js';
import { pageKey, unreadPage } from '../../scenarios/repos-and-forks/listing-guard.js';
import { createHttpClient, type HttpClient, type RawResponse } from '../../scenarios/repos-and-forks/http.js';

interface Run {
  readonly input: ReposAndForksInput;
  readonly client: HttpClient;
  /** The listing's pages read so far, each by its `pageKey`: how a cycle of pages is caught. */
  readonly pages: string[];
}

// The style's one bridge from the callback primitive: a raw error becomes a typed rejection here.
function send(run: Run, url: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    run.client.get(url, (error, response) => {
      if (error !== null || response === undefined) {
        // @fault-origin: reset, hang
        reject(isTimeout(error) ? new TimeoutError(url, run.input.timeoutMs, error) : new NetworkError(url, error));
      } else {
        resolve(response);
      }
    });
  });
}

// 1. Pages are sequential: each page's chain returns the chain of the next.
export function sendReposRequest(run: Run, url: string, repos: MinimalRepository[]): Promise<MinimalRepository[]> {
  return send(run, url).then((response) => {
    run.pages.push(pageKey(url));
    const page = readRepos(response, run.pages, run.input.maxPages);
    for (const repo of page.repos) repos.push(repo);
    return page.next === undefined ? repos : sendReposRequest(run, page.next, repos);
  });
}

// 2. Runs inside a `.then`, so a throw here is a rejection of the chain. The body and the `link`
// header are read in one guarded block: either may be hostile, and the next page must be one this
// listing has not read, within its cap.
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

// 3. `concurrency` workers share one cursor; each takes the next fork when its request settles.
export function sendForkedRepoRequests(run: Run, forks: readonly string[]): Promise<string[]> {
  const sources = new Array<string>(forks.length);
  let next = 0;

  function worker(): Promise<void> {
    if (next >= forks.length) return Promise.resolve();
    const index = next;
    next += 1;
    return send(run, repoUrl(run.input, forks[index] ?? ''))
      .then(readForkedRepoRequests)
      .then((source) => {
        sources[index] = source;
        return worker();
      });
  }

  const workers = Array.from({ length: Math.min(run.input.concurrency, forks.length) }, worker);
  return Promise.all(workers).then(() => sources);
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

// 5. `sources` is indexed by the fork's place in the listing, so completion order does not matter.
export function printSourceNames(run: Run, sources: readonly string[]): ReposAndForksResult {
  for (const name of sources) run.input.print?.(name);
  return { sourceNames: sources, pages: run.pages.length };
}

// 6.
export function cleanup(run: Run): void {
  run.client.close();
  run.input.onCleanup?.();
}

export function reposAndForks(input: ReposAndForksInput): Promise<ReposAndForksResult> {
  const run: Run = { input, client: createHttpClient(input), pages: [] };
  return sendReposRequest(run, reposPageUrl(input, 1), [])
    .then((repos) => sendForkedRepoRequests(run, forkNames(repos)))
    .then((sources) => printSourceNames(run, sources))
    .finally(() => cleanup(run));
}
