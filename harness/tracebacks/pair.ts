// One pair of the traceback matrix (a matrix row, that is a style, against one fault case): what
// the matrix knows of it before the child starts (PairContext), what came back from the child
// (Observed), and the settings and errors the matrix's parts share.
import type { World } from '../../scenarios/repos-and-forks/world.js';
import type { StyleAdapter } from '../../styles/adapter.js';
import type { Aid } from '../aids.js';
import type { FaultCase } from './cases.js';
import type { ChildOutcome } from './protocol.js';

/** The one flag set every trace-case child starts with. */
export const TRACE_CHILD_FLAGS: readonly string[] = ['--enable-source-maps'];
/** One row of the matrix: a style, plain or with its debug aid on (harness/aids.ts). */
export interface MatrixRow {
  /** `callbacks`, ..., `callbacks+trace`, `coroutines+debug`. */
  readonly label: string;
  readonly style: StyleAdapter;
  /** The aid switched on in the row's child; null for the plain style. */
  readonly aid: Aid | null;
}

export interface MatrixSettings {
  readonly parallel: number;
  readonly deadlineMs: number;
  readonly graceMs: number;
  readonly settleMs: number;
}

export class TracebackMatrixError extends Error {
  override readonly name = 'TracebackMatrixError';
}

export interface PairContext {
  readonly row: MatrixRow;
  readonly faultCase: FaultCase;
  readonly world: World;
  readonly root: string;
  readonly entry: string;
  /** The Node binary the trace-case child runs on. */
  readonly node: string;
  readonly settings: MatrixSettings;
  readonly origins: ReadonlyMap<string, number>;
}

/** What came back from one child, before any measuring. */
export interface Observed {
  readonly outcome: ChildOutcome;
  readonly cleanupCount: number;
  readonly surfaceMs: number | null;
  readonly others: readonly string[];
  readonly inFlightAfter: number;
  /** Why the child itself failed (it never reported), with its stderr; null when it reported. */
  readonly childFailure: string | null;
}
