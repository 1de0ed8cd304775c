// Any command started, tailed, killed for a reason and stopped. Every child started is proven gone.
import { afterEach, describe, expect, it } from 'vitest';
import { liveChildren, startProcess } from './watch.js';
import { alive } from '../../test/support/alive.js';

afterEach(() => {
  expect(liveChildren()).toEqual([]);
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
