// `rosetta export` as the example workflow calls it: files written per direction, exit 2 on unusable
// input or an empty export (the action would reject it), and flag errors that say what is accepted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { testMetric, testResults } from '../../test/results-fixture.js';
import { command } from './export.js';
import { captureOutput } from '../../test/support/capture-output.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-export-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESULTS = testResults([testMetric('echo.rps', 'higher', [90, 100, 110], { ci95: [75.2, 124.8] })]);
const input = join(dir, 'results.json');
writeFileSync(input, JSON.stringify(RESULTS));

const output = captureOutput();

describe('rosetta export', () => {
  it('writes the higher-is-better file, creating its folder', async () => {
    const out = join(dir, 'nested', 'bench-higher.json');
    expect(await command.run(['--in', input, '--format', 'github-action-benchmark', '--direction', 'higher', '--out', out])).toBe(0);
    const entries = JSON.parse(readFileSync(out, 'utf8')) as { name: string; value: number; range: string }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: 'echo.rps style=callbacks', value: 100, range: '± 24.8', unit: 'req/s' });
    expect(output.stderr).toMatch(/1 metrics for tool customBiggerIsBetter -> .*bench-higher\.json/);
    expect(output.stdout).toBe('');
  });

  it('writes to standard output without --out', async () => {
    expect(await command.run(['--in', input, '--direction', 'higher'])).toBe(0);
    expect((JSON.parse(output.stdout) as unknown[]).length).toBe(1);
  });

  it('exits 2 when no metric has the direction, since the action rejects an empty file', async () => {
    expect(await command.run(['--in', input, '--direction', 'lower', '--out', join(dir, 'lower.json')])).toBe(2);
    expect(output.stderr).toMatch(/has no lower-is-better metric of kind absolute or ratio with samples; nothing to export/);
  });

  it('exits 2 with one line naming a missing or invalid file', async () => {
    expect(await command.run(['--in', join(dir, 'missing.json'), '--direction', 'higher'])).toBe(2);
    expect(output.stderr).toMatch(/^rosetta export: .*missing\.json: no such file\n$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...RESULTS, tool: 'other' }));
    output.stderr = '';
    expect(await command.run(['--in', bad, '--direction', 'higher'])).toBe(2);
    expect(output.stderr).toMatch(/bad\.json: tool is not "async-rosetta"/);
  });

  const usage: [string[], RegExp][] = [
    [['--direction', 'higher'], /--in is required/],
    [['--in', 'x.json'], /--direction is required \(higher or lower\).*customBiggerIsBetter or customSmallerIsBetter/],
    [['--in', 'x.json', '--direction', 'up'], /--direction got "up"; expected one of: higher, lower/],
    [['--in', 'x.json', '--direction', 'higher', '--format', 'csv'], /--format got "csv"; expected one of: github-action-benchmark/],
    [['--in', 'x.json', '--direction', 'higher', 'extra'], /unexpected argument "extra"/],
  ];
  it.each(usage)('refuses %j', async (argv, message) => {
    const run = command.run(argv);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});
