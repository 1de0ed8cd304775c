// `rosetta compare` as a user meets it: exit codes 0/1/2 on real files, one-line messages for bad
// input, flag errors, and --against (cli/against.ts) as the command runs it: the worktree removed on
// failure and on SIGINT.
// The end-to-end A/B run needs `rosetta run` in this tree and at HEAD; it runs as soon as both exist.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { type Results } from '../../harness/schema.js';
import { testMetric as metric, testResults as results } from '../../test/results-fixture.js';
import { command } from './compare.js';
import { captureOutput } from '../../test/support/capture-output.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-compare-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(content: string | Results): string {
  const path = join(dir, `f${++count}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const steady = file(results([metric('echo.rps', 'higher', [1000, 1010, 990, 1005, 995]), metric('echo.p99', 'lower', [2, 2.1, 1.9])]));
const slower = file(results([metric('echo.rps', 'higher', [800, 808, 792, 804, 796]), metric('echo.p99', 'lower', [2, 2.1, 1.9])]));
const faster = file(results([metric('echo.rps', 'higher', [1200, 1212, 1188, 1206, 1194]), metric('echo.p99', 'lower', [1, 1.05, 0.95])]));

const output = captureOutput();

describe('rosetta compare <base> <head>: exit codes', () => {
  it('exits 0 when nothing changed', async () => {
    expect(await command.run([steady, steady])).toBe(0);
    // The p99 row has 3 samples with ±5% noise: too few to rule out a 5% change either way.
    expect(output.stdout).toMatch(/0 regressions, 0 improvements, 1 same, 1 inconclusive, 0 untested/);
  });

  it('exits 1 on a regression and names it', async () => {
    expect(await command.run([steady, slower])).toBe(1);
    expect(output.stdout).toMatch(/echo\.rps style=callbacks .*-20\.00%.*regression/);
  });

  it('exits 0 on improvements only', async () => {
    expect(await command.run([steady, faster, '--format', 'json'])).toBe(0);
    const parsed = JSON.parse(output.stdout) as { counts: Record<string, number> };
    expect(parsed.counts).toEqual({ regression: 0, improvement: 2, same: 0, inconclusive: 0, untested: 0, 'not gated': 0 });
  });

  it('honours --threshold: a 20% drop is not a regression at a 25% threshold', async () => {
    expect(await command.run([steady, slower, '--threshold', '25'])).toBe(0);
  });

  it('honours --kind and --filter', async () => {
    expect(await command.run([steady, slower, '--kind', 'ratio'])).toBe(0);
    expect(output.stdout).toMatch(/no metric is present on both sides/);
    expect(await command.run([steady, slower, '--filter', 'p99'])).toBe(0);
  });

  it('exits 1 when head lost a metric that base has, or recorded a failure; --allow-missing accepts both', async () => {
    const lost = file(results([metric('echo.rps', 'higher', [1000, 1010, 990, 1005, 995])]));
    expect(await command.run([steady, lost])).toBe(1);
    expect(output.stderr).toMatch(/^rosetta compare: head lacks 1 metric that base has \(first: echo\.p99 style=callbacks\)/);
    expect(await command.run([steady, lost, '--allow-missing'])).toBe(0);
    const crashed = file(
      results([metric('echo.rps', 'higher', [1000, 1010, 990, 1005, 995]), metric('echo.p99', 'lower', [2, 2.1, 1.9])], {}, {
        failures: [{ what: 'echo.cost style=rxjs', reason: 'crashed', message: 'exit 1', stderrTail: '' }],
      }),
    );
    expect(await command.run([steady, crashed])).toBe(1);
    expect(output.stderr).toMatch(/head recorded 1 failure \(first: echo\.cost style=rxjs: crashed\)/);
    expect(await command.run([steady, crashed, '--allow-missing'])).toBe(0);
  });

  it('renders Markdown with --format md', async () => {
    expect(await command.run([steady, slower, '--format', 'md'])).toBe(1);
    expect(output.stdout).toMatch(/^## async-rosetta comparison: /);
  });
});

describe('rosetta compare: unusable input exits 2 with one line naming the file', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'nope.json'), /nope\.json: no such file/],
    ['a directory', () => dir, /is a directory/],
    ['text that is not JSON', () => file('{ "schemaVersion": '), /f\d+\.json: not JSON/],
    ['another schema version', () => file(JSON.stringify({ ...results([]), schemaVersion: 2 })), /schemaVersion is 2; this kit reads version 1/],
    ['a metric without samples', () => file(JSON.stringify({ ...results([]), metrics: [{ ...metric('x', 'higher', [1]), samples: 'many' }] })), /metrics\[0\]\.samples must be an array of numbers/],
    ['an id measured twice', () => file(results([metric('x', 'higher', [1, 2]), metric('x', 'higher', [1, 2])])), /f\d+\.json: metric id "x\|style=callbacks" appears twice/],
  ];
  it.each(cases)('%s', async (_what, make, message) => {
    const bad = make();
    expect(await command.run([steady, bad])).toBe(2);
    expect(output.stderr).toMatch(message);
    expect(output.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(output.stderr).toMatch(/^rosetta compare: /);
    expect(output.stdout).toBe('');
    // The same file as base is just as unusable.
    expect(await command.run([bad, steady])).toBe(2);
  });
});

describe('rosetta compare: flag errors are UsageErrors naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [[], /expected two files, <base\.json> <head\.json> \(got 0\)/],
    [['a.json'], /\(got 1\)/],
    [['a.json', 'b.json', 'c.json'], /\(got 3\)/],
    [['a.json', 'b.json', '--threshold', '-1'], /--threshold got "-1"; expected a number from 0 up/],
    [['a.json', 'b.json', '--alpha', '2'], /--alpha got "2"; expected a number from 0 to 1/],
    [['a.json', 'b.json', '--format', 'html'], /--format got "html"; expected one of: text, md, json/],
    [['a.json', 'b.json', '--kind', 'relative'], /--kind got "relative"; expected one of: ratio, absolute, all/],
    [['a.json', 'b.json', '--filter', '('], /--filter got "\("; expected a regular expression/],
    [['a.json', 'b.json', '--runs', '3'], /--runs only applies with --against/],
    [['a.json', 'b.json', '--quick'], /--quick only applies with --against/],
    [['--against', 'HEAD', '--runs', '1'], /--runs got "1"; expected a whole number from 2 to 100/],
    [['--against', 'HEAD', 'a.json'], /--against compares this tree with HEAD; it takes no files/],
    [['a.json', 'b.json', '--bogus'], /unknown flag --bogus/],
  ];
  it.each(cases)('%j', async (argv, message) => {
    const run = command.run(argv);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});

// --against: real git worktrees of this repository.
const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();

/**
 * A commit that fails to build at once: HEAD with a tsconfig.build.json whose `files` list is empty
 * (error TS18002: tsc stops before reading a source; a missing `extends` still compiled everything).
 * Made with git's plumbing on an index of its own: an unreachable commit object, no branch, the
 * working tree and the real index untouched. Its package-lock.json is HEAD's, so the worktree links
 * node_modules instead of installing (an `npm ci` would cost each test about 20 s).
 */
function unbuildableCommit(): string {
  const identity = { GIT_AUTHOR_NAME: 'rosetta test', GIT_AUTHOR_EMAIL: 'test@invalid', GIT_COMMITTER_NAME: 'rosetta test', GIT_COMMITTER_EMAIL: 'test@invalid' };
  const env = { ...process.env, ...identity, GIT_INDEX_FILE: join(dir, 'unbuildable.index') };
  const plumbing = (args: readonly string[], input?: string): string => {
    const result = spawnSync('git', args, { env, encoding: 'utf8', input });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  plumbing(['read-tree', 'HEAD']);
  const blob = plumbing(['hash-object', '-w', '--stdin'], '{ "files": [] }\n');
  plumbing(['update-index', '--add', '--cacheinfo', `100644,${blob},tsconfig.build.json`]);
  return plumbing(['commit-tree', plumbing(['write-tree']), '-p', 'HEAD', '-m', 'test: a tree whose build fails at once']);
}
const worktrees = (): string[] => git('worktree', 'list', '--porcelain').split('\n').filter((line) => line.includes('rosetta-against-'));
const tempTrees = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('rosetta-against-'));

describe('rosetta compare --against', () => {
  it('exits 2 on a ref that is not a commit, before creating anything', async () => {
    const before = tempTrees();
    expect(await command.run(['--against', 'no-such-ref-anywhere'])).toBe(2);
    expect(output.stderr).toMatch(/--against got "no-such-ref-anywhere"; expected a branch, tag or commit/);
    expect(tempTrees()).toEqual(before);
  });

  it('removes the worktree when the other ref fails to build', { timeout: 180_000 }, async () => {
    const before = tempTrees();
    expect(await command.run(['--against', unbuildableCommit(), '--runs', '2', '--quick'])).toBe(2);
    expect(output.stderr).toMatch(/checking out .* in .*rosetta-against-/);
    expect(output.stderr).toContain('package-lock.json is identical: node_modules linked from this tree');
    expect(output.stderr).toMatch(/tsc -p tsconfig.build.json in .* failed \(exit \d+\)/);
    expect(worktrees()).toEqual([]);
    expect(tempTrees()).toEqual(before);
  });

  it('removes the worktree on SIGINT, stopping the running child, and exits 130', { timeout: 180_000 }, async () => {
    const before = tempTrees();
    const existing = new Set(process.listeners('SIGINT'));
    let sent = false;
    // Deliver SIGINT to the command's own handler (not vitest's) while tsc builds HEAD in the worktree.
    output.onStderr = (text) => {
      if (sent || !text.includes('building')) return;
      sent = true;
      setTimeout(() => {
        for (const listener of process.listeners('SIGINT')) if (!existing.has(listener)) listener('SIGINT');
      }, 300);
    };
    expect(await command.run(['--against', 'HEAD', '--runs', '2'])).toBe(130);
    expect(output.stderr).toMatch(/interrupted by SIGINT; no comparison/);
    expect(worktrees()).toEqual([]);
    expect(tempTrees()).toEqual(before);
    expect(process.listeners('SIGINT').filter((listener) => !existing.has(listener))).toEqual([]);
  });
});

// Needs `rosetta run` in this tree and in HEAD (the ref it compares against).
const runAvailable =
  existsSync('cli/commands/run.ts') &&
  ['HEAD:cli/commands/run.ts', 'HEAD:harness/commands/run.ts'].some((object) => spawnSync('git', ['cat-file', '-e', object]).status === 0);

describe.runIf(runAvailable)('rosetta compare --against HEAD (end to end, needs `rosetta run`)', () => {
  // A narrow slice (micro costs of one style and its reference) keeps this under a minute; the whole
  // quick run is what CI's gate runs. A threshold no change can pass makes the verdict known: the
  // same tree twice exits 0 unless a run failed or lost a metric, which is what this test would catch.
  it('builds HEAD, alternates two quick runs per side and prints a comparison', { timeout: 300_000 }, async () => {
    const code = await command.run([
      '--against', 'HEAD', '--runs', '2', '--quick', '--scenario', 'micro', '--style', 'async-await', '--format', 'json', '--threshold', '1000000',
    ]);
    expect(output.stderr).toMatch(/run 4\/4: head 2 of 2/);
    expect(code).toBe(0);
    const comparison = JSON.parse(output.stdout) as { rows: { base: { n: number } }[] };
    expect(comparison.rows.length).toBeGreaterThan(0);
    expect(comparison.rows.every((row) => row.base.n >= 2)).toBe(true);
    expect(worktrees()).toEqual([]);
  });
});
