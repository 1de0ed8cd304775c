// The child process model: any command started, tailed, killed for a reason and stopped; then the
// measured children on a fixture child (dist/harness/child/fixture.js; build first): replies,
// a crash and a hang end as typed errors with the stderr tail, a deadline kills a child that spins,
// and `measure` records each as a failure while the run goes on. Every child started is proven gone.
import { afterEach, describe, expect, it } from 'vitest';
import { Progress } from './progress.js';
import { Collector } from './results.js';
import { CHILD_ENV, ChildError, STDERR_TAIL_BYTES, liveChildren, spawnChild, startProcess } from './processes.js';
import { measure, planConfig, type PhaseContext } from './phases/common.js';


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

describe('startProcess', () => {
  it('keeps the end of stdout and stderr in the tail and resolves exited after the last of it', async () => {
    const child = startProcess({
      label: 'node[tail]',
      command: process.execPath,
      args: ['-e', "process.stdout.write('a'.repeat(5000)); process.stderr.write('the end\\n')"],
      stdout: 'tail',
      tailBytes: 100,
    });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.tail()).toHaveLength(100);
    expect(child.tail()).toContain('the end');
    expect(child.alive()).toBe(false);
  });

  it('says why a command could not start, instead of throwing', async () => {
    const child = startProcess({ label: 'nothing', command: '/nonexistent/rosetta-no-such-command' });
    expect(child.pid).toBeUndefined();
    const exit = await child.exited;
    expect(exit.startError).toMatch(/ENOENT/);
    expect(child.alive()).toBe(false);
  });

  it('kills a child for a reason and says so; the first reason wins', async () => {
    const child = startProcess({ label: 'node[sleep]', command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60_000)'], group: true });
    child.killBecause('first reason');
    child.killBecause('second reason');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.killedBecause).toBe('first reason');
    expect(alive(child.pid ?? 0)).toBe(false);
  });

  it('stops a child without IPC with SIGTERM', async () => {
    const child = startProcess({ label: 'node[term]', command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60_000)'] });
    const exit = await child.stop(5_000);
    expect(exit.signal).toBe('SIGTERM');
  });
});

describe('measure', () => {
  it('records a crash and a hang as failures with stderr tails, and the run goes on', async () => {
    const collector = new Collector();
    const context: PhaseContext = {
      config: planConfig({ scenarios: [], styles: [], quick: true, out: '/nonexistent' }),
      collector,
      progress: new Progress({ stream: silent(), tty: false }),
      signal: new AbortController().signal,
      cpus: undefined,
    };
    const crashed = await measure(context, 'fixture crash', async (track) => {
      const child = track(spawnChild({ entry: 'fixture', label: 'fixture[crash]', deadlineMs: 10_000 }));
      await child.request('crash');
    });
    const hung = await measure(context, 'fixture hang', async (track) => {
      const child = track(spawnChild({ entry: 'fixture', label: 'fixture[hang]', deadlineMs: 10_000 }));
      await child.request('hang', {}, 200);
    });
    const fine = await measure(context, 'fixture ok', async (track) => {
      const child = track(spawnChild({ entry: 'fixture', label: 'fixture[ok]', deadlineMs: 10_000 }));
      expect(await child.request('ping')).toBe('pong');
    });
    expect([crashed, hung, fine]).toEqual([false, false, true]);
    expect(collector.failures.map((failure) => [failure.what, failure.reason])).toEqual([
      ['fixture crash', 'crashed'],
      ['fixture hang', 'timeout'],
    ]);
    const tail = collector.failures[0]?.stderrTail ?? '';
    expect(tail).toContain('--- fixture[crash] ---');
    expect(tail).toContain('about to crash on purpose');
    expect(tail.length).toBeLessThanOrEqual(STDERR_TAIL_BYTES);
  });
});

function silent(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
