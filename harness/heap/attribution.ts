// What one unit (an idle echo connection, an in-flight workflow) keeps alive: the census of a heap
// snapshot taken with N units held, minus one taken with none, divided by N. Two snapshots of one
// process after GC differ by what the units hold plus a little noise (a compiled function, a grown
// table), which N dilutes; the total is set against heapUsed + external read at the same two points.
import type { AttributionEntry } from '../schema.js';
import type { HeapCensus } from './snapshot.js';

export interface Attribution {
  /** Every group whose count or bytes changed, largest bytes per unit first. */
  readonly entries: readonly AttributionEntry[];
  /** Self sizes of every node, after minus before, per unit. */
  readonly snapshotBytesPerConnection: number;
  /** Of those, the embedder's C++ objects (`Node / ...`): outside heapUsed and external. */
  readonly nativeBytesPerConnection: number;
}

/** Entries whose bytes per unit round to nothing are noise, whatever their count. */
const MIN_BYTES_PER_UNIT = 0.5;

export function attribute(before: HeapCensus, after: HeapCensus, units: number): Attribution {
  if (!(units > 0)) throw new RangeError(`units must be above 0 (got ${units})`);
  const was = new Map(before.entries.map((entry) => [entry.name, entry]));
  const names = new Set([...before.entries, ...after.entries].map((entry) => entry.name));
  const now = new Map(after.entries.map((entry) => [entry.name, entry]));
  const entries: AttributionEntry[] = [];
  for (const name of names) {
    const bytes = ((now.get(name)?.bytes ?? 0) - (was.get(name)?.bytes ?? 0)) / units;
    const count = ((now.get(name)?.count ?? 0) - (was.get(name)?.count ?? 0)) / units;
    if (Math.abs(bytes) < MIN_BYTES_PER_UNIT) continue;
    entries.push({ name, countPerConnection: round(count, 3), bytesPerConnection: round(bytes, 1) });
  }
  entries.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection || a.name.localeCompare(b.name));
  return {
    entries,
    snapshotBytesPerConnection: round((after.bytes - before.bytes) / units, 1),
    nativeBytesPerConnection: round((after.nativeBytes - before.nativeBytes) / units, 1),
  };
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
