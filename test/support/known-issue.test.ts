// A known issue excuses only the failure it names: the wrapper passes on that one, and fails on a
// pass or on any other failure.
import { describe, expect, it } from 'vitest';
import type { KnownIssue } from '../../styles/known-issues.js';
import { expectKnownFailure } from './known-issue.js';

const ISSUE: KnownIssue = { style: 's', suite: 'echo', test: 't', reason: 'r', failure: /^expected \d+ to be greater than 10$/ };

describe('expectKnownFailure', () => {
  it('passes when the test fails as the issue says', async () => {
    await expect(expectKnownFailure(ISSUE, () => Promise.resolve(expect(5).toBeGreaterThan(10)))).resolves.toBeUndefined();
  });

  it('fails when the test passes: the issue is gone', async () => {
    await expect(expectKnownFailure(ISSUE, () => Promise.resolve())).rejects.toThrow(/no longer fails/);
  });

  it('fails on another failure, an unrelated crash', async () => {
    const crash = new TypeError("Cannot read properties of undefined (reading 'port')");
    const outcome = expectKnownFailure(ISSUE, () => Promise.reject(crash));
    await expect(outcome).rejects.toThrow(/failed otherwise than it says.*reading 'port'/);
    await expect(outcome).rejects.toMatchObject({ cause: crash });
  });
});
