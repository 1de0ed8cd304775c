// renderReport: results.json in, the report directory out (index.html, report.md and a copy of
// the results they were drawn from). Pure rendering: nothing here measures anything, and every
// file is written atomically (temporary file, then rename) so a reader never sees half a report.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from './schema.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export interface RenderedReport {
  /** The paths written, in the order written: `index.html`, `report.md`, `results.json` under outDir. */
  readonly files: string[];
}

export async function renderReport(results: Results, outDir: string): Promise<RenderedReport> {
  const { html } = await renderHtml(results);
  const markdown = renderMarkdown(results);
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of [
    ['index.html', html],
    ['report.md', markdown],
    ['results.json', JSON.stringify(results, null, 2) + '\n'],
  ] as const) {
    const path = join(outDir, name);
    await writeAtomically(path, text);
    files.push(path);
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
