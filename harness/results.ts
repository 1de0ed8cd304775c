// From raw samples to results.json: samples are collected as (metric, style, params, repeat, value);
// metrics group them by id, summarise them with harness/stats/summary.ts, and get a `.ratio` twin against
// the in-run reference (baseline echo server; callbacks workflow): measured in the same process pair
// when the phase did so (echo cost and capacity, workflow throughput), else the reference's sample
// of the same repeat.
// The file is written atomically: a temp file in the same folder, then rename.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { metricId, type Direction, type Failure, type MemoryAttribution, type Metric, type Results, type TimedTurn } from './schema.js';
import { summarize } from './stats/summary.js';

export type Scenario = Metric['scenario'];
export type Params = Readonly<Record<string, string | number | boolean>>;
export type Extra = Readonly<Record<string, string | number | boolean>>;

/** One measured value of one metric, in one repeat. */
export interface Sample {
  readonly name: string;
  readonly scenario: Scenario;
  readonly style: string;
  readonly params: Params;
  readonly unit: string;
  readonly direction: Direction;
  /** 0-based repeat the value belongs to: ratios pair values of the same repeat. */
  readonly repeat: number;
  readonly value: number;
  /** Side facts; merged over a metric's samples by mergeExtra. */
  readonly extra?: Extra;
  /**
   * The value as a ratio to the reference measured in the same process pair, in stretches taken
   * turn about with the style's own seconds apart (phases/echo-cost.ts). When every sample of a metric
   * has one, its `.ratio` twin is made of these: a slow stretch of the host that covers both cancels.
   */
  readonly pairedRatio?: number;
}

/** The reference a style's metrics are divided by, per scenario. */
export const REFERENCES: Readonly<Record<'echo' | 'repos-and-forks', string>> = {
  echo: 'baseline',
  'repos-and-forks': 'callbacks',
};

/** The order the servers or styles of one round took their turns in (phases/order.ts). */
export interface RoundOrder {
  readonly phase: string;
  readonly repeat: number;
  readonly order: readonly string[];
}

/** Collects samples, failures and the order of each round while a run goes on. */
export class Collector {
  readonly samples: Sample[] = [];
  readonly failures: Failure[] = [];
  readonly orders: RoundOrder[] = [];
  /** What each style keeps alive per unit (phases/memory-explain.ts). */
  readonly attributions: MemoryAttribution[] = [];
  /** The timed phases' turns, for the variance analysis. */
  readonly turns: TimedTurn[] = [];

  order(round: RoundOrder): void {
    this.orders.push(round);
  }

  add(sample: Sample): void {
    if (!Number.isFinite(sample.value)) {
      throw new RangeError(`sample ${sample.name} (${sample.style}) is ${sample.value}; every sample must be a finite number`);
    }
    this.samples.push(sample);
  }

  turn(turn: TimedTurn): void {
    this.turns.push(turn);
  }

  explain(attribution: MemoryAttribution): void {
    this.attributions.push(attribution);
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
  }
}

/**
 * Groups samples into metrics (samples in the order taken), then adds a `.ratio` twin for every echo
 * and workflow metric of a style other than the reference: one ratio sample per repeat in which
 * both the style and the reference have a value. Micro metrics have no reference and no twin.
 */
export function buildMetrics(samples: readonly Sample[]): Metric[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const id = metricId(sample.name, sample.style, sample.params);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [sample]);
    else {
      const first = group[0] as Sample;
      if (first.unit !== sample.unit || first.direction !== sample.direction || first.scenario !== sample.scenario) {
        throw new RangeError(`metric ${id} was given samples with different unit, direction or scenario`);
      }
      group.push(sample);
    }
  }
  const metrics: Metric[] = [];
  for (const [id, group] of groups) metrics.push(metricOf(id, group));
  for (const group of groups.values()) {
    const twin = ratioTwin(group, groups);
    if (twin !== undefined) metrics.push(twin);
  }
  return metrics;
}

function metricOf(id: string, group: readonly Sample[], kind: Metric['kind'] = 'absolute'): Metric {
  const first = group[0] as Sample;
  const values = group.map((sample) => sample.value);
  const summary = summarize(values);
  const extra = mergeExtra(group);
  return {
    id,
    name: first.name,
    scenario: first.scenario,
    style: first.style,
    params: first.params,
    unit: first.unit,
    direction: first.direction,
    kind,
    samples: values,
    median: summary.median,
    ci95: [summary.ci95[0], summary.ci95[1]],
    ...(extra !== undefined ? { extra } : {}),
  };
}

// Side facts of a metric from those of its samples: a flag any sample raised stays raised (e.g.
// saturated), a number is the largest seen (e.g. a CPU share), and text keeps every distinct value,
// joined by '|' (e.g. saturatedBy `neither|client`: one repeat's client was the limit).
function mergeExtra(group: readonly Sample[]): Extra | undefined {
  const merged: Record<string, string | number | boolean> = {};
  let any = false;
  for (const sample of group) {
    if (sample.extra === undefined) continue;
    for (const [key, value] of Object.entries(sample.extra)) {
      any = true;
      const previous = merged[key];
      if (typeof value === 'boolean' && typeof previous === 'boolean') merged[key] = previous || value;
      else if (typeof value === 'number' && typeof previous === 'number') merged[key] = Math.max(previous, value);
      else if (typeof value === 'string' && typeof previous === 'string') {
        merged[key] = previous.split('|').includes(value) ? previous : `${previous}|${value}`;
      } else merged[key] = value;
    }
  }
  return any ? merged : undefined;
}

function ratioTwin(group: readonly Sample[], groups: ReadonlyMap<string, Sample[]>): Metric | undefined {
  const first = group[0] as Sample;
  if (first.scenario === 'micro') return undefined;
  const reference = REFERENCES[first.scenario];
  // Measured against a reference in the same pair: the reference's own row gets a twin too, which
  // reads how far two copies of the same server agree (an A/A check).
  if (group.every((sample) => sample.pairedRatio !== undefined)) {
    const ratios = group.map((sample) => ({ ...sample, name: `${sample.name}.ratio`, unit: `x ${reference}`, value: sample.pairedRatio as number }));
    const twin = metricOf(metricId(`${first.name}.ratio`, first.style, first.params), ratios, 'ratio');
    return { ...twin, extra: { ...twin.extra, reference, paired: true } };
  }
  if (first.style === reference) return undefined;
  const referenceGroup = groups.get(metricId(first.name, reference, first.params));
  if (referenceGroup === undefined) return undefined;
  const byRepeat = new Map<number, number>();
  for (const sample of referenceGroup) byRepeat.set(sample.repeat, sample.value);
  const ratios: Sample[] = [];
  for (const sample of group) {
    const denominator = byRepeat.get(sample.repeat);
    // A reference of 0 (e.g. a slope of exactly 0) has no meaningful ratio: the repeat is skipped.
    if (denominator === undefined || denominator === 0) continue;
    ratios.push({ ...sample, name: `${sample.name}.ratio`, unit: `x ${reference}`, value: sample.value / denominator });
  }
  if (ratios.length === 0) return undefined;
  const name = `${first.name}.ratio`;
  const twin = metricOf(metricId(name, first.style, first.params), ratios, 'ratio');
  // Some repeats were paired and some not (a style near the line that decides it): one metric must
  // not mix two definitions, so every repeat divides by the reference of its repeat, and says so.
  const pairedSamples = group.filter((sample) => sample.pairedRatio !== undefined).length;
  const partly = pairedSamples > 0 ? { paired: false, pairedSamples } : {};
  return { ...twin, extra: { ...twin.extra, reference, ...partly } };
}

/** Writes `<dir>/results.json` atomically: readers see the old file or the new one, never half of one. */
export function writeResultsAtomic(dir: string, results: Results): string {
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'results.json');
  const temp = path.join(dir, `.results.json.${process.pid}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(results, null, 2) + '\n');
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return target;
}

/** The temp file `writeResultsAtomic` would use; a signal handler removes it if a write was cut short. */
export function tempResultsPath(dir: string): string {
  return path.join(dir, `.results.json.${process.pid}.tmp`);
}
