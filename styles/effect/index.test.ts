// The adapter's one decision: which error a failed Exit rejects with, and what its stack shows.
import * as Cause from 'effect/Cause';
import * as Effect from 'effect/Effect';
import { describe, expect, it } from 'vitest';
import { failure } from './index.js';

describe('effect adapter failure', () => {
  it('rejects with the typed failure itself, its stack rendered from that failure alone, even after a defect', () => {
    const typed = new RangeError('the typed one');
    const defect = new Error('a defect');
    const error = failure(Cause.combine(Cause.die(defect), Cause.fail(typed)));
    expect(error).toBe(typed);
    expect(error.stack).toMatch(/^RangeError: the typed one/);
    expect(error.stack).not.toContain('a defect');
  });

  it("appends the spans of Effect.fn to the error's own frames", async () => {
    const inner = Effect.fn('innerStep')(function* () {
      return yield* Effect.fail(new Error('inner failed'));
    });
    const outer = Effect.fn('outerStep')(function* () {
      return yield* inner();
    });
    const exit = await Effect.runPromiseExit(outer());
    expect(exit._tag).toBe('Failure');
    const stack = exit._tag === 'Failure' ? (failure(exit.cause).stack ?? '') : '';
    expect(stack).toMatch(/^Error: inner failed\n/);
    expect(stack).toMatch(/at innerStep \(.*index\.test\.ts:\d+:\d+\)/);
    expect(stack).toMatch(/at outerStep \(definition\) \(.*index\.test\.ts:\d+:\d+\)/);
  });

  it('wraps a failure that is not an Error', () => {
    const error = failure(Cause.fail('just a string'));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('just a string');
  });
});
