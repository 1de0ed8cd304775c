// Every place a style cannot meet a rule of a conformance suite, with the reason, in one list
// (STYLE.md, after TodoMVC's knownIssues.js). The suites read it; nothing is skipped elsewhere.

export interface KnownIssue {
  readonly style: string;
  readonly suite: 'repos-and-forks' | 'echo';
  /** The exact test title the issue excuses. */
  readonly test: string;
  readonly reason: string;
}

export const KNOWN_ISSUES: readonly KnownIssue[] = [];

export function knownIssue(style: string, suite: KnownIssue['suite'], test: string): KnownIssue | undefined {
  return KNOWN_ISSUES.find((issue) => issue.style === style && issue.suite === suite && issue.test === test);
}
