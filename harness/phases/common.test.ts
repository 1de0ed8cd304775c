// `measure` on a fixture child (dist/harness/child/fixture.js; build first): a crash and a hang are
// recorded as failures with their stderr tails, and the run goes on. Every child started is proven gone.
import { afterEach, describe, expect, it } from 'vitest';
import { Progress } from '../progress.js';
import { Collector } from '../results.js';
import { spawnChild } from '../processes/children.js';
import { liveChildren, STDERR_TAIL_BYTES } from '../processes/watch.js';
import { measure, planConfig, type PhaseContext } from './common.js';

afterEach(() => {
  expect(liveChildren()).toEqual([]);
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
