// What the fake GitHub answers one request: status, headers and body, a stream, or a fault, decided
// when the request arrives from the request itself, the fault rule that fired for it and its caller's
// rate-limit standing. A pure function but for the catalog, which only memoizes the world's bodies;
// the server (fake-github.ts) keeps the counts, the fault and rate-limit state, and the delays, and
// fake-github-delivery.ts puts the answer on the wire.
//
// The order: a fault rule that fires with hang or reset answers nothing (`isInterruption`: the server
// neither reads nor counts the rate limit); status, rate-limit or secondary-rate-limit replaces the
// answer; a spent rate limit answers 403; a bad or (with strictAuth) missing token answers 401; then
// the route answers. The body faults (link, huge-body, trickle, truncated, malformed, missing-source)
// spoil only an answer that would have been 200, and If-None-Match turns an unspoilt 200 into 304.
import http from 'node:http';
import type { ValidationError } from './contract.js';
import { DOCS, cachedOf, errorBody, etagOf, json, rateLimitBody, rateLimitOverview, rewrite, secondaryRateLimitBody, type Cached, type Catalog } from './fake-github-bodies.js';
import type { RateReading } from './fake-github-rate-limit.js';
import type { FaultAction } from './faults.js';

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export type Route =
  | { readonly name: 'repos'; readonly login: string }
  | { readonly name: 'repo'; readonly owner: string; readonly repo: string }
  | { readonly name: 'rateLimit' }
  | { readonly name: 'other' };

/** What one request gets, decided when it arrives so fault counting and the PRNG follow arrival order. */
export type Answer =
  | { readonly kind: 'respond'; readonly status: number; readonly headers: http.OutgoingHttpHeaders; readonly body: Buffer }
  /** The huge-body and trickle faults: headers now, then the body streamed by fake-github-delivery.ts. */
  | { readonly kind: 'stream'; readonly fault: 'huge-body' | 'trickle'; readonly headers: http.OutgoingHttpHeaders; readonly body: Buffer; readonly everyMs: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' };

/** The fault kinds that answer nothing: the connection hangs, or is reset. */
export type Interruption = Extract<FaultAction, { kind: 'hang' | 'reset' }>;

/** What the decision reads of a request; node:http's IncomingMessage is one. */
export interface RequestHead {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/** A request as the decision sees it. */
export interface Arrival {
  readonly path: string;
  readonly query: URLSearchParams;
  /** Only GET and HEAD are routed; any other method is `other`. */
  readonly route: Route;
  /** The page fault rules match: the `page` asked for, 1 when that is not a page number. */
  readonly faultPage: number;
  readonly credential: Credential;
  readonly ifNoneMatch: string | undefined;
  readonly remoteAddress: string | undefined;
}

export interface Credential {
  readonly token: string | undefined;
  /** An Authorization header that is neither `Bearer T` nor `token T`. */
  readonly bad: boolean;
}

/** Everything but the request that the answer depends on. */
export interface Circumstances {
  /** The request's number on this server, from 1: its `x-github-request-id`. */
  readonly requestNumber: number;
  readonly fault: Exclude<FaultAction, Interruption> | undefined;
  readonly rate: RateReading;
  /** Unix seconds at arrival. */
  readonly now: number;
  readonly strictAuth: boolean;
  readonly catalog: Catalog;
}

export interface Decision {
  readonly answer: Answer;
  /** The caller's count to record: one more than `rate.used`, unless the request does not count. */
  readonly used: number;
}

/** The body and link of what the route would answer, before faults and ETags. */
interface Plain {
  readonly status: number;
  readonly cached: Cached;
  readonly link?: string;
}

export function arrivalOf(request: RequestHead): Arrival {
  const raw = request.url ?? '/';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1));
  const method = request.method ?? 'GET';
  return {
    path,
    query,
    route: method === 'GET' || method === 'HEAD' ? routeOf(path) : { name: 'other' },
    faultPage: pageForFaults(query),
    credential: credentialOf(request.headers.authorization),
    ifNoneMatch: request.headers['if-none-match'],
    remoteAddress: request.socket.remoteAddress,
  };
}

export function isInterruption(fault: FaultAction | undefined): fault is Interruption {
  return fault?.kind === 'hang' || fault?.kind === 'reset';
}

export function decide(arrival: Arrival, circumstances: Circumstances): Decision {
  const { credential } = arrival;
  const { fault, rate } = circumstances;
  const { limit } = rate;
  // GET /rate_limit does not count against the limit on GitHub, nor does an answer of 304 (refunded below).
  const counts = arrival.route.name !== 'rateLimit';
  const usedNow = counts ? rate.used + 1 : rate.used;
  const common = (shownUsed: number): http.OutgoingHttpHeaders => commonHeaders(circumstances.requestNumber, rate, shownUsed);
  const respond = (status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}, shownUsed = usedNow): Decision => {
    const bytes = Buffer.isBuffer(body) ? body : json(body);
    return { answer: { kind: 'respond', status, headers: { ...common(shownUsed), ...extra, 'content-length': bytes.length }, body: bytes }, used: usedNow };
  };

  if (fault?.kind === 'status') {
    return respond(fault.status, errorBody(http.STATUS_CODES[fault.status] ?? 'Error', fault.status));
  }
  if (fault?.kind === 'rate-limit' || (counts && rate.used >= limit)) {
    // A spent limit, real or injected: the headers say so whatever the real count is.
    return respond(403, rateLimitBody(credential.token, arrival.remoteAddress), {}, limit);
  }
  if (fault?.kind === 'secondary-rate-limit') {
    return respond(429, secondaryRateLimitBody(), { 'retry-after': String(fault.retryAfter) });
  }
  if (credential.bad) return respond(401, errorBody('Bad credentials', 401));
  if (circumstances.strictAuth && credential.token === undefined) return respond(401, errorBody('Requires authentication', 401));

  const plain = answerRoute(arrival, circumstances);
  if (plain.status !== 200) return respond(plain.status, plain.cached.bytes);
  const link = plain.link !== undefined ? { link: plain.link } : {};
  const cacheControl = {
    'cache-control': `${credential.token !== undefined ? 'private' : 'public'}, max-age=60, s-maxage=60`,
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, Accept, X-Requested-With',
  };
  // Body faults (truncated, malformed, missing-source) spoil answers that would have been 200 only.
  if (fault?.kind === 'link') {
    return respond(200, plain.cached.bytes, { ...cacheControl, etag: plain.cached.etag, link: `<${fault.url}>; rel="next"` });
  }
  if (fault?.kind === 'huge-body' || fault?.kind === 'trickle') {
    const headers = { ...common(usedNow), ...cacheControl, ...link };
    // trickle says how long its body is (the client waits for all of it); huge-body does not, so
    // only counting the bytes as they come, not the headers, can stop it.
    const streamed = fault.kind === 'trickle' ? { ...headers, 'content-length': plain.cached.bytes.length } : headers;
    const everyMs = fault.kind === 'trickle' ? fault.everyMs : 0;
    return { answer: { kind: 'stream', fault: fault.kind, headers: streamed, body: plain.cached.bytes, everyMs }, used: usedNow };
  }
  if (fault !== undefined) {
    const bytes = rewrite(fault, plain.cached);
    return respond(200, bytes, { ...cacheControl, etag: etagOf(bytes), ...link });
  }
  if (matchesEtag(arrival.ifNoneMatch, plain.cached.etag)) {
    const { 'content-type': _type, ...headers } = common(rate.used);
    return { answer: { kind: 'respond', status: 304, headers: { ...headers, ...cacheControl, etag: plain.cached.etag, ...link }, body: Buffer.alloc(0) }, used: rate.used };
  }
  return respond(200, plain.cached.bytes, { ...cacheControl, etag: plain.cached.etag, ...link });
}

function commonHeaders(requestNumber: number, rate: RateReading, shownUsed: number): http.OutgoingHttpHeaders {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': `FAKE:${requestNumber.toString(16).toUpperCase().padStart(8, '0')}`,
    'x-ratelimit-limit': rate.limit,
    'x-ratelimit-remaining': Math.max(0, rate.limit - shownUsed),
    'x-ratelimit-reset': rate.resetAt,
    'x-ratelimit-used': Math.min(rate.limit, shownUsed),
    'x-ratelimit-resource': 'core',
  };
}

function answerRoute(arrival: Arrival, circumstances: Circumstances): Plain {
  const { route } = arrival;
  const { catalog, rate } = circumstances;
  switch (route.name) {
    case 'repos':
      return listing(route.login, arrival, catalog);
    case 'repo': {
      const cached = catalog.repo(route.owner, route.repo);
      return cached === undefined ? notFound() : { status: 200, cached };
    }
    case 'rateLimit':
      return { status: 200, cached: cachedOf(rateLimitOverview(rate.limit, rate.used, rate.resetAt, circumstances.now)) };
    case 'other':
      return notFound();
  }
}

function listing(login: string, arrival: Arrival, catalog: Catalog): Plain {
  const { query } = arrival;
  const repos = catalog.listing(login);
  if (repos === undefined) return notFound();
  const errors = [validWhole(query, 'per_page'), validWhole(query, 'page')].filter((error) => error !== undefined);
  if (errors.length > 0) {
    const body: ValidationError & { status: string } = {
      message: 'Validation Failed',
      errors,
      documentation_url: `${DOCS}/repos/repos#list-repositories-for-a-user`,
      status: '422',
    };
    return { status: 422, cached: cachedOf(body) };
  }
  const perPage = Math.min(MAX_PER_PAGE, Number(query.get('per_page') ?? DEFAULT_PER_PAGE));
  const page = Number(query.get('page') ?? 1);
  const last = Math.max(1, Math.ceil(repos.length / perPage));
  // Only pages that exist are kept: every page past the last shares one empty list.
  const cached = page > last ? catalog.emptyPage : catalog.page(login, repos, perPage, page);
  const link = linkHeader(`${catalog.baseUrl}${arrival.path}`, query, page, last);
  return { status: 200, cached, ...(link !== undefined ? { link } : {}) };
}

function notFound(): Plain {
  return { status: 404, cached: cachedOf(errorBody('Not Found', 404)) };
}

function routeOf(path: string): Route {
  try {
    const repos = /^\/users\/([^/]+)\/repos$/.exec(path);
    if (repos !== null) return { name: 'repos', login: decodeURIComponent(repos[1] ?? '') };
    const repo = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (repo !== null) return { name: 'repo', owner: decodeURIComponent(repo[1] ?? ''), repo: decodeURIComponent(repo[2] ?? '') };
  } catch {
    // A malformed %-escape names nothing in the world.
    return { name: 'other' };
  }
  return path === '/rate_limit' ? { name: 'rateLimit' } : { name: 'other' };
}

/** Fault rules match the `page` a request asks for; anything that is not a page number counts as 1. */
function pageForFaults(query: URLSearchParams): number {
  const raw = query.get('page');
  return raw !== null && /^[1-9][0-9]*$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : 1;
}

/** `Bearer T` and `token T` are accepted, like GitHub; any other Authorization is bad credentials. */
function credentialOf(header: string | undefined): Credential {
  if (header === undefined) return { token: undefined, bad: false };
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
  return match?.[1] !== undefined ? { token: match[1], bad: false } : { token: undefined, bad: true };
}

type FieldError = NonNullable<ValidationError['errors']>[number];

function validWhole(query: URLSearchParams, field: 'per_page' | 'page'): FieldError | undefined {
  const raw = query.get(field);
  if (raw === null || (/^[1-9][0-9]*$/.test(raw) && Number.isSafeInteger(Number(raw)))) return undefined;
  return { resource: 'Repository', field, code: 'invalid', value: raw, message: `${field} must be a whole number from 1 up` };
}

/** GitHub's order and spacing: prev, next, last, first; prev/first omitted on page 1, next/last on the last page. */
function linkHeader(base: string, query: URLSearchParams, page: number, last: number): string | undefined {
  if (last === 1 && page === 1) return undefined;
  const at = (target: number): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(target));
    return `${base}?${params.toString()}`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`<${at(page - 1)}>; rel="prev"`);
  if (page < last) parts.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) parts.push(`<${at(1)}>; rel="first"`);
  return parts.join(', ');
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}
