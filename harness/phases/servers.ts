// Which echo servers a run measures: the baseline server first, then the chosen styles. Every echo
// phase (memory, cost, instructions, the memory explanation) and the run's config read this one list.

/** The echo servers for `styles`: the baseline server, then every style (baseline never twice). */
export function echoServers(styles: readonly string[]): string[] {
  return ['baseline', ...styles.filter((style) => style !== 'baseline')];
}
