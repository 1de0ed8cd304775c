// Memory per unit (connection, suspended workflow) as the slope of a least-squares line through
// (count, bytes) points, with R² saying how straight the line is; shared by both memory phases.
import { linearFit } from '../stats/fit.js';
import { openFileLimit } from '../processes/probes.js';
import type { MemorySample } from '../child/ipc.js';
import type { Collector, Params, Scenario } from '../results.js';

export interface MemoryPoint {
  readonly count: number;
  readonly sample: MemorySample;
}

/** Descriptors a process keeps for itself (stdio, IPC, libuv, modules) besides the sockets measured. */
const RESERVED_FDS = 256;

/**
 * The steps that fit under the open-file limit (each socket is one descriptor in the server and
 * one in the client process). Returns the steps kept and the cap, if one applied.
 */
export function stepsWithinFdLimit(steps: readonly number[], limit = openFileLimit()): { steps: number[]; cappedAt: number | undefined } {
  const max = limit - RESERVED_FDS;
  const kept = steps.filter((step) => step <= max);
  return { steps: kept, cappedAt: kept.length < steps.length ? max : undefined };
}

/**
 * The steps of a memory sweep for one style: its own (StyleAdapter.memorySteps, for a style whose
 * unit costs megabytes) or the run's, and extra facts saying which.
 */
export function sweepSteps(
  runSteps: readonly number[],
  styleSteps: readonly number[] | undefined,
): { steps: readonly number[]; extra: Record<string, string>; msPerUnit: number } {
  // Children's deadline per unit of the largest step: a connection or a held workflow costs the
  // event-loop styles microseconds, a thread tens of milliseconds to start and to join.
  return styleSteps === undefined
    ? { steps: runSteps, extra: {}, msPerUnit: 10 }
    : { steps: styleSteps, extra: { stepsFrom: 'style' }, msPerUnit: 250 };
}

/** Adds `<name>` (heap bytes: heapUsed + external) and optionally `<rssName>` as slope samples. */
export function addSlopes(
  collector: Collector,
  points: readonly MemoryPoint[],
  metric: { name: string; rssName?: string; scenario: Scenario; style: string; params: Params; unit: string; repeat: number; cappedAt?: number | undefined; extra?: Readonly<Record<string, string | number>> | undefined },
): void {
  const xs = points.map((point) => point.count);
  const heap = linearFit(xs, points.map((point) => point.sample.bytes));
  const rss = linearFit(xs, points.map((point) => point.sample.rss));
  const heapOnly = linearFit(xs, points.map((point) => point.sample.heapUsed));
  const external = linearFit(xs, points.map((point) => point.sample.external));
  const common = {
    steps: xs.join(','),
    ...(metric.cappedAt !== undefined ? { cappedByOpenFileLimitAt: metric.cappedAt } : {}),
    ...metric.extra,
  };
  collector.add({
    name: metric.name,
    scenario: metric.scenario,
    style: metric.style,
    params: metric.params,
    unit: metric.unit,
    direction: 'lower',
    repeat: metric.repeat,
    value: heap.slope,
    extra: {
      r2: round(heap.r2, 4),
      slopeSe: round(heap.slopeSe, 2),
      interceptBytes: Math.round(heap.intercept),
      heapUsedSlope: round(heapOnly.slope, 1),
      externalSlope: round(external.slope, 1),
      rssSlope: round(rss.slope, 1),
      ...common,
    },
  });
  if (metric.rssName !== undefined) {
    collector.add({
      name: metric.rssName,
      scenario: metric.scenario,
      style: metric.style,
      params: metric.params,
      unit: metric.unit,
      direction: 'lower',
      repeat: metric.repeat,
      value: rss.slope,
      extra: { r2: round(rss.r2, 4), slopeSe: round(rss.slopeSe, 2), interceptBytes: Math.round(rss.intercept), ...common },
    });
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
