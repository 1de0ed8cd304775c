// The fake GitHub REST API: a real node:http server on loopback that serves a deterministic World with
// GitHub's routes, pagination, rate-limit headers, ETags and error bodies, plus latency, hold/release
// and fault rules. It counts requests, in-flight answers and open sockets, so tests can prove no leak.
//
// Deliberate deviations from api.github.com, each so that the kit's measurements stay deterministic:
// - Unauthenticated clients get 1,000,000 requests an hour, not 60: one run of the default world
//   takes ~87 requests, and benchmarks run thousands. A token gets GitHub's 5,000. Both can be set.
// - `per_page`/`page` that are not whole numbers from 1 up answer 422 (GitHub silently falls back to
//   defaults), so a style that builds a bad URL fails loudly instead of walking other pages.
//   `per_page` above 100 is clamped to 100, as GitHub does.
// - `link` URLs keep the `/users/{login}/repos` path (GitHub rewrites them to `/user/{id}/repos`), so
//   one fault glob covers every page.
// - Only GET and HEAD are routed; any other method answers 404, as GitHub does for unknown routes.
// - Memory stays bounded whatever clients send: only pages and repos that exist are cached (a page
//   past the last answers one shared empty list); the rate-limit count is kept per SHA-256 of the
//   token (not the token), for at most MAX_RATE_LIMIT_KEYS callers, the oldest forgotten first; a
//   `page` or `per_page` beyond 2^53 - 1 answers 422 like any other bad number.
//
// Each request is decided when it arrives, in this order: a fault rule that fires with hang, reset,
// status, rate-limit or secondary-rate-limit replaces the answer; a spent rate limit answers 403; a
// bad or (with strictAuth) missing token answers 401; then the route answers. The body faults
// (truncated, malformed, missing-source) spoil only an answer that would have been 200, and
// If-None-Match turns an unspoilt 200 into 304. Latency, then hold, come after the decision.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BasicError, FullRepository, RateLimitOverview, ValidationError } from './contract.js';
import { HUGE_BODY_BYTES, createFaultMatcher, type FaultAction, type FaultMatcher, type FaultRule } from './faults.js';
import { createWorld, mulberry32, type World } from './world.js';

/** A fixed delay in ms, or a uniform one between min and max drawn from a PRNG seeded by the world. */
export type Latency = number | { readonly min: number; readonly max: number };

export interface FakeGithubOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: the system picks a free port; read it from `port` or `url`. */
  readonly port?: number;
  /** Default `createWorld()`: octocat with 250 repos, plus the small test users. */
  readonly world?: World;
  /** Delay before every answer, default 0. */
  readonly latency?: Latency;
  readonly faults?: readonly FaultRule[];
  /** Answer 401 "Requires authentication" to requests without a token. */
  readonly strictAuth?: boolean;
  /** Hold every answer until `release()` (to measure memory per suspended workflow). */
  readonly hold?: boolean;
  /** Requests per hour; defaults: 5,000 with a token, 1,000,000 without (see the file header). */
  readonly rateLimit?: { readonly authenticated?: number; readonly unauthenticated?: number };
}

export interface FakeGithubStats {
  /** Requests received since the last `resetStats`, answered or not. */
  readonly received: number;
  /** Responses sent completely since the last `resetStats`. */
  readonly served: number;
  /** Requests received and not yet answered, reset, or abandoned by their client. */
  readonly inFlight: number;
  /** Highest `inFlight` since the last `resetStats`. */
  readonly peakInFlight: number;
  readonly openSockets: number;
  /** Answers waiting for `release()`. */
  readonly held: number;
  /** Requests received per route since the last `resetStats`. */
  readonly byRoute: { readonly repos: number; readonly repo: number; readonly rateLimit: number; readonly other: number };
}

/** Its functions use no `this`: they may be passed around or destructured. */
export interface FakeGithub {
  /** `http://host:port`, no trailing slash: the `apiUrl` of a workflow run. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly world: World;
  readonly stats: () => FakeGithubStats;
  /** Zeroes the counters since-reset (received, served, peak, byRoute); live counts stay. */
  readonly resetStats: () => void;
  /** Replaces the rules and restarts their `nth` counting. */
  readonly setFaults: (rules: readonly FaultRule[]) => void;
  readonly setLatency: (latency: Latency) => void;
  /** Turning hold off releases everything held. */
  readonly setHold: (hold: boolean) => void;
  /** Answers everything held now (hold stays on for later requests); returns how many. */
  readonly release: () => number;
  /** Resolves when nothing is in flight and no socket is open; rejects with IdleTimeoutError. */
  readonly idle: (timeoutMs?: number) => Promise<void>;
  /** Destroys every socket (hung and held ones too) and resolves once the server is closed. */
  readonly close: () => Promise<void>;
}

export class FakeGithubOptionsError extends Error {
  override readonly name = 'FakeGithubOptionsError';
}

/** `idle()` waited too long; `stats` tells what was still open. */
export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';
  readonly stats: FakeGithubStats;

  constructor(ms: number, stats: FakeGithubStats) {
    super(`fake GitHub not idle after ${ms} ms: ${stats.inFlight} requests in flight, ${stats.openSockets} sockets open`);
    this.stats = stats;
  }
}

export const DEFAULT_RATE_LIMIT = { authenticated: 5_000, unauthenticated: 1_000_000 } as const;
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;
const DOCS = 'https://docs.github.com/rest';
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const WINDOW_SECONDS = 3_600;
/** Callers whose rate-limit use is remembered at once; past it the oldest is forgotten (its count restarts). */
export const MAX_RATE_LIMIT_KEYS = 10_000;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x20);
const MALFORMED_BODY = '<!DOCTYPE html>\n<html><head><title>Unicorn!</title></head><body>No server is currently available to service your request.</body></html>\n';

type RouteName = keyof FakeGithubStats['byRoute'];

type Route =
  | { readonly name: 'repos'; readonly login: string }
  | { readonly name: 'repo'; readonly owner: string; readonly repo: string }
  | { readonly name: 'rateLimit' }
  | { readonly name: 'other' };

/** What one request gets, decided when it arrives so fault counting and the PRNG follow arrival order. */
type Answer =
  | { readonly kind: 'respond'; readonly status: number; readonly headers: http.OutgoingHttpHeaders; readonly body: Buffer }
  /** The huge-body and trickle faults: headers now, then the body streamed by `stream`. */
  | { readonly kind: 'stream'; readonly fault: 'huge-body' | 'trickle'; readonly headers: http.OutgoingHttpHeaders; readonly body: Buffer; readonly everyMs: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' };

interface Pending {
  readonly request: http.IncomingMessage;
  readonly response: http.ServerResponse;
  readonly answer: Answer;
  timer: NodeJS.Timeout | undefined;
}

/** A cached 200 body: the value (to rewrite for faults) and its bytes and ETag (to serve fast). */
interface Cached {
  readonly value: unknown;
  readonly bytes: Buffer;
  readonly etag: string;
}

interface Plain {
  readonly status: number;
  readonly cached: Cached;
  readonly link?: string;
}

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const host = options.host ?? '127.0.0.1';
  const world = options.world ?? createWorld();
  const limits = {
    authenticated: checkLimit('rateLimit.authenticated', options.rateLimit?.authenticated ?? DEFAULT_RATE_LIMIT.authenticated),
    unauthenticated: checkLimit('rateLimit.unauthenticated', options.rateLimit?.unauthenticated ?? DEFAULT_RATE_LIMIT.unauthenticated),
  };
  const random = mulberry32(world.seed ^ 0x9e37_79b9);
  let latency = checkLatency(options.latency ?? 0);
  let matcher: FaultMatcher = createFaultMatcher(options.faults ?? []);
  let holding = options.hold ?? false;
  const strictAuth = options.strictAuth ?? false;

  const sockets = new Set<Socket>();
  const pending = new Set<Pending>();
  const held = new Set<Pending>();
  const waiters = new Set<() => void>();
  const cache = new Map<string, Cached>();
  const listings = new Map<string, readonly unknown[]>();
  const usage = new Map<string, number>();
  const emptyPage = cachedOf([]);
  let resetAt = Math.floor(Date.now() / 1000) + WINDOW_SECONDS;
  let requestNumber = 0;
  let counters = zeroCounters();
  let inFlight = 0;
  let baseUrl = '';
  let closing: Promise<void> | undefined;

  const stats = (): FakeGithubStats => ({
    ...counters,
    byRoute: { ...counters.byRoute },
    inFlight,
    openSockets: sockets.size,
    held: held.size,
  });
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  const server = http.createServer((request, response) => {
    counters.received++;
    inFlight++;
    counters.peakInFlight = Math.max(counters.peakInFlight, inFlight);
    response.once('finish', () => counters.served++);
    const entry: Pending = { request, response, answer: decide(request), timer: undefined };
    // 'close' comes after the answer is sent, and also when the socket dies first (reset, hang
    // destroyed by close(), a client that gave up): the one place an in-flight request ends.
    response.once('close', () => {
      clearTimeout(entry.timer);
      pending.delete(entry);
      held.delete(entry);
      inFlight--;
      notify();
    });
    request.resume();
    if (entry.answer.kind === 'hang') return;
    pending.add(entry);
    const delay = nextDelay();
    if (delay > 0) entry.timer = setTimeout(() => proceed(entry), delay);
    else proceed(entry);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      notify();
    });
  });

  function nextDelay(): number {
    if (typeof latency === 'number') return latency;
    return latency.min + random() * (latency.max - latency.min);
  }

  function proceed(entry: Pending): void {
    entry.timer = undefined;
    if (holding) held.add(entry);
    else deliver(entry);
  }

  function deliver(entry: Pending): void {
    pending.delete(entry);
    const { answer, request, response } = entry;
    if (response.destroyed || response.writableEnded) return;
    if (answer.kind === 'reset') {
      // A TCP RST, not a FIN: the client sees ECONNRESET, as when a proxy drops the connection.
      request.socket.resetAndDestroy();
      return;
    }
    if (answer.kind === 'respond') {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    }
    if (answer.kind === 'stream') stream(entry, answer);
  }

  // huge-body writes HUGE_BODY_BYTES of JSON whitespace as fast as the client reads (waiting for
  // 'drain', so the server holds one chunk at a time); trickle writes one byte of the real body every
  // `everyMs`. Both stop when the client hangs up: 'close' clears the timer kept in `entry.timer`.
  function stream(entry: Pending, answer: Extract<Answer, { kind: 'stream' }>): void {
    const { response } = entry;
    response.writeHead(200, answer.headers);
    if (answer.fault === 'huge-body') {
      let sent = 0;
      const pump = (): void => {
        while (sent < HUGE_BODY_BYTES && !response.destroyed) {
          sent += HUGE_CHUNK.length;
          if (!response.write(HUGE_CHUNK)) {
            response.once('drain', pump);
            return;
          }
        }
        if (!response.destroyed) response.end();
      };
      pump();
      return;
    }
    let at = 0;
    entry.timer = setInterval(() => {
      if (response.destroyed) return;
      response.write(answer.body.subarray(at, at + 1));
      at++;
      if (at >= answer.body.length) {
        clearInterval(entry.timer);
        response.end();
      }
    }, answer.everyMs);
  }

  function decide(request: http.IncomingMessage): Answer {
    requestNumber++;
    const raw = request.url ?? '/';
    const queryAt = raw.indexOf('?');
    const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1));
    const method = request.method ?? 'GET';
    const route = method === 'GET' || method === 'HEAD' ? routeOf(path) : { name: 'other' as const };
    counters.byRoute[route.name]++;

    const fault = matcher.next(path, pageForFaults(query));
    if (fault?.kind === 'hang' || fault?.kind === 'reset') return { kind: fault.kind };

    rollWindow();
    const credential = credentialOf(request);
    const limit = credential.token !== undefined ? limits.authenticated : limits.unauthenticated;
    const key = credential.token !== undefined ? `token:${userKeyOf(credential.token)}` : `ip:${request.socket.remoteAddress ?? ''}`;
    const used = usage.get(key) ?? 0;
    // GET /rate_limit does not count against the limit on GitHub, nor does an answer of 304 (refunded below).
    const counts = route.name !== 'rateLimit';
    const usedNow = counts ? used + 1 : used;
    rememberUse(key, usedNow);
    const common = (shownUsed: number): http.OutgoingHttpHeaders => ({
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${requestNumber.toString(16).toUpperCase().padStart(8, '0')}`,
      'x-ratelimit-limit': limit,
      'x-ratelimit-remaining': Math.max(0, limit - shownUsed),
      'x-ratelimit-reset': resetAt,
      'x-ratelimit-used': Math.min(limit, shownUsed),
      'x-ratelimit-resource': 'core',
    });
    const respond = (status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}, shownUsed = usedNow): Answer => {
      const bytes = Buffer.isBuffer(body) ? body : json(body);
      return { kind: 'respond', status, headers: { ...common(shownUsed), ...extra, 'content-length': bytes.length }, body: bytes };
    };

    if (fault?.kind === 'status') {
      return respond(fault.status, errorBody(http.STATUS_CODES[fault.status] ?? 'Error', fault.status));
    }
    if (fault?.kind === 'rate-limit' || (counts && used >= limit)) {
      // A spent limit, real or injected: the headers say so whatever the real count is.
      return respond(403, rateLimitBody(credential.token, request), {}, limit);
    }
    if (fault?.kind === 'secondary-rate-limit') {
      return respond(429, secondaryRateLimitBody(), { 'retry-after': String(fault.retryAfter) });
    }
    if (credential.bad) return respond(401, errorBody('Bad credentials', 401));
    if (strictAuth && credential.token === undefined) return respond(401, errorBody('Requires authentication', 401));

    const plain = answerRoute(route, path, query, limit, used);
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
      return { kind: 'stream', fault: fault.kind, headers: streamed, body: plain.cached.bytes, everyMs };
    }
    if (fault !== undefined) {
      const bytes = rewrite(fault, plain.cached);
      return respond(200, bytes, { ...cacheControl, etag: etagOf(bytes), ...link });
    }
    if (matchesEtag(request.headers['if-none-match'], plain.cached.etag)) {
      rememberUse(key, used);
      const { 'content-type': _type, ...headers } = common(used);
      return { kind: 'respond', status: 304, headers: { ...headers, ...cacheControl, etag: plain.cached.etag, ...link }, body: Buffer.alloc(0) };
    }
    return respond(200, plain.cached.bytes, { ...cacheControl, etag: plain.cached.etag, ...link });
  }

  function answerRoute(
    route: Route,
    path: string,
    query: URLSearchParams,
    limit: number,
    used: number,
  ): Plain {
    switch (route.name) {
      case 'repos':
        return listing(route.login, path, query);
      case 'repo': {
        const key = `repo:${route.owner}/${route.repo}`.toLowerCase();
        const cached = cache.get(key) ?? remember(key, world.repo(route.owner, route.repo, baseUrl));
        return cached === undefined ? notFound() : { status: 200, cached };
      }
      case 'rateLimit':
        return { status: 200, cached: cachedOf(rateLimitOverview(limit, used, resetAt)) };
      case 'other':
        return notFound();
    }
  }

  function listing(login: string, path: string, query: URLSearchParams): Plain {
    // Rendering a whole listing costs far more than serving a page of it: once per login.
    const repos = listings.get(login.toLowerCase()) ?? world.listRepos(login, baseUrl);
    if (repos === undefined) return notFound();
    listings.set(login.toLowerCase(), repos);
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
    const key = `repos:${login.toLowerCase()}:${perPage}:${page}`;
    // Only pages that exist are cached: every page past the last shares one empty list.
    const cached = page > last ? emptyPage : (cache.get(key) ?? remember(key, repos.slice((page - 1) * perPage, page * perPage)));
    const link = linkHeader(`${baseUrl}${path}`, query, page, last);
    return { status: 200, cached: cached ?? emptyPage, ...(link !== undefined ? { link } : {}) };
  }

  function remember(key: string, value: unknown): Cached | undefined {
    if (value === undefined) return undefined;
    const cached = cachedOf(value);
    cache.set(key, cached);
    return cached;
  }

  // A Map keeps insertion order: re-inserting moves a caller to the back, so the first key is the
  // one used least recently, and the map never holds more than MAX_RATE_LIMIT_KEYS callers.
  function rememberUse(key: string, used: number): void {
    usage.delete(key);
    usage.set(key, used);
    if (usage.size > MAX_RATE_LIMIT_KEYS) {
      const oldest = usage.keys().next();
      if (oldest.done !== true) usage.delete(oldest.value);
    }
  }

  function rollWindow(): void {
    const now = Math.floor(Date.now() / 1000);
    if (now < resetAt) return;
    resetAt = now + WINDOW_SECONDS;
    usage.clear();
  }

  function release(): number {
    const entries = [...held];
    held.clear();
    for (const entry of entries) deliver(entry);
    return entries.length;
  }

  function whenIdle(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (inFlight !== 0 || sockets.size !== 0) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new IdleTimeoutError(timeoutMs, stats()));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    host,
    port,
    world,
    stats,
    resetStats() {
      counters = zeroCounters();
      counters.peakInFlight = inFlight;
    },
    setFaults(rules) {
      matcher = createFaultMatcher(rules);
    },
    setLatency(next) {
      latency = checkLatency(next);
    },
    setHold(hold) {
      holding = hold;
      if (!hold) release();
    },
    release,
    idle: (timeoutMs = 5_000) => whenIdle(timeoutMs),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const entry of pending) clearTimeout(entry.timer);
        pending.clear();
        held.clear();
        let serverClosed = false;
        const finish = (): void => {
          if (!serverClosed || sockets.size !== 0) return;
          waiters.delete(finish);
          resolve();
        };
        waiters.add(finish);
        // The server's close only waits for connections, which are destroyed just below; its one
        // possible error is "not running", which still means closed.
        server.close(() => {
          serverClosed = true;
          finish();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pure helpers: routes, bodies, headers.

function zeroCounters(): { received: number; served: number; peakInFlight: number; byRoute: Record<RouteName, number> } {
  return { received: 0, served: 0, peakInFlight: 0, byRoute: { repos: 0, repo: 0, rateLimit: 0, other: 0 } };
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
function credentialOf(request: http.IncomingMessage): { token: string | undefined; bad: boolean } {
  const header = request.headers.authorization;
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

function rewrite(fault: FaultAction, cached: Cached): Buffer {
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

function json(value: unknown): Buffer {
  // GitHub pretty-prints its JSON with two spaces; the byte counts the clients parse stay realistic.
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}

function cachedOf(value: unknown): Cached {
  const bytes = json(value);
  return { value, bytes, etag: etagOf(bytes) };
}

function etagOf(bytes: Buffer): string {
  return `W/"${createHash('sha256').update(bytes).digest('hex')}"`;
}

function notFound(): Plain {
  return { status: 404, cached: cachedOf(errorBody('Not Found', 404)) };
}

function errorBody(message: string, status: number): BasicError {
  return { message, documentation_url: DOCS, status: String(status) };
}

function rateLimitBody(token: string | undefined, request: http.IncomingMessage): BasicError {
  const who = token !== undefined ? `user ID ${userIdOf(token)}` : (request.socket.remoteAddress ?? 'this address');
  const hint = token !== undefined ? '' : " (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)";
  return { message: `API rate limit exceeded for ${who}.${hint}`, documentation_url: `${RATE_LIMIT_DOCS}#about-the-primary-rate-limit` };
}

function secondaryRateLimitBody(): BasicError {
  return {
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    documentation_url: `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
  };
}

/** What the rate-limit bookkeeping keeps of a token: 43 characters, however long the token. */
function userKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A stable pretend user id per token, so messages are deterministic without exposing the token. */
function userIdOf(token: string): number {
  return createHash('sha256').update(token).digest().readUInt32BE(0) % 100_000_000;
}

function rateLimitOverview(limit: number, used: number, reset: number): RateLimitOverview {
  const core = { limit, used, remaining: Math.max(0, limit - used), reset };
  return {
    resources: {
      core,
      search: { limit: 30, used: 0, remaining: 30, reset: Math.floor(Date.now() / 1000) + 60 },
      graphql: { limit: 5_000, used: 0, remaining: 5_000, reset },
    },
    rate: core,
  };
}

function checkLatency(latency: Latency): Latency {
  const ok = (ms: number): boolean => Number.isFinite(ms) && ms >= 0;
  if (typeof latency === 'number' ? ok(latency) : ok(latency.min) && ok(latency.max) && latency.min <= latency.max) return latency;
  throw new FakeGithubOptionsError(
    `fake GitHub latency ${JSON.stringify(latency)} is not accepted; expected milliseconds from 0 up, or { min, max } with 0 <= min <= max`,
  );
}

function checkLimit(name: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new FakeGithubOptionsError(`fake GitHub ${name} ${value} is not accepted; expected a whole number from 1 up`);
}
