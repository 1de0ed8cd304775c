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
// This module is the server: it starts and stops, counts, and wires the parts together. Each request
// is decided when it arrives (fake-github-answer.ts, which documents the order), counted against its
// caller's rate limit (fake-github-rate-limit.ts), delayed by the latency, then held while hold is on,
// and written (fake-github-delivery.ts); the bodies are rendered in fake-github-bodies.ts.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { arrivalOf, decide, isInterruption, type Answer } from './fake-github-answer.js';
import { Catalog } from './fake-github-bodies.js';
import { deliver, type Pending } from './fake-github-delivery.js';
import { DEFAULT_RATE_LIMIT, RateLimits, unixSeconds } from './fake-github-rate-limit.js';
import { createFaultMatcher, type FaultMatcher, type FaultRule } from './faults.js';
import { createWorld, mulberry32, type World } from './world.js';

export { DEFAULT_PER_PAGE, MAX_PER_PAGE } from './fake-github-answer.js';
export { DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT_KEYS } from './fake-github-rate-limit.js';

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

type RouteName = keyof FakeGithubStats['byRoute'];

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const host = options.host ?? '127.0.0.1';
  const world = options.world ?? createWorld();
  const rateLimits = new RateLimits({
    authenticated: checkLimit('rateLimit.authenticated', options.rateLimit?.authenticated ?? DEFAULT_RATE_LIMIT.authenticated),
    unauthenticated: checkLimit('rateLimit.unauthenticated', options.rateLimit?.unauthenticated ?? DEFAULT_RATE_LIMIT.unauthenticated),
  });
  const random = mulberry32(world.seed ^ 0x9e37_79b9);
  let latency = checkLatency(options.latency ?? 0);
  let matcher: FaultMatcher = createFaultMatcher(options.faults ?? []);
  let holding = options.hold ?? false;
  const strictAuth = options.strictAuth ?? false;

  const sockets = new Set<Socket>();
  const pending = new Set<Pending>();
  const held = new Set<Pending>();
  const waiters = new Set<() => void>();
  let requestNumber = 0;
  let counters = zeroCounters();
  let inFlight = 0;
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
    const entry: Pending = { request, response, answer: answerOf(request), timer: undefined };
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

  // The fault matcher's nth counting and the rate-limit counts follow arrival order.
  function answerOf(request: http.IncomingMessage): Answer {
    requestNumber++;
    const arrival = arrivalOf(request);
    counters.byRoute[arrival.route.name]++;
    const fault = matcher.next(arrival.path, arrival.faultPage);
    if (isInterruption(fault)) return { kind: fault.kind };
    const caller = rateLimits.callerOf(arrival.credential.token, arrival.remoteAddress);
    const decision = decide(arrival, { requestNumber, fault, rate: rateLimits.read(caller), now: unixSeconds(), strictAuth, catalog });
    rateLimits.record(caller, decision.used);
    return decision.answer;
  }

  function nextDelay(): number {
    if (typeof latency === 'number') return latency;
    return latency.min + random() * (latency.max - latency.min);
  }

  function proceed(entry: Pending): void {
    entry.timer = undefined;
    if (holding) held.add(entry);
    else answerNow(entry);
  }

  function answerNow(entry: Pending): void {
    pending.delete(entry);
    deliver(entry);
  }

  function release(): number {
    const entries = [...held];
    held.clear();
    for (const entry of entries) answerNow(entry);
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
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // The bodies' URLs need the port: `answerOf` reads this, and no request arrives before it is set.
  const catalog = new Catalog(world, baseUrl);

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

function zeroCounters(): { received: number; served: number; peakInFlight: number; byRoute: Record<RouteName, number> } {
  return { received: 0, served: 0, peakInFlight: 0, byRoute: { repos: 0, repo: 0, rateLimit: 0, other: 0 } };
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
