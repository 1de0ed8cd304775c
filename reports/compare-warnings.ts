// What makes a comparison weaker without making it wrong: environments that differ, another machine
// class, recorded failures, a runtime matrix compared at its top level, repeats tested as independent.
import type { Results } from '../harness/schema.js';
import type { MetricComparison } from './comparison.js';
import { childEnvText } from './format.js';

/** One line per weakness, for the comparison's `warnings`. */
export function warnings(base: Results, head: Results, sameMachine: boolean, rows: readonly MetricComparison[]): string[] {
  const out: string[] = [];
  const b = base.environment;
  const h = head.environment;
  const differs: [string, unknown, unknown][] = [
    ['node', b.node, h.node],
    ['cpu model', b.cpuModel, h.cpuModel],
    ['cores', b.cores, h.cores],
    ['pinned', b.pinned, h.pinned],
    ['platform', `${b.platform}/${b.arch}`, `${h.platform}/${h.arch}`],
    ['node flags', (b.nodeFlags ?? []).join(' '), (h.nodeFlags ?? []).join(' ')],
    ['child environment', childEnvText(b.childEnv), childEnvText(h.childEnv)],
  ];
  const changed = differs.filter(([, x, y]) => x !== y);
  for (const [what, x, y] of changed) {
    out.push(`environments differ: ${what} is ${JSON.stringify(x)} in base, ${JSON.stringify(y)} in head`);
  }
  if (!sameMachine) {
    out.push('absolute figures from different machine classes are not compared (untested); ratio metrics (--kind ratio) cancel most of the machine');
  }
  for (const [side, results] of [['base', base], ['head', head]] as const) {
    if (results.failures.length > 0) {
      const what = results.failures.map((failure) => `${failure.what} (${failure.reason})`).join('; ');
      out.push(`${side} recorded ${results.failures.length} failure${results.failures.length === 1 ? '' : 's'}: ${what}`);
    }
  }
  for (const [side, results] of [['base', base], ['head', head]] as const) {
    const runtimes = results.runtimes ?? [];
    if (runtimes.length > 1) {
      out.push(
        `${side} is a runtime matrix (Node ${runtimes.map((run) => run.environment.node).join(', ')}): only its top level (Node ${results.environment.node}) is compared; compare its node-<major>/results.json files for the others`,
      );
    }
  }
  const shared = rows.filter((row) => row.note === 'repeats shared a process pair: tested as if independent').length;
  if (shared > 0) {
    out.push(`${shared} row${shared === 1 ? '' : 's'} tested repeats that shared a process pair as independent samples (a single run of an older harness): p-values are too small there`);
  }
  return out;
}
