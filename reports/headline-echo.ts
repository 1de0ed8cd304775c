// The echo server's two headline cards. CPU cost leads with instructions per request, counted by
// callgrind (it does not move with whatever else the machine does), and gives
// the timed CPU figure, kernel included, as what it cost on this machine. Capacity ranks only figures
// the load client did not limit: a window in which the client used a whole core measured the
// client, so such a figure is never a headline, and the card says what is known instead.
import type { Metric, Results } from '../harness/schema.js';
import { allPositive, geometricMean } from '../harness/stats/summary.js';
import { BASELINE, formatBytes, formatFactor, formatInterval, formatNumber, formatParams, formatValue, referenceRows } from './format.js';
import { type Contender, type Headline, leaders, names, testWords, verdict } from './headline-rank.js';

/** The echo cell every mode measures: the cards read it, so a quick and a full report say the same thing. */
const HEADLINE_CELL = { size: 1024, connections: 10 } as const;

const inCell = (metric: Metric, cell: Readonly<Record<string, number>>): boolean => Object.entries(cell).every(([key, value]) => metric.params[key] === value);

function usable(results: Results, name: string, kind: Metric['kind'], cell?: Readonly<Record<string, number>>): Metric[] {
  return results.metrics.filter(
    (m) => m.name === name && m.kind === kind && m.samples.length > 0 && allPositive(m.samples) && (cell === undefined || inCell(m, cell)),
  );
}

const contender = (m: Metric): Contender => ({ style: m.style, centre: geometricMean(m.samples), median: m.median, samples: m.samples });
/** The styles' figures: never a reference row's (format.ts referenceRows). */
const stylesIn = (results: Results, metrics: readonly Metric[]): Metric[] => {
  const references = referenceRows(results);
  return metrics.filter((m) => !references.has(m.style));
};

/**
 * Measured against the reference in the same pair, turn about (harness/phases/echo-cost.ts), a
 * style's ratios carry less of the host's slow stretches than its absolute figures: they are what
 * is ranked when the run has them. Every style divides by the same reference, so the order is the
 * same kind of order.
 */
function ranked(results: Results, name: string): Metric[] {
  const paired = usable(results, `${name}.ratio`, 'ratio', HEADLINE_CELL).filter((m) => m.extra?.paired === true);
  return paired.length > 0 ? paired : usable(results, name, 'absolute', HEADLINE_CELL);
}

const PAIRED = 'Ranked by the ratio to the baseline measured beside each style in the same pair. ';

/** `1 KiB messages on 10 connections`. */
function cellWords(cell: Readonly<Record<string, string | number | boolean>>): string {
  const { size, connections } = cell;
  if (typeof size !== 'number' || typeof connections !== 'number') return formatParams(cell);
  return `${formatBytes(size)} messages on ${formatNumber(connections)} connection${connections === 1 ? '' : 's'}`;
}

/** Where the plain baseline server sits, as a factor of the best style's figure. */
export function baselineNote(metrics: readonly Metric[], best: Contender): string {
  const base = metrics.find((m) => m.style === BASELINE && m.samples.length > 0 && allPositive(m.samples));
  return base === undefined ? '' : ` The bare socket.on('data') baseline server: ${formatFactor(geometricMean(base.samples) / best.centre)}.`;
}

export function costHeadline(results: Results): Headline | undefined {
  const instructions = usable(results, 'echo.instructions_per_req', 'absolute');
  // Instructions are counted in one cell (1 KiB on one connection); a file with more would name them.
  const cell = stylesIn(results, instructions)[0]?.params;
  const counted = instructions.filter((m) => cell !== undefined && formatParams(m.params) === formatParams(cell));
  const timed = stylesIn(results, ranked(results, 'echo.cpu_us_per_req')).filter((m) => m.extra?.saturated !== true);
  const lead = leaders(stylesIn(results, counted).map(contender), 'lower');
  if (lead !== undefined) {
    const said = verdict(lead, { best: 'fewest instructions per request', value: (n) => formatNumber(n), factorsOf: 'the instructions of the best' });
    return {
      key: 'CPU cost',
      ...said,
      text: said.text + baselineNote(counted, lead.best),
      detail:
        `Counted by callgrind: the user-space instructions of every thread of the server${cell === undefined ? '' : `, ${cellWords(cell)}`} in a closed loop. ` +
        `The kernel's share of a request (system calls, the network stack) is not counted. ${testWords(lead)}`,
      ...machineLine(results, said.winner ?? lead.best.style),
    };
  }
  const timedLead = leaders(timed.map(contender), 'lower');
  if (timedLead === undefined) return undefined;
  const byRatio = timed.some((m) => m.kind === 'ratio');
  const said = verdict(timedLead, {
    best: 'least server CPU per request',
    value: (n) => (byRatio ? `${formatFactor(n)} the baseline measured beside it` : `${formatNumber(n)} µs`),
    factorsOf: 'the CPU time of the best',
  });
  return {
    key: 'CPU cost',
    ...said,
    detail:
      `Instructions were not counted in this run (callgrind: --scenario instructions), so the timed figure leads: the server's CPU time per request, kernel included, ` +
      `${cellWords(HEADLINE_CELL)} at a fixed offered rate. ${byRatio ? PAIRED : ''}${testWords(timedLead)}`,
    ...machineLine(results, said.winner ?? timedLead.best.style),
  };
}

/** What a request cost one style in CPU time on this machine, with its interval: the timed figure beside the counted one. */
function machineLine(results: Results, style: string): { machine?: string } {
  const all = usable(results, 'echo.cpu_us_per_req', 'absolute', HEADLINE_CELL);
  const own = all.find((m) => m.style === style);
  if (own === undefined) return {};
  const others = stylesIn(results, all).filter((m) => m !== own && m.extra?.saturated !== true).map((m) => m.median);
  const interval = formatInterval(own.ci95, own.unit);
  const rate = typeof own.extra?.rate === 'number' ? ` at ${formatNumber(own.extra.rate)} req/s offered` : ' at a fixed offered rate';
  const span = others.length === 0 ? '' : `; the other styles ${formatInterval([Math.min(...others), Math.max(...others)], own.unit)} µs`;
  return {
    machine:
      `On this machine: ${style} took ${formatNumber(own.median)} µs of server CPU time per request, kernel included${interval === '' ? '' : ` (95% interval ${interval})`}, n=${own.samples.length}${span}; ` +
      `${cellWords(HEADLINE_CELL)}${rate}.`,
  };
}

/** Who used a whole core in a capacity window: the merged `saturatedBy` (`client`, `neither|client`), or an older file's flag. */
function clientLimited(metric: Metric): 'every' | 'some' | 'none' {
  const by = metric.extra?.saturatedBy;
  if (typeof by === 'string') {
    const windows = by.split('|');
    const client = windows.filter((who) => who === 'client' || who === 'both');
    return client.length === 0 ? 'none' : client.length === windows.length ? 'every' : 'some';
  }
  return metric.extra?.clientSaturated === true ? 'some' : 'none';
}

export function capacityHeadline(results: Results): Headline | undefined {
  const absolute = stylesIn(results, usable(results, 'echo.rps', 'absolute', HEADLINE_CELL));
  if (absolute.length === 0) return undefined;
  const where = cellWords(HEADLINE_CELL);
  const limited = absolute.filter((m) => clientLimited(m) !== 'none');
  if (limited.length > 0) {
    const free = absolute.filter((m) => !limited.includes(m));
    const reached = limited.map((m) => m.median);
    const range = `${formatInterval([Math.min(...reached), Math.max(...reached)], 'req/s') || formatNumber(Math.min(...reached))} req/s`;
    const every = limited.every((m) => clientLimited(m) === 'every');
    const below = free.every((m) => m.median < Math.min(...reached)) ? ', below every client-limited figure' : '';
    const freeText = free.length === 0 ? '' : ` Where the client was not the limit: ${names(free.map((m) => `${m.style} ${formatValue(m.median, m.unit)}`))}${below}.`;
    return {
      key: 'Capacity',
      winner: undefined,
      lead: 'not measured',
      text:
        `Not measured for ${free.length === 0 ? 'any style' : names(limited.map((m) => m.style))}: the load client used a whole core ${every ? 'in every window' : 'in some of their windows'}, ` +
        `so their ${range} ${every ? 'measure' : 'may measure'} the client, not the servers; each of those servers can serve at least its figure.${freeText}`,
      detail: `Closed loop, ${where}. A figure the load client limited is never ranked; the CPU cost card compares the servers with no client in the way.`,
    };
  }
  const rankedBy = stylesIn(results, ranked(results, 'echo.rps'));
  const lead = leaders(rankedBy.map(contender), 'higher');
  if (lead === undefined) return undefined;
  const byRatio = rankedBy.some((m) => m.kind === 'ratio');
  const said = verdict(lead, {
    best: 'most requests per second',
    value: (n) => (byRatio ? `${formatFactor(n)} the baseline measured beside it` : `${formatNumber(n)} req/s`),
    factorsOf: 'the requests per second of the best',
  });
  return {
    key: 'Capacity',
    ...said,
    text: said.text + (byRatio ? '' : baselineNote(usable(results, 'echo.rps', 'absolute', HEADLINE_CELL), lead.best)),
    detail: `Closed-loop requests per second, ${where}, in windows the load client did not limit. ${byRatio ? PAIRED : ''}${testWords(lead)}`,
  };
}
