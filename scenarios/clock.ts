// One clock every process on the machine agrees on: libuv's monotonic clock (CLOCK_MONOTONIC), which
// both performance.now() and process.hrtime() read. The harness uses it to line up a window's edges
// taken in two processes: a server's CPU readings and the load client's completed requests.
import { performance } from 'node:perf_hooks';

/** performance.now() is relative to this process's start; this offset puts it on the machine's clock. */
const OFFSET_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Milliseconds on the machine's monotonic clock: comparable across processes. */
export function monotonicMs(): number {
  return performance.now() + OFFSET_MS;
}
