// The traceback quality matrix (DESIGN.md, "traceback quality"): every style against every fault
// case, each pair in a fresh child (`node --enable-source-maps dist/harness/child/trace-case.js`)
// against a fake GitHub holding that case's fault rule (idle, counters and rule reset between pairs),
// measured and scored by one rubric. The parent owns the server, so it can count the requests still
// in flight after the error surfaced.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DEFAULT_INPUT } from '../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../scenarios/repos-and-forks/fake-github.js';
import { formatFaultRule } from '../scenarios/repos-and-forks/faults.js';
import { createWorld, DEFAULT_USER, type World } from '../scenarios/repos-and-forks/world.js';
import type { StyleAdapter } from '../styles/adapter.js';
import { STYLES } from '../styles/registry.js';
import type { TracebackRow, Tracebacks } from './schema.js';
import { childEntry, repoRoot, startProcess } from './processes.js';
import { FAULT_CASES, faultRuleFor, formatPath, targetUrl, type FaultCase } from './tracebacks/cases.js';
import { chainCoverage, debugFrames, errorFrames, hasContext, noiseShare, scopeFor, styleLines } from './tracebacks/measure.js';
import { findFaultOrigins, originDistance } from './tracebacks/origins.js';
import type { CapturedError, ChildMessage, ChildOutcome, TraceCaseJob } from './tracebacks/protocol.js';
import { RUBRIC_WEIGHTS, rubricText, scoreRow, styleTotal } from './tracebacks/rubric.js';
import { portableTrace } from './tracebacks/source-map.js';

/** The one flag set every trace-case child starts with. */
export const TRACE_CHILD_FLAGS: readonly string[] = ['--enable-source-maps'];
/** The env switch of the coroutine loop's debug mode (styles/coroutines/loop/debug.ts). */
export const LOOP_DEBUG_ENV = 'ROSETTA_LOOP_DEBUG';
export const DEBUG_ROW_SUFFIX = '+debug';

/** One row of the matrix: a style, possibly in a debug mode that only an env var turns on. */
export interface MatrixRow {
  /** `callbacks`, ..., `coroutines+debug`. */
  readonly label: string;
  readonly style: StyleAdapter;
  readonly debug: boolean;
}

/** Every style of the registry in its order; the coroutine style also once more with its loop's debug mode. */
export function matrixRows(styles: readonly StyleAdapter[] = STYLES): MatrixRow[] {
  return styles.flatMap((style) => [
    { label: style.id, style, debug: false },
    ...(style.id === 'coroutines' ? [{ label: `${style.id}${DEBUG_ROW_SUFFIX}`, style, debug: true }] : []),
  ]);
}

export interface TracebackMatrixOptions {
  /** Row labels to run (see matrixRows); every row when absent. */
  readonly rows?: readonly string[];
  /** Case ids to run; every case when absent. */
  readonly cases?: readonly string[];
  /** Children at once; 2 by default (the kit's machines have 2 cores). */
  readonly parallel?: number;
  /** A workflow that has not settled this long after it started is `hung`. */
  readonly deadlineMs?: number;
  /** How long a child keeps listening after the settle, for a second cleanup or a late crash. */
  readonly graceMs?: number;
  /** When the server's in-flight count is read after the error surfaced. */
  readonly settleMs?: number;
  /** Called as each (row, case) finishes, in completion order. */
  readonly onRow?: (row: TracebackRow) => void;
}

interface MatrixSettings {
  readonly parallel: number;
  readonly deadlineMs: number;
  readonly graceMs: number;
  readonly settleMs: number;
}

export const MATRIX_DEFAULTS: MatrixSettings = { parallel: 2, deadlineMs: 2_000, graceMs: 150, settleMs: 50 };

/** A case as the report shows it: the schema's fields, plus the path and the server's rule. */
export interface CaseSummary {
  readonly id: string;
  readonly description: string;
  readonly expectedError: string;
  readonly path: string;
  readonly rule: string;
}

/** The schema's Tracebacks, plus what a reader needs to trust it. */
export interface TracebackMatrix extends Tracebacks {
  readonly cases: readonly CaseSummary[];
  /** Things that make a measure meaningless, e.g. a style file without a @fault-origin marker. */
  readonly warnings: readonly string[];
}

export class TracebackMatrixError extends Error {
  override readonly name = 'TracebackMatrixError';
}

export async function runTracebackMatrix(options: TracebackMatrixOptions = {}): Promise<TracebackMatrix> {
  const allRows = matrixRows();
  const rows = select('row', allRows, (row) => row.label, options.rows);
  const cases = select('case', FAULT_CASES, (faultCase) => faultCase.id, options.cases);
  const settings: MatrixSettings = {
    parallel: options.parallel ?? MATRIX_DEFAULTS.parallel,
    deadlineMs: options.deadlineMs ?? MATRIX_DEFAULTS.deadlineMs,
    graceMs: options.graceMs ?? MATRIX_DEFAULTS.graceMs,
    settleMs: options.settleMs ?? MATRIX_DEFAULTS.settleMs,
  };
  const root = repoRoot();
  const entry = childEntry('trace-case');
  const world = createWorld();
  const warnings: string[] = [];
  const origins = new Map<string, ReadonlyMap<string, number>>();
  for (const row of rows) {
    const file = row.style.sources.reposAndForks;
    const found = findFaultOrigins(readFileSync(path.join(root, file), 'utf8'), file);
    origins.set(row.label, found);
    const missing = cases.filter((faultCase) => !found.has(faultCase.id)).map((faultCase) => faultCase.id);
    if (missing.length > 0 && !row.debug) warnings.push(`${file} has no @fault-origin marker for ${missing.join(', ')}: origin distance is null there`);
  }

  const jobs = rows.flatMap((row) => cases.map((faultCase) => ({ row, faultCase })));
  const results = new Array<TracebackRow>(jobs.length);
  let next = 0;
  let failed = false;
  // One server per worker, its fault rule swapped between pairs: a fresh server would render the
  // world's bodies again for every pair, and that cost would show up as every style's time to surface.
  const worker = async (): Promise<void> => {
    let server: FakeGithub | undefined;
    try {
      while (!failed && next < jobs.length) {
        const index = next++;
        const job = jobs[index];
        if (job === undefined) return;
        server = await readyServer(server, world);
        const row = await runPair({ ...job, world, root, entry, settings, origins: origins.get(job.row.label) ?? new Map() }, server);
        results[index] = row;
        options.onRow?.(row);
      }
    } catch (error) {
      // The other worker stops at its next pair instead of running a matrix that has already failed.
      failed = true;
      throw error;
    } finally {
      await server?.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.parallel, jobs.length)) }, worker));

  return {
    rubric: RUBRIC_WEIGHTS,
    rubricText: rubricText(),
    cases: cases.map((faultCase) => ({
      id: faultCase.id,
      description: faultCase.description,
      expectedError: faultCase.expectedError,
      path: formatPath(faultCase.path),
      rule: formatFaultRule(faultRuleFor(faultCase, world, DEFAULT_USER)),
    })),
    rows: results,
    totals: rows.map((row) => ({
      style: row.label,
      score: styleTotal(results.filter((result) => result.style === row.label).map((result) => result.score)) ?? 0,
    })),
    warnings,
  };
}

interface PairContext {
  readonly row: MatrixRow;
  readonly faultCase: FaultCase;
  readonly world: World;
  readonly root: string;
  readonly entry: string;
  readonly settings: MatrixSettings;
  readonly origins: ReadonlyMap<string, number>;
}

/** What came back from one child, before any measuring. */
interface Observed {
  readonly outcome: ChildOutcome;
  readonly cleanupCount: number;
  readonly surfaceMs: number | null;
  readonly others: readonly string[];
  readonly inFlightAfter: number;
  /** Why the child itself failed (it never reported), with its stderr; null when it reported. */
  readonly childFailure: string | null;
}

/** The worker's server, idle and with zeroed counters; a new one when the last pair left it busy. */
async function readyServer(server: FakeGithub | undefined, world: World): Promise<FakeGithub> {
  if (server !== undefined) {
    try {
      // The last child is gone, so its sockets close; a server that stays busy is replaced, not trusted.
      await server.idle(1_000);
      server.resetStats();
      return server;
    } catch {
      await server.close();
    }
  }
  const fresh = await startFakeGithub({ world });
  await warmUp(fresh, world);
  return fresh;
}

// Every page and fork body asked for once, so the server has rendered and cached them all before the
// first child runs: otherwise the first pair on a server would pay for the rendering in its time to surface.
async function warmUp(server: FakeGithub, world: World): Promise<void> {
  const listing = world.listRepos(DEFAULT_USER) ?? [];
  const pages = Math.max(1, Math.ceil(listing.length / DEFAULT_INPUT.perPage));
  const urls = [
    ...Array.from({ length: pages }, (_, index) => `${server.url}/users/${DEFAULT_USER}/repos?per_page=${DEFAULT_INPUT.perPage}&page=${index + 1}`),
    ...listing.filter((repo) => repo.fork).map((repo) => `${server.url}/repos/${repo.full_name}`),
  ];
  for (const url of urls) await getOnce(url);
  await server.idle(1_000);
  server.resetStats();
}

/** One GET on its own connection (no keep-alive), so the server is idle as soon as it is answered. */
function getOnce(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        response.resume();
        response.once('end', () => resolve());
        response.once('error', reject);
      })
      .once('error', reject);
  });
}

async function runPair(context: PairContext, server: FakeGithub): Promise<TracebackRow> {
  const { row, faultCase, world } = context;
  server.setFaults([faultRuleFor(faultCase, world, DEFAULT_USER)]);
  const job: TraceCaseJob = {
    style: row.style.id,
    caseId: faultCase.id,
    apiUrl: server.url,
    user: DEFAULT_USER,
    concurrency: DEFAULT_INPUT.concurrency,
    perPage: DEFAULT_INPUT.perPage,
    timeoutMs: faultCase.timeoutMs,
    deadlineMs: context.settings.deadlineMs,
    graceMs: context.settings.graceMs,
  };
  const observed = await observeChild(context, job, server);
  return measure(context, observed, server.url);
}

function observeChild(context: PairContext, job: TraceCaseJob, server: FakeGithub): Promise<Observed> {
  const child = startProcess({
    label: `trace-case[${context.row.label}/${context.faultCase.id}]`,
    command: process.execPath,
    args: [...TRACE_CHILD_FLAGS, context.entry, JSON.stringify(job)],
    env: { NODE_OPTIONS: undefined, [LOOP_DEBUG_ENV]: context.row.debug ? '1' : undefined },
    ipc: true,
    group: true,
    tailBytes: 4_096,
  });
  const stderr = (): string => child.tail();

  return new Promise<Observed>((resolve, reject) => {
    let started = false;
    let inFlightAfter: number | undefined;
    let report: Extract<ChildMessage, { type: 'report' }> | undefined;
    let done = false;
    // A child that never reports (a busy loop, a style that calls process.exit) is killed here.
    const hardLimit = job.deadlineMs + job.graceMs + 5_000;
    const killer = setTimeout(() => finish(`no report within ${hardLimit} ms; killed`), hardLimit);

    const finish = (failure: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(killer);
      const sampled = inFlightAfter ?? server.stats().inFlight;
      // Resolve once the child is gone, so the next pair starts on an idle server.
      const result = (observed: Observed): void => {
        void child.stop(1_000).then(() => resolve(observed));
      };
      if (!started) {
        // It never reached the workflow: a broken build or a style that fails to load is not a trace.
        reject(
          new TracebackMatrixError(
            `trace-case child for ${context.row.label}/${context.faultCase.id} failed before it started the workflow: ` +
              `${failure ?? 'no report'}${stderr() === '' ? '' : `\n${stderr().trimEnd()}`}`,
          ),
        );
        void child.kill();
        return;
      }
      if (report !== undefined && failure === null) {
        result({ ...report, inFlightAfter: sampled, childFailure: null });
        return;
      }
      result({
        outcome: failure?.startsWith('no report') === true ? { kind: 'hung' } : { kind: 'crashed', error: childError(failure, stderr()) },
        cleanupCount: 0,
        surfaceMs: null,
        others: [],
        inFlightAfter: sampled,
        childFailure: `${failure ?? 'no report'}${stderr() === '' ? '' : `\n${stderr().trimEnd()}`}`,
      });
    };

    child.onMessage((raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type === 'started') {
        started = true;
      } else if (message.type === 'surfaced') {
        // setImmediate after the timer: a socket close that is already pending gets its poll phase
        // first, so the count shows what the client did, not when this process got around to it.
        setTimeout(() => {
          setImmediate(() => {
            inFlightAfter = server.stats().inFlight;
            if (report !== undefined) finish(null);
          });
        }, context.settings.settleMs);
      } else {
        report = message;
        if (inFlightAfter !== undefined) finish(null);
      }
    });
    // `exited` waits for the last stderr, so a failure quotes all of it.
    void child.exited.then((exit) =>
      finish(
        exit.startError !== undefined
          ? `the child could not run: ${exit.startError}`
          : `the child exited (${exit.signal ?? `code ${String(exit.code)}`}) before it reported`,
      ),
    );
  });
}

// A child that died without reporting is itself the crash; its stderr is all the trace there is.
function childError(failure: string | null, stderr: string): CapturedError {
  return { name: 'ChildProcessExit', message: failure ?? 'no report', stack: stderr.trimEnd(), causes: [], debugChain: null };
}

function measure(context: PairContext, observed: Observed, apiUrl: string): TracebackRow {
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

function select<T>(what: string, all: readonly T[], id: (item: T) => string, wanted: readonly string[] | undefined): T[] {
  if (wanted === undefined) return [...all];
  return wanted.map((name) => {
    const found = all.find((item) => id(item) === name);
    if (found === undefined) {
      throw new TracebackMatrixError(`traceback matrix: no ${what} ${JSON.stringify(name)}; accepted: ${all.map(id).join(', ')}`);
    }
    return found;
  });
}
