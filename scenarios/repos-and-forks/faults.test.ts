// Fault rules as text and as data: parsing, its errors, the canonical form, and which requests a
// matcher picks (globs, pages, nth, several rules at once). The wire behaviour is in fake-github.test.ts.
import { describe, expect, it } from 'vitest';
import {
  FaultRuleError,
  checkFaultRule,
  createFaultMatcher,
  describeFaultRule,
  formatFaultRule,
  parseFaultRule,
  type FaultRule,
} from './faults.js';

describe('parseFaultRule', () => {
  it.each<[string, FaultRule]>([
    ['status=500@/repos/*/*#3', { path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } }],
    ['status=502@/users/*/repos', { path: '/users/*/repos', action: { kind: 'status', status: 502 } }],
    ['rate-limit@/users/*/repos', { path: '/users/*/repos', action: { kind: 'rate-limit' } }],
    ['secondary-rate-limit=30@/repos/*/*#2', { path: '/repos/*/*', nth: 2, action: { kind: 'secondary-rate-limit', retryAfter: 30 } }],
    ['secondary-rate-limit@/repos/*/*', { path: '/repos/*/*', action: { kind: 'secondary-rate-limit', retryAfter: 60 } }],
    ['reset@/repos/*/*#5', { path: '/repos/*/*', nth: 5, action: { kind: 'reset' } }],
    ['truncated@/users/*/repos?page=2', { path: '/users/*/repos', page: 2, action: { kind: 'truncated' } }],
    ['malformed@/users/octocat/repos?page=3#1', { path: '/users/octocat/repos', page: 3, nth: 1, action: { kind: 'malformed' } }],
    ['missing-source@/repos/*/*#2', { path: '/repos/*/*', nth: 2, action: { kind: 'missing-source' } }],
    ['hang@/repos/*/*#1', { path: '/repos/*/*', nth: 1, action: { kind: 'hang' } }],
    ['hang@/**', { path: '/**', action: { kind: 'hang' } }],
  ])('reads %s', (text, rule) => {
    expect(parseFaultRule(text)).toEqual(rule);
  });

  it.each([
    ['', 'not of the form KIND[=ARG]@PATH'],
    ['status=500', 'not of the form KIND[=ARG]@PATH'],
    ['boom@/repos/*/*', 'unknown KIND "boom"'],
    ['status@/repos/*/*', 'status needs a code'],
    ['status=abc@/repos/*/*', 'status CODE must be a whole number (got "abc")'],
    ['status=200@/repos/*/*', 'status CODE must be from 400 to 599 (got 200)'],
    ['status=600@/repos/*/*', 'from 400 to 599 (got 600)'],
    ['reset=1@/repos/*/*', 'reset takes no =ARG (got "1")'],
    ['secondary-rate-limit=-1@/repos/*/*', 'SECONDS must be a whole number (got "-1")'],
    ['hang@repos/*/*', 'not of the form'],
    ['hang@/repos/<x>', 'must start with / and hold only'],
    ['hang@/repos/*/*?per_page=2', 'the only query accepted is ?page=N (got ?per_page=2)'],
    ['hang@/repos/*/*?page=x', 'page must be a whole number (got "x")'],
    ['hang@/users/*/repos?page=0', 'page must be a whole number from 1 up (got 0)'],
    ['hang@/repos/*/*#0', 'NTH must be a whole number from 1 up (got 0)'],
    ['hang@/repos/*/*#first', 'NTH must be a whole number (got "first")'],
  ])('rejects %j: %s', (text, problem) => {
    let caught: unknown;
    try {
      parseFaultRule(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultRuleError);
    const error = caught as FaultRuleError;
    expect(error.name).toBe('FaultRuleError');
    expect(error.text).toBe(text);
    expect(error.message).toContain(`fault rule ${JSON.stringify(text)}: `);
    expect(error.message).toContain(problem);
    expect(error.message).toContain('accepted: KIND[=ARG]@PATH[?page=N][#NTH]');
  });
});

describe('formatFaultRule and describeFaultRule', () => {
  it.each([
    'status=500@/repos/*/*#3',
    'rate-limit@/users/*/repos',
    'secondary-rate-limit=30@/repos/*/*',
    'truncated@/users/*/repos?page=2#1',
    'hang@/repos/*/*#1',
  ])('round-trips %s', (text) => {
    expect(formatFaultRule(parseFaultRule(text))).toBe(text);
  });

  it('says what a rule does, for people', () => {
    expect(describeFaultRule(parseFaultRule('status=500@/repos/*/*#3'))).toBe(
      'status=500@/repos/*/*#3: the 3rd request matching /repos/*/* answers 500',
    );
    expect(describeFaultRule(parseFaultRule('truncated@/users/*/repos?page=2'))).toBe(
      'truncated@/users/*/repos?page=2: every request matching /users/*/repos with page=2 answers 200 with its JSON cut in half (Content-Length matches the half)',
    );
    expect(describeFaultRule(parseFaultRule('hang@/repos/*/*#11'))).toContain('the 11th request');
    expect(describeFaultRule(parseFaultRule('hang@/repos/*/*#22'))).toContain('the 22nd request');
    expect(describeFaultRule(parseFaultRule('reset@/repos/*/*#1'))).toContain('the 1st request matching /repos/*/* has its connection reset');
  });
});

describe('checkFaultRule', () => {
  it('accepts good rules built in code and rejects bad ones, quoting them as JSON', () => {
    const good: FaultRule = { path: '/repos/*/*', nth: 2, action: { kind: 'hang' } };
    expect(checkFaultRule(good)).toBe(good);
    const bad: FaultRule = { path: '/repos/*/*', nth: 1.5, action: { kind: 'hang' } };
    expect(() => checkFaultRule(bad)).toThrow(FaultRuleError);
    expect(() => checkFaultRule(bad)).toThrow(`fault rule ${JSON.stringify(JSON.stringify(bad))}`);
    expect(() => createFaultMatcher([{ path: '/x', action: { kind: 'status', status: 302 } }])).toThrow(/400 to 599/);
  });
});

describe('createFaultMatcher', () => {
  it('matches * within one segment and ** across segments, case-insensitively', () => {
    const star = createFaultMatcher([{ path: '/repos/*/*', action: { kind: 'reset' } }]);
    expect(star.next('/repos/octocat/hello', 1)).toEqual({ kind: 'reset' });
    expect(star.next('/REPOS/Octocat/Hello', 1)).toEqual({ kind: 'reset' });
    expect(star.next('/repos/octocat', 1)).toBeUndefined();
    expect(star.next('/repos/octocat/hello/forks', 1)).toBeUndefined();
    expect(star.next('/users/octocat/repos', 1)).toBeUndefined();
    const any = createFaultMatcher([{ path: '/repos/**', action: { kind: 'reset' } }]);
    expect(any.next('/repos/octocat/hello/forks', 1)).toEqual({ kind: 'reset' });
    const dot = createFaultMatcher([{ path: '/repos/a.b/*', action: { kind: 'reset' } }]);
    expect(dot.next('/repos/axb/c', 1)).toBeUndefined();
    expect(dot.next('/repos/a.b/c', 1)).toEqual({ kind: 'reset' });
  });

  it('fires on the nth matching request only, counting only the requests it matches', () => {
    const matcher = createFaultMatcher([{ path: '/repos/*/*', nth: 3, action: { kind: 'hang' } }]);
    const fired = ['/repos/a/1', '/users/a/repos', '/repos/a/2', '/rate_limit', '/repos/a/3', '/repos/a/4'].map(
      (path) => matcher.next(path, 1)?.kind,
    );
    expect(fired).toEqual([undefined, undefined, undefined, undefined, 'hang', undefined]);
  });

  it('fires on every matching request without nth', () => {
    const matcher = createFaultMatcher([{ path: '/repos/*/*', action: { kind: 'malformed' } }]);
    expect([1, 2, 3].map(() => matcher.next('/repos/a/b', 1)?.kind)).toEqual(['malformed', 'malformed', 'malformed']);
  });

  it('matches a page, and counts nth among requests for that page', () => {
    const matcher = createFaultMatcher([{ path: '/users/*/repos', page: 2, nth: 2, action: { kind: 'truncated' } }]);
    const pages = [1, 2, 3, 2, 2];
    expect(pages.map((page) => matcher.next('/users/octocat/repos', page)?.kind)).toEqual([
      undefined, undefined, undefined, 'truncated', undefined,
    ]);
  });

  it('counts every rule on every request it matches; the first rule that fires wins', () => {
    const matcher = createFaultMatcher([
      { path: '/repos/*/*', nth: 2, action: { kind: 'status', status: 500 } },
      { path: '/repos/**', nth: 2, action: { kind: 'reset' } },
      { path: '/repos/**', nth: 3, action: { kind: 'hang' } },
    ]);
    expect([1, 2, 3].map(() => matcher.next('/repos/a/b', 1))).toEqual([
      undefined,
      { kind: 'status', status: 500 },
      { kind: 'hang' },
    ]);
  });
});

describe('hostile rules (issue 15)', () => {
  it.each<[string, FaultRule]>([
    ['link=http://other-host/steal?page=2@/users/*/repos?page=1', { path: '/users/*/repos', page: 1, action: { kind: 'link', url: 'http://other-host/steal?page=2' } }],
    ['link=not a url@/users/*/repos', { path: '/users/*/repos', action: { kind: 'link', url: 'not a url' } }],
    ['huge-body@/repos/*/*#2', { path: '/repos/*/*', nth: 2, action: { kind: 'huge-body' } }],
    ['trickle@/users/*/repos', { path: '/users/*/repos', action: { kind: 'trickle', everyMs: 100 } }],
    ['trickle=20@/repos/*/*#1', { path: '/repos/*/*', nth: 1, action: { kind: 'trickle', everyMs: 20 } }],
  ])('reads %s', (text, rule) => {
    expect(parseFaultRule(text)).toEqual(rule);
    expect(parseFaultRule(formatFaultRule(rule))).toEqual(rule);
  });

  it.each([
    ['link@/x', 'link needs a target'],
    ['link=<a>b@/x', 'without @ or >'],
    ['trickle=0@/x', 'trickle MS'],
    ['huge-body=5@/x', 'takes no =ARG'],
    ['hang@/x#99999999999999999999', 'at most 9007199254740991'],
  ])('rejects %s', (text, problem) => {
    expect(() => parseFaultRule(text)).toThrow(problem);
  });

  it('matches a pathological glob against a long near-miss path in linear time', () => {
    // With the old backtracking RegExp this pair took more than 35 s; the NFA walks it once.
    const rule: FaultRule = { path: `/${'**a'.repeat(14)}**b`, action: { kind: 'status', status: 500 } };
    const matcher = createFaultMatcher([rule]);
    const started = performance.now();
    expect(matcher.next(`/${'a'.repeat(60)}`, 1)).toBeUndefined();
    expect(matcher.next(`/${'a'.repeat(5_000)}/b`, 1)).toEqual(rule.action);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
