// What the parent and a trace-case child say to each other: the child's job on its command line,
// then two IPC messages back, `surfaced` the moment the workflow settled (so the parent can look at
// the server while the aftermath is fresh) and `report` with everything the child saw.
import type { AidProbe } from '../aids.js';
import type { TracebackOutcome } from '../schema.js';

export interface TraceCaseJob {
  /** Adapter id in the registry (a variant row runs its base style with the aid switched on by flags or env). */
  readonly style: string;
  /** The variant's aid, which the child checks is really on before it runs; null for a plain row. */
  readonly aid: AidProbe | null;
  readonly caseId: string;
  readonly apiUrl: string;
  readonly user: string;
  readonly concurrency: number;
  readonly perPage: number;
  readonly timeoutMs: number;
  /** The workflow is `hung` when it has not settled this long after it started. */
  readonly deadlineMs: number;
  /** How long the child keeps listening after the settle, for a second cleanup or a late crash. */
  readonly graceMs: number;
}

/** One error as the child saw it: text only, so it crosses IPC whole. */
export interface ErrorText {
  readonly name: string;
  readonly message: string;
  /** `error.stack` as Node printed it (source-mapped by --enable-source-maps), absolute paths and all. */
  readonly stack: string;
}

export interface CapturedError extends ErrorText {
  /** `cause`, then its `cause`, ...: outermost first. */
  readonly causes: readonly ErrorText[];
  /** The coroutine loop's causal chain, when its debug mode attached one. */
  readonly debugChain: string | null;
}

/** Every outcome but a quiet success carries the error that made it. */
export type ChildOutcome =
  | { readonly kind: 'rejected'; readonly error: CapturedError }
  | { readonly kind: 'crashed'; readonly error: CapturedError }
  | { readonly kind: 'unhandled'; readonly error: CapturedError }
  | { readonly kind: 'swallowed'; readonly forks: number; readonly pages: number }
  | { readonly kind: 'hung' };

// Compile-time check that the child's outcomes are exactly the schema's.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const OUTCOMES_MATCH_SCHEMA: SameKeys<ChildOutcome['kind'], TracebackOutcome> = true;

export type ChildMessage =
  | { readonly type: 'started' }
  | { readonly type: 'surfaced'; readonly kind: ChildOutcome['kind'] }
  | {
      readonly type: 'report';
      readonly outcome: ChildOutcome;
      readonly cleanupCount: number;
      /** From the workflow's start to its first event (settle, crash, unhandled rejection); null when hung. */
      readonly surfaceMs: number | null;
      /** The other events beside the reported one, in order, one line each (e.g. `first rejected: ...`). */
      readonly others: readonly string[];
    };
