// What every style's micro benchmark implements, and the work each benchmark is. One interface for
// all styles: each suite reports through an error-first `done`, and the runner wraps every style
// the same way, so the wrapper's cost is equal and (for `hops`) divided by a thousand hops.
//
// - hops(n): n sequential async hops; one hop = take a value that is already available in the
//   style's own async container and continue with it (value + 1). Completes with n.
// - seq10: 10 sequential calls of the simulated I/O (io.ts), each fed the last result + 1. Completes with 10.
// - par25: 25 simulated I/O calls (values 0..24) in flight at once, then their sum. Completes with 300.
export type Done = (error: Error | null, value?: number) => void;

export interface MicroSuite {
  hops(n: number, done: Done): void;
  seq10(done: Done): void;
  par25(done: Done): void;
}

/** Hops per timed iteration: enough that the harness's per-iteration Promise wrapper is noise. */
export const HOPS = 1_000;
export const SEQ = 10;
export const PAR = 25;
/** 0 + 1 + ... + 24. */
export const PAR_SUM = (PAR * (PAR - 1)) / 2;
