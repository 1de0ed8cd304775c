// Realistic regressions for `rosetta calibrate --regressions`: patches kept in
// harness/fixtures/regressions, each a small change of one style a contributor could make (a copied
// Buffer per chunk, a microtask hop per chunk, a closure per connection). Each is applied to a
// scratch copy of HEAD, built and measured as the gate measures a change; the report is the change
// the gate saw on that style's rows and its verdict.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Comparison, Verdict } from '../reports/comparison.js';

/** Where the patches live, relative to the repository root. */
export const REGRESSIONS_DIR = path.join('harness', 'fixtures', 'regressions');

export interface RegressionFixture {
  /** The patch's file name without .patch. */
  readonly name: string;
  readonly file: string;
  /** The style it changes, and what it does: the `style:` and `what:` lines above its diff. */
  readonly style: string;
  readonly what: string;
}

/** Every fixture under `root`, by name; a patch without its `style:` and `what:` lines is an error naming it. */
export function regressionFixtures(root: string): RegressionFixture[] {
  const dir = path.join(root, REGRESSIONS_DIR);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.patch'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const head = readFileSync(file, 'utf8').split('diff --git')[0] ?? '';
      const style = /^style: (\S+)$/m.exec(head)?.[1];
      const what = /^what: (.+)$/m.exec(head)?.[1];
      if (style === undefined || what === undefined) throw new Error(`${file}: needs a "style: <id>" and a "what: <sentence>" line above its diff`);
      return { name: name.replace(/\.patch$/, ''), file, style, what };
    });
}

export interface RegressionRow {
  readonly id: string;
  readonly changePercent: number | null;
  readonly mdcPercent: number | null;
  readonly verdict: Verdict;
}

export interface RegressionOutcome {
  readonly name: string;
  readonly style: string;
  readonly what: string;
  /** The gate failed on this measurement (a regression, a lost metric or a recorded failure). */
  readonly caught: boolean;
  /** The rows of the changed style the gate printed (gated and not), with the change it measured. */
  readonly rows: readonly RegressionRow[];
  /** Why it could not be measured, when it could not. */
  readonly error?: string;
}

/** The gate's judgement of a patched tree's measurement, on the changed style's rows. */
export function regressionOutcome(fixture: RegressionFixture, comparison: Comparison, failures: number): RegressionOutcome {
  const rows = comparison.rows
    .filter((row) => row.style === fixture.style)
    .map((row) => ({ id: row.id, changePercent: row.changePercent, mdcPercent: row.blind === undefined ? row.mdcPercent : null, verdict: row.verdict }));
  const caught = comparison.counts.regression > 0 || comparison.onlyInBase.length > 0 || failures > 0;
  return { name: fixture.name, style: fixture.style, what: fixture.what, caught, rows };
}

export function formatRegressions(outcomes: readonly RegressionOutcome[]): string {
  const lines = ['', 'realistic regressions (each patch applied to a scratch copy of HEAD, one gate measurement):'];
  for (const outcome of outcomes) {
    lines.push(`  ${outcome.name} (${outcome.style}: ${outcome.what}): ${outcome.error !== undefined ? `not measured: ${outcome.error}` : outcome.caught ? 'CAUGHT' : 'passed the gate'}`);
    for (const row of outcome.rows) {
      const change = row.changePercent === null ? 'n/a' : `${row.changePercent >= 0 ? '+' : ''}${row.changePercent.toFixed(1)}%`;
      lines.push(`    ${row.id.split('|').join(' ').padEnd(70)} ${change.padStart(8)}  ${row.verdict}`);
    }
  }
  return lines.join('\n') + '\n';
}
