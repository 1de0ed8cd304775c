// The entry of every thread the runtime starts (a Worker runs this file, built). It attaches the
// thread's channel, reports the thread's own memory once, loads the task's module, and runs the
// task: once (`run`: a connection's thread, a workflow's thread), or item after item (`pool`: a
// thread of a ThreadPoolExecutor, asking the main thread for the next item). The outcome goes back
// on parentPort; then the port closes and the thread's event loop, empty, lets the thread exit.
import { getHeapStatistics } from 'node:v8';
import { parentPort, resourceLimits, workerData } from 'node:worker_threads';
import { attachChannel } from './blocking.js';
import { encodeError } from './errors.js';
import type { PoolItem, PoolOutcome, TaskRef, ThreadData, ThreadMessage } from './protocol.js';

const data = workerData as ThreadData;
const channel = attachChannel(data.ends);

function post(message: ThreadMessage): void {
  parentPort?.postMessage(message);
}

async function load(ref: TaskRef): Promise<(...args: unknown[]) => unknown> {
  const module = (await import(ref.module)) as Record<string, unknown>;
  const fn = module[ref.name];
  if (typeof fn !== 'function') throw new TypeError(`${ref.module} exports no function ${JSON.stringify(ref.name)}`);
  return fn as (...args: unknown[]) => unknown;
}

function ownCost(): ThreadMessage {
  const usage = process.memoryUsage();
  const heap = getHeapStatistics();
  return {
    kind: 'cost',
    cost: {
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      totalHeapSize: heap.total_heap_size,
      heapSizeLimit: heap.heap_size_limit,
      mallocedMemory: heap.malloced_memory,
      resourceLimits: { ...resourceLimits },
    },
  };
}

try {
  const fn = await load(data.task);
  post(ownCost());
  if (data.kind === 'run') {
    const args = [...data.args];
    // Functions the caller gave (print, onCleanup) cannot cross: each becomes a call to the main thread.
    if (data.callbacks.length > 0 && typeof args[0] === 'object' && args[0] !== null) {
      const proxies = Object.fromEntries(data.callbacks.map((name) => [name, (...rest: unknown[]) => channel.call({ op: 'callback', name, args: rest })]));
      args[0] = { ...args[0], ...proxies };
    }
    post({ kind: 'result', value: fn(...args) });
  } else {
    let outcome: PoolOutcome | null = null;
    for (;;) {
      const next = channel.call({ op: 'pool.next', outcome }) as PoolItem | null;
      if (next === null) break;
      try {
        outcome = { index: next.index, ok: true, value: fn(data.context, next.item) };
      } catch (error) {
        outcome = { index: next.index, ok: false, error: encodeError(error) };
      }
    }
    post({ kind: 'result', value: null });
  }
} catch (error) {
  post({ kind: 'error', error: encodeError(error) });
} finally {
  data.ends.port.close();
}
