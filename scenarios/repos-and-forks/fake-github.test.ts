// The fake GitHub on the wire, through plain node:http requests: routes, GitHub's pagination and
// error bodies, auth, rate-limit headers, ETags, every fault kind's exact behaviour, latency,
// hold/release, and the counters. Every test closes its server and agent and proves no socket is left.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { nextPageUrl, type FullRepository, type MinimalRepository, type RateLimitOverview } from './contract.js';
import { FakeGithubOptionsError, IdleTimeoutError, startFakeGithub, type FakeGithub, type FakeGithubOptions } from './fake-github.js';
import { parseFaultRule } from './faults.js';
import { DEFAULT_USER, EMPTY_USER, EXACT_PAGE_USER, SMALL_USER, createWorld } from './world.js';

const world = createWorld();
const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** False when the connection closed before Content-Length bytes arrived. */
  readonly complete: boolean;
}

interface Init {
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders;
}

function send(url: string, agent: http.Agent, init: Init = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method: init.method ?? 'GET', headers: init.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          complete: response.complete,
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

interface Setup {
  readonly fake: FakeGithub;
  readonly agent: http.Agent;
  readonly get: (path: string, init?: Init) => Promise<Reply>;
}

const opened: Setup[] = [];

async function setup(options: FakeGithubOptions = {}): Promise<Setup> {
  const fake = await startFakeGithub({ world, ...options });
  const agent = new http.Agent({ keepAlive: true });
  const made: Setup = { fake, agent, get: (path, init) => send(fake.url + path, agent, init) };
  opened.push(made);
  return made;
}

afterEach(async () => {
  for (const { fake, agent } of opened.splice(0)) {
    agent.destroy();
    await fake.close();
    expect(fake.stats()).toMatchObject({ openSockets: 0, inFlight: 0, held: 0 });
  }
});

/** Waits for a server-side condition, checking once per event-loop turn; no timed sleeps. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function rejection(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error as NodeJS.ErrnoException,
  );
}

const parse = <T>(reply: Reply): T => JSON.parse(reply.body) as T;

describe('startFakeGithub', () => {
  it('listens on 127.0.0.1 and a free port by default', async () => {
    const { fake } = await setup();
    expect(fake.host).toBe('127.0.0.1');
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    expect(fake.world).toBe(world);
  });

  it('rejects bad options with a named error', async () => {
    await expect(startFakeGithub({ world, latency: -1 })).rejects.toBeInstanceOf(FakeGithubOptionsError);
    await expect(startFakeGithub({ world, latency: { min: 5, max: 1 } })).rejects.toThrow(/0 <= min <= max/);
    await expect(startFakeGithub({ world, rateLimit: { authenticated: 0 } })).rejects.toThrow(/rateLimit.authenticated 0/);
  });

  it('fails to listen on a port in use with the socket error', async () => {
    const { fake } = await setup();
    const error = await rejection(startFakeGithub({ world, port: fake.port }));
    expect(error.code).toBe('EADDRINUSE');
  });
});

describe('GET /users/{username}/repos', () => {
  it('pages 250 repos as 3 pages of 100 with GitHub link headers', async () => {
    const { fake, get } = await setup();
    const base = `${fake.url}/users/${DEFAULT_USER}/repos`;
    const at = (page: number): string => `<${base}?per_page=100&page=${page}>`;
    const pages = await Promise.all([1, 2, 3].map((page) => get(`/users/${DEFAULT_USER}/repos?per_page=100&page=${page}`)));
    expect(pages.map((page) => page.headers.link)).toEqual([
      `${at(2)}; rel="next", ${at(3)}; rel="last"`,
      `${at(1)}; rel="prev", ${at(3)}; rel="next", ${at(3)}; rel="last", ${at(1)}; rel="first"`,
      `${at(2)}; rel="prev", ${at(1)}; rel="first"`,
    ]);
    const expected = world.listRepos(DEFAULT_USER, fake.url)!;
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
    expect(pages.map((page) => parse<MinimalRepository[]>(page))).toEqual([
      expected.slice(0, 100),
      expected.slice(100, 200),
      expected.slice(200),
    ]);
    expect(pages[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('gets every repo once by following rel="next" with the contract parser', async () => {
    const { fake, get } = await setup();
    const names: string[] = [];
    let url: string | undefined = `${fake.url}/users/${DEFAULT_USER}/repos?per_page=100&page=1`;
    let pages = 0;
    while (url !== undefined) {
      const reply = await get(url.slice(fake.url.length));
      names.push(...parse<MinimalRepository[]>(reply).map((repo) => repo.full_name));
      url = nextPageUrl(reply.headers.link, url);
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(world.listRepos(DEFAULT_USER)!.map((repo) => repo.full_name));
    expect(fake.stats().byRoute.repos).toBe(3);
  });

  it('sends no link header when everything fits one page, exact 100 included', async () => {
    const { get } = await setup();
    const small = await get(`/users/${SMALL_USER}/repos?per_page=100`);
    expect(small.headers.link).toBeUndefined();
    expect(parse<unknown[]>(small)).toHaveLength(7);
    const exact = await get(`/users/${EXACT_PAGE_USER}/repos?per_page=100&page=1`);
    expect(exact.headers.link).toBeUndefined();
    expect(parse<unknown[]>(exact)).toHaveLength(100);
    const empty = await get(`/users/${EMPTY_USER}/repos`);
    expect(empty.status).toBe(200);
    expect(empty.headers.link).toBeUndefined();
    expect(parse<unknown[]>(empty)).toEqual([]);
  });

  it('splits exactly 100 repos into two full pages of 50', async () => {
    const { fake, get } = await setup();
    const base = `${fake.url}/users/${EXACT_PAGE_USER}/repos`;
    const second = await get(`/users/${EXACT_PAGE_USER}/repos?per_page=50&page=2`);
    expect(second.headers.link).toBe(`<${base}?per_page=50&page=1>; rel="prev", <${base}?per_page=50&page=1>; rel="first"`);
    expect(parse<unknown[]>(second)).toHaveLength(50);
  });

  it('defaults to 30 per page and keeps the query as the client wrote it', async () => {
    const { fake, get } = await setup();
    const base = `${fake.url}/users/${DEFAULT_USER}/repos`;
    const first = await get(`/users/${DEFAULT_USER}/repos`);
    expect(parse<unknown[]>(first)).toHaveLength(30);
    expect(first.headers.link).toBe(`<${base}?page=2>; rel="next", <${base}?page=9>; rel="last"`);
    const ordered = await get(`/users/${DEFAULT_USER}/repos?page=1&type=owner`);
    expect(ordered.headers.link).toBe(`<${base}?page=2&type=owner>; rel="next", <${base}?page=9&type=owner>; rel="last"`);
  });

  it('clamps per_page above 100 to 100, as GitHub does', async () => {
    const { fake, get } = await setup();
    const reply = await get(`/users/${DEFAULT_USER}/repos?per_page=500`);
    expect(parse<unknown[]>(reply)).toHaveLength(100);
    expect(reply.headers.link).toContain(`<${fake.url}/users/${DEFAULT_USER}/repos?per_page=500&page=3>; rel="last"`);
  });

  it('answers [] past the last page, linking back', async () => {
    const { fake, get } = await setup();
    const base = `${fake.url}/users/${SMALL_USER}/repos`;
    const reply = await get(`/users/${SMALL_USER}/repos?page=4`);
    expect(parse<unknown[]>(reply)).toEqual([]);
    expect(reply.headers.link).toBe(`<${base}?page=3>; rel="prev", <${base}?page=1>; rel="first"`);
  });

  it.each([
    ['per_page=abc', [{ field: 'per_page', value: 'abc' }]],
    ['per_page=0', [{ field: 'per_page', value: '0' }]],
    ['page=0', [{ field: 'page', value: '0' }]],
    ['page=-1&per_page=1.5', [{ field: 'per_page', value: '1.5' }, { field: 'page', value: '-1' }]],
  ])('answers 422 naming the field for %s', async (query, fields) => {
    const { get } = await setup();
    const reply = await get(`/users/${DEFAULT_USER}/repos?${query}`);
    expect(reply.status).toBe(422);
    expect(parse(reply)).toEqual({
      message: 'Validation Failed',
      errors: fields.map(({ field, value }) => ({
        resource: 'Repository',
        field,
        code: 'invalid',
        value,
        message: `${field} must be a whole number from 1 up`,
      })),
      documentation_url: 'https://docs.github.com/rest/repos/repos#list-repositories-for-a-user',
      status: '422',
    });
  });
});

describe('GET /repos/{owner}/{repo}', () => {
  it('answers a fork with parent and source, and the source resolves too', async () => {
    const { fake, get } = await setup();
    const fork = world.listRepos(DEFAULT_USER)!.find((repo) => repo.fork)!;
    const reply = await get(`/repos/${DEFAULT_USER}/${fork.name}`);
    expect(reply.status).toBe(200);
    const body = parse<FullRepository>(reply);
    expect(body).toEqual(world.repo(DEFAULT_USER, fork.name, fake.url));
    expect(body.source!.full_name).toBe(world.expectedSourceNames(DEFAULT_USER)[0]);
    expect(body.url).toBe(`${fake.url}/repos/${DEFAULT_USER}/${fork.name}`);
    const source = await get(`/repos/${body.source!.full_name}`);
    expect(parse<FullRepository>(source)).toMatchObject({ full_name: body.source!.full_name, fork: false });
    const parent = await get(`/repos/${body.parent!.full_name}`);
    expect(parent.status).toBe(200);
    expect(fake.stats().byRoute.repo).toBe(3);
  });
});

describe('errors', () => {
  it.each([
    ['an unknown user', '/users/no-such-user/repos'],
    ['an unknown repo', `/repos/${DEFAULT_USER}/no-such-repo`],
    ['an unknown route', '/orgs/acme-labs/repos'],
    ['a trailing slash', `/users/${DEFAULT_USER}/repos/`],
    ['a bad %-escape', '/repos/%E0%A4%A/x'],
  ])('answers 404 with GitHub\'s body for %s', async (_what, path) => {
    const { get } = await setup();
    const reply = await get(path);
    expect(reply.status).toBe(404);
    expect(parse(reply)).toEqual(NOT_FOUND);
    expect(reply.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('answers 404 to methods other than GET and HEAD', async () => {
    const { fake, get } = await setup();
    const reply = await get(`/users/${DEFAULT_USER}/repos`, { method: 'POST' });
    expect(reply.status).toBe(404);
    expect(parse(reply)).toEqual(NOT_FOUND);
    expect(fake.stats().byRoute).toEqual({ repos: 0, repo: 0, rateLimit: 0, other: 1 });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { get } = await setup();
    const head = await get(`/users/${SMALL_USER}/repos`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });
});

describe('authentication', () => {
  it('accepts Bearer and token credentials and works without one unless strict', async () => {
    const { get } = await setup();
    expect((await get(`/users/${SMALL_USER}/repos`)).status).toBe(200);
    expect((await get(`/users/${SMALL_USER}/repos`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
    expect((await get(`/users/${SMALL_USER}/repos`, { headers: { authorization: 'token x' } })).status).toBe(200);
  });

  it('answers 401 "Requires authentication" without a token in strict mode', async () => {
    const { get } = await setup({ strictAuth: true });
    const reply = await get(`/users/${SMALL_USER}/repos`);
    expect(reply.status).toBe(401);
    expect(parse(reply)).toEqual({ message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect((await get(`/users/${SMALL_USER}/repos`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
  });

  it('answers 401 "Bad credentials" to an Authorization it cannot read', async () => {
    const { get } = await setup();
    const reply = await get(`/users/${SMALL_USER}/repos`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(reply.status).toBe(401);
    expect(parse(reply)).toMatchObject({ message: 'Bad credentials', status: '401' });
  });
});

describe('rate limits', () => {
  it('sends x-ratelimit-* on every answer, counting down per request', async () => {
    const { get } = await setup();
    const before = Math.floor(Date.now() / 1000);
    const first = await get(`/users/${SMALL_USER}/repos`);
    const second = await get('/nowhere');
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': '1000000',
      'x-ratelimit-remaining': '999999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    });
    expect(second.headers).toMatchObject({ 'x-ratelimit-remaining': '999998', 'x-ratelimit-used': '2' });
    const reset = Number(first.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(before + 3_599);
    expect(reset).toBeLessThanOrEqual(before + 3_601);
  });

  it('gives a token its own 5,000', async () => {
    const { get } = await setup();
    await get(`/users/${SMALL_USER}/repos`);
    const authed = await get(`/users/${SMALL_USER}/repos`, { headers: { authorization: 'Bearer x' } });
    expect(authed.headers).toMatchObject({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999' });
  });

  it('reports the count at GET /rate_limit without spending it', async () => {
    const { fake, get } = await setup();
    await get(`/users/${SMALL_USER}/repos`);
    const reply = await get('/rate_limit');
    const body = parse<RateLimitOverview>(reply);
    expect(body.rate).toMatchObject({ limit: 1_000_000, used: 1, remaining: 999_999 });
    expect(body.resources.core).toEqual(body.rate);
    expect(body.resources.search.limit).toBe(30);
    expect(reply.headers['x-ratelimit-remaining']).toBe('999999');
    expect((await get(`/users/${SMALL_USER}/repos`)).headers['x-ratelimit-remaining']).toBe('999998');
    expect(fake.stats().byRoute.rateLimit).toBe(1);
  });

  it('answers 403 like GitHub once the limit is spent', async () => {
    const { get } = await setup({ rateLimit: { unauthenticated: 2 } });
    await get(`/users/${SMALL_USER}/repos`);
    expect((await get(`/users/${SMALL_USER}/repos`)).headers['x-ratelimit-remaining']).toBe('0');
    const spent = await get(`/users/${SMALL_USER}/repos`);
    expect(spent.status).toBe(403);
    expect(spent.headers['x-ratelimit-remaining']).toBe('0');
    expect(parse<{ message: string }>(spent).message).toMatch(/^API rate limit exceeded for 127\.0\.0\.1\./);
  });
});

describe('ETags', () => {
  it('answers 304 with no body to a matching If-None-Match, without spending the limit', async () => {
    const { get } = await setup();
    const path = `/users/${DEFAULT_USER}/repos?per_page=100`;
    const first = await get(path);
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const again = await get(path, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['x-ratelimit-remaining']).toBe(first.headers['x-ratelimit-remaining']);
    expect(again.headers.link).toBe(first.headers.link);
    const other = await get(path, { headers: { 'if-none-match': 'W/"0000"' } });
    expect(other.status).toBe(200);
    expect(Number(other.headers['x-ratelimit-remaining'])).toBe(Number(first.headers['x-ratelimit-remaining']) - 1);
    const page2 = await get(`${path}&page=2`, { headers: { 'if-none-match': etag } });
    expect(page2.status).toBe(200);
    expect(page2.headers.etag).not.toBe(etag);
  });
});

describe('faults', () => {
  const forkName = world.listRepos(DEFAULT_USER)!.find((repo) => repo.fork)!.name;
  const forkPath = `/repos/${DEFAULT_USER}/${forkName}`;

  it('status: answers the code on the nth matching request only', async () => {
    const { get } = await setup({ faults: [parseFaultRule('status=500@/repos/*/*#2')] });
    const replies = [await get(forkPath), await get(`/users/${SMALL_USER}/repos`), await get(forkPath), await get(forkPath)];
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 500, 200]);
    expect(parse(replies[2]!)).toEqual({ message: 'Internal Server Error', documentation_url: 'https://docs.github.com/rest', status: '500' });
    expect(replies[2]!.headers['x-ratelimit-remaining']).toBeDefined();
  });

  it('status without nth: every matching request', async () => {
    const { get } = await setup({ faults: [parseFaultRule('status=502@/users/*/repos')] });
    expect((await get(`/users/${SMALL_USER}/repos`)).status).toBe(502);
    expect((await get(`/users/${SMALL_USER}/repos`)).status).toBe(502);
    expect((await get(forkPath)).status).toBe(200);
  });

  it('rate-limit: 403, remaining 0, a reset time and GitHub\'s message', async () => {
    const { get } = await setup({ faults: [parseFaultRule('rate-limit@/users/*/repos#1')] });
    const now = Math.floor(Date.now() / 1000);
    const limited = await get(`/users/${SMALL_USER}/repos`);
    expect(limited.status).toBe(403);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThan(now);
    const body = parse<{ message: string; documentation_url: string }>(limited);
    expect(body.message).toMatch(/^API rate limit exceeded for 127\.0\.0\.1\./);
    expect(body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\/rest\/.*rate-limit/);
    // The injected limit leaves the real count alone.
    expect((await get(`/users/${SMALL_USER}/repos`)).headers['x-ratelimit-remaining']).toBe('999998');
  });

  it('secondary-rate-limit: 429 with retry-after', async () => {
    const { get } = await setup({ faults: [parseFaultRule('secondary-rate-limit=30@/repos/*/*')] });
    const reply = await get(forkPath);
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('30');
    expect(parse<{ message: string }>(reply).message).toMatch(/secondary rate limit/);
  });

  it('reset: the connection dies unanswered with ECONNRESET', async () => {
    const { fake, agent, get } = await setup({ faults: [parseFaultRule('reset@/repos/*/*#1')] });
    const error = await rejection(get(forkPath));
    expect(error.code).toBe('ECONNRESET');
    // A TCP RST fails the client's read; a plain close would be a "socket hang up" instead.
    expect(error.syscall).toBe('read');
    expect(fake.stats()).toMatchObject({ received: 1, served: 0 });
    expect((await get(forkPath)).status).toBe(200);
    agent.destroy();
    await fake.idle();
  });

  it('truncated: a well-formed 200 whose body is half the JSON', async () => {
    const { fake, get } = await setup({ faults: [parseFaultRule('truncated@/users/*/repos?page=2')] });
    const path = `/users/${DEFAULT_USER}/repos?per_page=100&page=2`;
    const cut = await get(path);
    const first = await get(`/users/${DEFAULT_USER}/repos?per_page=100&page=1`);
    expect(() => parse(first)).not.toThrow();
    expect(first.body.length).toBeGreaterThan(0);
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(true);
    expect(Number(cut.headers['content-length'])).toBe(Buffer.byteLength(cut.body));
    const whole = JSON.stringify(world.listRepos(DEFAULT_USER, fake.url)!.slice(100, 200), null, 2) + '\n';
    expect(cut.body).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    expect(() => parse(cut)).toThrow(SyntaxError);
  });

  it('malformed: a 200 that is not JSON', async () => {
    const { get } = await setup({ faults: [parseFaultRule('malformed@/repos/*/*')] });
    const reply = await get(forkPath);
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(true);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(() => parse(reply)).toThrow(SyntaxError);
  });

  it('missing-source: the fork without source, everything else intact', async () => {
    const { fake, get } = await setup({ faults: [parseFaultRule('missing-source@/repos/*/*')] });
    const body = parse<FullRepository>(await get(forkPath));
    expect('source' in body).toBe(false);
    const { source: _source, ...expected } = world.repo(DEFAULT_USER, forkName, fake.url)!;
    expect(body).toEqual(expected);
    expect(body.parent).toBeDefined();
  });

  it('body faults leave answers that are not 200 alone', async () => {
    const { get } = await setup({ faults: [parseFaultRule('truncated@/**')] });
    const reply = await get('/users/no-such-user/repos');
    expect(reply.status).toBe(404);
    expect(parse(reply)).toEqual(NOT_FOUND);
  });

  it('hang: never answers while others are served, and close() ends it', async () => {
    const { fake, get } = await setup({ faults: [parseFaultRule('hang@/repos/*/*#1')] });
    const hung = rejection(get(forkPath));
    await until(() => fake.stats().received === 1, 'the hung request to arrive');
    expect((await get(`/users/${SMALL_USER}/repos`)).status).toBe(200);
    expect(fake.stats()).toMatchObject({ inFlight: 1, served: 1 });
    await fake.close();
    expect((await hung).code).toBe('ECONNRESET');
    expect(fake.stats()).toMatchObject({ inFlight: 0, openSockets: 0 });
  });

  it('setFaults replaces the rules and restarts nth counting', async () => {
    const { fake, get } = await setup({ faults: [parseFaultRule('status=503@/repos/*/*#1')] });
    expect((await get(forkPath)).status).toBe(503);
    expect((await get(forkPath)).status).toBe(200);
    fake.setFaults([parseFaultRule('status=503@/repos/*/*#1')]);
    expect((await get(forkPath)).status).toBe(503);
    fake.setFaults([]);
    expect((await get(forkPath)).status).toBe(200);
  });
});

describe('latency', () => {
  // Node's timers count whole milliseconds of loop time, so a timer may fire up to 1 ms short of
  // the fractional clock the test reads; only the lower bound is asserted, never an upper one.
  const TIMER_SLACK_MS = 1;

  it('delays every answer by a fixed latency', async () => {
    const { get } = await setup({ latency: 60 });
    const started = performance.now();
    expect((await get(`/users/${SMALL_USER}/repos`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 - TIMER_SLACK_MS);
  });

  it('delays by at least min with a uniform range, and setLatency changes it', async () => {
    const { fake, get } = await setup({ latency: { min: 40, max: 60 } });
    let started = performance.now();
    await get(`/users/${SMALL_USER}/repos`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40 - TIMER_SLACK_MS);
    fake.setLatency(70);
    started = performance.now();
    await get(`/users/${SMALL_USER}/repos`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70 - TIMER_SLACK_MS);
    expect(() => fake.setLatency(Number.NaN)).toThrow(FakeGithubOptionsError);
  });

  it('cancels the delayed answer of a client that gave up', async () => {
    const { fake, agent, get } = await setup({ latency: 60_000 });
    const gaveUp = rejection(get(`/users/${SMALL_USER}/repos`));
    await until(() => fake.stats().inFlight === 1, 'the request to arrive');
    agent.destroy();
    expect((await gaveUp).code).toBe('ECONNRESET');
    await fake.idle();
    expect(fake.stats()).toMatchObject({ inFlight: 0, served: 0 });
  });
});

describe('hold and release', () => {
  it('holds every answer until release(), which answers them all', async () => {
    const { fake, get } = await setup({ hold: true });
    let answered = 0;
    const replies = [1, 2, 3].map(() => get(`/users/${SMALL_USER}/repos`).then((reply) => (answered++, reply)));
    await until(() => fake.stats().held === 3, 'three held answers');
    expect(answered).toBe(0);
    expect(fake.stats()).toMatchObject({ inFlight: 3, served: 0 });
    expect(fake.release()).toBe(3);
    expect((await Promise.all(replies)).map((reply) => reply.status)).toEqual([200, 200, 200]);
    // Hold stays on for later requests until turned off, which releases them.
    const later = get(`/users/${SMALL_USER}/repos`);
    await until(() => fake.stats().held === 1, 'the next answer held');
    fake.setHold(false);
    expect((await later).status).toBe(200);
    expect(fake.stats()).toMatchObject({ held: 0, served: 4 });
  });
});

describe('stats', () => {
  it('counts concurrent requests in peakInFlight and keeps live counts across resetStats', async () => {
    const { fake, get } = await setup({ hold: true });
    const replies = [1, 2, 3, 4, 5].map(() => get(forkPath()));
    await until(() => fake.stats().held === 5, 'five requests in flight');
    expect(fake.stats()).toMatchObject({ inFlight: 5, peakInFlight: 5, openSockets: 5, received: 5 });
    fake.release();
    await Promise.all(replies);
    expect(fake.stats()).toMatchObject({
      received: 5,
      served: 5,
      inFlight: 0,
      peakInFlight: 5,
      byRoute: { repos: 0, repo: 5, rateLimit: 0, other: 0 },
    });
    fake.resetStats();
    expect(fake.stats()).toEqual({
      received: 0,
      served: 0,
      inFlight: 0,
      peakInFlight: 0,
      openSockets: 5,
      held: 0,
      byRoute: { repos: 0, repo: 0, rateLimit: 0, other: 0 },
    });
  });

  function forkPath(): string {
    return `/repos/${DEFAULT_USER}/${world.listRepos(DEFAULT_USER)!.find((repo) => repo.fork)!.name}`;
  }
});

describe('idle and close', () => {
  it('idle() waits for keep-alive sockets and rejects with IdleTimeoutError while one stays', async () => {
    const { fake, agent, get } = await setup();
    await get(`/users/${SMALL_USER}/repos`);
    expect(fake.stats().openSockets).toBe(1);
    const error = await rejection(fake.idle(50));
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect((error as unknown as IdleTimeoutError).stats.openSockets).toBe(1);
    agent.destroy();
    await fake.idle();
    expect(fake.stats().openSockets).toBe(0);
  });

  it('close() destroys hung, held and idle keep-alive sockets and resolves, once', async () => {
    const { fake, get } = await setup({ faults: [parseFaultRule('hang@/repos/*/*#1')] });
    const path = `/users/${SMALL_USER}/repos`;
    await Promise.all([get(path), get(path)]);
    fake.setHold(true);
    const held = rejection(get(path));
    const hung = rejection(get(`/repos/${DEFAULT_USER}/anything`));
    await until(() => fake.stats().held === 1 && fake.stats().inFlight === 2, 'a held and a hung request');
    expect(fake.stats().openSockets).toBeGreaterThanOrEqual(2);
    const closing = fake.close();
    expect(fake.close()).toBe(closing);
    await closing;
    expect(fake.stats()).toMatchObject({ openSockets: 0, inFlight: 0, held: 0 });
    expect((await held).code).toBe('ECONNRESET');
    expect((await hung).code).toBe('ECONNRESET');
    await expect(send(`${fake.url}${path}`, new http.Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
