// `rosetta run` orchestration: plans the configuration (quick or full), runs the phases in order,
// each measurement in fresh children, builds the metrics, writes results.json atomically and prints
// a summary table. Rendering is not measuring: the report is the CLI's next step (cli/commands/run.ts).
// SIGINT/SIGTERM kill every child (and any other descendant), leave no half-written file, and exit 130/143.
import { rmSync } from 'node:fs';
import os from 'node:os';
import { SCHEMA_VERSION, type Results, type Tracebacks } from './schema.js';
import { STYLES } from '../styles/registry.js';
import { availableCores, collectEnvironment } from './env.js';
import { killDescendants } from './processes/descendants.js';
import { canPin } from './processes/probes.js';
import { killAllChildren } from './processes/watch.js';
import { printSummary } from './summary-table.js';
import { Progress } from './progress.js';
import { buildMetrics, Collector, REFERENCES, tempResultsPath, writeResultsAtomic } from './results.js';
import { InterruptedError, planConfig, type LoadClient, type LoadClientChoice, type RunOptions, type Phase, type PhaseContext, type RunConfig, type ScenarioName } from './phases/common.js';
import { nativeBinary, NativeBuildError } from './native.js';
import { availableReferences } from './references.js';
import { collectDifficulty } from './phases/difficulty.js';
import { echoMemoryPhase } from './phases/echo-memory.js';
import { echoServers } from './phases/servers.js';
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
        // Rows that are references, never ranked: the Node baseline and the servers not written in Node.
        referenceRows: [REFERENCES.echo, ...(config.scenarios.some((s) => s === 'echo' || s === 'memory') ? (await availableReferences()).available : [])],
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
  // A quick run's matrix is the plain styles: the debug-aid rows are a full run's.
  const rows = matrixRows()
    .filter((row) => config.styles.includes(row.style.id) && (config.mode === 'full' || row.aid === null))
    .map((row) => row.label);
  progress.phase('tracebacks', rows.length * FAULT_CASES.length);
  try {
    const matrix = await runTracebackMatrix({ rows, onRow: (row) => progress.step(`${row.style} ${row.case}`), ...(node !== undefined ? { node } : {}) });
    progress.end();
    // The schema's Tracebacks fields only: the matrix carries extras (warnings, case rules) for its own command.
    return { rubric: matrix.rubric, rubricText: matrix.rubricText, cases: matrix.cases, rows: matrix.rows, totals: matrix.totals, aids: matrix.aids };
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
