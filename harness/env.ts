// The machine a run measured on: Node and V8 versions, CPU, cores, OS, memory, the git commit and
// whether the tree had local changes, the Node flags of every measured child and whether server
// and load were pinned apart. Every figure in a report is read against this.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Environment } from './schema.js';
import { CHILD_ENV, CHILD_NODE_FLAGS } from './processes/children.js';
import { canPin, repoRoot } from './processes/probes.js';
import type { Runtime } from './runtimes.js';

/** `runtime`: the Node the children ran on, whose versions are the ones every figure belongs to. */
export function collectEnvironment(runtime?: Runtime): Environment {
  const cpus = os.cpus();
  const cores = availableCores();
  const git = gitState();
  return {
    node: runtime?.version ?? process.version,
    v8: runtime?.v8 ?? process.versions.v8,
    platform: process.platform,
    osRelease: os.release(),
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores,
    totalMemoryBytes: os.totalmem(),
    commit: git.commit,
    dirty: git.dirty,
    nodeFlags: [...CHILD_NODE_FLAGS],
    childEnv: { ...CHILD_ENV },
    pinned: canPin(cores),
  };
}

/** Cores this process may run on (a container's cpuset), not the machine's count. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function gitState(): { commit: string | null; dirty: boolean } {
  const run = (args: string[]): string =>
    execFileSync('git', args, { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
  try {
    const commit = run(['rev-parse', 'HEAD']);
    // Anything listed (modified, staged or untracked-and-not-ignored) means the measured code is not the commit.
    const dirty = run(['status', '--porcelain']) !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: false };
  }
}
