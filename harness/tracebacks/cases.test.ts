// The fault-case table: every case is complete, and its server rule hits exactly the request it names.
import { describe, expect, it } from 'vitest';
import { WORKFLOW_ERRORS } from '../../scenarios/repos-and-forks/contract.js';
import { createFaultMatcher, formatFaultRule } from '../../scenarios/repos-and-forks/faults.js';
import { createWorld, DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { FAULT_CASES, faultRuleFor, findCase, targetUrl } from './cases.js';

const world = createWorld();
const forks = (world.listRepos(DEFAULT_USER) ?? []).filter((repo) => repo.fork).map((repo) => repo.full_name);

describe('FAULT_CASES', () => {
  it('holds the six cases of issue #7, each with a known error class and a path from reposAndForks', () => {
    expect(FAULT_CASES.map((faultCase) => faultCase.id)).toEqual(['http-500', 'malformed-json', 'reset', 'missing-field', 'hang', 'rate-limit']);
    for (const faultCase of FAULT_CASES) {
      expect(Object.keys(WORKFLOW_ERRORS)).toContain(faultCase.expectedError);
      expect(faultCase.path[0]).toBe('reposAndForks');
      expect(faultCase.status !== undefined).toBe(faultCase.expectedError === 'ApiError');
    }
  });

  it('aims a fork fault at exactly the nth fork of the listing, whatever order requests arrive in', () => {
    const http500 = findCase('http-500');
    expect(http500).toBeDefined();
    const rule = faultRuleFor(http500!, world, DEFAULT_USER);
    expect(formatFaultRule(rule)).toBe(`status=500@/repos/${forks[2]}`);
    const matcher = createFaultMatcher([rule]);
    // Arrival order scrambled: only the 3rd fork's path faults.
    expect(matcher.next(`/repos/${forks[4]}`, 1)).toBeUndefined();
    expect(matcher.next(`/repos/${forks[2]}`, 1)).toEqual({ kind: 'status', status: 500 });
    expect(targetUrl(http500!, world, DEFAULT_USER, 'http://127.0.0.1:4000')).toEqual({ origin: 'http://127.0.0.1:4000', pathname: `/repos/${forks[2]}` });
  });

  it('aims a page fault at that page of the listing', () => {
    const malformed = findCase('malformed-json')!;
    const matcher = createFaultMatcher([faultRuleFor(malformed, world, DEFAULT_USER)]);
    expect(matcher.next(`/users/${DEFAULT_USER}/repos`, 1)).toBeUndefined();
    expect(matcher.next(`/users/${DEFAULT_USER}/repos`, 2)).toEqual({ kind: 'truncated' });
    expect(targetUrl(malformed, world, DEFAULT_USER, 'http://127.0.0.1:4000/')).toMatchObject({ page: 2 });
  });

  it('keeps the request timeout small only where the case waits on it', () => {
    for (const faultCase of FAULT_CASES) {
      if (faultCase.id === 'hang') expect(faultCase.timeoutMs).toBeLessThanOrEqual(500);
      else expect(faultCase.timeoutMs).toBeGreaterThanOrEqual(2_000);
    }
  });
});
