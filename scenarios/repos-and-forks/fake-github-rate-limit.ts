// The fake GitHub's rate-limit bookkeeping: how many requests each caller made in the current
// hour-long window, and when that window ends. A caller is a token, kept as its SHA-256 (43
// characters, however long the token, and never the token itself), or the client's address when
// there is no token. What the counts answer (403, the x-ratelimit-* headers) is decided in
// fake-github-answer.ts; this class only counts.
import { createHash } from 'node:crypto';

/** Requests per hour; unauthenticated is far above GitHub's 60 (fake-github.ts's header says why). */
export const DEFAULT_RATE_LIMIT = { authenticated: 5_000, unauthenticated: 1_000_000 } as const;
/** Callers whose rate-limit use is remembered at once; past it the oldest is forgotten (its count restarts). */
export const MAX_RATE_LIMIT_KEYS = 10_000;
const WINDOW_SECONDS = 3_600;

export interface RateLimitOptions {
  readonly authenticated: number;
  readonly unauthenticated: number;
}

/** Whom a request counts against, and that caller's limit per window. */
export interface Caller {
  readonly key: string;
  readonly limit: number;
}

/** A caller's standing as a request arrives, before the request is counted. */
export interface RateReading {
  readonly limit: number;
  /** Requests counted in this window before this one. */
  readonly used: number;
  /** When the window ends, in Unix seconds: GitHub's `x-ratelimit-reset`. */
  readonly resetAt: number;
}

/** The current Unix time in whole seconds, the unit of GitHub's rate-limit headers. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class RateLimits {
  // A Map keeps insertion order: `record` re-inserts, so the first key is the caller used least
  // recently, and the map never holds more than MAX_RATE_LIMIT_KEYS callers.
  private readonly usage = new Map<string, number>();
  private resetAt: number;

  /** `now` is the clock in Unix seconds; tests pass their own. */
  constructor(
    private readonly limits: RateLimitOptions,
    private readonly now: () => number = unixSeconds,
  ) {
    this.resetAt = now() + WINDOW_SECONDS;
  }

  /** `Bearer T` or `token T` counts against the token's caller; no token, against the address. */
  callerOf(token: string | undefined, address: string | undefined): Caller {
    return token !== undefined
      ? { key: `token:${userKeyOf(token)}`, limit: this.limits.authenticated }
      : { key: `ip:${address ?? ''}`, limit: this.limits.unauthenticated };
  }

  /** The caller's standing now; a window that has ended starts a new one with every count at zero. */
  read(caller: Caller): RateReading {
    this.rollWindow();
    return { limit: caller.limit, used: this.usage.get(caller.key) ?? 0, resetAt: this.resetAt };
  }

  /** Sets the caller's count in this window; past the bound the least recent caller is forgotten. */
  record(caller: Caller, used: number): void {
    this.usage.delete(caller.key);
    this.usage.set(caller.key, used);
    if (this.usage.size > MAX_RATE_LIMIT_KEYS) {
      const oldest = this.usage.keys().next();
      if (oldest.done !== true) this.usage.delete(oldest.value);
    }
  }

  private rollWindow(): void {
    const now = this.now();
    if (now < this.resetAt) return;
    this.resetAt = now + WINDOW_SECONDS;
    this.usage.clear();
  }
}

/** What the bookkeeping keeps of a token: 43 characters, however long the token. */
function userKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
