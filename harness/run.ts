// `rosetta run` orchestration: plans the configuration (quick or full), runs the phases in order,
// each measurement in fresh children, builds the metrics, writes results.json atomically and prints
// a summary table. Rendering is not measuring: the report is the CLI's next step (cli/commands/run.ts).
// SIGINT/SIGTERM kill every child (and any other descendant), leave no half-written file, and exit 130/143.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { SCHEMA_VERSION, type Metric, type Results, type Tracebacks } from './schema.js';
import { STYLES } from '../styles/registry.js';
import { availableCores, collectEnvironment } from './env.js';
import { canPin, killAllChildren } from './processes.js';
import { Progress } from './progress.js';
import { buildMetrics, Collector, REFERENCES, tempResultsPath, writeResultsAtomic } from './results.js';
import { InterruptedError, planConfig, type LoadClient, type LoadClientChoice, type RunOptions, type Phase, type PhaseContext, type RunConfig, type ScenarioName } from './phases/common.js';
import { nativeBinary, NativeBuildError } from './native.js';
import { collectDifficulty } from './phases/difficulty.js';
import { echoMemoryPhase, echoServers } from './phases/echo-memory.js';
import { echoCostPhase } from './phases/echo-cost.js';
import { echoInstructionsPhase } from './phases/instructions.js';
import { callgrindVersion } from './callgrind.js';
import { echoExplainPhase, withSlopes, workflowExplainPhase } from './phases/memory-explain.js';
import { microPhase } from './phases/micro.js';
import { workflowMemoryPhase } from './phases/workflow-memory.js';
import { workflowThroughputPhase } from './phases/workflow-throughput.js';
import { FAULT_CASES } from './tracebacks/cases.js';
import { matrixRows, runTracebackMatrix } from './tracebacks/matrix.js';

export interface RunStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const KIB = 1024;

/** The styles a phase measures: the ones asked for, plus the reference its ratios divide by. */
function withReference(styles: readonly string[], reference: string): string[] {
  const known = STYLES.map((style) => style.id as string);
  const wanted = new Set([...styles, reference]);
  return known.filter((id) => wanted.has(id));
}

interface PlannedPhase {
  readonly phase: Phase;
  readonly config: RunConfig;
}

function plannedPhases(config: RunConfig, callgrind: boolean, laterRound: boolean): PlannedPhase[] {
  const workflowConfig = { ...config, styles: withReference(config.styles, REFERENCES['repos-and-forks']) };
  const has = (scenario: ScenarioName): boolean => config.scenarios.includes(scenario);
  // Echo phases add the baseline server themselves (echoServers). `memory` and `instructions` cut
  // across both programs (the memory sweeps alone: the explanation's snapshots come with the
  // programs); a phase two selections ask for runs once. The explanation's heap snapshots belong to
  // the full run (and to a runtime's first round): a quick run is the headline figures alone.
  const explain = config.mode === 'full' && !laterRound;
  // --memory-repeat 0: no sweeps, the timed figures alone (the regression gate's own test runs so).
  const sweeps = config.memoryRepeats > 0;
  const planned: (PlannedPhase | false)[] = [
    has('echo') && { phase: echoCostPhase, config },
    sweeps && (has('echo') || has('memory')) && { phase: echoMemoryPhase, config },
    has('echo') && explain && { phase: echoExplainPhase, config },
    has('instructions') && callgrind && { phase: echoInstructionsPhase, config },
    has('repos-and-forks') && { phase: workflowThroughputPhase, config: workflowConfig },
    sweeps && (has('repos-and-forks') || has('memory')) && { phase: workflowMemoryPhase, config: workflowConfig },
    has('repos-and-forks') && explain && { phase: workflowExplainPhase, config: workflowConfig },
    has('micro') && { phase: microPhase, config },
  ];
  return planned.filter((entry): entry is PlannedPhase => entry !== false);
}

export type { RunOptions };

/** The part of a budget kept for the work after the timed rounds: 4%, at least 5 s. */
export function tailReserveMs(budgetMs: number): number {
  return Math.max(5_000, 0.04 * budgetMs);
}

/**
 * The C load client when it compiles (`auto`, `native`), else the Node one with the reason. Asked for
 * by name, a native client that cannot be built is an error; `auto` falls back.
 */
export async function chooseLoadClient(choice: LoadClientChoice): Promise<LoadClient> {
  if (choice === 'node') return { kind: 'node', why: 'asked for (--load-client node)' };
  try {
    return { kind: 'native', binary: await nativeBinary('echo-load') };
  } catch (error) {
    if (choice === 'native' || !(error instanceof NativeBuildError)) throw error;
    return { kind: 'node', why: `${error.message}${error.stderr === '' ? '' : `: ${error.stderr.trim().split('\n')[0] ?? ''}`}` };
  }
}

export interface RunOutcome {
  /** 0, or 1 when any measurement failed (the rest is still written). */
  readonly code: number;
  readonly results: Results;
  /** Where results.json was written. */
  readonly file: string;
}

/** Runs everything and writes results.json; resolves to what was written and the exit code. */
export async function runAll(options: RunOptions, streams: RunStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<RunOutcome> {
  const started = performance.now();
  const config = planConfig(options);
  const progress = new Progress({ stream: streams.stderr });
  const collector = new Collector();
  const controller = new AbortController();
  const cores = availableCores();
  let loadClient: LoadClient | undefined;
  const context = (phaseConfig: RunConfig): PhaseContext => ({
    config: phaseConfig,
    collector,
    progress,
    signal: controller.signal,
    cpus: canPin(cores) ? { measured: 0, load: 1 } : undefined,
    node: options.runtime?.binary,
    loadClient,
  });

  const loadAtStart = os.loadavg().map((value) => Math.round(value * 100) / 100);
  const removeSignals = installSignalHandlers(controller, progress, config.out);
  try {
    const environment = collectEnvironment(options.runtime);
    const selected = STYLES.filter((style) => config.styles.includes(style.id));
    const { sources, difficulty, missing } = collectDifficulty(selected);
    if (missing.length > 0) progress.note(`difficulty: not measured (files missing): ${missing.join(', ')}`);

    const valgrind = config.scenarios.includes('instructions') ? await callgrindVersion() : undefined;
    if (config.scenarios.includes('instructions') && valgrind === undefined) {
      progress.note('instructions: not measured: valgrind and callgrind_control are not installed (apt-get install valgrind)');
    }
    if (config.scenarios.includes('echo')) {
      loadClient = await chooseLoadClient(options.loadClient ?? 'auto');
      if (loadClient.kind === 'node') progress.note(`echo: the Node load client drives the timed rounds: ${loadClient.why}`);
    }
    // The precise phases first (memory, instructions, micro, tracebacks), then the timed ones, which
    // share out what is left of the budget by weight and spend it in rounds.
    const planned = plannedPhases(config, valgrind !== undefined, options.laterRound === true);
    for (const { phase, config: phaseConfig } of planned.filter(({ phase }) => phase.timedWeight === undefined)) {
      progress.phase(phase.name, phase.steps(phaseConfig));
      await phase.run(context(phaseConfig));
      progress.end();
    }
    let tracebacks: Tracebacks | undefined;
    if (config.scenarios.includes('tracebacks') && options.laterRound !== true) tracebacks = await runTracebacks(config, progress, collector, options.runtime?.binary);
    const timed = planned.filter(({ phase }) => phase.timedWeight !== undefined);
    // What follows the last round (the workflow's wall-time runs, writing results) is kept out of
    // the rounds' share, so that the run, not only its rounds, ends within the budget.
    const budgetEnd = started + config.budgetMs - tailReserveMs(config.budgetMs);
    for (const [index, { phase, config: phaseConfig }] of timed.entries()) {
      const weights = timed.slice(index).map((entry) => entry.phase.timedWeight?.(entry.config) ?? 1);
      const share = (weights[0] ?? 1) / weights.reduce((sum, w) => sum + w, 0);
      const deadline = performance.now() + Math.max(0, budgetEnd - performance.now()) * share;
      progress.phase(phase.name, phase.steps(phaseConfig));
      await phase.run({ ...context(phaseConfig), deadline });
      progress.end();
    }

    const metrics = buildMetrics(collector.samples);
    const results: Results = {
      schemaVersion: SCHEMA_VERSION,
      tool: 'async-rosetta',
      createdAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      environment,
      config: {
        ...config,
        echoServers: ['echo', 'memory', 'instructions'].some((scenario) => config.scenarios.includes(scenario as ScenarioName)) ? echoServers(config.styles) : [],
        workflowStyles: ['repos-and-forks', 'memory'].some((scenario) => config.scenarios.includes(scenario as ScenarioName)) ? withReference(config.styles, REFERENCES['repos-and-forks']) : [],
        references: REFERENCES,
        ...(loadClient !== undefined ? { loadClient: loadClient.kind } : {}),
        memorySuspensionPoint: 'first listing request (page 1 of a one-page user without forks) held by the fake GitHub',
        memoryBytes: 'heapUsed + external after two forced GCs (external already includes arrayBuffers)',
        // Other processes competing for the cores disturb every timing: the report should show it.
        loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((value) => Math.round(value * 100) / 100) },
        // Memory sweeps and instruction counts: each repeat its own fresh processes, an independent unit.
        repeatUnit: 'fresh process pair',
        // Timed figures: one sample per round of turns, in one generation of warm processes a cell.
        timedUnit: 'round',
        order: collector.orders,
        echoCpuWindow:
          'server CPU between two readings it takes itself, each with its instant on the monotonic clock; divided by the round trips the load client completed between those two instants; one turn a round, every server warm at once on the measured core (harness/phases/echo-cost.ts)',
        // environment.node is the children's Node; the harness (and the traceback matrix's fake GitHub) ran on this one.
        harnessNode: process.version,
        ...(options.runtime !== undefined ? { nodeBuild: options.runtime.source } : {}),
        instructionsMethod:
          valgrind === undefined
            ? 'not measured (not asked for, or valgrind is not installed)'
            : `user-space instructions counted by callgrind (${valgrind}) in the measured process, all threads, over two agreeing windows of a fixed number of units (round trips of 1 KiB on one connection), divided by the round trips (harness/phases/instructions.ts)`,
      },
      metrics,
      ...(tracebacks !== undefined ? { tracebacks } : {}),
      difficulty,
      sources,
      ...(collector.attributions.length > 0 ? { memoryAttribution: withSlopes(collector.attributions, metrics) } : {}),
      failures: collector.failures,
      ...(collector.turns.length > 0 ? { turns: collector.turns } : {}),
    };
    const file = writeResultsAtomic(config.out, results);
    progress.note(`wrote ${file}`);
    printSummary(results, file, streams.stdout);
    progress.note(`rosetta run: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { code: results.failures.length > 0 ? 1 : 0, results, file };
  } catch (error) {
    if (error instanceof InterruptedError || controller.signal.aborted) {
      // The signal handler is killing the children and will exit; wait for it.
      await new Promise<never>(() => undefined);
    }
    throw error;
  } finally {
    removeSignals();
  }
}

async function runTracebacks(config: RunConfig, progress: Progress, collector: Collector, node: string | undefined): Promise<Tracebacks | undefined> {
  const rows = matrixRows()
    .filter((row) => config.styles.includes(row.style.id))
    .map((row) => row.label);
  progress.phase('tracebacks', rows.length * FAULT_CASES.length);
  try {
    const matrix = await runTracebackMatrix({ rows, onRow: (row) => progress.step(`${row.style} ${row.case}`), ...(node !== undefined ? { node } : {}) });
    progress.end();
    // The schema's Tracebacks fields only: the matrix carries extras (warnings, case rules) for its own command.
    return { rubric: matrix.rubric, rubricText: matrix.rubricText, cases: matrix.cases, rows: matrix.rows, totals: matrix.totals };
  } catch (error) {
    progress.end();
    collector.fail({ what: 'tracebacks', reason: 'error', message: error instanceof Error ? error.message : String(error), stderrTail: '' });
    return undefined;
  }
}

function installSignalHandlers(controller: AbortController, progress: Progress, out: string): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    controller.abort();
    progress.note(`rosetta run: ${signal}: stopping every child; nothing is written`);
    void killAllChildren()
      .then(() => killDescendants())
      .finally(() => {
        rmSync(tempResultsPath(out), { force: true });
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Every process below `root`, from /proc (Linux); empty where /proc does not exist. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

/**
 * Kills any process below this one that `processes.ts` does not track (a phase written elsewhere
 * may fork its own children). A no-op where /proc does not exist.
 */
export async function killDescendants(root = process.pid): Promise<number[]> {
  const found = descendants(root);
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  if (found.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  return found;
}

// ---------------------------------------------------------------------------------------------
// The summary table on stdout.

/** The summary table, and one line per failed measurement pointing at the file that records it. */
export function printSummary(results: Results, file: string, stdout: NodeJS.WritableStream): void {
  stdout.write(summaryTable(results) + '\n');
  if (results.failures.length > 0) {
    stdout.write(`\n${results.failures.length} measurement(s) failed; see failures in ${file}\n`);
    for (const failure of results.failures) stdout.write(`  ${failure.what}: ${failure.reason}: ${failure.message.split('\n')[0] ?? ''}\n`);
  }
}

function find(metrics: readonly Metric[], name: string, style: string, params?: Readonly<Record<string, number>>): Metric | undefined {
  return metrics.find(
    (metric) =>
      metric.name === name &&
      metric.style === style &&
      (params === undefined || Object.entries(params).every(([key, value]) => metric.params[key] === value)),
  );
}

/** Per style: echo req/s (1 KiB, 10 conns) against the baseline, server CPU µs/req, bytes per idle connection, workflows/s, traceback score. */
export function summaryTable(results: Results): string {
  const { metrics } = results;
  const styles = [...new Set(['baseline', ...STYLES.map((style) => style.id as string)])].filter((style) =>
    metrics.some((metric) => metric.style === style) || results.tracebacks?.totals.some((total) => total.style === style) === true,
  );
  const cell = { size: KIB, connections: 10 };
  const fmt = (value: number | undefined, digits: number): string => (value === undefined ? '-' : value.toFixed(digits));
  const header = ['style', 'echo req/s 1KiB/10c', 'x baseline', 'server CPU us/req', 'bytes/idle conn (R2)', 'workflows/s', 'x callbacks', 'bytes/inflight wf', 'traceback score'];
  const rows = styles.map((style) => {
    const rps = find(metrics, 'echo.rps', style, cell);
    const ratio = find(metrics, 'echo.rps.ratio', style, cell);
    const cpu = find(metrics, 'echo.cpu_us_per_req', style, cell);
    const memory = find(metrics, 'memory.echo_idle.bytes_per_conn', style);
    const flow = find(metrics, 'workflow.throughput', style);
    const flowRatio = find(metrics, 'workflow.throughput.ratio', style);
    const inflight = find(metrics, 'memory.workflow.bytes_per_inflight', style);
    const score = results.tracebacks?.totals.find((total) => total.style === style)?.score;
    const r2 = memory?.extra?.r2;
    return [
      style,
      fmt(rps?.median, 0),
      style === 'baseline' && rps !== undefined ? '1.00' : fmt(ratio?.median, 2),
      fmt(cpu?.median, 1),
      // A merge of several runs keeps no single fit's R².
      memory === undefined ? '-' : `${memory.median.toFixed(0)}${typeof r2 === 'number' ? ` (${r2.toFixed(3)})` : ''}`,
      fmt(flow?.median, 1),
      style === 'callbacks' && flow !== undefined ? '1.00' : fmt(flowRatio?.median, 2),
      fmt(inflight?.median, 0),
      fmt(score, 1),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((text, i) => (i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
