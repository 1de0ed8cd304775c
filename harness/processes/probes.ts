// What the machine and the checkout offer the harness's children: a core to pin to, the repository
// root, a built child entry point, the open-file limit.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where taskset lives; pinning is off without it. */
export const TASKSET = '/usr/bin/taskset';

let tasksetChecked: boolean | undefined;
/** True when `taskset` exists and the machine has at least two cores to keep server and load apart. */
export function canPin(cores: number): boolean {
  tasksetChecked ??= existsSync(TASKSET);
  return tasksetChecked && cores >= 2 && process.env.ROSETTA_NO_PIN !== '1';
}

/** The repository root: the nearest folder above this file that holds package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The built entry point of a child; the harness never runs a child from TypeScript source. */
export function childEntry(entry: string): string {
  const file = path.join(repoRoot(), 'dist', 'harness', 'child', `${entry}.js`);
  if (!existsSync(file)) {
    throw new Error(`child entry ${file} does not exist; build first with \`npx tsc -p tsconfig.build.json\` (npm run build)`);
  }
  return file;
}

/** The open-file limit children inherit (Node raises its soft limit to the hard one at start-up). */
export function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    const hard = match?.[2];
    if (hard === undefined) return Number.POSITIVE_INFINITY;
    return hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
