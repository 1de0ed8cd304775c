// How a conformance suite runs a test that styles/known-issues.ts says a style does not pass: the
// test runs, and must fail with the failure the issue names. A test that passes (the issue is gone)
// or fails with anything else (an unrelated crash, another assertion) fails, saying which.
import type { KnownIssue } from '../../styles/known-issues.js';

export async function expectKnownFailure(issue: KnownIssue, body: () => Promise<void>): Promise<void> {
  const where = `known issue of ${issue.style} (${issue.suite}: "${issue.test}")`;
  let failed = false;
  let failure: unknown;
  try {
    await body();
  } catch (error) {
    failed = true;
    failure = error;
  }
  if (!failed) throw new Error(`${where} no longer fails: remove it from styles/known-issues.ts`);
  const message = failure instanceof Error ? failure.message : String(failure);
  if (!issue.failure.test(message)) {
    throw new Error(`${where} failed otherwise than it says: expected a message matching ${String(issue.failure)}, got: ${message}`, { cause: failure });
  }
}
