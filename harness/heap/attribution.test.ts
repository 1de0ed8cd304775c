// The diff of two censuses: per unit, both directions, noise below half a byte dropped; the
// memory phase's slope attached to the attribution of the same style and unit; and the units a
// style is held to, reached in the steps of its own sweep.
import { describe, expect, it } from 'vitest';
import { testMetric } from '../../test/results-fixture.js';
import { holdSteps, unitsFor, withSlopes } from '../phases/memory-explain.js';
import { attribute } from './attribution.js';
import type { HeapCensus } from './snapshot.js';

const census = (entries: [string, number, number][], nativeBytes = 0): HeapCensus => ({
  entries: entries.map(([name, count, bytes]) => ({ name, count, bytes })),
  count: entries.reduce((sum, [, count]) => sum + count, 0),
  bytes: entries.reduce((sum, [, , bytes]) => sum + bytes, 0),
  nativeBytes,
});

describe('attribute', () => {
  it('divides what was added by the units, largest first, and drops what rounds to nothing', () => {
    const before = census([['Socket', 2, 500], ['(code)', 100, 10_000], ['Noise', 1, 10]], 100);
    const after = census([['Socket', 102, 25_500], ['(code)', 90, 9_000], ['Noise', 1, 40], ['Subscriber', 900, 72_000]], 40_100);
    const diff = attribute(before, after, 100);
    expect(diff.entries).toEqual([
      { name: 'Subscriber', countPerConnection: 9, bytesPerConnection: 720 },
      { name: 'Socket', countPerConnection: 1, bytesPerConnection: 250 },
      { name: '(code)', countPerConnection: -0.1, bytesPerConnection: -10 },
    ]);
    expect(diff.snapshotBytesPerConnection).toBe(960.3);
    expect(diff.nativeBytesPerConnection).toBe(400);
    expect(() => attribute(before, after, 0)).toThrow(RangeError);
  });

  it('sets each attribution against the memory phase slope of its style and unit', () => {
    const base = { units: 10, entries: [], snapshotBytesPerConnection: 1, nativeBytesPerConnection: 0, measuredBytesPerConnection: 1 };
    const rows = withSlopes(
      [
        { ...base, style: 'rxjs', scenario: 'echo', unit: 'idle connection' },
        { ...base, style: 'rxjs', scenario: 'repos-and-forks', unit: 'in-flight workflow' },
      ],
      [testMetric('memory.echo_idle.bytes_per_conn', 'lower', [13_801.04], { style: 'rxjs' }), testMetric('memory.echo_idle.bytes_per_conn', 'lower', [5], { style: 'callbacks' })],
    );
    expect(rows[0]?.slopeBytesPerConnection).toBe(13_801);
    expect(rows[1]?.slopeBytesPerConnection).toBeUndefined();
  });

  it('holds a style that costs a thread per unit to its own steps, and goes there in them', () => {
    expect(unitsFor('rxjs', 'echo', 1000).units).toBe(1000);
    expect(unitsFor('threads', 'echo', 1000).units).toBe(200);
    expect(unitsFor('threads', 'repos-and-forks', 1000, 20).units).toBe(20);
    expect(holdSteps('threads', 'echo', 200)).toEqual([40, 80, 120, 160, 200]);
    expect(holdSteps('threads', 'echo', 100)).toEqual([40, 80, 100]);
    expect(holdSteps('rxjs', 'echo', 1000)).toEqual([1000]);
  });
});
