// The processes below this one as the kernel sees them (/proc), whether or not watch.ts started
// them: what a signal to the harness must kill besides the children it tracks.
import { readdirSync, readFileSync } from 'node:fs';

/** Every process below `root`, from /proc (Linux); empty where /proc does not exist. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

/**
 * Kills any process below this one that watch.ts does not track (a phase written elsewhere
 * may fork its own children). A no-op where /proc does not exist.
 */
export async function killDescendants(root = process.pid): Promise<number[]> {
  const found = descendants(root);
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  if (found.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  return found;
}
