// A binary min-heap of timer handles ordered by (deadline, insertion order), like asyncio's
// `_scheduled` list under heapq. It only orders; cancellation and the Node timer are the loop's job.
import type { TimerHandle } from './handle.js';

export class TimerHeap {
  #items: TimerHandle[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): TimerHandle | undefined {
    return this.#items[0];
  }

  push(handle: TimerHandle): void {
    const items = this.#items;
    items.push(handle);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = items[parent];
      if (above === undefined || !before(handle, above)) break;
      items[index] = above;
      index = parent;
    }
    items[index] = handle;
  }

  pop(): TimerHandle | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    // Sift the last item down from the root.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = last;
      let target = index;
      const leftItem = items[left];
      const rightItem = items[right];
      if (leftItem !== undefined && before(leftItem, smallest)) {
        smallest = leftItem;
        target = left;
      }
      if (rightItem !== undefined && before(rightItem, smallest)) {
        smallest = rightItem;
        target = right;
      }
      if (target === index) break;
      items[index] = smallest;
      index = target;
    }
    items[index] = last;
    return top;
  }

  /** Drops every handle the predicate rejects and restores the heap order; returns how many went. */
  retain(keep: (handle: TimerHandle) => boolean): number {
    const before = this.#items.length;
    const kept = this.#items.filter(keep);
    this.#items = [];
    for (const handle of kept) this.push(handle);
    return before - kept.length;
  }

  clear(): TimerHandle[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }
}

function before(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}
