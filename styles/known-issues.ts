// Every place a style cannot meet a rule of a conformance suite, with the reason and the failure it
// ends in, in one list (after TodoMVC's knownIssues.js). The suites read it and run the test anyway:
// it must fail, and with that failure; one that passes or fails otherwise (an unrelated crash) is an
// error of the suite. Nothing is skipped elsewhere.

export interface KnownIssue {
  readonly style: string;
  readonly suite: 'repos-and-forks' | 'echo';
  /** The exact test title the issue excuses. */
  readonly test: string;
  readonly reason: string;
  /** The failure the test is known to end in: the thrown error's message matches it. */
  readonly failure: RegExp;
}

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    style: 'threads',
    suite: 'echo',
    test: '1,000 concurrent connections each get their own bytes back',
    reason:
      'A thread per connection is a whole Node worker: on the kit\'s 2-core machine (Node 20) one costs 7.8 MiB of RSS ' +
      'and ~32 ms of CPU to start. The machine holds 1,000 of them (7.8 GiB, measured), but starting them takes ~70 s, ' +
      'far past the suite\'s 10 s wait; so the style caps live threads at 256 (ROSETTA_THREADS_MAX) and sheds ' +
      'connections past the cap, a bounded process instead of an unbounded one (styles/threads/runtime/README.md).',
    // The server never holds all 1,000: the wait for them runs out.
    failure: /^timed out after \d+ ms waiting for the server to hold 1000 connections$/,
  },
  {
    style: 'threads',
    suite: 'echo',
    test: 'survives running out of file descriptors (EMFILE) and accepts again when some close',
    reason:
      'Each connection costs five descriptors, not one: its socket plus its worker\'s own libuv loop (epoll, an ' +
      'eventfd and a signal pipe pair, measured with /proc/self/fd on Node 20). Under the test\'s 64-descriptor ' +
      'limit the server holds 5 connections, not the more than 10 the test asks; past that a worker cannot start, ' +
      'and the connection is shed (the process stays up and bounded).',
    // The server holds too few connections: the count of those served fails its bound.
    failure: /^expected \d+ to be greater than 10$/,
  },
];

export function knownIssue(style: string, suite: KnownIssue['suite'], test: string): KnownIssue | undefined {
  return KNOWN_ISSUES.find((issue) => issue.style === style && issue.suite === suite && issue.test === test);
}
