// The repos-and-forks contract: what every style receives, what it returns, and the typed errors it
// raises. It holds no control flow: the shared parsing below is pure (STYLE.md: shared helpers hold
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
  /** Sent as `Authorization: Bearer`; never printed. */
  readonly token?: string;
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
  readonly ms: number;

  constructor(url: string, ms: number) {
    super(`no answer from ${url} within ${ms} ms`);
    this.url = url;
    this.ms = ms;
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

/** The `rel="next"` target of a `link` header, as GitHub writes it; undefined on the last page. */
export function nextPageUrl(link: string | string[] | undefined): string | undefined {
  const value = Array.isArray(link) ? link.join(', ') : link;
  if (value === undefined || value === '') return undefined;
  for (const part of value.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part.trim());
    if (match?.[2]?.split(/\s+/).includes('next') === true) return match[1];
  }
  return undefined;
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
