// What the conformance suite cannot see from outside the coroutine style: fail-fast starts nothing
// after the first error, cancelled fork tasks abort their own requests (before cleanup closes the
// client), and in debug mode a fork's error carries the chain of tasks it left.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_INPUT, forkNames, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { createHttpClient } from '../../scenarios/repos-and-forks/http.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { EventLoop, Semaphore, coroutineChain, type Coro, type Future } from './loop/index.js';
import { reposAndForks, sendForkedRepoRequests } from './repos-and-forks.js';

let fake: FakeGithub;
const loops: EventLoop[] = [];

beforeAll(async () => {
  fake = await startFakeGithub();
});
afterEach(async () => {
  for (const loop of loops.splice(0)) loop.close();
  fake.setFaults([]);
  fake.setLatency(0);
  await fake.idle();
  expect(fake.stats().inFlight).toBe(0);
  expect(fake.stats().openSockets).toBe(0);
});
afterAll(async () => {
  await fake.close();
});

function loop(debug = false): EventLoop {
  const created = new EventLoop({ debug });
  created.runForever();
  loops.push(created);
  return created;
}

function input(overrides: Partial<ReposAndForksInput> = {}): ReposAndForksInput {
  return { apiUrl: fake.url, user: DEFAULT_USER, ...DEFAULT_INPUT, ...overrides };
}

function settled<T>(future: Future<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return new Promise((resolve) => {
    future.addDoneCallback((done) => {
      try {
        resolve({ ok: true, value: done.result() });
      } catch (error) {
        resolve({ ok: false, error });
      }
    });
  });
}

describe('coroutines: fail-fast', () => {
  it('starts no fork request after the first error (concurrency 1 makes the order exact)', async () => {
    fake.setFaults([{ path: '/repos/*/*', nth: 3, action: { kind: 'status', status: 500 } }]);
    fake.resetStats();
    const outcome = await settled(loop().createTask(reposAndForks(input({ concurrency: 1 }))));
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(ApiError);
    expect(fake.stats().byRoute.repo).toBe(3);
  });

  it('cancels the sibling tasks, which abort their own requests before the step returns', async () => {
    const forks = forkNames(fake.world.listRepos(DEFAULT_USER) ?? []).slice(0, 8);
    // Fork 1 never answers; fork 5 fails once the others are in flight.
    fake.setFaults([
      { path: '/repos/*/*', nth: 1, action: { kind: 'hang' } },
      { path: '/repos/*/*', nth: 5, action: { kind: 'status', status: 500 } },
    ]);
    fake.setLatency(5);
    const run = { input: input({ concurrency: 8 }), client: createHttpClient({ timeoutMs: 10_000 }), limit: new Semaphore(8), pages: [] };
    let inFlightWhenTheStepFailed = -1;
    function* step(): Coro<unknown> {
      try {
        return yield* sendForkedRepoRequests(run, forks);
      } catch (error) {
        inFlightWhenTheStepFailed = run.client.inFlight; // no cleanup has run yet
        return error;
      }
    }
    const outcome = await settled(loop().createTask(step()));
    run.client.close();
    expect(outcome.ok ? outcome.value : outcome.error).toBeInstanceOf(ApiError);
    expect(inFlightWhenTheStepFailed).toBe(0);
  });
});

describe('coroutines: debug mode', () => {
  it('gives a fork’s error the chain of tasks it left, pointing into this style’s steps', async () => {
    fake.setFaults([{ path: '/repos/*/*', nth: 2, action: { kind: 'status', status: 502 } }]);
    const outcome = await settled(loop(true).createTask(reposAndForks(input()), { name: 'reposAndForks' }));
    const error = outcome.ok ? undefined : outcome.error;
    expect(error).toBeInstanceOf(ApiError);
    const chain = coroutineChain(error);
    expect(chain.map((link) => link.task)).toEqual([expect.stringMatching(/^Task 'fork octocat\/.+'$/) as unknown, "Task 'reposAndForks'"]);
    const [fork, root] = chain;
    expect(fork!.suspendedAt.join('\n')).toMatch(/at send \(.*coroutines[\\/]repos-and-forks\.ts:\d+/);
    expect(fork!.suspendedAt.join('\n')).toMatch(/at fork \(.*coroutines[\\/]repos-and-forks\.ts:\d+/);
    expect(fork!.createdAt.join('\n')).toMatch(/at sendForkedRepoRequests \(.*coroutines[\\/]repos-and-forks\.ts:\d+/);
    expect(root!.suspendedAt.join('\n')).toMatch(/at reposAndForks \(.*coroutines[\\/]repos-and-forks\.ts:\d+/);
    expect((error as Error).stack).toMatch(/at readForkedRepoRequests \(/);
  });

  it('leaves the stack as V8 made it when debug mode is off', async () => {
    fake.setFaults([{ path: '/repos/*/*', nth: 2, action: { kind: 'status', status: 502 } }]);
    const outcome = await settled(loop(false).createTask(reposAndForks(input())));
    expect(coroutineChain(outcome.ok ? undefined : outcome.error)).toEqual([]);
  });
});
