// One row of the matrix from what one child reported: the error made portable (repo-relative paths,
// TypeScript lines), measured (chain, origin distance, context, noise), scored by the rubric, and the
// trace text a developer would read.
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import type { TracebackRow } from '../schema.js';
import { targetUrl } from './cases.js';
import { chainCoverage, debugFrames, errorFrames, hasContext, noiseShare, scopeFor, styleLines } from './measure.js';
import { originDistance } from './origins.js';
import type { CapturedError, ChildOutcome } from './protocol.js';
import { scoreRow } from './rubric.js';
import { portableTrace } from './source-map.js';
import type { Observed, PairContext } from './pair.js';

export function measureRow(context: PairContext, observed: Observed, apiUrl: string): TracebackRow {
  const { row, faultCase, root } = context;
  const styleFile = row.style.sources.reposAndForks;
  const scope = scopeFor(styleFile);
  const outcome = observed.outcome;
  const error = 'error' in outcome ? portableError(outcome.error, root) : null;

  // Everything the reader sees: the stack, each cause's stack, and the loop's debug chain.
  const frames = error === null ? [] : [...errorFrames(error), ...debugFrames(error.debugChain)];
  const chain = chainCoverage(faultCase.path, frames, styleFile);
  const distance = originDistance(context.origins.get(faultCase.id), styleLines(frames, styleFile));
  const noise = noiseShare(frames, scope);
  const contextFound = error !== null && hasContext(error, targetUrl(faultCase, context.world, DEFAULT_USER, apiUrl), faultCase.status);
  const classMatches = error?.name === faultCase.expectedError;
  const score = scoreRow({
    outcome: outcome.kind,
    classMatches,
    chainPresent: chain.filter((step) => step.present).length,
    chainTotal: chain.length,
    originDistance: distance,
    context: contextFound,
    noise,
    cleanupCount: observed.cleanupCount,
    inFlightAfter: observed.inFlightAfter,
  });
  return {
    style: row.label,
    case: faultCase.id,
    outcome: outcome.kind,
    expectedError: faultCase.expectedError,
    errorName: error?.name ?? null,
    classMatches,
    context: contextFound,
    originDistance: distance,
    chain,
    noise: Math.round(noise * 1000) / 1000,
    cleanupCount: observed.cleanupCount,
    inFlightAfter: observed.inFlightAfter,
    surfaceMs: observed.surfaceMs === null ? null : Math.round(observed.surfaceMs * 10) / 10,
    score,
    trace: traceText(outcome, error, observed, context.settings.deadlineMs),
  };
}

/** The error with every path repo-relative and every built-JS location mapped to TypeScript. */
function portableError(error: CapturedError, root: string): CapturedError {
  return {
    ...error,
    stack: portableTrace(error.stack, root),
    causes: error.causes.map((cause) => ({ ...cause, stack: portableTrace(cause.stack, root) })),
    debugChain: error.debugChain === null ? null : portableTrace(error.debugChain, root),
  };
}

/** What a developer would read: the stack, each cause as Node prints it, the coroutine chain, and what came after. */
function traceText(outcome: ChildOutcome, error: CapturedError | null, observed: Observed, deadlineMs: number): string {
  const parts: string[] = [];
  if (error !== null) {
    parts.push(error.stack === '' ? `${error.name}: ${error.message}\n    (no stack: the thrown value is not an Error)` : error.stack);
    for (const cause of error.causes) parts.push(indent(`[cause]: ${cause.stack === '' ? `${cause.name}: ${cause.message}` : cause.stack}`));
    if (error.debugChain !== null) parts.push(error.debugChain);
  } else if (outcome.kind === 'swallowed') {
    parts.push(`(no error: the workflow resolved with ${outcome.forks} source names over ${outcome.pages} pages)`);
  } else {
    parts.push(`(no error: the workflow did not settle within ${deadlineMs} ms)`);
  }
  for (const line of observed.others) parts.push(`(${line})`);
  if (observed.childFailure !== null && error?.name !== 'ChildProcessExit') parts.push(`(child: ${observed.childFailure})`);
  return parts.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
