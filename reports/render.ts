// renderReport: results.json in, the report directory out (index.html, report.md and a copy of
// the results they were drawn from). Pure rendering: nothing here measures anything, and every
// file is written into a staging folder, then renamed into place, so a reader never sees half a report.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from '../harness/schema.js';
import { htmlReport } from './html.js';
import { markdownReport } from './markdown.js';
import { reportView } from './view.js';

export interface RenderedReport {
  /** The paths written: `index.html`, `report.md`, `results.json` under outDir (results.json is renamed in first). */
  readonly files: string[];
}

/**
 * Every file is written into this folder inside outDir first, then renamed into outDir, results.json
 * first: a report is never left beside a results.json it was not made from. An interrupted caller
 * removes the folder (the `report` command does, on SIGINT and SIGTERM).
 */
export function stagingDir(outDir: string): string {
  return join(outDir, `.staging.${process.pid}`);
}

export async function renderReport(results: Results, outDir: string): Promise<RenderedReport> {
  // The view is derived once; both renderers draw their sections from it.
  const view = reportView(results);
  const { html } = await htmlReport(view);
  const markdown = markdownReport(view);
  const staging = stagingDir(outDir);
  await mkdir(staging, { recursive: true });
  const files: string[] = [];
  try {
    const outputs = [
      ['results.json', JSON.stringify(results, null, 2) + '\n'],
      ['index.html', html],
      ['report.md', markdown],
    ] as const;
    for (const [name, text] of outputs) await writeFile(join(staging, name), text);
    for (const [name] of outputs) await rename(join(staging, name), join(outDir, name));
    files.push(...['index.html', 'report.md', 'results.json'].map((name) => join(outDir, name)));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { files };
}

/** Writes beside the target and renames over it: rename within one directory is atomic on POSIX. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
