// What is particular to the Effect workflow, on the real fake GitHub: the Effect is a description
// (nothing is requested before it runs, each run is its own); interrupting the fiber aborts the
// requests in flight through `send`'s finaliser and releases the run once; the first failure
// interrupts the sibling fibers at once; the failure is the contract's error, tagged; and the
// adapter's rejection carries Effect's span trace. The common rules are the conformance suite's.
import * as Cause from 'effect/Cause';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import * as Fiber from 'effect/Fiber';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Contract from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_INPUT, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_USER, createWorld } from '../../scenarios/repos-and-forks/world.js';
import { style } from './index.js';
import { ApiError, ParseError, reposAndForks } from './repos-and-forks.js';

const world = createWorld();

describe('effect reposAndForks', () => {
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

  it('succeeds with the sources in listing order over nine pages, and releases the run once', async () => {
    const printed: string[] = [];
    const runInput = input({ perPage: 30, concurrency: 3, print: (line) => printed.push(line) });
    fake.setLatency(5); // slow enough that three requests overlap
    const result = await Effect.runPromise(reposAndForks(runInput));
    expect(result).toEqual({ sourceNames: world.expectedSourceNames(DEFAULT_USER), pages: 9 });
    expect(printed).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(cleanups).toBe(1);
    expect(fake.stats().peakInFlight).toBe(3);
    await fake.idle();
  });

  it('is a description: nothing is requested before it runs, and each run is its own', async () => {
    const workflow = reposAndForks(input({ concurrency: 4 }));
    expect(fake.stats().received).toBe(0);
    const [first, second] = await Promise.all([Effect.runPromise(workflow), Effect.runPromise(workflow)]);
    expect(first).toEqual(second);
    expect(cleanups).toBe(2);
    expect(fake.stats().byRoute.repos).toBe(6);
    await fake.idle();
  });

  it('interrupting the fiber aborts every request in flight and releases the run once', async () => {
    const runInput = input({ concurrency: 5, timeoutMs: 60_000 });
    fake.setFaults([{ path: '/repos/*/*', action: { kind: 'hang' } }]); // every fork request stays in flight
    const fiber = Effect.runFork(reposAndForks(runInput));
    await vi.waitFor(() => expect(fake.stats().inFlight).toBe(5));
    const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))));
    expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true);
    expect(cleanups).toBe(1);
    await fake.idle(2_000);
    expect(fake.stats().byRoute.repo).toBe(5); // nothing queued started after the interruption
  });

  it('fails fast: the first failure interrupts the hung request beside it instead of waiting for it', async () => {
    // Fork 1 hangs for longer than the test runs; fork 3 answers 500 while fork 1 is still in flight.
    const runInput = input({ concurrency: 4, timeoutMs: 60_000 });
    fake.setFaults([
      { path: '/repos/*/*', nth: 1, action: { kind: 'hang' } },
      { path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } },
    ]);
    const exit = await Effect.runPromiseExit(reposAndForks(runInput));
    expect(Exit.isFailure(exit)).toBe(true);
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(cleanups).toBe(1);
    expect(fake.stats().byRoute.repo).toBeLessThanOrEqual(3 + 4);
    await fake.idle(2_000); // the hung request was aborted, not left to its 60 s timeout
  });

  it("fails with the contract's error, tagged, which Effect.catchTag can handle", async () => {
    const runInput = input({ perPage: 30 });
    fake.setFaults([{ path: '/users/*/repos', page: 2, action: { kind: 'malformed' } }]);
    const caught = await Effect.runPromise(
      reposAndForks(runInput).pipe(Effect.catchTag('ParseError', (error) => Effect.succeed(error))),
    );
    expect(caught).toBeInstanceOf(ParseError);
    expect(caught).toBeInstanceOf(Contract.ParseError);
    expect(caught).toMatchObject({ _tag: 'ParseError', name: 'ParseError' });
    expect((caught as ParseError).url).toContain('page=2');
    expect((caught as ParseError).cause).toBeInstanceOf(SyntaxError);
    expect(fake.stats().byRoute).toMatchObject({ repos: 2, repo: 0 });
    expect(cleanups).toBe(1);
    await fake.idle();
  });

  it("the adapter rejects with that same error, its stack Effect's span trace over the failing steps", async () => {
    const runInput = input({ concurrency: 4 });
    fake.setFaults([{ path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } }]);
    const error = await style.runReposAndForks(runInput).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Contract.ApiError);
    const stack = (error as Error).stack ?? '';
    expect(stack).toMatch(/^ApiError: GitHub API answered 500/);
    for (const step of ['readForkedRepoRequests', 'sendForkedRepoRequests', 'reposAndForks']) {
      expect(stack).toContain(`at ${step} (`);
      expect(stack).toContain(`at ${step} (definition) (`);
    }
    expect(cleanups).toBe(1);
    await fake.idle();
  });
});
