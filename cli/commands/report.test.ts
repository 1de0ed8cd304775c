// `rosetta report` as a user meets it: the files it writes and how long it took on standard output,
// and exit 2 with one line naming what is wrong for a missing file, a file of another schema
// version, a file with a missing field, and a missing --in.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { command } from './report.js';
import { testResults } from '../../test/results-fixture.js';
import { captureOutput } from '../../test/support/capture-output.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-report-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const output = captureOutput();

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('rosetta report', () => {
  it('renders a results file and prints the files written and the time it took', async () => {
    const input = file('ok.json', JSON.stringify(testResults([])));
    const out = join(dir, 'out');
    expect(await command.run(['--in', input, '--out', out])).toBe(0);
    const lines = output.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/\/out\/index\.html {2}[\d.,]+ KiB$/);
    expect(lines[1]).toMatch(/\/out\/report\.md {2}[\d.,]+ (?:B|KiB)$/);
    expect(lines[2]).toMatch(/\/out\/results\.json {2}[\d.,]+ (?:B|KiB)$/);
    expect(lines[3]).toMatch(/^rendered 3 files in \d+ ms$/);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(testResults([]));
  });

  it('exits 2 naming the path when the file does not exist', async () => {
    const missing = join(dir, 'nope', 'results.json');
    expect(await command.run(['--in', missing, '--out', join(dir, 'x')])).toBe(2);
    expect(output.stderr).toBe(`rosetta report: ${missing}: no such file\n`);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('exits 2 naming the schema version it found and the one it reads', async () => {
    const input = file('v2.json', JSON.stringify({ ...testResults([]), schemaVersion: 2 }));
    expect(await command.run(['--in', input])).toBe(2);
    expect(output.stderr).toBe(`rosetta report: ${input}: schemaVersion is 2; this kit reads version 1\n`);
  });

  it('exits 2 naming a missing field', async () => {
    const results = testResults([]);
    const { cores: _cores, ...environment } = results.environment;
    const input = file('no-cores.json', JSON.stringify({ ...results, environment }));
    expect(await command.run(['--in', input])).toBe(2);
    expect(output.stderr).toBe(`rosetta report: ${input}: environment.cores is missing\n`);
  });

  it('exits 2 on a file that is not JSON', async () => {
    const input = file('broken.json', '{"schemaVersion": 1,');
    expect(await command.run(['--in', input])).toBe(2);
    expect(output.stderr).toMatch(new RegExp(`^rosetta report: ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\(.+\\)\\n$`));
  });

  it('needs --in, and says so', async () => {
    await expect(command.run([])).rejects.toThrow(UsageError);
    await expect(command.run([])).rejects.toThrow(/--in is required/);
  });
});
