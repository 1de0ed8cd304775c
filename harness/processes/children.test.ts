// The measured children on a fixture child (dist/harness/child/fixture.js; build first): replies,
// a crash and a hang end as typed errors with the stderr tail, and a deadline kills a child that
// spins. Every child started is proven gone.
import { afterEach, describe, expect, it } from 'vitest';
import { CHILD_ENV, ChildError, spawnChild } from './children.js';
import { liveChildren, STDERR_TAIL_BYTES } from './watch.js';
import { alive } from '../../test/support/alive.js';

afterEach(() => {
  expect(liveChildren()).toEqual([]);
});

describe('spawnChild', () => {
  it('answers requests over IPC and stops when asked', async () => {
    const child = spawnChild({ entry: 'fixture', label: 'fixture[ok]', deadlineMs: 10_000 });
    await expect(child.request('ping')).resolves.toBe('pong');
    await expect(child.request('pid')).resolves.toBe(child.pid);
    const exit = await child.stop();
    expect(exit.code).toBe(0);
    expect(alive(child.pid)).toBe(false);
  });

  it('starts every child with the recorded environment and without NODE_OPTIONS', async () => {
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--no-warnings';
    const child = spawnChild({ entry: 'fixture', label: 'fixture[env]', deadlineMs: 10_000 });
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
    for (const [name, value] of Object.entries(CHILD_ENV)) await expect(child.request('env', { name })).resolves.toBe(value);
    await expect(child.request('env', { name: 'NODE_OPTIONS' })).resolves.toBeNull();
    await child.stop();
  });

  it('reports a crash as `crashed` with the last 2 KiB of stderr', async () => {
    const child = spawnChild({ entry: 'fixture', label: 'fixture[crash]', deadlineMs: 10_000 });
    const error = await child.request('crash').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChildError);
    const failure = error as ChildError;
    expect(failure.reason).toBe('crashed');
    expect(failure.message).toContain('exited with code 3');
    expect(failure.stderrTail.length).toBeLessThanOrEqual(STDERR_TAIL_BYTES);
    expect(failure.stderrTail).toContain('fixture: about to crash on purpose');
    expect(alive(child.pid)).toBe(false);
  });

  it('kills a child that does not answer in time and reports `timeout`', async () => {
    const child = spawnChild({ entry: 'fixture', label: 'fixture[hang]', deadlineMs: 10_000 });
    const error = await child.request('hang', {}, 300).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChildError);
    expect((error as ChildError).reason).toBe('timeout');
    expect((error as ChildError).message).toContain('no answer to hang within 300 ms');
    await child.exited;
    expect(alive(child.pid)).toBe(false);
  });

  it('kills a child that outlives its deadline even while it spins', async () => {
    const child = spawnChild({ entry: 'fixture', label: 'fixture[spin]', deadlineMs: 500 });
    const error = await child.request('spin', {}, 60_000).catch((caught: unknown) => caught);
    expect((error as ChildError).reason).toBe('timeout');
    expect((error as ChildError).message).toContain('deadline of 500 ms');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
  });
});
