// What is particular to the fp-ts workflow, on the real fake GitHub: the TaskEither is a description
// (building it requests nothing, each run is its own run); expected failures come back as Lefts
// holding the typed error, never as rejections; the first Left aborts the requests beside it at once.
// The common rules (results, every fault, the concurrency limit) are the conformance suite's.
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_INPUT, ParseError, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_USER, createWorld } from '../../scenarios/repos-and-forks/world.js';
import { reposAndForks } from './repos-and-forks.js';

const world = createWorld();

describe('fp-ts reposAndForks', () => {
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

  it('resolves a Right with the sources in listing order over nine pages, and cleans up once', async () => {
    const printed: string[] = [];
    const runInput = input({ perPage: 30, concurrency: 3, print: (line) => printed.push(line) });
    fake.setLatency(5); // slow enough that three requests overlap
    const result = await reposAndForks(runInput)();
    expect(result).toEqual(E.right({ sourceNames: world.expectedSourceNames(DEFAULT_USER), pages: 9 }));
    expect(printed).toEqual(world.expectedSourceNames(DEFAULT_USER));
    expect(cleanups).toBe(1);
    expect(fake.stats().peakInFlight).toBe(3);
    await fake.idle();
  });

  it('is a description: building it requests nothing, and every run is its own run', async () => {
    const workflow = reposAndForks(input({ concurrency: 4 }));
    expect(fake.stats().received).toBe(0);
    expect(cleanups).toBe(0);
    const [first, second] = await Promise.all([workflow(), workflow()]);
    expect(E.isRight(first)).toBe(true);
    expect(first).toEqual(second);
    expect(cleanups).toBe(2);
    expect(fake.stats().byRoute.repos).toBe(6);
    await fake.idle();
  });

  it('fails fast: the first Left aborts the hung request beside it instead of waiting for it', async () => {
    // Fork 1 hangs for longer than the test runs; fork 3 answers 500 while fork 1 is still in flight.
    const runInput = input({ concurrency: 4, timeoutMs: 60_000 });
    fake.setFaults([
      { path: '/repos/*/*', nth: 1, action: { kind: 'hang' } },
      { path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } },
    ]);
    const result = await reposAndForks(runInput)();
    expect(E.isLeft(result)).toBe(true);
    const error = E.isLeft(result) ? result.left : undefined;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(cleanups).toBe(1);
    expect(fake.stats().byRoute.repo).toBeLessThanOrEqual(3 + 4);
    await fake.idle(2_000); // the hung request was aborted, not left to its 60 s timeout
  });

  it('a fork without `source` is a Left ParseError whose cause is the TypeError of the field access', async () => {
    const runInput = input();
    fake.setFaults([{ path: '/repos/*/*', nth: 2, action: { kind: 'missing-source' } }]);
    const result = await reposAndForks(runInput)();
    const error = E.isLeft(result) ? result.left : undefined;
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).url).toContain('/repos/');
    expect((error as ParseError).cause).toBeInstanceOf(TypeError);
    expect(cleanups).toBe(1);
    await fake.idle();
  });
});
