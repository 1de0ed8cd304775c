// The fake GitHub's bodies: JSON as GitHub writes it, with weak ETags; its error and rate-limit bodies
// word for word; the body faults' rewrites; and the catalog, which renders each of the world's
// bodies once per server. Which body a request gets is decided in fake-github-answer.ts.
import { createHash } from 'node:crypto';
import type { BasicError, FullRepository, RateLimitOverview } from './contract.js';
import type { FaultAction } from './faults.js';
import type { World } from './world.js';

export const DOCS = 'https://docs.github.com/rest';
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const MALFORMED_BODY = '<!DOCTYPE html>\n<html><head><title>Unicorn!</title></head><body>No server is currently available to service your request.</body></html>\n';

/** A 200 body: the value (to rewrite for faults) and its bytes and ETag (to serve fast). */
export interface Cached {
  readonly value: unknown;
  readonly bytes: Buffer;
  readonly etag: string;
}

/**
 * The world's bodies for one base URL, each rendered once. Memory stays bounded whatever clients
 * ask: only listings, pages and repos that exist are kept; a page past the last is `emptyPage`.
 */
export class Catalog {
  /** One shared empty list for every page past the last. */
  readonly emptyPage = cachedOf([]);
  private readonly bodies = new Map<string, Cached>();
  private readonly listings = new Map<string, readonly unknown[]>();

  constructor(
    private readonly world: World,
    /** `http://host:port`: every URL in the bodies starts with it. */
    readonly baseUrl: string,
  ) {}

  /** A user's whole listing, or undefined for no such user. */
  listing(login: string): readonly unknown[] | undefined {
    // Rendering a whole listing costs far more than serving a page of it: once per login.
    const repos = this.listings.get(login.toLowerCase()) ?? this.world.listRepos(login, this.baseUrl);
    if (repos === undefined) return undefined;
    this.listings.set(login.toLowerCase(), repos);
    return repos;
  }

  /** Page `page` (from 1) of `repos`, the listing of `login`, `perPage` items a page. */
  page(login: string, repos: readonly unknown[], perPage: number, page: number): Cached {
    const key = `repos:${login.toLowerCase()}:${perPage}:${page}`;
    return this.bodies.get(key) ?? this.remember(key, repos.slice((page - 1) * perPage, page * perPage));
  }

  /** One repository, or undefined for none (not kept). */
  repo(owner: string, repo: string): Cached | undefined {
    const key = `repo:${owner}/${repo}`.toLowerCase();
    const cached = this.bodies.get(key);
    if (cached !== undefined) return cached;
    const value = this.world.repo(owner, repo, this.baseUrl);
    return value === undefined ? undefined : this.remember(key, value);
  }

  private remember(key: string, value: unknown): Cached {
    const cached = cachedOf(value);
    this.bodies.set(key, cached);
    return cached;
  }
}

export function json(value: unknown): Buffer {
  // GitHub pretty-prints its JSON with two spaces; the byte counts the clients parse stay realistic.
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

export function cachedOf(value: unknown): Cached {
  const bytes = json(value);
  return { value, bytes, etag: etagOf(bytes) };
}

export function etagOf(bytes: Buffer): string {
  return `W/"${createHash('sha256').update(bytes).digest('hex')}"`;
}

/** The body of a spoilt 200: truncated halves it, malformed is an HTML error page, missing-source drops `source`. */
export function rewrite(fault: FaultAction, cached: Cached): Buffer {
  switch (fault.kind) {
    case 'truncated':
      return cached.bytes.subarray(0, Math.floor(cached.bytes.length / 2));
    case 'malformed':
      return Buffer.from(MALFORMED_BODY);
    case 'missing-source': {
      const value = cached.value;
      if (typeof value !== 'object' || value === null || !('source' in value)) return cached.bytes;
      const { source: _source, ...rest } = value as FullRepository;
      return json(rest);
    }
    default:
      return cached.bytes;
  }
}

export function errorBody(message: string, status: number): BasicError {
  return { message, documentation_url: DOCS, status: String(status) };
}

/** GitHub's words for a spent primary limit: per user with a token, per address without. */
export function rateLimitBody(token: string | undefined, address: string | undefined): BasicError {
  const who = token !== undefined ? `user ID ${userIdOf(token)}` : (address ?? 'this address');
  const hint = token !== undefined ? '' : " (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)";
  return { message: `API rate limit exceeded for ${who}.${hint}`, documentation_url: `${RATE_LIMIT_DOCS}#about-the-primary-rate-limit` };
}

export function secondaryRateLimitBody(): BasicError {
  return {
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    documentation_url: `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
  };
}

/** GET /rate_limit's body; `now` (Unix seconds) sets the search window's reset. */
export function rateLimitOverview(limit: number, used: number, reset: number, now: number): RateLimitOverview {
  const core = { limit, used, remaining: Math.max(0, limit - used), reset };
  return {
    resources: {
      core,
      search: { limit: 30, used: 0, remaining: 30, reset: now + 60 },
      graphql: { limit: 5_000, used: 0, remaining: 5_000, reset },
    },
    rate: core,
  };
}

/** A stable pretend user id per token, so messages are deterministic without exposing the token. */
function userIdOf(token: string): number {
  return createHash('sha256').update(token).digest().readUInt32BE(0) % 100_000_000;
}
