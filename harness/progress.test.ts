// Progress lines: one line per step with counts and times for logs, one redrawn line for a TTY.
import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function capture(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  return { stream, text: () => text };
}

describe('Progress', () => {
  it('writes one line per step, with what ran, how many are left and elapsed time, when not a TTY', () => {
    let now = 0;
    const out = capture();
    const progress = new Progress({ stream: out.stream, tty: false, now: () => now });
    progress.phase('echo throughput', 2);
    now = 1_500;
    progress.step('baseline 1KiB x 10');
    now = 3_000;
    progress.step('callbacks 1KiB x 10');
    expect(out.text().split('\n')).toEqual([
      '[echo throughput] 2 steps (run 0.0 s)',
      '[echo throughput] 1/2 baseline 1KiB x 10 (1 left, phase 1.5 s, run 1.5 s, phase ETA 2 s)',
      '[echo throughput] 2/2 callbacks 1KiB x 10 (0 left, phase 3.0 s, run 3.0 s)',
      '',
    ]);
  });

  it('redraws one line on a TTY and ends it before a note', () => {
    const out = capture();
    const progress = new Progress({ stream: out.stream, tty: true, now: () => 0 });
    progress.phase('micro', 4);
    progress.step('callbacks');
    progress.step('rxjs');
    progress.note('failed: something');
    const text = out.text();
    expect(text.split('\r\u001b[2K')).toHaveLength(3);
    expect(text).toContain('[micro] [##########----------] 2/4 rxjs');
    expect(text.endsWith('\nfailed: something\n')).toBe(true);
  });
});
