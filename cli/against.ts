// `rosetta compare --against <ref>`'s A/B runner: the ref built in a temporary git worktree, this
// tree built in place, then `rosetta run` of each side alternately (A B A B ...) on this machine so
// that drift (thermal, other load) falls on both sides alike. Each run is a fresh process; its
// results.json is the contract. The comparison itself is the command's.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeResults } from '../harness/merge.js';
import { startProcess, type WatchedProcess } from '../harness/processes/watch.js';
import { parseResults, type Results } from '../harness/schema.js';
import { describeInputError } from './input-errors.js';

export type Side = 'base' | 'head';

export interface RunProgress {
  readonly side: Side;
  /** 1-based run of this side. */
  readonly index: number;
  /** 1-based run overall, of `total`. */
  readonly overall: number;
  readonly total: number;
}

/**
 * Runs base and head alternately, base first: base 1, head 1, base 2, head 2, ... so that slow drift
 * of the machine lands on both sides instead of on whichever ran last.
 */
export async function alternateRuns(
  runs: number,
  runOne: (side: Side, index: number) => Promise<Results>,
  onProgress: (progress: RunProgress) => void = () => undefined,
): Promise<Record<Side, Results[]>> {
  const out: Record<Side, Results[]> = { base: [], head: [] };
  let overall = 0;
  for (let index = 1; index <= runs; index++) {
    for (const side of ['base', 'head'] as const) {
      overall++;
      onProgress({ side, index, overall, total: runs * 2 });
      out[side].push(await runOne(side, index));
    }
  }
  return out;
}

/** Something on the way to a comparison failed (a ref, a build, a run); exit 2, not a regression. */
export class AgainstError extends Error {
  override readonly name = 'AgainstError';
}

/** A signal stopped the runs; the worktree is gone by the time this is thrown. */
export class AgainstInterrupted extends Error {
  override readonly name = 'AgainstInterrupted';
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

interface AgainstState {
  readonly root: string;
  readonly tmp: string;
  readonly tree: string;
  child: WatchedProcess | null;
  interrupted: NodeJS.Signals | null;
}

export interface AgainstPlan {
  readonly runs: number;
  readonly quick: boolean;
  /** Passed through to every `rosetta run` (--scenario, --style). */
  readonly runFlags: readonly string[];
}

/** Each side's runs merged, and how to name the two sides. */
export interface AgainstRuns {
  readonly base: Results;
  readonly head: Results;
  readonly labels: { readonly base: string; readonly head: string };
}

/**
 * Builds `ref` in a temporary worktree beside this tree, runs both `plan.runs` times alternately and
 * merges each side's runs. Throws AgainstError (or MergeError) when that cannot be done, and
 * AgainstInterrupted on a signal; the worktree is removed either way.
 */
export async function runAgainst(ref: string, plan: AgainstPlan): Promise<AgainstRuns> {
  const started = Date.now();
  const progress = (message: string): void => {
    process.stderr.write(`rosetta compare: ${message} [${elapsed(Date.now() - started)}]\n`);
  };
  const root = gitLine(['rev-parse', '--show-toplevel'], process.cwd());
  if (root === null) throw new AgainstError(`--against needs a git checkout; ${process.cwd()} is not inside one`);
  const sha = gitLine(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root);
  if (sha === null) throw new AgainstError(`--against got ${JSON.stringify(ref)}; expected a branch, tag or commit of ${root}`);
  const headSha = gitLine(['rev-parse', 'HEAD'], root);
  const dirty = (gitLine(['status', '--porcelain'], root) ?? '') !== '';
  const labels = {
    base: `${ref} (${sha.slice(0, 10)})`,
    head: `this tree (${headSha === null ? 'no commit' : headSha.slice(0, 10)}${dirty ? ' + uncommitted changes' : ''})`,
  };

  const tmp = await mkdtemp(join(tmpdir(), 'rosetta-against-'));
  const state: AgainstState = { root, tmp, tree: join(tmp, 'tree'), child: null, interrupted: null };
  const untrap = trapSignals(state, (signal) => process.stderr.write(`\nrosetta compare: ${signal}: stopping and removing the worktree (again to force)\n`));
  try {
    progress(`checking out ${labels.base} in ${state.tree}`);
    await step(state, 'git worktree add', 'git', ['worktree', 'add', '--detach', state.tree, sha], root);
    await provideNodeModules(state, sha, progress);
    progress(`building ${labels.base}`);
    await build(state, state.tree, labels.base);
    progress(`building ${labels.head}`);
    await build(state, root, labels.head);

    const runArgs = ['run', ...(plan.quick ? ['--quick'] : []), ...plan.runFlags, '--repeat', '1'];
    const sides = await alternateRuns(
      plan.runs,
      (side, index) => runOnce(state, side === 'base' ? state.tree : root, runArgs, join(tmp, 'runs', `${side}-${index}`), labels[side]),
      ({ side, index, overall, total }) => progress(`run ${overall}/${total}: ${side} ${index} of ${plan.runs}, ${labels[side]}`),
    );
    const base = mergeResults(sides.base);
    const head = mergeResults(sides.head);
    progress(`${plan.runs} runs of each side done; comparing`);
    return { base, head, labels };
  } catch (error) {
    if (state.interrupted !== null) throw new AgainstInterrupted(state.interrupted);
    throw error;
  } finally {
    untrap();
    await cleanup(state);
  }
}

/**
 * A scratch copy of this checkout's HEAD with `patch` applied (git apply), built: `use` gets its
 * folder. For `rosetta calibrate --regressions`: a realistic regression measured as a change would
 * be. Throws AgainstError when the copy cannot be made, patched or built, and AgainstInterrupted on a
 * signal; the copy is removed either way.
 */
export async function inPatchedTree<T>(patch: string, label: string, use: (tree: string) => Promise<T>): Promise<T> {
  const root = gitLine(['rev-parse', '--show-toplevel'], process.cwd());
  if (root === null) throw new AgainstError(`a patched copy needs a git checkout; ${process.cwd()} is not inside one`);
  const sha = gitLine(['rev-parse', 'HEAD'], root);
  if (sha === null) throw new AgainstError(`${root} has no commit to copy`);
  const tmp = await mkdtemp(join(tmpdir(), 'rosetta-patched-'));
  const state: AgainstState = { root, tmp, tree: join(tmp, 'tree'), child: null, interrupted: null };
  const untrap = trapSignals(state);
  try {
    await step(state, 'git worktree add', 'git', ['worktree', 'add', '--detach', state.tree, sha], root);
    await provideNodeModules(state, sha, () => undefined);
    await step(state, `git apply ${patch}`, 'git', ['apply', patch], state.tree);
    await build(state, state.tree, label);
    return await use(state.tree);
  } catch (error) {
    if (state.interrupted !== null) throw new AgainstInterrupted(state.interrupted);
    throw error;
  } finally {
    untrap();
    await cleanup(state);
  }
}

/**
 * While `state`'s worktree exists: a first signal stops the running child and unwinds through the
 * caller's `finally`, which removes the worktree; a second one means "now": clean up synchronously
 * and leave. Returns the function that takes the handlers off again.
 */
function trapSignals(state: AgainstState, say?: (signal: NodeJS.Signals) => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.interrupted !== null) {
      cleanupSync(state);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    state.interrupted = signal;
    void state.child?.kill(signal);
    say?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * npm ci from an identical package-lock.json installs exactly the tree this checkout already has,
 * so linking it is as honest as installing and takes no time or network. Anything else installs.
 */
async function provideNodeModules(state: AgainstState, sha: string, progress: (message: string) => void): Promise<void> {
  const here = join(state.root, 'package-lock.json');
  const theirs = spawnSync('git', ['show', `${sha}:package-lock.json`], { cwd: state.root, maxBuffer: 256 * 1024 * 1024 });
  if (
    existsSync(here) &&
    existsSync(join(state.root, 'node_modules')) &&
    theirs.status === 0 &&
    Buffer.compare(await readFile(here), theirs.stdout) === 0
  ) {
    await symlink(join(state.root, 'node_modules'), join(state.tree, 'node_modules'), 'dir');
    progress('package-lock.json is identical: node_modules linked from this tree');
    return;
  }
  progress('package-lock.json differs: npm ci --prefer-offline in the worktree');
  await step(state, 'npm ci', 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], state.tree);
}

/** `tsc -p tsconfig.build.json` with the tree's own TypeScript (what `npx tsc` resolves to). */
async function build(state: AgainstState, dir: string, label: string): Promise<void> {
  if (!existsSync(join(dir, 'tsconfig.build.json'))) throw new AgainstError(`${label} has no tsconfig.build.json; cannot build it`);
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  await step(state, `tsc -p tsconfig.build.json in ${label}`, process.execPath, [tsc, '-p', 'tsconfig.build.json'], dir);
}

/** One `rosetta run` in a fresh process; its results.json is the contract. */
async function runOnce(state: AgainstState, dir: string, runArgs: readonly string[], out: string, label: string): Promise<Results> {
  // A ref from before the CLI had its own folder built its entry point under harness/.
  const cli = [join(dir, 'dist', 'cli', 'main.js'), join(dir, 'dist', 'harness', 'cli.js')].find((file) => existsSync(file)) ?? join(dir, 'dist', 'cli', 'main.js');
  const file = join(out, 'results.json');
  // `run` exits 1 when it recorded failures; its results.json still holds them and they show up
  // as warnings in the comparison. Any other exit, or no results.json, makes the run unusable.
  const result = await exec(state, process.execPath, [cli, ...runArgs, '--out', out], dir);
  if ((result.code !== 0 && result.code !== 1) || !existsSync(file)) {
    throw new AgainstError(
      `rosetta run of ${label} failed (${result.signal ?? `exit ${result.code}`}${existsSync(file) ? '' : ', no results.json'}):\n${result.tail}`,
    );
  }
  try {
    return parseResults(await readFile(file, 'utf8'), `${label}: ${file}`);
  } catch (error) {
    throw new AgainstError(describeInputError(file, error));
  }
}

async function step(state: AgainstState, what: string, cmd: string, args: readonly string[], cwd: string): Promise<void> {
  const result = await exec(state, cmd, args, cwd);
  if (result.code !== 0) throw new AgainstError(`${what} failed (${result.signal ?? `exit ${result.code}`}):\n${result.tail}`);
}

interface ExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last few KiB of stdout and stderr together: enough to see why it failed. */
  readonly tail: string;
}

const TAIL_BYTES = 4096;

async function exec(state: AgainstState, cmd: string, args: readonly string[], cwd: string): Promise<ExecResult> {
  if (state.interrupted !== null) throw new AgainstError(`interrupted before ${cmd}`);
  // Not a process group of its own: a terminal's Ctrl-C reaches the run as well as this process.
  const child = startProcess({ label: cmd, command: cmd, args, cwd, stdout: 'tail', tailBytes: TAIL_BYTES });
  state.child = child;
  const exit = await child.exited;
  state.child = null;
  if (exit.startError !== undefined) throw new AgainstError(`cannot start ${cmd}: ${exit.startError}`);
  return { code: exit.code, signal: exit.signal, tail: child.tail().trimEnd() };
}

/** Removes the worktree, its registration and the temporary folder; never throws. */
async function cleanup(state: AgainstState): Promise<void> {
  await startProcess({ label: 'git worktree remove', command: 'git', args: ['worktree', 'remove', '--force', state.tree], cwd: state.root }).exited;
  // rm does not follow the node_modules symlink: it unlinks it, leaving this tree's modules alone.
  await rm(state.tmp, { recursive: true, force: true }).catch(() => undefined);
  spawnSync('git', ['worktree', 'prune'], { cwd: state.root, stdio: 'ignore' });
}

function cleanupSync(state: AgainstState): void {
  void state.child?.kill();
  spawnSync('git', ['worktree', 'remove', '--force', state.tree], { cwd: state.root, stdio: 'ignore' });
  rmSync(state.tmp, { recursive: true, force: true });
  spawnSync('git', ['worktree', 'prune'], { cwd: state.root, stdio: 'ignore' });
}

/** The trimmed first line of a git command's output, or null when git fails. */
function gitLine(args: readonly string[], cwd: string): string | null {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) return null;
  return result.stdout.trim();
}

function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
