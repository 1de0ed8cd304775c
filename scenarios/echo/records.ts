// The load session's completion records: one row per completed round trip (completion time on the
// monotonic clock, latency from the due time, latency from the send), kept in completion order in
// growable typed arrays, and the exact percentiles a window of them reports. 16 bytes a round trip.

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Completion records in growable typed arrays: time, latency from due, latency from send. */
export class Records {
  times = new Float64Array(1 << 14);
  fromDue = new Float32Array(1 << 14);
  fromSend = new Float32Array(1 << 14);
  length = 0;

  push(time: number, fromDueUs: number, fromSendUs: number): void {
    if (this.length === this.times.length) this.grow();
    this.times[this.length] = time;
    this.fromDue[this.length] = fromDueUs;
    this.fromSend[this.length] = fromSendUs;
    this.length++;
  }

  /** Index of the first record at or after `time` (records are in completion order). */
  indexAt(time: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops every record before `time`: a long session's memory stays bounded by its window. */
  forget(time: number): void {
    const keep = this.indexAt(time);
    this.times.copyWithin(0, keep, this.length);
    this.fromDue.copyWithin(0, keep, this.length);
    this.fromSend.copyWithin(0, keep, this.length);
    this.length -= keep;
  }

  private grow(): void {
    const grow = <T extends Float64Array | Float32Array>(old: T, make: (n: number) => T): T => {
      const next = make(old.length * 2);
      next.set(old);
      return next;
    };
    this.times = grow(this.times, (n) => new Float64Array(n));
    this.fromDue = grow(this.fromDue, (n) => new Float32Array(n));
    this.fromSend = grow(this.fromSend, (n) => new Float32Array(n));
  }
}

/** Exact percentiles (nearest rank) of a window's latencies, in µs; all 0 for an empty window. */
export function percentiles(values: Float32Array): LatencyPercentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const sorted = Float32Array.from(values).sort();
  // The small epsilon keeps 99.9% of 1,000 at rank 999 despite 99.9 / 100 not being exact in binary.
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length - 1e-9) - 1))] as number;
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: sorted[sorted.length - 1] as number };
}
