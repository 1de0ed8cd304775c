// The traceback score, in ONE place: the weights, how each measure earns its share, and the text the
// report prints to explain it. A (style, case) scores 0-100; a style's total is the mean over cases.
import type { TracebackOutcome } from '../schema.js';

/** Points per criterion; they sum to 100. */
export const RUBRIC_WEIGHTS = {
  outcome: 25,
  chain: 25,
  origin: 15,
  context: 10,
  noise: 10,
  cleanup: 10,
  leaks: 5,
} as const satisfies Record<string, number>;

export type Criterion = keyof typeof RUBRIC_WEIGHTS;

/** An origin this many lines or more from the nearest frame of the style's file earns nothing. */
export const ORIGIN_ZERO_AT_LINES = 20;

/** What the rubric reads of a row: the measures, before any weighting. */
export interface RowFacts {
  readonly outcome: TracebackOutcome;
  readonly classMatches: boolean;
  /** Steps of the logical path found, and how many there are. */
  readonly chainPresent: number;
  readonly chainTotal: number;
  readonly originDistance: number | null;
  readonly context: boolean;
  /** 0..1 share of frames outside the style's and the scenario's files. */
  readonly noise: number;
  readonly cleanupCount: number;
  readonly inFlightAfter: number;
}

export type RubricParts = Readonly<Record<Criterion, number>>;

/** Each criterion's fraction earned, 0..1, before weighting. */
export function rubricParts(facts: RowFacts): RubricParts {
  // A swallowed or hung run has no error to read: every trace criterion is lost with it.
  const hasError = facts.outcome === 'rejected' || facts.outcome === 'crashed' || facts.outcome === 'unhandled';
  const outcome = facts.outcome === 'rejected' ? (facts.classMatches ? 1 : 0.5) : 0;
  const chain = hasError && facts.chainTotal > 0 ? facts.chainPresent / facts.chainTotal : 0;
  const origin =
    hasError && facts.originDistance !== null ? Math.max(0, 1 - facts.originDistance / ORIGIN_ZERO_AT_LINES) : 0;
  return {
    outcome,
    chain,
    origin,
    context: hasError && facts.context ? 1 : 0,
    noise: hasError ? 1 - Math.min(1, Math.max(0, facts.noise)) : 0,
    cleanup: facts.cleanupCount === 1 ? 1 : 0,
    leaks: facts.inFlightAfter === 0 ? 1 : 0,
  };
}

/** 0-100, rounded to a whole point. */
export function scoreRow(facts: RowFacts): number {
  const parts = rubricParts(facts);
  const total = (Object.keys(RUBRIC_WEIGHTS) as Criterion[]).reduce((sum, key) => sum + RUBRIC_WEIGHTS[key] * parts[key], 0);
  return Math.round(total);
}

/** A style's total: the mean of its case scores, rounded; null when it has no case. */
export function styleTotal(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  return Math.round(scores.reduce((sum, score) => sum + score, 0) / scores.length);
}

/** The explanation printed under the matrix, generated from the same constants the score uses. */
export function rubricText(): string {
  const w = RUBRIC_WEIGHTS;
  return [
    `Each (style, case) scores 0-100; a style's total is the mean over its cases.`,
    `- outcome (${w.outcome}): the workflow rejected with the expected error class; half for another class;` +
      ' nothing for a crash, an unhandled rejection, a swallowed error or a hang.',
    `- chain (${w.chain}): the share of the steps on the logical path that appear by name as frames of the` +
      " style's file, in the stack, a cause's stack, or the coroutine loop's debug chain.",
    `- origin (${w.origin}): full marks when a frame of the style's file sits on the fault's origin` +
      ` (its @fault-origin marker), falling linearly to nothing at ${ORIGIN_ZERO_AT_LINES} lines or with no frame of the file.`,
    `- context (${w.context}): the failing request's URL (and for an ApiError its status) in the message or a cause's message.`,
    `- noise (${w.noise}): one minus the share of frames outside the style's own files (styles/<style>/*.ts) and the scenario's:` +
      ' node internals, node_modules, the coroutine loop (a runtime, like rxjs), the harness.',
    `- cleanup (${w.cleanup}): onCleanup ran exactly once.`,
    `- leaks (${w.leaks}): no request still in flight at the server shortly after the error surfaced (fail-fast aborted the rest).`,
    'A swallowed or hung run has no trace, so it earns nothing for chain, origin, context and noise.',
    "Reading a span trace (the effect row): after the error's own V8 frames, which Effect cuts where its runtime" +
      ' begins, come one or two lines per `Effect.fn` span the failing fiber was inside, innermost first:' +
      ' `at step (file:line)`, where the step was called, and `at step (definition) (file:line)`, where it is written.' +
      " Both read as frames of that step for chain and noise (the span was open: the step is on the path, even where" +
      ' no JS frame of it survives); only call sites count for origin, since a definition line says where a step is' +
      " written, not where the fiber was. The adapter's call of the workflow is a call site in index.ts, outside the style's file.",
  ].join('\n');
}
