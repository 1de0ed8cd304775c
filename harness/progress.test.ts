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

  it('writes a status line to a log at most every 15 s, and redraws it at once on a TTY', () => {
    let now = 0;
    const out = capture();
    const progress = new Progress({ stream: out.stream, tty: false, now: () => now });
    progress.phase('echo cost and capacity', 1);
    progress.status('round 1, worst ±9.0%');
    now = 5_000;
    progress.status('round 2, worst ±6.0%');
    now = 15_000;
    progress.status('round 3, worst ±4.0%');
    expect(out.text().split('\n')).toEqual([
      '[echo cost and capacity] 1 step (run 0.0 s)',
      '[echo cost and capacity] round 1, worst ±9.0% (phase 0.0 s, run 0.0 s)',
      '[echo cost and capacity] round 3, worst ±4.0% (phase 15.0 s, run 15.0 s)',
      '',
    ]);
    const tty = capture();
    const drawn = new Progress({ stream: tty.stream, tty: true, now: () => 0 });
    drawn.phase('workflow throughput', 1);
    drawn.status('round 1');
    drawn.status('round 2');
    expect(tty.text()).toContain('round 2');
  });
});
