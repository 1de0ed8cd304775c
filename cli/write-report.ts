// The report step, shared by `rosetta report` and `rosetta run`.
import type { Results } from '../harness/schema.js';
import { renderReport, stagingDir } from '../reports/render.js';
import { removeOnInterrupt } from './output.js';

/**
 * The report step, shared by `rosetta report` and `rosetta run`: renders the results into `outDir`,
 * written atomically; an interrupt removes the half-written staging folder. Resolves to the files.
 */
export async function writeReport(results: Results, outDir: string): Promise<string[]> {
  const release = removeOnInterrupt(() => [stagingDir(outDir)]);
  try {
    return (await renderReport(results, outDir)).files;
  } finally {
    release();
  }
}
