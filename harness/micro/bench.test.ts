// The tinybench runner: ns per operation with a margin of error, and a suite that answers wrong is
// refused before it is timed.
import { describe, expect, it } from 'vitest';
import { PAR_SUM, SEQ, type MicroSuite } from '../../scenarios/micro/contract.js';
import { loadMicroSuite } from '../../styles/micro-suites.js';
import { runMicro } from './bench.js';

describe('runMicro', () => {
  it('reports ns per operation with a margin of error for each benchmark', async () => {
    const results = await runMicro(await loadMicroSuite('callbacks'), { timeMs: 20, warmupMs: 5 });
    expect(results.map((r) => r.name)).toEqual(['micro.hop_ns', 'micro.seq10_ns', 'micro.par25_ns']);
    for (const r of results) {
      expect(r.ns).toBeGreaterThan(0);
      expect(Number.isFinite(r.rme)).toBe(true);
      expect(r.samples).toBeGreaterThan(0);
    }
  });

  it('refuses a suite whose answer is wrong before timing it', async () => {
    const wrong: MicroSuite = {
      hops: (n, done) => setImmediate(() => done(null, n - 1)),
      seq10: (done) => done(null, SEQ),
      par25: (done) => done(null, PAR_SUM),
    };
    await expect(runMicro(wrong, { timeMs: 10, warmupMs: 0 })).rejects.toThrow(/micro.hop_ns completed with 999, expected 1000/);
  });
});
