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

/** What completed in a window [from, to] of the monotonic clock. */
export interface WindowStats {
  readonly from: number;
  readonly to: number;
  readonly requests: number;
  /** requests / (to - from). */
  readonly rps: number;
  readonly mibps: number;
  /** Open loop: from the due time (coordinated omission corrected). Closed loop: the same as `sent`. */
  readonly latencyUs: LatencyPercentiles;
  /** From the moment the message was written. */
  readonly sentLatencyUs: LatencyPercentiles;
  /** Open loop: sends that were due in the window but skipped because too many were outstanding. */
  readonly skipped: number;
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

/**
 * Every round trip that completed in any of several disjoint spans of the monotonic clock, in time
 * order, as one window. Rates are over the spans' total length, latencies over all their round trips,
 * skips (due times of sends an open loop skipped) over each span. Both load clients read windows here.
 */
export function windowOf(records: Records, skips: readonly number[], spans: readonly (readonly [number, number])[], size: number): WindowStats {
  if (spans.length === 0) throw new RangeError('echo load: a window needs at least one span');
  let previous = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    if (!(to > from)) throw new RangeError(`echo load: a window needs to > from (got ${from} .. ${to})`);
    if (from < previous) throw new RangeError(`echo load: spans must be in time order and not overlap (${from} < ${previous})`);
    previous = to;
  }
  const ranges = spans.map(([from, to]) => [records.indexAt(from), records.indexAt(to)] as const);
  const requests = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
  const gather = (column: Float32Array): Float32Array => {
    const out = new Float32Array(requests);
    let at = 0;
    for (const [start, end] of ranges) {
      out.set(column.subarray(start, end), at);
      at += end - start;
    }
    return out;
  };
  const seconds = spans.reduce((sum, [from, to]) => sum + (to - from), 0) / 1000;
  const first = spans[0] as readonly [number, number];
  const last = spans[spans.length - 1] as readonly [number, number];
  return {
    from: first[0],
    to: last[1],
    requests,
    rps: requests / seconds,
    mibps: (requests * size) / (1024 * 1024) / seconds,
    latencyUs: percentiles(gather(records.fromDue)),
    sentLatencyUs: percentiles(gather(records.fromSend)),
    skipped: skips.filter((due) => spans.some(([from, to]) => due >= from && due < to)).length,
  };
}
