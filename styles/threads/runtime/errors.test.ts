import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, ParseError, TimeoutError } from '../../../scenarios/repos-and-forks/contract.js';
import { THREAD_BOUNDARY, InterruptedError, appendJoinSite, decodeError, encodeError } from './errors.js';

/** What postMessage does to the encoded form: a structured clone. */
const cross = (error: unknown): Error => decodeError(structuredClone(encodeError(error)));

describe('errors across the thread boundary', () => {
  it('rebuilds an ApiError with its class, fields, message and the thrower\'s stack', () => {
    const original = new ApiError(429, 'http://x/repos/a/b', { 'retry-after': '30', 'x-ratelimit-reset': '99' }, '{"message":"slow down"}');
    const crossed = cross(original);
    expect(crossed).toBeInstanceOf(ApiError);
    expect(crossed).toMatchObject({ name: 'ApiError', status: 429, url: 'http://x/repos/a/b', retryAfter: 30, rateLimitReset: 99 });
    expect(crossed.message).toBe(original.message);
    expect(crossed.stack).toBe(original.stack);
  });

  it('keeps the cause chain: a SyntaxError stays one, a socket error keeps its code', () => {
    let syntax: unknown;
    try {
      JSON.parse('{');
    } catch (error) {
      syntax = error;
    }
    const parse = cross(new ParseError('http://x/p', syntax));
    expect(parse).toBeInstanceOf(ParseError);
    expect(parse.cause).toBeInstanceOf(SyntaxError);
    const reset = cross(new NetworkError('http://x/n', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 })));
    expect(reset).toBeInstanceOf(NetworkError);
    expect(reset.cause).toMatchObject({ code: 'ECONNRESET', errno: -104, message: 'read ECONNRESET' });
    expect(cross(new TimeoutError('http://x/t', 300))).toMatchObject({ name: 'TimeoutError', ms: 300 });
  });

  it('rebuilds the runtime\'s own errors, and turns a thrown non-Error into an Error that says so', () => {
    expect(cross(new InterruptedError('stop'))).toBeInstanceOf(InterruptedError);
    const thrown = cross('a string');
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.message).toContain('non-Error value: a string');
  });

  it('appends the joining thread\'s frames under the boundary header', () => {
    const error = appendJoinSite(new RangeError('boom'), 'the test', new Error('site'));
    const [thrower, joiner] = (error.stack ?? '').split(THREAD_BOUNDARY);
    expect(thrower).toContain('RangeError: boom');
    expect(joiner).toContain('the test ---');
    expect(joiner).toMatch(/\n\s+at /);
    expect(joiner).not.toContain('Error: site');
  });
});
