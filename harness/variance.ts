// Where the spread of a timed ratio lives: a balanced nested design (process generations, rounds
// within a generation, sub-windows within a turn) split into its variance components by the
// classic nested ANOVA (expected mean squares; a negative estimate is reported as 0). It tells
// which unit a figure's interval must be computed over: if generations differ more than their
// rounds predict, the generation is the independent sample, not the round.

export interface NestedComponents {
  readonly generations: number;
  readonly rounds: number;
  readonly parts: number;
  /** Variance of log values between process generations, between rounds (time), within a turn. */
  readonly betweenGenerations: number;
  readonly betweenRounds: number;
  readonly withinTurn: number;
  /** F = MS(generations) / MS(rounds): near 1 when generations add nothing to what rounds predict. */
  readonly fGenerations: number;
  /** F = MS(rounds) / MS(within): how far rounds differ beyond the sub-windows' own noise. */
  readonly fRounds: number;
}

/**
 * `values[g][r][p]`: positive values (ratios), generation g, round r, part p of the turn; every
 * generation with the same rounds, every turn with the same parts. Components on the log scale.
 */
export function nestedComponents(values: readonly (readonly (readonly number[])[])[]): NestedComponents {
  const g = values.length;
  const r = values[0]?.length ?? 0;
  const p = values[0]?.[0]?.length ?? 0;
  if (g < 1 || r < 2 || p < 2) throw new RangeError(`nestedComponents needs at least 1 generation, 2 rounds and 2 parts (got ${g}, ${r}, ${p})`);
  const logs = values.map((generation, gi) => {
    if (generation.length !== r) throw new RangeError(`generation ${gi} has ${generation.length} rounds; expected ${r} (a balanced design)`);
    return generation.map((turn, ri) => {
      if (turn.length !== p) throw new RangeError(`generation ${gi} round ${ri} has ${turn.length} parts; expected ${p}`);
      return turn.map((x) => {
        if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`nestedComponents needs positive finite values (got ${x})`);
        return Math.log(x);
      });
    });
  });
  const mean = (xs: readonly number[]): number => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const turnMeans = logs.map((generation) => generation.map(mean));
  const generationMeans = turnMeans.map(mean);
  const grand = mean(generationMeans);
  let ssWithin = 0;
  let ssRounds = 0;
  let ssGenerations = 0;
  logs.forEach((generation, gi) => {
    const gm = generationMeans[gi] as number;
    ssGenerations += r * p * (gm - grand) ** 2;
    generation.forEach((turn, ri) => {
      const tm = (turnMeans[gi] as number[])[ri] as number;
      ssRounds += p * (tm - gm) ** 2;
      for (const x of turn) ssWithin += (x - tm) ** 2;
    });
  });
  const msWithin = ssWithin / (g * r * (p - 1));
  const msRounds = ssRounds / (g * (r - 1));
  const msGenerations = g > 1 ? ssGenerations / (g - 1) : 0;
  return {
    generations: g,
    rounds: r,
    parts: p,
    betweenGenerations: g > 1 ? Math.max(0, (msGenerations - msRounds) / (r * p)) : 0,
    betweenRounds: Math.max(0, (msRounds - msWithin) / p),
    withinTurn: msWithin,
    fGenerations: g > 1 && msRounds > 0 ? msGenerations / msRounds : Number.NaN,
    fRounds: msWithin > 0 ? msRounds / msWithin : Number.NaN,
  };
}

/** The standard error (log scale) of a figure averaged over `g` generations of `r` rounds of `p` parts. */
export function standardError(c: NestedComponents, g: number, r: number, p: number): number {
  return Math.sqrt(c.betweenGenerations / g + c.betweenRounds / (g * r) + c.withinTurn / (g * r * p));
}
