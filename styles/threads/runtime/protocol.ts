// The requests a thread sends the main thread over its channel (channel.ts), and what each answers.
// One union, read by both sides: the worker side builds them (blocking.ts, thread-main.ts), the
// main side serves them (scope.ts). Everything here must survive structured clone.
import type { HttpClientOptions } from '../../../scenarios/repos-and-forks/http.js';
import type { EncodedError } from './errors.js';
import type { ChannelEnds } from './channel.js';

/** A function a new thread can run: a module it can load and the name of one of its exports. */
export interface TaskRef {
  /** A file: URL of built JavaScript (task.ts maps a TypeScript source to its dist/ twin). */
  readonly module: string;
  readonly name: string;
}

export type Request =
  /** -> HttpClient id. One keep-alive agent per client, on the main thread (http.ts). */
  | ({ readonly op: 'http.open' } & HttpClientOptions)
  /** -> RawResponse, or the raw socket error. */
  | { readonly op: 'http.get'; readonly client: number; readonly url: string }
  | { readonly op: 'http.close'; readonly client: number }
  /** -> the next chunk the socket read (empty at end of input). */
  | { readonly op: 'recv'; readonly connection: number }
  /** -> nothing, once the socket has accepted every byte. */
  | { readonly op: 'sendAll'; readonly connection: number; readonly bytes: Uint8Array }
  /** -> nothing, once our side is ended and everything owed is written. */
  | { readonly op: 'shutdown'; readonly connection: number }
  | { readonly op: 'close'; readonly connection: number }
  /** -> every task's result in item order, or the first error once every pool thread is joined. */
  | { readonly op: 'pool.map'; readonly task: TaskRef; readonly context: unknown; readonly items: readonly unknown[]; readonly workers: number }
  /** From a pool thread: the outcome of its last item (if any) -> the next item, or null: stop. */
  | { readonly op: 'pool.next'; readonly outcome: PoolOutcome | null }
  /** A function the caller passed that cannot cross threads (print, onCleanup): called on main. */
  | { readonly op: 'callback'; readonly name: string; readonly args: readonly unknown[] };

export type PoolOutcome =
  | { readonly index: number; readonly ok: true; readonly value: unknown }
  | { readonly index: number; readonly ok: false; readonly error: EncodedError };

export interface PoolItem {
  readonly index: number;
  readonly item: unknown;
}

/** What a thread is started to do: run a task once, or be a pool thread running it item after item. */
export type ThreadSpec =
  | { readonly kind: 'run'; readonly task: TaskRef; readonly args: readonly unknown[]; readonly callbacks: readonly string[] }
  | { readonly kind: 'pool'; readonly task: TaskRef; readonly context: unknown };

/** workerData of every thread the runtime starts. */
export type ThreadData = ThreadSpec & { readonly ends: ChannelEnds };

/** What a thread posts on its parentPort (not its channel): its own cost once, then its outcome. */
export type ThreadMessage =
  | { readonly kind: 'cost'; readonly cost: ThreadCost }
  | { readonly kind: 'result'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: EncodedError };

/** One thread's own memory as Node reports it inside the thread, just before it runs its task. */
export interface ThreadCost {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  /** v8.getHeapStatistics(): the isolate's reservation, and the limit resourceLimits set. */
  readonly totalHeapSize: number;
  readonly heapSizeLimit: number;
  readonly mallocedMemory: number;
  /** worker_threads.resourceLimits as the thread sees them (MB; stackSizeMb included). */
  readonly resourceLimits: Readonly<Record<string, number | undefined>>;
}
