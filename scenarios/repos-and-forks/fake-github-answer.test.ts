// The fake GitHub's decision on its own, without a socket: what a request gets from its URL and
// headers, the fault that fired and its caller's rate-limit standing, and how much it counts against
// that limit. The same answers on the wire are in fake-github.test.ts.
import { describe, expect, it } from 'vitest';
import type { MinimalRepository } from './contract.js';
import { arrivalOf, decide, isInterruption, type Answer, type Circumstances, type Decision, type RequestHead } from './fake-github-answer.js';
import { Catalog } from './fake-github-bodies.js';
import { parseFaultRule } from './faults.js';
import { DEFAULT_USER, SMALL_USER, createWorld } from './world.js';

const BASE = 'http://fake.test';
const world = createWorld();
const catalog = new Catalog(world, BASE);
const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
const ADDRESS = '192.0.2.7';

function head(url: string, headers: RequestHead['headers'] = {}, method = 'GET'): RequestHead {
  return { method, url, headers, socket: { remoteAddress: ADDRESS } };
}

function answer(request: RequestHead, given: Partial<Circumstances> = {}): Decision {
  return decide(arrivalOf(request), {
    requestNumber: 1,
    fault: undefined,
    rate: { limit: 100, used: 10, resetAt: 2_000_000_000 },
    now: 1_999_999_000,
    strictAuth: false,
    catalog,
    ...given,
  });
}

/** The fault a rule's text names, as the matcher would hand it over. */
function fault(kind: string): Circumstances['fault'] {
  const action = parseFaultRule(`${kind}@/**`).action;
  if (isInterruption(action)) throw new Error(`${kind} answers nothing`);
  return action;
}

function responded(decision: Decision): Extract<Answer, { kind: 'respond' }> {
  if (decision.answer.kind !== 'respond') throw new Error(`expected a response, got ${decision.answer.kind}`);
  return decision.answer;
}

const body = (decision: Decision): unknown => JSON.parse(responded(decision).body.toString('utf8'));

describe('arrivalOf', () => {
  it('routes GET and HEAD by path, decoding %-escapes, and everything else to other', () => {
    expect(arrivalOf(head('/users/octo%2Dcat/repos?page=2')).route).toEqual({ name: 'repos', login: 'octo-cat' });
    expect(arrivalOf(head('/repos/a/b', {}, 'HEAD')).route).toEqual({ name: 'repo', owner: 'a', repo: 'b' });
    expect(arrivalOf(head('/rate_limit')).route).toEqual({ name: 'rateLimit' });
    expect(arrivalOf(head('/repos/a/b', {}, 'POST')).route).toEqual({ name: 'other' });
    expect(arrivalOf(head('/users/%E0%A4%A/repos')).route).toEqual({ name: 'other' });
  });

  it('matches faults on the page asked for, 1 when it is not a page number', () => {
    expect(arrivalOf(head('/users/x/repos?page=3')).faultPage).toBe(3);
    expect(arrivalOf(head('/users/x/repos?page=0')).faultPage).toBe(1);
    expect(arrivalOf(head('/users/x/repos?page=99999999999999999999')).faultPage).toBe(1);
  });

  it('reads Bearer and token credentials, and anything else as bad', () => {
    expect(arrivalOf(head('/', { authorization: 'Bearer abc' })).credential).toEqual({ token: 'abc', bad: false });
    expect(arrivalOf(head('/', { authorization: 'token abc' })).credential).toEqual({ token: 'abc', bad: false });
    expect(arrivalOf(head('/', { authorization: 'Basic abc' })).credential).toEqual({ token: undefined, bad: true });
    expect(arrivalOf(head('/')).credential).toEqual({ token: undefined, bad: false });
  });
});

describe('decide: routes', () => {
  it('pages a listing with GitHub link headers, on the catalog base URL', () => {
    const at = (page: number): string => `<${BASE}/users/${DEFAULT_USER}/repos?per_page=100&page=${page}>`;
    const page = (n: number): Decision => answer(head(`/users/${DEFAULT_USER}/repos?per_page=100&page=${n}`));
    expect(responded(page(1)).headers.link).toBe(`${at(2)}; rel="next", ${at(3)}; rel="last"`);
    expect(responded(page(2)).headers.link).toBe(`${at(1)}; rel="prev", ${at(3)}; rel="next", ${at(3)}; rel="last", ${at(1)}; rel="first"`);
    expect(responded(page(3)).headers.link).toBe(`${at(2)}; rel="prev", ${at(1)}; rel="first"`);
    expect((body(page(3)) as MinimalRepository[]).map((repo) => repo.full_name)).toEqual(
      world.listRepos(DEFAULT_USER, BASE)!.slice(200).map((repo) => repo.full_name),
    );
  });

  it('answers one shared [] past the last page, and no link for a single page', () => {
    const past = responded(answer(head(`/users/${DEFAULT_USER}/repos?page=1000`)));
    expect(past.status).toBe(200);
    expect(past.body).toBe(catalog.emptyPage.bytes);
    expect(responded(answer(head(`/users/${SMALL_USER}/repos`))).headers.link).toBeUndefined();
  });

  it('clamps per_page to 100 and answers 422 to a page that is not a whole number from 1', () => {
    expect(body(answer(head(`/users/${DEFAULT_USER}/repos?per_page=500`)))).toHaveLength(100);
    const invalid = answer(head(`/users/${DEFAULT_USER}/repos?per_page=0`));
    expect(responded(invalid).status).toBe(422);
    expect(body(invalid)).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'per_page', value: '0' }] });
  });

  it('answers 404 with GitHub\'s body to unknown users, repos, routes and methods', () => {
    for (const request of [head('/users/nobody-here/repos'), head('/repos/nobody-here/nothing'), head('/nowhere'), head('/rate_limit', {}, 'DELETE')]) {
      expect(responded(answer(request)).status).toBe(404);
      expect(body(answer(request))).toEqual(NOT_FOUND);
    }
  });

  it('numbers the request and shows the caller\'s standing after this request', () => {
    const { headers } = responded(answer(head(`/users/${SMALL_USER}/repos`), { requestNumber: 26 }));
    expect(headers).toMatchObject({
      'x-github-request-id': 'FAKE:0000001A',
      'x-ratelimit-limit': 100,
      'x-ratelimit-used': 11,
      'x-ratelimit-remaining': 89,
      'x-ratelimit-reset': 2_000_000_000,
    });
  });
});

describe('decide: rate limits and credentials', () => {
  it('counts one request against the caller, but not GET /rate_limit, which shows the count', () => {
    expect(answer(head(`/users/${SMALL_USER}/repos`)).used).toBe(11);
    const overview = answer(head('/rate_limit'));
    expect(overview.used).toBe(10);
    expect(body(overview)).toMatchObject({ rate: { limit: 100, used: 10, remaining: 90, reset: 2_000_000_000 } });
  });

  it('answers 403 with the limit shown as spent once the caller has used it all', () => {
    const spent = answer(head(`/users/${SMALL_USER}/repos`), { rate: { limit: 100, used: 100, resetAt: 2_000_000_000 } });
    expect(responded(spent)).toMatchObject({ status: 403, headers: { 'x-ratelimit-remaining': 0, 'x-ratelimit-used': 100, 'x-ratelimit-reset': 2_000_000_000 } });
    expect(body(spent)).toMatchObject({ message: expect.stringContaining(`API rate limit exceeded for ${ADDRESS}.`) as unknown });
    expect(responded(answer(head('/rate_limit'), { rate: { limit: 100, used: 100, resetAt: 2_000_000_000 } })).status).toBe(200);
  });

  it('injects 403 and 429 with retry-after from the rate-limit faults', () => {
    expect(responded(answer(head(`/users/${SMALL_USER}/repos`), { fault: fault('rate-limit') })).headers['x-ratelimit-remaining']).toBe(0);
    const secondary = responded(answer(head(`/users/${SMALL_USER}/repos`), { fault: fault('secondary-rate-limit=30') }));
    expect(secondary).toMatchObject({ status: 429, headers: { 'retry-after': '30' } });
  });

  it('answers 401 to bad credentials, and to none in strict mode', () => {
    expect(body(answer(head('/rate_limit', { authorization: 'Basic x' })))).toMatchObject({ message: 'Bad credentials', status: '401' });
    expect(body(answer(head('/rate_limit'), { strictAuth: true }))).toMatchObject({ message: 'Requires authentication', status: '401' });
    expect(responded(answer(head('/rate_limit', { authorization: 'token t' }), { strictAuth: true })).status).toBe(200);
  });

  it('answers 304 to a matching If-None-Match and refunds the request', () => {
    const first = responded(answer(head(`/users/${SMALL_USER}/repos`)));
    const again = answer(head(`/users/${SMALL_USER}/repos`, { 'if-none-match': String(first.headers.etag) }));
    expect(again.used).toBe(10);
    expect(responded(again)).toMatchObject({ status: 304, headers: { etag: first.headers.etag, 'x-ratelimit-used': 10 } });
    expect(responded(again).headers['content-type']).toBeUndefined();
    expect(responded(again).body).toHaveLength(0);
  });
});

describe('decide: faults', () => {
  it('spoils only answers that would have been 200, with a new ETag', () => {
    const whole = responded(answer(head(`/users/${SMALL_USER}/repos`)));
    const truncated = responded(answer(head(`/users/${SMALL_USER}/repos`), { fault: fault('truncated') }));
    expect(truncated.body).toEqual(whole.body.subarray(0, Math.floor(whole.body.length / 2)));
    expect(truncated.headers.etag).not.toBe(whole.headers.etag);
    expect(responded(answer(head('/nowhere'), { fault: fault('truncated') })).status).toBe(404);
  });

  it('streams huge-body without a length and trickle with the whole body\'s', () => {
    const huge = answer(head(`/users/${SMALL_USER}/repos`), { fault: fault('huge-body') }).answer;
    const trickle = answer(head(`/users/${SMALL_USER}/repos`), { fault: fault('trickle=5') }).answer;
    expect(huge).toMatchObject({ kind: 'stream', fault: 'huge-body' });
    expect(huge.kind === 'stream' && huge.headers['content-length']).toBeUndefined();
    expect(trickle).toMatchObject({ kind: 'stream', fault: 'trickle', everyMs: 5 });
    expect(trickle.kind === 'stream' && trickle.headers['content-length']).toBe(trickle.kind === 'stream' && trickle.body.length);
  });

  it('answers a status fault with GitHub\'s error body for the code, and hang and reset with nothing', () => {
    expect(body(answer(head('/nowhere'), { fault: fault('status=502') }))).toEqual({ message: 'Bad Gateway', documentation_url: 'https://docs.github.com/rest', status: '502' });
    expect(isInterruption(parseFaultRule('hang@/**').action)).toBe(true);
    expect(isInterruption(parseFaultRule('reset@/**').action)).toBe(true);
    expect(isInterruption(parseFaultRule('truncated@/**').action)).toBe(false);
  });
});
