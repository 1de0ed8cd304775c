// What is particular to the RxJS workflow, on the real fake GitHub: the Observable is cold, one run
// per subscription; unsubscribing aborts the requests in flight and cleans up once; an error tears
// down the other requests at once (fail-fast without waiting for them). The common rules (results,
// every fault, the concurrency limit) are the conformance suite's, run against every style.
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, DEFAULT_INPUT, ParseError, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_USER, createWorld } from '../../scenarios/repos-and-forks/world.js';
import { reposAndForks } from './repos-and-forks.js';

const world = createWorld();

describe('rxjs reposAndForks', () => {
  let fake: FakeGithub;
  let cleanups = 0;

  beforeAll(async () => {
    fake = await startFakeGithub({ world });
  });
  afterAll(async () => {
    await fake.close();
    expect(fake.stats().openSockets).toBe(0);
  });

  function input(overrides: Partial<ReposAndForksInput> = {}): ReposAndForksInput {
    cleanups = 0;
    fake.setFaults([]);
    fake.setLatency(0);
    fake.resetStats();
    return { apiUrl: fake.url, user: DEFAULT_USER, ...DEFAULT_INPUT, onCleanup: () => (cleanups += 1), ...overrides };
  }

  it('emits the sources in listing order over nine pages, then completes and cleans up once', async () => {
    const printed: string[] = [];
    const runInput = input({ perPage: 30, concurrency: 3, print: (line) => printed.push(line) });
    fake.setLatency(5); // slow enough that three requests overlap
    const result = await lastValueFrom(reposAndForks(runInput));
    expect(result).toEqual({ sourceNames: world.expectedSourceNames(DEFAULT_USER), pages: 9 });
    expect(printed).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(cleanups).toBe(1);
    expect(fake.stats().peakInFlight).toBe(3);
    await fake.idle();
  });

  it('is cold: nothing is requested before subscribing, and each subscription is its own run', async () => {
    const workflow = reposAndForks(input({ concurrency: 4 }));
    expect(fake.stats().received).toBe(0);
    const [first, second] = await Promise.all([lastValueFrom(workflow), lastValueFrom(workflow)]);
    expect(first).toEqual(second);
    expect(cleanups).toBe(2);
    expect(fake.stats().byRoute.repos).toBe(6);
    await fake.idle();
  });

  it('unsubscribing aborts every request in flight and cleans up once', async () => {
    const runInput = input({ concurrency: 5, timeoutMs: 60_000 });
    fake.setFaults([{ path: '/repos/*/*', action: { kind: 'hang' } }]); // every fork request stays in flight
    const subscription = reposAndForks(runInput).subscribe({ error: (error: unknown) => expect.fail(String(error)) });
    await vi.waitFor(() => expect(fake.stats().inFlight).toBe(5));
    subscription.unsubscribe();
    expect(cleanups).toBe(1);
    await fake.idle(2_000);
    expect(fake.stats().byRoute.repo).toBe(5); // nothing queued started after the teardown
  });

  it('fails fast: the first error aborts the hung request beside it instead of waiting for it', async () => {
    // Fork 1 hangs for longer than the test runs; fork 3 answers 500 while fork 1 is still in flight.
    const runInput = input({ concurrency: 4, timeoutMs: 60_000 });
    fake.setFaults([
      { path: '/repos/*/*', nth: 1, action: { kind: 'hang' } },
      { path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } },
    ]);
    const error = await lastValueFrom(reposAndForks(runInput)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(cleanups).toBe(1);
    expect(fake.stats().byRoute.repo).toBeLessThanOrEqual(3 + 4);
    await fake.idle(2_000); // the hung request was aborted, not left to its 60 s timeout
  });

  it('a malformed page is a ParseError carrying the SyntaxError, and no later page is asked for', async () => {
    const runInput = input({ perPage: 30 });
    fake.setFaults([{ path: '/users/*/repos', page: 2, action: { kind: 'malformed' } }]);
    const error = await lastValueFrom(reposAndForks(runInput)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).url).toContain('page=2');
    expect((error as ParseError).cause).toBeInstanceOf(SyntaxError);
    expect(fake.stats().byRoute).toMatchObject({ repos: 2, repo: 0 });
    expect(cleanups).toBe(1);
    await fake.idle();
  });
});
