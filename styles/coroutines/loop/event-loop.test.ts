// The event loop on virtual time: iteration boundaries, timer order, what it asks Node for (one
// wake, one armed timer, nothing when idle), stop/close, and how a throwing callback is reported.
// Real Node driving (process exit, idle CPU) is in process.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { EventLoop } from './event-loop.js';
import { InvalidStateError } from './errors.js';
import { ManualScheduler, VirtualClock, createVirtualLoop } from './virtual-time.js';

function idleLoop(): { loop: EventLoop; clock: VirtualClock; scheduler: ManualScheduler } {
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler(clock);
  return { loop: new EventLoop({ clock, scheduler, debug: false }), clock, scheduler };
}

describe('runOnce', () => {
  it('runs exactly the handles that were ready when the iteration began, in order', () => {
    const { loop } = idleLoop();
    const ran: string[] = [];
    loop.callSoon(() => {
      ran.push('a');
      loop.callSoon(() => ran.push('c (scheduled by a)'));
    });
    loop.callSoon(() => ran.push('b'));

    loop.runOnce();
    expect(ran).toEqual(['a', 'b']);
    expect(loop.readyCount).toBe(1);
    loop.runOnce();
    expect(ran).toEqual(['a', 'b', 'c (scheduled by a)']);
    expect(loop.readyCount).toBe(0);
  });

  it('passes arguments and skips cancelled handles', () => {
    const { loop } = idleLoop();
    const ran: number[] = [];
    loop.callSoon((x: number, y: number) => ran.push(x + y), 1, 2);
    loop.callSoon((x: number) => ran.push(x), 10).cancel();
    loop.runOnce();
    expect(ran).toEqual([3]);
  });

  it('runs timers in deadline order, equal deadlines first-in first-out, after the handles already ready', () => {
    const { loop, clock } = idleLoop();
    const ran: string[] = [];
    loop.callLater(30, () => ran.push('30'));
    loop.callLater(10, () => ran.push('10 first'));
    loop.callAt(20, () => ran.push('20'));
    loop.callLater(10, () => ran.push('10 second'));
    loop.callLater(10, () => ran.push('10 third'));
    loop.callSoon(() => ran.push('ready'));

    loop.runOnce();
    expect(ran).toEqual(['ready']);
    clock.advance(9.999);
    loop.runOnce();
    expect(ran).toEqual(['ready']);
    clock.advance(0.001);
    loop.runOnce();
    expect(ran).toEqual(['ready', '10 first', '10 second', '10 third']);
    clock.advance(100);
    loop.runOnce();
    expect(ran).toEqual(['ready', '10 first', '10 second', '10 third', '20', '30']);
    expect(loop.timerCount).toBe(0);
  });

  it('keeps its timer heap ordered through many inserts and cancellations', () => {
    const { loop, clock } = idleLoop();
    const ran: number[] = [];
    const handles = Array.from({ length: 500 }, (_, index) => {
      const when = (index * 7919) % 997;
      return { when, handle: loop.callAt(when, () => ran.push(when)) };
    });
    for (const [index, { handle }] of handles.entries()) if (index % 3 === 0) handle.cancel();
    expect(loop.timerCount).toBe(500 - Math.ceil(500 / 3));
    clock.advance(1000);
    loop.runOnce();
    const expected = handles.filter((_, index) => index % 3 !== 0).map(({ when }) => when);
    expect(ran).toEqual([...expected].sort((a, b) => a - b));
  });

  it('reports a throwing handle to the exception handler and goes on with the iteration', () => {
    const reports: unknown[] = [];
    const clock = new VirtualClock();
    const loop = new EventLoop({ clock, scheduler: new ManualScheduler(clock), exceptionHandler: (_loop, context) => reports.push(context) });
    const ran: string[] = [];
    const boom = new Error('boom');
    loop.callSoon(function exploding() {
      throw boom;
    });
    loop.callSoon(() => ran.push('after'));
    loop.runOnce();
    expect(ran).toEqual(['after']);
    expect(reports).toEqual([expect.objectContaining({ exception: boom, message: expect.stringContaining('exploding') as unknown })]);
  });

  it('writes to stderr by default, and survives a handler that throws', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { loop } = idleLoop();
      loop.callSoon(() => {
        throw new Error('first');
      });
      loop.runOnce();
      loop.setExceptionHandler(() => {
        throw new Error('the handler itself broke');
      });
      loop.callSoon(() => {
        throw new Error('second');
      });
      loop.runOnce();
    } finally {
      spy.mockRestore();
    }
    const text = written.join('');
    expect(text).toContain('Error: first');
    expect(text).toContain('the handler itself broke');
    expect(text).toContain('Error: second');
  });

  it('is not reentrant', () => {
    const { loop } = createVirtualLoop();
    const errors: unknown[] = [];
    loop.callSoon(() => {
      try {
        loop.runOnce();
      } catch (error) {
        errors.push(error);
      }
    });
    loop.runOnce();
    expect(errors[0]).toBeInstanceOf(InvalidStateError);
  });
});

describe('what the loop asks Node for', () => {
  it('asks for one wake when its ready queue becomes non-empty, and none while idle', () => {
    const { loop, scheduler } = idleLoop();
    loop.callSoon(() => undefined);
    expect(scheduler.wakePending).toBe(false); // not running yet: nothing to ask
    loop.runForever();
    expect(scheduler.wakes).toBe(1);
    loop.callSoon(() => undefined);
    expect(scheduler.wakes).toBe(1); // one wake covers the whole queue
    scheduler.runWake();
    expect(loop.iterations).toBe(1);
    expect(scheduler.wakePending).toBe(false);
    // Idle: nothing pending means no wake, no timer, no iterations.
    expect(scheduler.flush()).toBe(0);
    expect(loop.iterations).toBe(1);
  });

  it('wakes again after an iteration only when that iteration scheduled more', () => {
    const { loop, scheduler } = idleLoop();
    loop.runForever();
    let hops = 0;
    const hop = (): void => {
      hops += 1;
      if (hops < 5) loop.callSoon(hop);
    };
    loop.callSoon(hop);
    expect(scheduler.flush()).toBe(5);
    expect(hops).toBe(5);
    expect(scheduler.wakes).toBe(5);
  });

  it('keeps one Node timer armed for its earliest live timer, and drops it when none is left', () => {
    const { loop, scheduler } = idleLoop();
    loop.runForever();
    const late = loop.callLater(50, () => undefined);
    expect(scheduler.armedAt).toBe(50);
    const early = loop.callLater(20, () => undefined);
    expect(scheduler.armedAt).toBe(20);
    loop.callLater(30, () => undefined).cancel();
    expect(scheduler.armedAt).toBe(20);
    early.cancel();
    expect(scheduler.armedAt).toBe(50);
    late.cancel();
    expect(scheduler.armedAt).toBeUndefined();
    expect(loop.timerCount).toBe(0);
  });

  it('fires timers when the armed Node timer does, then re-arms for the next', () => {
    const { loop, clock, scheduler } = idleLoop();
    loop.runForever();
    const ran: number[] = [];
    loop.callLater(10, () => ran.push(clock.now()));
    loop.callLater(25, () => ran.push(clock.now()));
    expect(scheduler.fireTimer()).toBe(true);
    expect(ran).toEqual([10]);
    expect(scheduler.armedAt).toBe(25);
    scheduler.flush();
    expect(ran).toEqual([10, 25]);
    expect(scheduler.armedAt).toBeUndefined();
    expect(scheduler.arms).toBe(2);
  });

  it('stop() inside an iteration finishes it, then asks for nothing; queued work waits for the next run', () => {
    const { loop, scheduler } = idleLoop();
    loop.runForever();
    const ran: string[] = [];
    loop.callSoon(() => {
      ran.push('stopper');
      loop.stop();
      loop.callSoon(() => ran.push('later'));
    });
    loop.callSoon(() => ran.push('same iteration'));
    loop.callLater(5, () => ran.push('timer'));
    scheduler.flush();
    expect(ran).toEqual(['stopper', 'same iteration']);
    expect(loop.isRunning()).toBe(false);
    expect(scheduler.wakePending).toBe(false);
    expect(scheduler.armedAt).toBeUndefined();
    loop.runForever();
    scheduler.flush();
    expect(ran).toEqual(['stopper', 'same iteration', 'later', 'timer']);
  });

  it('runUntilComplete runs until the future is done, then stops', () => {
    const { loop, scheduler } = idleLoop();
    const future = loop.createFuture<string>();
    loop.callLater(10, () => future.setResult('done'));
    loop.callLater(20, () => undefined);
    expect(loop.runUntilComplete(future)).toBe(future);
    scheduler.flush();
    expect(future.result()).toBe('done');
    expect(loop.isRunning()).toBe(false);
    expect(loop.timerCount).toBe(1);
    expect(() => loop.runForever()).not.toThrow();
    expect(() => loop.runForever()).toThrow(InvalidStateError);
  });

  it('close() drops everything and refuses new work', () => {
    const { loop, scheduler } = idleLoop();
    loop.runForever();
    loop.callSoon(() => undefined);
    loop.callLater(10, () => undefined);
    loop.close();
    expect(loop.isClosed()).toBe(true);
    expect(scheduler.wakePending).toBe(false);
    expect(scheduler.armedAt).toBeUndefined();
    expect(() => loop.callSoon(() => undefined)).toThrow(/the event loop is closed/);
    expect(() => loop.createFuture()).toThrow(InvalidStateError);
  });
});
