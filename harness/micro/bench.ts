// Runs one style's micro suite under tinybench: every benchmark is first run once and its answer
// checked (a fast wrong answer does not count), then timed. Each timed iteration wraps the style's
// callback in one Promise, the same wrapper for every style; `hops` divides by HOPS.
import { Bench } from 'tinybench';
import { VerificationError } from '../verification.js';
import { HOPS, PAR_SUM, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

export interface MicroResult {
  readonly name: 'micro.hop_ns' | 'micro.seq10_ns' | 'micro.par25_ns';
  /** Mean ns per hop (hop_ns), per 10-step chain (seq10_ns) or per 25-way batch (par25_ns). */
  readonly ns: number;
  /** tinybench's relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
}

function run(start: (done: Done) => void, expected: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    start((error, value) => {
      if (error !== null) reject(error);
      else if (value !== expected) reject(new VerificationError(`${what} completed with ${String(value)}, expected ${expected}`));
      else resolve();
    });
  });
}

export async function runMicro(suite: MicroSuite, options: { timeMs: number; warmupMs: number }): Promise<MicroResult[]> {
  const benchmarks = [
    { name: 'micro.hop_ns', per: HOPS, start: (done: Done) => suite.hops(HOPS, done), expected: HOPS },
    { name: 'micro.seq10_ns', per: 1, start: (done: Done) => suite.seq10(done), expected: SEQ },
    { name: 'micro.par25_ns', per: 1, start: (done: Done) => suite.par25(done), expected: PAR_SUM },
  ] as const;
  for (const benchmark of benchmarks) await run(benchmark.start, benchmark.expected, benchmark.name);
  const bench = new Bench({ time: options.timeMs, warmupTime: options.warmupMs, throws: true });
  for (const benchmark of benchmarks) bench.add(benchmark.name, () => run(benchmark.start, benchmark.expected, benchmark.name));
  await bench.run();
  return benchmarks.map((benchmark, index) => {
    const result = bench.tasks[index]?.result;
    if (result === undefined || result.state !== 'completed') {
      const why = result?.state === 'errored' ? result.error.message : (result?.state ?? 'no result');
      throw new Error(`${benchmark.name}: tinybench did not complete (${why})`);
    }
    return {
      name: benchmark.name,
      // tinybench reports latency in ms per iteration.
      ns: (result.latency.mean * 1e6) / benchmark.per,
      rme: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
}
