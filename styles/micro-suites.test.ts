// Every style's micro suite computes what its benchmark says (a fast wrong answer does not count),
// and the loader names a style that has none.
import { describe, expect, it } from 'vitest';
import { PAR_SUM, SEQ, type Done } from '../scenarios/micro/contract.js';
import { loadMicroSuite } from './micro-suites.js';

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


describe('loadMicroSuite', () => {
  it('names the unknown style', async () => {
    await expect(loadMicroSuite('threads')).rejects.toThrow(/no micro suite for "threads"/);
  });
});
