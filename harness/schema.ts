// results.json: the one file every renderer and the regression check read (after
// vmbench: JSON first, renderers second). Versioned; `parseResults` validates a file on the way in
// and names the first thing that is wrong.

import { checkResults, firstNonFinite, SCHEMA_VERSION } from './schema-check.js';

export { SCHEMA_VERSION };

export interface Environment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly osRelease: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryBytes: number;
  /** `git rev-parse HEAD`, or null outside a checkout. */
  readonly commit: string | null;
  readonly dirty: boolean;
  /** Node flags every measured child was started with. */
  readonly nodeFlags: readonly string[];
  /** Environment variables every measured child was started with (absent in results written before it was recorded). */
  readonly childEnv?: Readonly<Record<string, string>>;
  /** True when server and load were pinned to different cores with taskset. */
  readonly pinned: boolean;
}

export type Direction = 'higher' | 'lower';

export interface Metric {
  /** Stable key: name plus style plus sorted params, e.g. `echo.rps|style=callbacks|connections=10|size=1024`. */
  readonly id: string;
  /** What is measured, e.g. `echo.rps`, `echo.cpu_us_per_req`, `memory.echo_idle.slope`. */
  readonly name: string;
  readonly scenario: 'echo' | 'repos-and-forks' | 'micro';
  /** A style id, or `baseline` for the reference echo server. */
  readonly style: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly unit: string;
  readonly direction: Direction;
  /** `absolute`, or `ratio` to the in-run reference (baseline echo server; callbacks workflow). */
  readonly kind: 'absolute' | 'ratio';
  /** Every sample, in the order taken. */
  readonly samples: readonly number[];
  /**
   * Set by `rosetta merge`: the 0-based run each sample came from, parallel to `samples`. Compare
   * uses it to average repeats that shared a process pair into one unit per run.
   */
  readonly runs?: readonly number[];
  readonly median: number;
  /**
   * 95% interval of the centre: of the geometric mean (log-scale t interval, carried back) when
   * every sample is above 0, so it never crosses 0; else a seeded percentile bootstrap of the mean.
   * Equal bounds when n < 2.
   */
  readonly ci95: readonly [number, number];
  /** Side facts, e.g. `r2` of a fit or `clientSaturated`. */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

export type TracebackOutcome = 'rejected' | 'crashed' | 'unhandled' | 'swallowed' | 'hung';

export interface TracebackRow {
  /** Style id, or a variant `<style>+<aid>` with a debug aid on (harness/aids.ts), e.g. `callbacks+trace`, `coroutines+debug`. */
  readonly style: string;
  readonly case: string;
  readonly outcome: TracebackOutcome;
  readonly expectedError: string;
  readonly errorName: string | null;
  readonly classMatches: boolean;
  readonly context: boolean;
  readonly originDistance: number | null;
  /** The steps on the logical path and whether each appears in the trace, cause chain or debug chain. */
  readonly chain: readonly { readonly step: string; readonly present: boolean }[];
  readonly noise: number;
  readonly cleanupCount: number;
  readonly inFlightAfter: number;
  readonly surfaceMs: number | null;
  readonly score: number;
  /** The trace text, source-mapped to TypeScript lines. */
  readonly trace: string;
}

export interface Tracebacks {
  readonly rubric: Readonly<Record<string, number>>;
  readonly rubricText: string;
  readonly cases: readonly {
    readonly id: string;
    readonly description: string;
    readonly expectedError: string;
    /** The logical path of steps, e.g. `reposAndForks -> sendForkedRepoRequests -> readForkedRepoRequests`. */
    readonly path?: string;
  }[];
  readonly rows: readonly TracebackRow[];
  readonly totals: readonly { readonly style: string; readonly score: number }[];
  /** The debug aids behind the variant rows; absent in files older than the registry (their one variant was `coroutines+debug`). */
  readonly aids?: readonly AidRecord[];
}

/** One aid of harness/aids.ts as a run recorded it. */
export interface AidRecord {
  /** `callbacks+trace`. */
  readonly variant: string;
  readonly style: string;
  readonly aid: string;
  /** How its users switch it on, e.g. `node --stack-trace-limit=100 -r trace -r clarify`. */
  readonly how: string;
  readonly why: string;
  /** The npm packages it loaded and their installed versions; empty for a runtime switch. */
  readonly packages: readonly { readonly name: string; readonly version: string }[];
}

export interface DifficultyRow {
  readonly style: string;
  readonly scenario: 'repos-and-forks' | 'echo';
  readonly file: string;
  readonly tokens: number;
  readonly tokenRatio: number;
  readonly lines: number;
  readonly maxNesting: number;
  readonly cyclomatic: number;
  /** The style's own helper files the program imports from its folder, counted in with it. */
  readonly helpers?: readonly string[];
}

export interface SourceFile {
  readonly style: string;
  readonly scenario: 'repos-and-forks' | 'echo';
  readonly path: string;
  readonly text: string;
  /**
   * The style's own helper modules this file imports from its own folder (not a subfolder, which is
   * a runtime such as coroutines/loop): they are the style's code, and count in its difficulty.
   */
  readonly helpers?: readonly { readonly path: string; readonly text: string }[];
}

/** One group of a heap snapshot diff: the name as V8's snapshot gives it (`Socket`, `(closure) onData`, `system / Context`). */
export interface AttributionEntry {
  readonly name: string;
  /** Nodes of this name added per unit (per idle connection, or per in-flight workflow). */
  readonly countPerConnection: number;
  /** Their self sizes per unit, in bytes. */
  readonly bytesPerConnection: number;
}

/**
 * What one unit keeps alive in one style's process (harness/phases/memory-explain.ts): two heap
 * snapshots after GC, with 0 and `units` idle echo connections (or in-flight workflows) held,
 * diffed by name and divided by `units`. For threads it is the main isolate's heap only.
 */
export interface MemoryAttribution {
  readonly style: string;
  readonly scenario: 'echo' | 'repos-and-forks';
  readonly unit: 'idle connection' | 'in-flight workflow';
  readonly units: number;
  /** The groups with the most bytes per unit, largest first (a cut: see snapshotBytesPerConnection for the whole). */
  readonly entries: readonly AttributionEntry[];
  /** Every node's self size, second snapshot minus first, per unit. */
  readonly snapshotBytesPerConnection: number;
  /**
   * Of snapshotBytesPerConnection, the embedder's C++ objects (`Node / TCPSocketWrap`, sizes as Node
   * reports them): outside heapUsed and external, so the rest is what compares with the measured figures.
   */
  readonly nativeBytesPerConnection: number;
  /** heapUsed + external after GC at the same two points, per unit: the memory phases' measure at two points. */
  readonly measuredBytesPerConnection: number;
  /** The memory phase's slope for this style in the same run (memory.echo_idle / memory.workflow), when it ran. */
  readonly slopeBytesPerConnection?: number;
}

export interface Failure {
  /** What was being measured, e.g. `echo.throughput style=rxjs size=1024 connections=10`. */
  readonly what: string;
  readonly reason: 'crashed' | 'timeout' | 'verification' | 'error';
  readonly message: string;
  readonly stderrTail: string;
}

/** One contender's turn in one round of a timed phase, as the variance analysis reads it (`rosetta variance`). */
export interface TimedTurn {
  readonly phase: 'echo' | 'workflow';
  readonly params: Readonly<Record<string, number>>;
  /** Which set of fresh processes measured it (0-based). */
  readonly generation: number;
  /** The round, numbered across the generations of the same cell. */
  readonly round: number;
  readonly id: string;
  /** The cost figure of each sub-window of the turn, and of the reference's turn in the same round. */
  readonly parts: readonly number[];
  readonly referenceParts: readonly number[];
  /** The other contenders' CPU over the turn's windows, as a share of their length (the idle check). */
  readonly othersShare: number;
}

/** The run's configuration: free-form, with the fields the renderers read by name typed here. */
export type RunConfig = Readonly<Record<string, unknown>> & {
  /**
   * The rows that are references, not styles: the Node `baseline` echo server and, when the run had
   * them, servers not written in Node (`c-epoll`, the Python asyncio servers). Absent in older files:
   * the baseline alone.
   */
  readonly referenceRows?: readonly string[];
  /** Debug-aid variants (`callbacks+trace`) measured beside their styles, shown and never ranked; absent in older files. */
  readonly aids?: readonly string[];
  /** The echo load client capacity was measured with; absent in older files. */
  readonly loadClient?: 'native' | 'node';
};

export interface Results {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: 'async-rosetta';
  readonly createdAt: string;
  readonly durationMs: number;
  readonly environment: Environment;
  /** The run's configuration as given (mode, repeats, styles, sizes, ...). */
  readonly config: RunConfig;
  readonly metrics: readonly Metric[];
  readonly tracebacks?: Tracebacks;
  readonly difficulty?: readonly DifficultyRow[];
  readonly sources?: readonly SourceFile[];
  /** Absent in files written before the attribution existed. */
  readonly memoryAttribution?: readonly MemoryAttribution[];
  readonly failures: readonly Failure[];
  /** Every timed turn of the block design (phases/rounds.ts), for the variance analysis; absent in older files. */
  readonly turns?: readonly TimedTurn[];
  /**
   * Set by `rosetta run --node A,B,...` (harness/matrix.ts): every runtime's own results, oldest Node
   * first, each as written to its node-<major>/results.json but without sources and difficulty (the
   * code is the same). The top level is the first runtime named; ratios live within each runtime.
   */
  readonly runtimes?: readonly Results[];
}

export class ResultsError extends Error {
  override readonly name = 'ResultsError';
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

/** Parses and validates results.json text; throws ResultsError naming the first problem. */
export function parseResults(text: string, file = 'results.json'): Results {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(file, `not JSON (${(error as Error).message})`);
  }
  const fail = (message: string): never => {
    throw new ResultsError(file, message);
  };
  // JSON has no Infinity, but `1e999` parses to it, and JSON.stringify would write it back as null.
  const infinite = firstNonFinite(data);
  if (infinite !== undefined) fail(`${infinite.path} is ${infinite.text}, which overflows to ${infinite.value}; every number must be finite`);
  checkResults(data, fail);
  return data as Results;
}

/** The stable id of a metric: its name, style and params in key order. */
export function metricId(name: string, style: string, params: Readonly<Record<string, string | number | boolean>>): string {
  const parts = Object.keys(params)
    .sort()
    .map((key) => `${key}=${String(params[key])}`);
  return [name, `style=${style}`, ...parts].join('|');
}
