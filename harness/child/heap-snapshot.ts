// The child side of the memory attribution (harness/phases/memory-explain.ts): memory after GC, as
// the memory phases read it, then a V8 heap snapshot of the same heap written to the file the parent
// names. The parent parses it: a parse here would leave its garbage in the heap being measured.
import v8 from 'node:v8';
import { memorySample, str, type MemorySample } from './ipc.js';

export interface SnapshotTaken {
  readonly sample: MemorySample;
  readonly file: string;
}

export function takeHeapSnapshot(payload: Record<string, unknown>): SnapshotTaken {
  const sample = memorySample();
  // writeHeapSnapshot collects garbage itself before it walks the heap.
  return { sample, file: v8.writeHeapSnapshot(str(payload, 'file')) };
}
