// The token's scope in the raw client (issue 15): which URLs may carry the token of a client made
// for one API. The wire side (a hostile server that points `link` elsewhere) is in the conformance suite.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, mayCarryToken } from './http.js';

describe('mayCarryToken', () => {
  it.each([
    ['https://api.github.com/users/x/repos?page=2', 'https://api.github.com', false, true],
    ['https://api.github.com:443/users/x', 'https://api.github.com/', false, true],
    ['http://127.0.0.1:4000/users/x', 'http://127.0.0.1:4000', false, true],
    ['http://localhost:4000/x', 'http://localhost:4000', false, true],
    ['http://[::1]:4000/x', 'http://[::1]:4000', false, true],
    // Another origin reached through `link`: another host, port or scheme.
    ['https://evil.example/steal', 'https://api.github.com', false, false],
    ['https://api.github.com.evil.example/x', 'https://api.github.com', false, false],
    ['http://127.0.0.1:4001/x', 'http://127.0.0.1:4000', false, false],
    ['http://api.github.com/x', 'https://api.github.com', false, false],
    ['https://user:pw@api.github.com/x', 'https://api.github.com', false, true],
    // Plain http to a host that is not loopback: only with the opt-in.
    ['http://10.0.0.5:8080/x', 'http://10.0.0.5:8080', false, false],
    ['http://10.0.0.5:8080/x', 'http://10.0.0.5:8080', true, true],
    // Never without an API to compare with, never to a URL that does not parse.
    ['https://api.github.com/x', undefined, false, false],
    ['not a url', 'https://api.github.com', false, false],
  ] as const)('%s for a client of %s (plain http allowed: %s): %s', (url, api, overHttp, expected) => {
    expect(mayCarryToken(url, api, overHttp)).toBe(expected);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['localhost', true], ['LOCALHOST', true], ['a.localhost', true], ['[::1]', true],
    ['128.0.0.1', false], ['127.0.0.1.evil.example', false], ['localhost.evil.example', false], ['10.0.0.1', false], ['::2', false],
  ] as const)('%s: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
