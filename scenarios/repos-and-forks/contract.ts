// The repos-and-forks contract: what every style receives, what it returns, and the typed errors it
// raises. It holds no control flow: the shared parsing below is pure (shared helpers hold
// no workflow logic), and every error is constructed by a style's own step function.
import type { IncomingHttpHeaders } from 'node:http';
import type { components } from '@octokit/openapi-types';

/** One item of `GET /users/{username}/repos`, exactly as GitHub's OpenAPI types name it. */
export type MinimalRepository = components['schemas']['minimal-repository'];
/** The body of `GET /repos/{owner}/{repo}`; forks carry `parent` and `source`. */
export type FullRepository = components['schemas']['full-repository'];
/** What the workflow reads of a fork's details: GitHub always sends `source` for a fork. */
export type ForkRepository = FullRepository & { source: NonNullable<FullRepository['source']> };
export type BasicError = components['schemas']['basic-error'];
export type ValidationError = components['schemas']['validation-error'];
export type RateLimitOverview = components['schemas']['rate-limit-overview'];

export interface ReposAndForksInput {
  /** Base URL of the API, e.g. `http://127.0.0.1:41234` or `https://api.github.com`. */
  readonly apiUrl: string;
  readonly user: string;
  /** Most fork-detail requests in flight at once (SPEC: default 8). */
  readonly concurrency: number;
  /** `per_page` for the listing (SPEC: 100, GitHub's maximum). */
  readonly perPage: number;
  /** A request that stays silent this long fails with `TimeoutError`. */
  readonly timeoutMs: number;
  /**
   * A request not complete this long after it started fails with `TimeoutError`, however steadily
   * it trickles (default `DEFAULT_INPUT.deadlineMs`).
   */
  readonly deadlineMs?: number;
  /** A response body larger than this fails with `NetworkError` (default `DEFAULT_INPUT.maxBodyBytes`). */
  readonly maxBodyBytes?: number;
  /**
   * A listing with more pages than this fails with `ParseError` when the last page allowed names a
   * next one (default `DEFAULT_INPUT.maxPages`; listing-guard.ts).
   */
  readonly maxPages?: number;
  /**
   * Sent as `Authorization: Bearer`; never printed. Only to the origin of `apiUrl` (never to
   * another origin a `link` header points at), and over plain http only to a loopback host unless
   * `tokenOverHttp` is set.
   */
  readonly token?: string;
  /** Opt-in: send the token over plain http to a host that is not loopback. */
  readonly tokenOverHttp?: boolean;
  /** Where `printSourceNames` writes each name; nothing is written when absent. */
  readonly print?: (line: string) => void;
  /** Instrumentation: `cleanup` calls it exactly once per run, on every path. */
  readonly onCleanup?: () => void;
}

export interface ReposAndForksResult {
  /** `source.full_name` of every fork, in the order the forks appear in the listing. */
  readonly sourceNames: readonly string[];
  /** How many listing pages were read. */
  readonly pages: number;
}

export const DEFAULT_INPUT = {
  concurrency: 8,
  perPage: 100,
  timeoutMs: 5_000,
  /** A whole response, first byte to last, within a minute (GitHub answers a page in well under 1 s). */
  deadlineMs: 60_000,
  /** 32 MiB: a full page of 100 repos is about 0.5 MiB, so 64 times that is a hostile answer. */
  maxBodyBytes: 32 * 1024 * 1024,
  /**
   * 1,000 pages of 100 are 100,000 repositories, far more than any real account lists: a listing
   * longer than that is a server that never says "last page".
   */
  maxPages: 1_000,
} as const;

// ---------------------------------------------------------------------------------------------
// Errors. Every one is a named subclass with the url that explains it, and `cause` where one exists.

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly url: string;
  /** `x-ratelimit-reset` (epoch seconds) when the response was a primary rate limit. */
  readonly rateLimitReset: number | undefined;
  /** `retry-after` (seconds) when the response was a secondary rate limit. */
  readonly retryAfter: number | undefined;

  constructor(status: number, url: string, headers: IncomingHttpHeaders, body: string) {
    super(`GitHub API answered ${status} for ${url}: ${apiMessage(body)}`);
    this.status = status;
    this.url = url;
    this.rateLimitReset = headerNumber(headers, 'x-ratelimit-reset');
    this.retryAfter = headerNumber(headers, 'retry-after');
  }
}

export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`could not read the response of ${url}: ${causeMessage(cause)}`, { cause });
    this.url = url;
  }
}

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`request to ${url} failed: ${causeMessage(cause)}`, { cause });
    this.url = url;
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly url: string;
  /** The idle timeout, or the total deadline when that is what fired. */
  readonly ms: number;
  /** True when the total deadline fired (the response kept trickling), false for silence. */
  readonly deadline: boolean;

  /** `cause` is the raw error of `http.ts`; it says whether the idle timeout or the deadline fired. */
  constructor(url: string, ms: number, cause?: unknown) {
    const deadlineMs = (cause as { deadlineMs?: unknown } | null | undefined)?.deadlineMs;
    const deadline = typeof deadlineMs === 'number';
    super(
      deadline ? `no complete answer from ${url} within the ${deadlineMs} ms deadline` : `no answer from ${url} within ${ms} ms`,
      cause !== undefined ? { cause } : undefined,
    );
    this.url = url;
    this.ms = deadline ? deadlineMs : ms;
    this.deadline = deadline;
  }
}

export type WorkflowError = ApiError | ParseError | NetworkError | TimeoutError;

export const WORKFLOW_ERRORS = { ApiError, ParseError, NetworkError, TimeoutError } as const;
export type WorkflowErrorName = keyof typeof WORKFLOW_ERRORS;

export function isWorkflowError(value: unknown): value is WorkflowError {
  return (
    value instanceof ApiError ||
    value instanceof ParseError ||
    value instanceof NetworkError ||
    value instanceof TimeoutError
  );
}

/** The raw error `http.ts` reports when a request stays silent past its timeout. */
export function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ETIMEDOUT';
}

// ---------------------------------------------------------------------------------------------
// Pure parsing shared by every style (no control flow).

export function reposPageUrl(input: ReposAndForksInput, page: number): string {
  const base = input.apiUrl.replace(/\/+$/, '');
  return `${base}/users/${encodeURIComponent(input.user)}/repos?per_page=${input.perPage}&page=${page}`;
}

export function repoUrl(input: ReposAndForksInput, fullName: string): string {
  const base = input.apiUrl.replace(/\/+$/, '');
  const [owner = '', repo = ''] = fullName.split('/');
  return `${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

/** A `link` header whose `rel="next"` cannot be followed; each style's readRepos makes it a ParseError. */
export class LinkHeaderError extends Error {
  override readonly name = 'LinkHeaderError';
  /** The target as the header wrote it. */
  readonly target: string;

  constructor(target: string, problem: string) {
    super(`link rel="next" <${target.slice(0, 200)}> ${problem}`);
    this.target = target;
  }
}

/**
 * The `rel="next"` target of a `link` header, resolved against the URL of the response that carried
 * it (RFC 8288 allows relative targets); undefined on the last page. A target that is not a URL, or
 * whose scheme is not http or https, throws a LinkHeaderError: a hostile server must not steer the
 * client to `file:` or `ftp:`. So does a target that is the page itself, which would be read forever
 * (a longer cycle, page 2 to page 1 and back, needs the pages read: listing-guard.ts catches it).
 * Several headers, `rel` lists (`rel="next last"`), unquoted `rel=next` and any order of parameters
 * are accepted.
 */
export function nextPageUrl(link: string | string[] | undefined, requestUrl: string): string | undefined {
  const value = Array.isArray(link) ? link.join(', ') : link;
  if (value === undefined || value === '') return undefined;
  const target = nextTarget(value);
  if (target === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(target, requestUrl);
  } catch {
    throw new LinkHeaderError(target, `is not a URL (resolved against ${requestUrl})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LinkHeaderError(target, `has scheme ${url.protocol.slice(0, 20)}; only http: and https: are followed`);
  }
  if (url.href === new URL(requestUrl).href) throw new LinkHeaderError(target, 'is the page that carried it: following it would never end');
  return url.href;
}

// One pass over the header: `<target>` then `;`-separated parameters, entries separated by `,`.
// A target may itself hold commas and semicolons, so splitting the header on `,` first is wrong.
function nextTarget(header: string): string | undefined {
  let at = 0;
  while (at < header.length) {
    const open = header.indexOf('<', at);
    if (open === -1) return undefined;
    const close = header.indexOf('>', open + 1);
    if (close === -1) return undefined;
    const target = header.slice(open + 1, close).trim();
    const nextEntry = header.indexOf('<', close + 1);
    const params = header.slice(close + 1, nextEntry === -1 ? undefined : nextEntry);
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return target;
    at = nextEntry === -1 ? header.length : nextEntry;
  }
  return undefined;
}

/**
 * The items of one listing page: the body must be a JSON array of objects. Throws the SyntaxError of
 * JSON.parse, or a TypeError for any other shape; each style's readRepos makes either a ParseError.
 */
export function parseRepos(body: string): MinimalRepository[] {
  const value: unknown = JSON.parse(body);
  if (!Array.isArray(value)) throw new TypeError(`expected a JSON array of repositories, got ${typeof value}`);
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || typeof (item as { full_name?: unknown }).full_name !== 'string') {
      throw new TypeError('expected every repository to be an object with a string full_name');
    }
  }
  return value as MinimalRepository[];
}

/** One listing page, read: its items and the URL of the next page (undefined on the last). */
export interface ReposPage {
  readonly repos: MinimalRepository[];
  readonly next: string | undefined;
}

/** The full names of the forks in one listing page, in listing order. */
export function forkNames(repos: readonly MinimalRepository[]): string[] {
  return repos.filter((repo) => repo.fork).map((repo) => repo.full_name);
}

/** A status that means the body holds what was asked for. */
export function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function headerNumber(headers: IncomingHttpHeaders, name: string): number | undefined {
  const raw = headers[name];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || Number.isNaN(value) ? undefined : value;
}

function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as BasicError;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.slice(0, 120) || '(empty body)';
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
