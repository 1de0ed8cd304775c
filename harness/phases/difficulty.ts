// Coding difficulty: the source text of every style's two programs, and the code metrics of
// reports/difficulty.ts over them. Nothing runs; this only reads files, in the parent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { difficultyRows } from '../../reports/difficulty.js';
import type { DifficultyRow, SourceFile } from '../../reports/schema.js';
import type { StyleAdapter } from '../../styles/adapter.js';
import { repoRoot } from '../processes.js';

export interface SourcesAndRows {
  readonly sources: SourceFile[];
  readonly difficulty: DifficultyRow[];
  /** Source files a style names that do not exist (yet). */
  readonly missing: string[];
}

export function collectDifficulty(styles: readonly StyleAdapter[]): SourcesAndRows {
  const root = repoRoot();
  const sources: SourceFile[] = [];
  const missing: string[] = [];
  for (const style of styles) {
    const files = [
      { scenario: 'repos-and-forks' as const, file: style.sources.reposAndForks },
      { scenario: 'echo' as const, file: style.sources.echo },
    ];
    for (const { scenario, file } of files) {
      const full = path.join(root, file);
      if (!existsSync(full)) {
        missing.push(file);
        continue;
      }
      sources.push({ style: style.id, scenario, path: file, text: readFileSync(full, 'utf8') });
    }
  }
  return { sources, difficulty: difficultyRows(sources), missing };
}
