// Coding difficulty: the source text of every style's two programs, and the code metrics of
// harness/difficulty.ts over them. Nothing runs; this only reads files, in the parent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { difficultyRows, ownHelperImports } from '../difficulty.js';
import type { DifficultyRow, SourceFile } from '../schema.js';
import type { StyleAdapter } from '../../styles/adapter.js';
import { repoRoot } from '../processes/probes.js';

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
      const text = readFileSync(full, 'utf8');
      // The style's own helpers (fp-ts's traverse-with-concurrency.ts, chain-rec.ts) are its code too,
      // as the traceback noise already counts them: they go into the file's difficulty.
      const helpers = ownHelperImports(text)
        .map((name) => path.posix.join(path.posix.dirname(file), name))
        .filter((helper) => existsSync(path.join(root, helper)))
        .map((helper) => ({ path: helper, text: readFileSync(path.join(root, helper), 'utf8') }));
      sources.push({ style: style.id, scenario, path: file, text, ...(helpers.length > 0 ? { helpers } : {}) });
    }
  }
  return { sources, difficulty: difficultyRows(sources), missing };
}
