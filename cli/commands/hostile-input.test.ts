// Bad input to the commands (issue 15): each case is one UsageError line (exit 2) before anything is
// written or measured, and an --out that cannot be used is named as such.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../../test/results-fixture.js';
import { captureOutput } from '../../test/support/capture-output.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { command as exportCommand } from './export.js';
import { MAX_MERGED_SAMPLES, command as merge } from './merge.js';
import { command as report } from './report.js';
import { command as repos } from './repos.js';
import { command as run } from './run.js';
import { command as styles } from './styles.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-hostile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const output = captureOutput();

function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function usageError(command: Command, argv: readonly string[]): Promise<string> {
  // Some commands throw before their first await: run them inside a promise either way.
  const error: unknown = await Promise.resolve().then(() => command.run(argv)).then(
    (code) => new Error(`expected a UsageError, got exit ${code}`),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

const A = write('a.json', testResults([testMetric('echo.rps', 'higher', [1, 2, 3])], { commit: 'aaaa', dirty: false }));
const aFile = write('afile', 'not a folder');

describe('hostile input to the commands', () => {
  it('rejects stray positionals', async () => {
    expect(await usageError(run, ['extra', '--out', join(dir, 'never')])).toContain('unexpected argument "extra"');
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(await usageError(styles, ['extra'])).toContain('unexpected argument');
    expect(await usageError(repos, ['--style', 'callbacks', 'extra'])).toContain('unexpected argument');
  });

  it('names an --out that is a file or a folder, before doing any work', async () => {
    expect(await usageError(run, ['--out', aFile])).toContain('--out');
    expect(await usageError(report, ['--in', A, '--out', aFile])).toContain('is a file');
    expect(await usageError(merge, [A, A, '--out', aFile])).toContain('is a file');
    expect(await usageError(exportCommand, ['--in', A, '--direction', 'higher', '--out', dir])).toContain('is a folder');
  });

  it('refuses to merge runs of different commits or dirty trees unless --force', async () => {
    const b = write('b.json', testResults([testMetric('echo.rps', 'higher', [4])], { commit: 'bbbb', dirty: false }));
    const dirty = write('dirty.json', testResults([testMetric('echo.rps', 'higher', [4])], { commit: 'aaaa', dirty: true }));
    expect(await usageError(merge, [A, b, '--out', join(dir, 'm1')])).toContain('commit bbbb vs aaaa');
    expect(await usageError(merge, [A, dirty, '--out', join(dir, 'm2')])).toContain('dirty tree');
    expect(await merge.run([A, b, '--out', join(dir, 'm3'), '--force'])).toBe(0);
    expect(readdirSync(join(dir, 'm3'))).toEqual(['results.json']);
  });

  it('refuses a merge past MAX_MERGED_SAMPLES samples per metric, without overflowing the stack', async () => {
    const metric = { ...testMetric('echo.rps', 'higher', [1]), samples: new Array<number>(MAX_MERGED_SAMPLES).fill(1) };
    const many = testResults([metric], { commit: 'aaaa' });
    const big = write('big.json', many);
    expect(await usageError(merge, [big, A, '--out', join(dir, 'm4')])).toContain(`at most ${MAX_MERGED_SAMPLES}`);
  });

  it('reports a sample of 1e999 as one line, exit 2, and writes nothing', async () => {
    const text = JSON.stringify(testResults([testMetric('echo.rps', 'higher', [1, 2, 3])])).replace('"samples":[1,', '"samples":[1e999,');
    const infinite = write('infinite.json', text);
    const out = join(dir, 'never-report');
    mkdirSync(out);
    expect(await report.run(['--in', infinite, '--out', out])).toBe(2);
    expect(output.stderr).toMatch(/metrics\[0\]\.samples\[0\] is too large.*finite/);
    expect(readdirSync(out)).toEqual([]);
  });
});
