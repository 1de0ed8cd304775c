// From figures to what is known: who leads a question, whether the lead is significant, and the
// sentence that says so. A style is named the winner only when it beats the runner-up at
// HEADLINE_ALPHA; otherwise the sentence names the styles that lead together, or says that the
// figures could not be told apart or could not be tested, and still gives every style's factor.
import { allPositive } from '../harness/stats/summary.js';
import { compareLog } from '../harness/stats/two-groups.js';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { formatFactor } from './format.js';

/** One headline card: the question, what the evidence names, and how it was measured. */
export interface Headline {
  /** The question: `CPU cost`, `Capacity`, `Memory per connection`, `Tracebacks`, `Difficulty`. */
  readonly key: string;
  /** The style the evidence names the best, when it does; never a style that only leads within the noise. */
  readonly winner: string | undefined;
  /** A few words for the card's big line: the winner, the styles that lead together, `no winner`, `not measured`. */
  readonly lead: string;
  /** What is known, in a sentence or two a reader can use. */
  readonly text: string;
  /** What was measured and how the lead was tested. */
  readonly detail: string;
  /** The same question in time on the machine that ran (CPU cost), with its interval. */
  readonly machine?: string;
}

/** The significance level a lead must reach to be called a win. */
export const HEADLINE_ALPHA = 0.05;

export interface Contender {
  readonly style: string;
  /** The figure ranked: a geometric mean of samples, or a fitted slope. */
  readonly centre: number;
  readonly samples: readonly number[];
  /** A fitted slope's standard error, for a figure measured once (memory). */
  readonly se?: number;
  /** The figure shown for it: the median, as every table of the report shows. */
  readonly median: number;
}

/** p of `other` against `best`: Welch (or Mann-Whitney) on log samples, else a z test of two slopes; null when neither can be run. */
export function pAgainst(best: Contender, other: Contender): number | null {
  if (other.samples.length >= 2 && best.samples.length >= 2 && allPositive(other.samples) && allPositive(best.samples)) {
    return compareLog(other.samples, best.samples).pValue;
  }
  if (best.se !== undefined && other.se !== undefined) {
    const se = Math.sqrt(best.se ** 2 + other.se ** 2);
    if (se === 0) return other.centre === best.centre ? 1 : 0;
    return 2 * (1 - normalCdf(Math.abs(other.centre - best.centre) / se, 0, 1));
  }
  return null;
}

export interface Leaders {
  readonly best: Contender;
  /** The best and every contender not significantly behind it (or not testable), in rank order. */
  readonly tied: readonly Contender[];
  readonly runnerUp: Contender | undefined;
  /** p of the runner-up against the best. */
  readonly p: number | null;
  /** Every contender in rank order. */
  readonly ranked: readonly Contender[];
  /** No comparison with the best could be tested. */
  readonly untested: boolean;
}

/** The best of the contenders and the ones not significantly behind it. */
export function leaders(contenders: readonly Contender[], direction: 'higher' | 'lower'): Leaders | undefined {
  const ranked = [...contenders].sort((a, b) => (direction === 'lower' ? a.centre - b.centre : b.centre - a.centre));
  const [best, runnerUp] = ranked;
  if (best === undefined) return undefined;
  const ps = new Map(ranked.slice(1).map((other) => [other, pAgainst(best, other)]));
  const tied = ranked.filter((other) => {
    if (other === best) return true;
    const p = ps.get(other) ?? null;
    return p === null || p >= HEADLINE_ALPHA;
  });
  const untested = ps.size > 0 && [...ps.values()].every((p) => p === null);
  return { best, tied, runnerUp, p: runnerUp === undefined ? null : (ps.get(runnerUp) ?? null), ranked, untested };
}

export interface Verdict {
  /** The winner, when the test names one. */
  readonly winner: string | undefined;
  /** A few words for the card's big line: the winner, the leaders, or that none leads. */
  readonly lead: string;
  /** What is known, in one sentence. */
  readonly text: string;
}

export interface Wording {
  /** What the best has the most or least of: `fewest instructions per request`. */
  readonly best: string;
  /** A contender's figure with its unit: `15,166 instructions`. */
  readonly value: (centre: number) => string;
  /** Said after the factors: what they are factors of (`of the lowest`). */
  readonly factorsOf: string;
}

/** `a`, `a and b`, `a, b and c`. */
export function names(list: readonly string[]): string {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1] ?? ''}`;
}

/**
 * The sentence for one ranking, written to follow the card's big line (the winner, or what leads)
 * without repeating it: factors are each style's figure over the best's.
 */
export function verdict(lead: Leaders, wording: Wording): Verdict {
  const factor = (c: Contender): string => `${c.style} ${formatFactor(c.centre / lead.best.centre)}`;
  const rest = (from: readonly Contender[]): string => from.map(factor).join(', ');
  const first = `${lead.best.style} ${wording.value(lead.best.median)}`;
  const behind = lead.ranked.filter((c) => !lead.tied.includes(c));
  if (lead.ranked.length === 1) return { winner: undefined, lead: lead.best.style, text: `The only style measured: ${first}.` };
  if (lead.untested) {
    return {
      winner: undefined,
      lead: 'not tested',
      text: `In order, but too few measurements to tell a difference from noise: ${first}, ${rest(lead.ranked.slice(1))} ${wording.factorsOf}.`,
    };
  }
  if (lead.tied.length === lead.ranked.length) {
    return {
      winner: undefined,
      lead: 'no winner',
      text: `No style is significantly ahead of another (p ≥ ${HEADLINE_ALPHA} against the best): ${first}, ${rest(lead.ranked.slice(1))} ${wording.factorsOf}.`,
    };
  }
  if (lead.tied.length > 1) {
    return {
      winner: undefined,
      lead: names(lead.tied.map((c) => c.style)),
      text: `Lead together, not significantly apart: ${first}, ${rest(lead.tied.slice(1))}; then ${rest(behind)} ${wording.factorsOf}.`,
    };
  }
  const [next, ...others] = behind;
  const then = others.length > 0 ? `, then ${rest(others)}` : '';
  const capital = wording.best.charAt(0).toUpperCase() + wording.best.slice(1);
  return {
    winner: lead.best.style,
    lead: lead.best.style,
    text: `${capital}, ${wording.value(lead.best.median)}; next ${next === undefined ? '' : factor(next)} (${formatP(lead.p)})${then} ${wording.factorsOf}.`,
  };
}

/** How a ranking was tested, in a sentence: n, the test, the level a lead must reach. */
export function testWords(lead: Pick<Leaders, 'ranked' | 'untested'>): string {
  if (lead.untested) return 'One measurement per style and no standard error: nothing could be tested.';
  const counts = lead.ranked.map((c) => c.samples.length);
  const least = Math.min(...counts);
  const most = Math.max(...counts);
  const level = `a lead counts at p < ${HEADLINE_ALPHA}`;
  if (least >= 2) return `n=${least === most ? least : `${least}–${most}`} per style; each tested against the best by Welch's t on log values (Mann-Whitney if skewed), ${level}.`;
  return `One measurement per style: each tested against the best with the standard errors of the fits (a z test of two slopes), ${level}.`;
}

/** `p = 0.004`, `p = 3e-10`, `p < 1e-15` (below what a double resolves), `not tested`. */
export function formatP(p: number | null): string {
  if (p === null) return 'not tested';
  if (p < 1e-15) return 'p < 1e-15';
  return `p = ${p < 0.001 ? p.toExponential(0) : p.toFixed(3)}`;
}
