// The rate-limit bookkeeping on a clock the test drives: callers counted apart, the window rolling
// over, and the bound on how many callers are remembered.
import { describe, expect, it } from 'vitest';
import { MAX_RATE_LIMIT_KEYS, RateLimits } from './fake-github-rate-limit.js';

function limits(start = 1_000): { rateLimits: RateLimits; advance: (seconds: number) => void } {
  let now = start;
  return {
    rateLimits: new RateLimits({ authenticated: 5, unauthenticated: 50 }, () => now),
    advance: (seconds) => {
      now += seconds;
    },
  };
}

describe('RateLimits', () => {
  it('counts a token and an address apart, each with its own limit, keyed without the token', () => {
    const { rateLimits } = limits();
    const token = rateLimits.callerOf('secret-token', '10.0.0.1');
    const address = rateLimits.callerOf(undefined, '10.0.0.1');
    expect(token.limit).toBe(5);
    expect(address).toEqual({ key: 'ip:10.0.0.1', limit: 50 });
    expect(token.key).not.toContain('secret-token');
    expect(rateLimits.callerOf('secret-token', '10.0.0.2')).toEqual(token);
    rateLimits.record(token, 3);
    expect(rateLimits.read(token)).toEqual({ limit: 5, used: 3, resetAt: 4_600 });
    expect(rateLimits.read(address).used).toBe(0);
  });

  it('starts a new window, every count at zero, once the reset time has come', () => {
    const { rateLimits, advance } = limits();
    const caller = rateLimits.callerOf(undefined, '10.0.0.1');
    rateLimits.record(caller, 7);
    advance(3_599);
    expect(rateLimits.read(caller)).toEqual({ limit: 50, used: 7, resetAt: 4_600 });
    advance(1);
    expect(rateLimits.read(caller)).toEqual({ limit: 50, used: 0, resetAt: 8_200 });
  });

  it('forgets the caller used least recently past MAX_RATE_LIMIT_KEYS callers', () => {
    const { rateLimits } = limits();
    const caller = (n: number) => rateLimits.callerOf(undefined, `10.0.${n >> 8}.${n & 255}`);
    for (let n = 0; n < MAX_RATE_LIMIT_KEYS; n++) rateLimits.record(caller(n), 1);
    rateLimits.record(caller(0), 2);
    rateLimits.record(caller(MAX_RATE_LIMIT_KEYS), 1);
    expect(rateLimits.read(caller(0)).used).toBe(2);
    expect(rateLimits.read(caller(1)).used).toBe(0);
    expect(rateLimits.read(caller(2)).used).toBe(1);
  });
});
