// Every style's micro suite computes what its benchmark says (a fast wrong answer does not count),
// and the tinybench runner refuses a suite that answers wrong.
import { describe, expect, it } from 'vitest';
import { runMicro } from './bench.js';
import { loadMicroSuite } from './index.js';
import { PAR_SUM, SEQ, type Done, type MicroSuite } from './suite.js';

const STYLES = ['callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect'];

function result(start: (done: Done) => void): Promise<number | undefined> {
  return new Promise((resolve, reject) => start((error, value) => (error !== null ? reject(error) : resolve(value))));
}

describe.each(STYLES)('micro suite %s', (style) => {
  it('hops n times, chains 10 I/Os and joins 25', async () => {
    const suite = await loadMicroSuite(style);
    await expect(result((done) => suite.hops(257, done))).resolves.toBe(257);
    await expect(result((done) => suite.hops(0, done))).resolves.toBe(0);
    await expect(result((done) => suite.seq10(done))).resolves.toBe(SEQ);
    await expect(result((done) => suite.par25(done))).resolves.toBe(PAR_SUM);
  });
});

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

  it('names the unknown style', async () => {
    await expect(loadMicroSuite('threads')).rejects.toThrow(/no micro suite for "threads"/);
  });
});
