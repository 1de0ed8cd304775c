// The report's view: what every section shows, derived once from results.json (the styles in
// report order and their colours, the reference rows, the metrics by name, the factor table, the
// headlines, the ceiling, the difficulty rows, what was run). The HTML and Markdown sections each
// render their part of it and derive nothing from the raw results themselves.
import type { DifficultyRow, Results } from '../harness/schema.js';
import { type CeilingCell, ceilingCells, ceilingMethod, ceilingSentence } from './ceiling.js';
import { type MetricsNamed, metricIndex } from './charts/select.js';
import { configValue, orderStyles, referenceRows, styleColours } from './format.js';
import { type Headline, headlines } from './headlines.js';
import { type Attributions, SCENARIOS, attributionsOf } from './memory-explain.js';
import { stylesInWords } from './style-count.js';
import { type FactorTable, factorTable } from './table.js';

/** What a chart needs: the styles in order, their colours, the reference rows, the metrics by name. */
export interface ChartContext {
  /** Every style named anywhere in the file, in report order (reference rows first). */
  readonly styles: readonly string[];
  readonly colours: ReadonlyMap<string, string>;
  /** Rows shown but never ranked (format.ts referenceRows). */
  readonly references: ReadonlySet<string>;
  readonly named: MetricsNamed;
  /** Every metric name of the file, in the order first seen. */
  readonly names: readonly string[];
}

export interface CeilingView {
  readonly cells: readonly CeilingCell[];
  /** The echo section's opening sentence; undefined when the run measured no capacity. */
  readonly sentence: string | undefined;
  readonly method: string;
}

export const DIFFICULTY_SCENARIOS = ['repos-and-forks', 'echo'] as const;

export interface ReportView extends ChartContext, Attributions {
  readonly results: Results;
  /** `seven async styles and threads`: the run's own count. */
  readonly styleWords: string;
  /** Every metric as grouped factor rows, ranked once. */
  readonly table: FactorTable;
  readonly headlines: readonly Headline[];
  readonly ceiling: CeilingView;
  /** Per scenario, one difficulty row per style in report order. */
  readonly difficulty: ReadonlyMap<(typeof DIFFICULTY_SCENARIOS)[number], readonly DifficultyRow[]>;
  /** The styles with a difficulty row, reference rows left out, in report order. */
  readonly difficultyStyles: readonly string[];
  /** The styles of the traceback matrix, in report order. */
  readonly tracebackStyles: readonly string[];
  /** "What was run": the run's configuration, one line a key. */
  readonly config: readonly (readonly [string, string])[];
}

export function reportView(results: Results): ReportView {
  const difficultyRows = results.difficulty ?? [];
  const tracebackRows = results.tracebacks?.rows ?? [];
  const styles = orderStyles([
    ...results.metrics.map((metric) => metric.style),
    ...difficultyRows.map((row) => row.style),
    ...(results.sources ?? []).map((source) => source.style),
    ...tracebackRows.map((row) => row.style),
  ]);
  const references = referenceRows(results);
  const named = metricIndex(results);
  const cells = ceilingCells(results);
  const among = (present: Iterable<string>): string[] => {
    const set = new Set(present);
    return styles.filter((style) => set.has(style));
  };
  const difficulty = new Map(
    DIFFICULTY_SCENARIOS.map((scenario) => {
      const rows = difficultyRows.filter((row) => row.scenario === scenario);
      return [scenario, among(rows.map((row) => row.style)).flatMap((style) => rows.filter((row) => row.style === style).slice(0, 1))] as const;
    }),
  );
  return {
    results,
    styles,
    colours: styleColours(styles, references),
    references,
    named,
    names: [...new Set(results.metrics.map((metric) => metric.name))],
    styleWords: stylesInWords(results),
    table: factorTable(results.metrics, { references: [...references] }),
    headlines: headlines(results, named),
    ceiling: { cells, sentence: ceilingSentence(results, cells), method: ceilingMethod(cells) },
    difficulty,
    difficultyStyles: among(difficultyRows.map((row) => row.style)).filter((style) => !references.has(style)),
    tracebackStyles: among(tracebackRows.map((row) => row.style)),
    attributions: new Map(SCENARIOS.map(({ scenario }) => [scenario, attributionsOf(results, scenario)] as const)),
    attributionStyles: orderStyles((results.memoryAttribution ?? []).map((row) => row.style)),
    config: Object.entries(results.config).map(([key, value]) => [key, key === 'order' ? orderText(results.config) : configValue(value)] as const),
  };
}

/**
 * The round order in words: per phase how many rounds, in what unit. The order of turns itself
 * (one list of styles a round) stays in results.json, where a reader who needs it can find it.
 */
export function orderText(config: Results['config']): string {
  const order = config.order;
  if (!Array.isArray(order)) return configValue(order);
  const repeats = new Map<string, Set<unknown>>();
  for (const entry of order) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { phase, repeat } = entry as { phase?: unknown; repeat?: unknown };
    if (typeof phase !== 'string') continue;
    repeats.set(phase, (repeats.get(phase) ?? new Set()).add(repeat));
  }
  const phases = [...repeats].map(([phase, seen]) => `${phase}: ${unitCount(config, phase, seen.size)}`);
  return `${phases.join('; ')}${phases.length > 0 ? '. ' : ''}The order of turns in each is in results.json (config.order).`;
}

/**
 * Instruction counts and memory sweeps repeat in fresh processes (config.repeatUnit); the timed
 * phases take one sample a round of turns (config.timedUnit).
 */
function unitCount(config: Results['config'], phase: string, count: number): string {
  const fresh = /instructions|memory/.test(phase);
  const unit = fresh ? config.repeatUnit : config.timedUnit;
  const noun = fresh ? 'repeat' : 'round';
  const counted = `${count} ${noun}${count === 1 ? '' : 's'}`;
  if (typeof unit !== 'string' || unit === noun) return counted;
  return `${counted}, each a ${unit}`;
}
