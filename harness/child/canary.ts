// A fixed piece of pure compute, timed on the core a measured process runs on: the machine's speed
// at that moment. On a shared virtual machine the host can slow both cores for tens of seconds (no
// steal time is visible from inside); a sample taken in such an episode reads slow for a reason that
// is not the style's. The canary is timed right after each echo cost window, in the server process
// itself, so every cost sample has the machine's speed beside it (results.json config.speedProbes).

/** Iterations of one canary: about 10 ms of one core on the kit's machines. */
export const CANARY_ITERATIONS = 4_000_000;

export interface CanaryReading {
  /** CPU µs (user + system) of this process over the canary. */
  readonly cpuUs: number;
  /** Wall-clock µs over the canary. */
  readonly wallUs: number;
}

/** xorshift32 over a counter: no allocation, no memory traffic, nothing the JIT can fold away. */
export function canaryWork(iterations: number): number {
  let x = 2463534242;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/** Runs the canary once; `sink` keeps its result alive so the loop cannot be dropped. */
export function runCanary(iterations: number = CANARY_ITERATIONS): CanaryReading & { readonly sink: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sink = canaryWork(iterations);
  const wallUs = (performance.now() - started) * 1000;
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, wallUs, sink };
}
