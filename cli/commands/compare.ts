// `rosetta compare`: the regression gate. Either two results.json files, or this tree against another
// git ref built in a temporary worktree, both run alternately (A B A B ...) on this machine so that
// drift (thermal, other load) falls on both sides alike. Exit 1 on a regression, 2 on unusable input.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagBoolean, flagNumber, flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { startProcess, type WatchedProcess } from '../../harness/processes/watch.js';
import { parseResults, ResultsError, type Results } from '../../harness/schema.js';
import { compareResults } from '../../reports/compare.js';
import { CompareInputError, DEFAULT_ALPHA, DEFAULT_THRESHOLD, type CompareOptions, type Comparison, type ComparisonFormat, type MetricKind } from '../../reports/comparison.js';
import { displayName, formatComparison } from '../../reports/compare-format.js';
import { mergeResults, MergeError } from '../../harness/merge.js';

const DEFAULT_RUNS = 5;

const SPECS: FlagSpecs = {
  threshold: {
    kind: 'number',
    min: 0,
    metavar: 'PCT',
    help: `a regression must be worse than this many percent of the base mean (default ${DEFAULT_THRESHOLD})`,
  },
  alpha: {
    kind: 'number',
    min: 0,
    max: 1,
    metavar: 'A',
    help: `family-wise significance level: Holm-adjusted p-values are held against it (default ${DEFAULT_ALPHA})`,
  },
  'allow-missing': {
    kind: 'boolean',
    help: 'do not fail when head lacks metrics that base has, or recorded failures (default: exit 1 for either)',
  },
  kind: { kind: 'string', choices: ['ratio', 'absolute', 'all'], metavar: 'KIND', help: 'absolute figures, ratios to the in-run reference, or both (default all)' },
  'across-node': {
    kind: 'boolean',
    help: 'the files are one machine\'s runtimes (the node-<major>/results.json of one `run --node`): compare absolute figures across Node majors too',
  },
  format: { kind: 'string', choices: ['text', 'md', 'json'], metavar: 'FORMAT', help: 'output format (default text)' },
  filter: { kind: 'string', metavar: 'REGEX', help: 'compare only the metrics whose id matches' },
  against: { kind: 'string', metavar: 'GIT-REF', help: 'build GIT-REF in a temporary worktree and compare this tree against it' },
  runs: { kind: 'int', min: 2, max: 100, metavar: 'N', help: `with --against: runs of each side, alternated (default ${DEFAULT_RUNS})` },
  quick: { kind: 'boolean', help: 'with --against: pass --quick to every run' },
  scenario: { kind: 'string', metavar: 'LIST', help: 'with --against: pass --scenario LIST to every run (default: all)' },
  style: { kind: 'string', metavar: 'LIST', help: 'with --against: pass --style LIST to every run (default: all)' },
};

const USAGE =
  'rosetta compare <base.json> <head.json> [--threshold PCT] [--alpha A] [--kind ratio|absolute|all] [--format text|md|json] [--filter REGEX]\n' +
  '       rosetta compare --against <git-ref> [--runs N] [--quick] [--scenario LIST] [--style LIST] [same options]';

export const command: Command = {
  summary: 'compare two results (or this tree against a git ref) on the log scale with Holm; exit 1 on a regression',
  help: helpText(
    USAGE,
    'Per metric: the change of the geometric mean (head / base) over independent units (a fresh process pair\n' +
      'each; repeats that shared a process are averaged per run), its 95% interval, the test that decided\n' +
      "(Welch's t on log values, or Mann-Whitney U where the logs are skewed), the raw and Holm-adjusted\n" +
      'p-values, stars (* p<0.05, ** p<0.01, *** p<0.001), the smallest change the row could detect, and a verdict:\n' +
      'regression/improvement (Holm p < --alpha and beyond --threshold), same, inconclusive (not significant,\n' +
      'but the interval reaches beyond the threshold), untested (fewer than 2 units; an absolute figure from\n' +
      'another machine class: CPU, cores, pinning, platform, or Node major unless --across-node). With --against,\n' +
      'each side runs `rosetta run` N times, alternated; the runs are merged per side.\n' +
      'Exit codes: 0 no regression, 1 a regression, or head lacks metrics of base or recorded failures (unless\n' +
      '--allow-missing), 2 unusable input, 130 interrupted.',
    SPECS,
  ),
  async run(argv) {
    const args = parseArgs('compare', argv, SPECS);
    const options: CompareOptions = {
      threshold: flagNumber(args, 'threshold') ?? DEFAULT_THRESHOLD,
      alpha: flagNumber(args, 'alpha') ?? DEFAULT_ALPHA,
      kinds: kindsFor(flagString(args, 'kind') ?? 'all'),
      ...filterFor(flagString(args, 'filter')),
      acrossNode: flagBoolean(args, 'across-node'),
    };
    const format = (flagString(args, 'format') ?? 'text') as ComparisonFormat;
    const allowMissing = flagBoolean(args, 'allow-missing');
    const against = flagString(args, 'against');

    if (against === undefined) {
      for (const flag of ['runs', 'quick', 'scenario', 'style'] as const) {
        if (args.flags.has(flag)) throw new UsageError(`rosetta compare: --${flag} only applies with --against <git-ref>`);
      }
      if (args.positionals.length !== 2) {
        throw new UsageError(
          `rosetta compare: expected two files, <base.json> <head.json> (got ${args.positionals.length}), or --against <git-ref>`,
        );
      }
      const [baseFile, headFile] = args.positionals as [string, string];
      const base = await readResults(baseFile);
      if (typeof base === 'string') return fail(base);
      const head = await readResults(headFile);
      if (typeof head === 'string') return fail(head);
      return report(base, head, { ...options, labels: { base: baseFile, head: headFile } }, format, { base: baseFile, head: headFile }, allowMissing);
    }

    if (args.positionals.length > 0) {
      throw new UsageError(
        `rosetta compare: --against compares this tree with ${against}; it takes no files (got ${JSON.stringify(args.positionals[0])})`,
      );
    }
    return compareAgainst(against, {
      runs: flagNumber(args, 'runs') ?? DEFAULT_RUNS,
      quick: flagBoolean(args, 'quick'),
      // Checked by each side's own `rosetta run`, which names the bad value and exits 2.
      runFlags: (['scenario', 'style'] as const).flatMap((flag) => {
        const value = flagString(args, flag);
        return value === undefined ? [] : [`--${flag}`, value];
      }),
      options,
      format,
      allowMissing,
    });
  },
};

/** The --kind flag as the list of kinds it keeps. */
export function kindsFor(kind: string): MetricKind[] {
  return kind === 'all' ? ['absolute', 'ratio'] : [kind as MetricKind];
}

function filterFor(source: string | undefined): { filter?: RegExp } {
  if (source === undefined) return {};
  try {
    return { filter: new RegExp(source) };
  } catch (error) {
    throw new UsageError(`rosetta compare: --filter got ${JSON.stringify(source)}; expected a regular expression (${(error as Error).message})`);
  }
}

function fail(message: string): number {
  process.stderr.write(`rosetta compare: ${message}\n`);
  return 2;
}

function report(
  base: Results,
  head: Results,
  options: CompareOptions,
  format: ComparisonFormat,
  files: { readonly base: string; readonly head: string },
  allowMissing: boolean,
): number {
  let comparison;
  try {
    comparison = compareResults(base, head, options);
  } catch (error) {
    if (error instanceof CompareInputError) return fail(`${files[error.side]}: ${error.message}`);
    throw error;
  }
  process.stdout.write(formatComparison(comparison, format));
  return exitFor(comparison, head, allowMissing, 'rosetta compare');
}

/**
 * The exit code of a comparison: 1 on a regression, and (unless allowed) when head lost metrics
 * that base has or recorded failures: a style that crashed fails the gate, it is not a warning.
 * Says why on stderr, one line each.
 */
export function exitFor(comparison: Comparison, head: Results, allowMissing: boolean, who: string): number {
  const lost = allowMissing ? [] : comparison.onlyInBase;
  const failed = allowMissing ? [] : head.failures;
  if (lost.length > 0) {
    process.stderr.write(`${who}: head lacks ${lost.length} metric${lost.length === 1 ? '' : 's'} that base has (first: ${displayName(lost[0] as string)}); --allow-missing to accept\n`);
  }
  if (failed.length > 0) {
    process.stderr.write(`${who}: head recorded ${failed.length} failure${failed.length === 1 ? '' : 's'} (first: ${failed[0]?.what}: ${failed[0]?.reason}); --allow-missing to accept\n`);
  }
  return comparison.counts.regression > 0 || lost.length > 0 || failed.length > 0 ? 1 : 0;
}

/** Reads and validates one results.json; a string is the one-line reason it cannot be used. */
async function readResults(file: string): Promise<Results | string> {
  try {
    return parseResults(await readFile(file, 'utf8'), file);
  } catch (error) {
    return describeInputError(file, error);
  }
}

/** One line naming the file and what is wrong with it (shared with `rosetta export`). */
export function describeInputError(file: string, error: unknown): string {
  if (error instanceof ResultsError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: no such file`;
  if (code === 'EISDIR') return `${file}: is a directory, expected a results.json file`;
  if (code === 'EACCES') return `${file}: permission denied`;
  return `${file}: ${error instanceof Error ? error.message : String(error)}`;
}

// ---------------------------------------------------------------------------------------------
// --against: A/B runs of two trees on one machine.

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
class AgainstError extends Error {
  override readonly name = 'AgainstError';
}

interface AgainstState {
  readonly root: string;
  readonly tmp: string;
  readonly tree: string;
  child: WatchedProcess | null;
  interrupted: NodeJS.Signals | null;
}

interface AgainstPlan {
  readonly runs: number;
  readonly quick: boolean;
  /** Passed through to every `rosetta run` (--scenario, --style). */
  readonly runFlags: readonly string[];
  readonly options: CompareOptions;
  readonly format: ComparisonFormat;
  readonly allowMissing: boolean;
}

async function compareAgainst(ref: string, plan: AgainstPlan): Promise<number> {
  const started = Date.now();
  const progress = (message: string): void => {
    process.stderr.write(`rosetta compare: ${message} [${elapsed(Date.now() - started)}]\n`);
  };
  const root = gitLine(['rev-parse', '--show-toplevel'], process.cwd());
  if (root === null) return fail(`--against needs a git checkout; ${process.cwd()} is not inside one`);
  const sha = gitLine(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root);
  if (sha === null) return fail(`--against got ${JSON.stringify(ref)}; expected a branch, tag or commit of ${root}`);
  const headSha = gitLine(['rev-parse', 'HEAD'], root);
  const dirty = (gitLine(['status', '--porcelain'], root) ?? '') !== '';
  const labels = {
    base: `${ref} (${sha.slice(0, 10)})`,
    head: `this tree (${headSha === null ? 'no commit' : headSha.slice(0, 10)}${dirty ? ' + uncommitted changes' : ''})`,
  };

  const tmp = await mkdtemp(join(tmpdir(), 'rosetta-against-'));
  const state: AgainstState = { root, tmp, tree: join(tmp, 'tree'), child: null, interrupted: null };
  // First signal: stop the running child and unwind through `finally`, which removes the worktree.
  // A second one means "now": clean up synchronously and leave.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.interrupted !== null) {
      cleanupSync(state);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    state.interrupted = signal;
    void state.child?.kill(signal);
    process.stderr.write(`\nrosetta compare: ${signal}: stopping and removing the worktree (again to force)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
    return report(base, head, { ...plan.options, labels }, plan.format, labels, plan.allowMissing);
  } catch (error) {
    if (state.interrupted !== null) {
      process.stderr.write(`rosetta compare: interrupted by ${state.interrupted}; no comparison\n`);
      return state.interrupted === 'SIGINT' ? 130 : 143;
    }
    if (error instanceof AgainstError || error instanceof MergeError) return fail(error.message);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup(state);
  }
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
