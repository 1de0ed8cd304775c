// The traceback quality matrix (DESIGN.md, "The measurement method"): every style against every fault
// case, each pair (pair.ts) in a fresh child (`node --enable-source-maps dist/harness/child/trace-case.js`,
// watched by observe.ts) against a fake GitHub holding that case's fault rule (server.ts: idle,
// counters and rule reset between pairs), measured and scored by one rubric (row.ts). This file
// schedules the pairs over a few workers. The parent owns the server, so it can count the requests
// still in flight after the error surfaced.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import type { FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { formatFaultRule } from '../../scenarios/repos-and-forks/faults.js';
import { createWorld, DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import type { StyleAdapter } from '../../styles/adapter.js';
import { STYLES } from '../../styles/registry.js';
import type { AidRecord, TracebackRow, Tracebacks } from '../schema.js';
import { childEntry, repoRoot } from '../processes/probes.js';
import { FAULT_CASES, faultRuleFor, formatPath } from './cases.js';
import { findFaultOrigins } from './origins.js';
import type { TraceCaseJob } from './protocol.js';
import { RUBRIC_WEIGHTS, rubricText, styleTotal } from './rubric.js';
import { observeChild } from './observe.js';
import { aidRecord, aidsFor, variantId } from '../aids.js';
import { TracebackMatrixError, type MatrixRow, type MatrixSettings, type PairContext } from './pair.js';
import { measureRow } from './row.js';
import { readyServer } from './server.js';

/** Every style of the registry in its order, each followed by its variants with a debug aid on (harness/aids.ts). */
export function matrixRows(styles: readonly StyleAdapter[] = STYLES): MatrixRow[] {
  return styles.flatMap((style) => [
    { label: style.id, style, aid: null },
    ...aidsFor([style.id]).map((aid) => ({ label: variantId(aid), style, aid })),
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
  /** The Node binary the trace-case children run on (a runtime of `--node`); the harness's own when absent. */
  readonly node?: string;
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
  /** The aids of the variant rows run, in row order; empty when none was. */
  readonly aids: readonly AidRecord[];
  /** Things that make a measure meaningless, e.g. a style file without a @fault-origin marker. */
  readonly warnings: readonly string[];
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
  const node = options.node ?? process.execPath;
  const world = createWorld();
  const warnings: string[] = [];
  const origins = new Map<string, ReadonlyMap<string, number>>();
  for (const row of rows) {
    const file = row.style.sources.reposAndForks;
    const found = findFaultOrigins(readFileSync(path.join(root, file), 'utf8'), file);
    origins.set(row.label, found);
    const missing = cases.filter((faultCase) => !found.has(faultCase.id)).map((faultCase) => faultCase.id);
    if (missing.length > 0 && row.aid === null) warnings.push(`${file} has no @fault-origin marker for ${missing.join(', ')}: origin distance is null there`);
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
        const row = await runPair({ ...job, world, root, entry, node, settings, origins: origins.get(job.row.label) ?? new Map() }, server);
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
    aids: rows.flatMap((row) => (row.aid === null ? [] : [aidRecord(row.aid)])),
    warnings,
  };
}

async function runPair(context: PairContext, server: FakeGithub): Promise<TracebackRow> {
  const { row, faultCase, world } = context;
  server.setFaults([faultRuleFor(faultCase, world, DEFAULT_USER)]);
  const job: TraceCaseJob = {
    style: row.style.id,
    aid: row.aid?.probe ?? null,
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
  return measureRow(context, observed, server.url);
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
