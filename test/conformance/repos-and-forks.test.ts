// The repos-and-forks conformance suite: one spec (scenarios/repos-and-forks/SPEC.md), run against
// every style in the registry with no special cases. Deviations live in styles/known-issues.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError, DEFAULT_INPUT, LinkHeaderError, NetworkError, ParseError, TimeoutError,
  type ReposAndForksInput, type ReposAndForksResult,
} from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import type { FaultRule } from '../../scenarios/repos-and-forks/faults.js';
import { DEFAULT_USER, EMPTY_USER, EXACT_PAGE_USER, SMALL_USER, createWorld } from '../../scenarios/repos-and-forks/world.js';
import { knownIssue } from '../../styles/known-issues.js';
import { expectKnownFailure } from '../support/known-issue.js';
import { STYLES } from '../../styles/registry.js';
import type { StyleAdapter } from '../../styles/adapter.js';
import { startHostileApi } from '../support/hostile-api.js';
import { openResources } from '../support/resources.js';

const world = createWorld();
const DEADLINE_MS = 10_000;

type Outcome =
  | { readonly kind: 'resolved'; readonly result: ReposAndForksResult }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'hung' };

interface Observed {
  readonly outcome: Outcome;
  readonly cleanups: number;
  readonly unhandled: readonly unknown[];
  readonly printed: readonly string[];
  /** OS threads of this process before the run and once it settled: a thread not joined shows here. */
  readonly threads: { readonly before: number | undefined; readonly after: number | undefined };
}

/** Runs one workflow with a deadline, counting cleanups and watching for unhandled rejections. */
async function observe(style: StyleAdapter, overrides: Partial<ReposAndForksInput> & { apiUrl: string }): Promise<Observed> {
  let cleanups = 0;
  const printed: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const input: ReposAndForksInput = {
    user: DEFAULT_USER,
    ...DEFAULT_INPUT,
    print: (line) => printed.push(line),
    onCleanup: () => {
      cleanups += 1;
    },
    ...overrides,
  };
  const threadsBefore = (await openResources()).threads;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung' }), DEADLINE_MS);
  });
  try {
    const outcome = await Promise.race([
      style.runReposAndForks(input).then(
        (result): Outcome => ({ kind: 'resolved', result }),
        (error: unknown): Outcome => ({ kind: 'rejected', error }),
      ),
      deadline,
    ]);
    // Let stray callbacks (a second cleanup, a late rejection) surface before counting.
    await new Promise((resolve) => setTimeout(resolve, 30));
    return { outcome, cleanups, unhandled, printed, threads: { before: threadsBefore, after: (await openResources()).threads } };
  } finally {
    clearTimeout(timer);
    process.off('unhandledRejection', onUnhandled);
  }
}

function rejection(observed: Observed): unknown {
  if (observed.outcome.kind !== 'rejected') {
    throw new Error(`expected the workflow to fail, but it ${observed.outcome.kind === 'resolved' ? 'resolved' : 'hung'}`);
  }
  return observed.outcome.error;
}

function resolved(observed: Observed): ReposAndForksResult {
  if (observed.outcome.kind !== 'resolved') {
    const detail = observed.outcome.kind === 'rejected' ? String(observed.outcome.error) : 'hung';
    throw new Error(`expected the workflow to succeed, but it ${detail}`);
  }
  return observed.outcome.result;
}

interface FaultCase {
  readonly name: string;
  readonly rule: FaultRule;
  readonly error: typeof ApiError | typeof ParseError | typeof NetworkError | typeof TimeoutError;
  /** A fragment of the url the error must carry. */
  readonly url: string;
  readonly check?: (error: never) => void;
  readonly timeoutMs?: number;
  /** More input for this case (a smaller body cap, a shorter deadline). */
  readonly input?: Partial<ReposAndForksInput>;
}

const FORK_PATH = '/repos/*/*';
const LIST_PATH = '/users/*/repos';

const FAULTS: readonly FaultCase[] = [
  {
    name: 'status 500 on the 3rd fork',
    rule: { path: FORK_PATH, nth: 3, action: { kind: 'status', status: 500 } },
    error: ApiError,
    url: '/repos/',
    check: (error: ApiError) => expect(error.status).toBe(500),
  },
  {
    name: 'status 502 on listing page 2',
    rule: { path: LIST_PATH, page: 2, action: { kind: 'status', status: 502 } },
    error: ApiError,
    url: 'page=2',
    check: (error: ApiError) => expect(error.status).toBe(502),
  },
  {
    name: 'primary rate limit on page 1',
    rule: { path: LIST_PATH, page: 1, action: { kind: 'rate-limit' } },
    error: ApiError,
    url: 'page=1',
    check: (error: ApiError) => {
      expect(error.status).toBe(403);
      expect(error.rateLimitReset).toBeGreaterThan(0);
    },
  },
  {
    name: 'secondary rate limit on the 2nd fork',
    rule: { path: FORK_PATH, nth: 2, action: { kind: 'secondary-rate-limit', retryAfter: 30 } },
    error: ApiError,
    url: '/repos/',
    check: (error: ApiError) => {
      expect(error.status).toBe(429);
      expect(error.retryAfter).toBe(30);
    },
  },
  {
    name: 'connection reset on the 5th fork',
    rule: { path: FORK_PATH, nth: 5, action: { kind: 'reset' } },
    error: NetworkError,
    url: '/repos/',
    check: (error: NetworkError) => expect(error.cause).toBeInstanceOf(Error),
  },
  {
    name: 'truncated JSON on listing page 2',
    rule: { path: LIST_PATH, page: 2, action: { kind: 'truncated' } },
    error: ParseError,
    url: 'page=2',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(SyntaxError),
  },
  {
    name: 'malformed JSON on the 1st fork',
    rule: { path: FORK_PATH, nth: 1, action: { kind: 'malformed' } },
    error: ParseError,
    url: '/repos/',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(SyntaxError),
  },
  {
    name: 'a fork without source',
    rule: { path: FORK_PATH, nth: 4, action: { kind: 'missing-source' } },
    error: ParseError,
    url: '/repos/',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(TypeError),
  },
  {
    name: 'a fork request that hangs',
    rule: { path: FORK_PATH, nth: 1, action: { kind: 'hang' } },
    error: TimeoutError,
    url: '/repos/',
    timeoutMs: 300,
    check: (error: TimeoutError) => expect(error.ms).toBe(300),
  },
  // Hostile answers (issue 15): each must end in a typed error, never in a crash.
  {
    name: 'a link to an ftp: URL',
    rule: { path: LIST_PATH, page: 1, action: { kind: 'link', url: 'ftp://x/users/octocat/repos?page=2' } },
    error: ParseError,
    url: 'page=1',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(LinkHeaderError),
  },
  {
    name: 'a link that is not a URL',
    rule: { path: LIST_PATH, page: 2, action: { kind: 'link', url: 'http://[not a url' } },
    error: ParseError,
    url: 'page=2',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(LinkHeaderError),
  },
  {
    name: 'a link back to the page that carried it',
    rule: { path: LIST_PATH, page: 2, action: { kind: 'link', url: `/users/${DEFAULT_USER}/repos?per_page=100&page=2` } },
    error: ParseError,
    url: 'page=2',
    check: (error: ParseError) => expect(error.cause).toBeInstanceOf(LinkHeaderError),
  },
  {
    name: 'a body larger than maxBodyBytes',
    rule: { path: FORK_PATH, nth: 2, action: { kind: 'huge-body' } },
    error: NetworkError,
    url: '/repos/',
    input: { maxBodyBytes: 4 * 1024 * 1024 },
    check: (error: NetworkError) => expect((error.cause as { code?: unknown }).code).toBe('ERR_BODY_TOO_LARGE'),
  },
  {
    name: 'a listing page that trickles past the deadline',
    rule: { path: LIST_PATH, page: 2, action: { kind: 'trickle', everyMs: 20 } },
    error: TimeoutError,
    url: 'page=2',
    timeoutMs: 300,
    input: { deadlineMs: 500 },
    check: (error: TimeoutError) => {
      expect(error.deadline).toBe(true);
      expect(error.ms).toBe(500);
    },
  },
];

describe.each(STYLES.map((style) => [style.id, style] as const))('repos-and-forks conformance: %s', (id, style) => {
  let fake: FakeGithub;

  beforeAll(async () => {
    fake = await startFakeGithub({ world });
  });
  afterAll(async () => {
    await fake.close();
    expect(fake.stats().openSockets).toBe(0);
  });

  /** After every run: nothing left open at the server. */
  async function expectNothingLeft(): Promise<void> {
    await fake.idle();
    expect(fake.stats().inFlight).toBe(0);
    expect(fake.stats().openSockets).toBe(0);
  }

  /** Runs a test; one a known issue names must fail as the issue says (test/support/known-issue.ts). */
  function checked(test: string, body: () => Promise<void>): Promise<void> {
    const issue = knownIssue(id, 'repos-and-forks', test);
    return issue === undefined ? body() : expectKnownFailure(issue, body);
  }

  it('prints every fork\'s source in listing order, over every page', async () => {
    fake.setFaults([]);
    fake.resetStats();
    const observed = await observe(style, { apiUrl: fake.url });
    const result = resolved(observed);
    expect(result.sourceNames).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(result.sourceNames.length).toBe(world.forkCount(DEFAULT_USER));
    expect(result.pages).toBe(3);
    // Each page and each fork exactly once: the workflow throughput's in-pair ratio counts requests
    // as a stand-in for workflows (harness/phases/workflow-throughput.ts).
    expect(fake.stats().byRoute).toEqual({ repos: 3, repo: world.forkCount(DEFAULT_USER), rateLimit: 0, other: 0 });
    expect(observed.printed).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(observed.cleanups).toBe(1);
    expect(observed.unhandled).toEqual([]);
    expect(observed.threads.after ?? 0).toBeLessThanOrEqual(observed.threads.before ?? 0);
    await expectNothingLeft();
  });

  it.each([
    [SMALL_USER, 100, 1],
    [EXACT_PAGE_USER, 100, 1],
    [EMPTY_USER, 100, 1],
    [DEFAULT_USER, 30, 9],
  ] as const)('follows pagination to the last page (%s, per_page %i: %i pages)', async (user, perPage, pages) => {
    fake.setFaults([]);
    const observed = await observe(style, { apiUrl: fake.url, user, perPage });
    const result = resolved(observed);
    expect(result.pages).toBe(pages);
    expect(result.sourceNames).toEqual(world.expectedSourceNames(user));
    expect(observed.cleanups).toBe(1);
    await expectNothingLeft();
  });

  it.each([1, 3, 8])('keeps at most %i fork requests in flight, and reaches the limit', async (concurrency) => {
    fake.setFaults([]);
    fake.setLatency(5);
    try {
      fake.resetStats();
      const observed = await observe(style, { apiUrl: fake.url, concurrency });
      expect(resolved(observed).sourceNames).toEqual(world.expectedSourceNames(DEFAULT_USER));
      expect(fake.stats().peakInFlight).toBe(concurrency);
    } finally {
      fake.setLatency(0);
    }
    await expectNothingLeft();
  });

  it.each(FAULTS.map((fault) => [fault.name, fault] as const))('fails with the right typed error: %s', (name, fault) =>
    checked(`fails with the right typed error: ${name}`, async () => {
      fake.setFaults([fault.rule]);
      fake.setLatency(2);
      const concurrency = DEFAULT_INPUT.concurrency;
      try {
        fake.resetStats();
        const observed = await observe(style, {
          apiUrl: fake.url,
          concurrency,
          ...(fault.timeoutMs !== undefined ? { timeoutMs: fault.timeoutMs } : {}),
          ...fault.input,
        });
        const error = rejection(observed);
        expect(error).toBeInstanceOf(fault.error);
        expect((error as { url: string }).url).toContain(fault.url);
        expect((error as Error).message).toContain((error as { url: string }).url);
        fault.check?.(error as never);
        expect(observed.cleanups).toBe(1);
        expect(observed.unhandled).toEqual([]);
        expect(observed.threads.after ?? 0, 'threads left running').toBeLessThanOrEqual(observed.threads.before ?? 0);
        // Fail-fast: once a fork fails, at most the requests already in flight were answered after it.
        // (Not for a hang or a huge body: the other slots rightly keep working until the timeout
        // fires or the cap is reached.)
        const slow = fault.rule.action.kind === 'hang' || fault.rule.action.kind === 'huge-body';
        if (fault.rule.path === FORK_PATH && fault.rule.nth !== undefined && !slow) {
          expect(fake.stats().byRoute.repo).toBeLessThanOrEqual(fault.rule.nth + concurrency);
        }
      } finally {
        fake.setFaults([]);
        fake.setLatency(0);
      }
      await expectNothingLeft();
    }),
  );

  // Issue 31: every listing ends. A `link` back to a page this listing has read is a cycle, caught
  // whatever its length and however its URL is written (relative or absolute, the query in another
  // order than the page it names, a fragment); a listing longer than `maxPages` stops at the cap.
  // Either is a ParseError of the page whose `link` it was, before a page is read twice or past the cap.
  it.each([
    [2, 2, 1, (_api: string): string => `/users/${DEFAULT_USER}/repos?page=1&per_page=100`],
    [3, 3, 1, (api: string): string => `${api}/users/${DEFAULT_USER}/repos?per_page=100&page=1#again`],
    [2, 3, 2, (_api: string): string => `./repos?page=2&per_page=100`],
  ] as const)('fails with ParseError on a cycle of %i pages (page %i links back to page %i)', async (length, from, to, target) => {
    fake.setFaults([{ path: LIST_PATH, page: from, action: { kind: 'link', url: target(fake.url) } }]);
    fake.resetStats();
    try {
      const observed = await observe(style, { apiUrl: fake.url });
      const error = rejection(observed);
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).url).toContain(`page=${from}`);
      expect((error as ParseError).cause).toBeInstanceOf(LinkHeaderError);
      expect((error as ParseError).message).toContain(
        `is page ${to} of this listing again, after ${from} pages: a cycle of ${length} pages that would be read for ever`,
      );
      // Each page read once; the forks, listed by pages that never end, are not requested.
      expect(fake.stats().byRoute).toEqual({ repos: from, repo: 0, rateLimit: 0, other: 0 });
      expect(observed.cleanups).toBe(1);
      expect(observed.unhandled).toEqual([]);
      expect(observed.threads.after ?? 0, 'threads left running').toBeLessThanOrEqual(observed.threads.before ?? 0);
    } finally {
      fake.setFaults([]);
    }
    await expectNothingLeft();
  });

  it('fails with ParseError when a listing has more pages than maxPages, without reading past it', async () => {
    fake.setFaults([]);
    fake.resetStats();
    const observed = await observe(style, { apiUrl: fake.url, maxPages: 2 });
    const error = rejection(observed);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).url).toContain('page=2');
    expect((error as ParseError).cause).toBeInstanceOf(LinkHeaderError);
    expect((error as ParseError).message).toContain('would be page 3 of this listing, past its cap of 2 pages (maxPages)');
    expect(fake.stats().byRoute).toEqual({ repos: 2, repo: 0, rateLimit: 0, other: 0 });
    expect(observed.cleanups).toBe(1);
    expect(observed.unhandled).toEqual([]);
    expect(observed.threads.after ?? 0, 'threads left running').toBeLessThanOrEqual(observed.threads.before ?? 0);
    await expectNothingLeft();
  });

  it('reads a listing of exactly maxPages pages', async () => {
    fake.setFaults([]);
    const observed = await observe(style, { apiUrl: fake.url, maxPages: 3 });
    expect(resolved(observed).pages).toBe(3);
    expect(resolved(observed).sourceNames).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(observed.cleanups).toBe(1);
    await expectNothingLeft();
  });

  it('fails with ApiError 404 for a user that does not exist', async () => {
    fake.setFaults([]);
    const observed = await observe(style, { apiUrl: fake.url, user: 'no-such-user-anywhere' });
    const error = rejection(observed);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).message).toContain('Not Found');
    expect(observed.cleanups).toBe(1);
    await expectNothingLeft();
  });

  it('fails with NetworkError when nothing listens at the API url', async () => {
    const closed = await startFakeGithub({ world });
    const url = closed.url;
    await closed.close();
    const observed = await observe(style, { apiUrl: url });
    const error = rejection(observed);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).url).toContain(url);
    expect(observed.cleanups).toBe(1);
    expect(observed.unhandled).toEqual([]);
  });

  it('follows a relative link, resolved against the URL of the page that carried it', async () => {
    fake.setFaults([{ path: LIST_PATH, page: 1, action: { kind: 'link', url: `/users/${DEFAULT_USER}/repos?per_page=100&page=2` } }]);
    try {
      const observed = await observe(style, { apiUrl: fake.url });
      expect(resolved(observed).sourceNames).toEqual(world.expectedSourceNames(DEFAULT_USER));
      expect(resolved(observed).pages).toBe(3);
    } finally {
      fake.setFaults([]);
    }
    await expectNothingLeft();
  });

  it('sends the token to the API origin only, never to another origin a link points at', async () => {
    const token = 'secret-token-of-issue-15';
    const other = await startHostileApi();
    const api = await startHostileApi((path) =>
      path.startsWith('/users/') ? { headers: { link: `<${other.url}/steal?page=2>; rel="next"` } } : {},
    );
    try {
      const observed = await observe(style, { apiUrl: api.url, user: 'victim', token });
      expect(resolved(observed).pages).toBe(2);
      expect(api.seen.map((request) => request.authorization)).toEqual([`Bearer ${token}`]);
      expect(other.seen).toEqual([{ path: '/steal?page=2', authorization: undefined }]);
      expect(observed.cleanups).toBe(1);
      expect(observed.unhandled).toEqual([]);
    } finally {
      await Promise.all([api.close(), other.close()]);
    }
  });
});
