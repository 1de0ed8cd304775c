// `rosetta gate --head FILE` as CI's gate judges a measurement: the gate's metrics only, exit 0 when
// nothing moved, 1 when a gated metric regressed or went missing, 2 on unusable input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { testMetric as metric, testResults as results } from '../../test/results-fixture.js';
import type { Results } from '../../harness/schema.js';
import { captureOutput } from '../../test/support/capture-output.js';
import { command } from './gate.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-gate-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function file(content: Results): string {
  const path = join(dir, `g${++count}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const cell = { size: 1024, connections: 1 };
const around = (centre: number): number[] => [1, 1.01, 0.99, 1.005, 0.995, 1.002].map((x) => x * centre);
const side = (cpuRatio: number, more: ReturnType<typeof metric>[] = []): Results =>
  results([
    metric('echo.instructions_per_req.ratio', 'lower', around(cpuRatio), { style: 'rxjs', params: cell, kind: 'ratio', unit: 'x baseline' }),
    metric('echo.rps', 'higher', around(1000), { style: 'rxjs', params: cell }),
    ...more,
  ]);

const output = captureOutput();

describe('rosetta gate --head', () => {
  it('passes when the gated metrics did not move, and reads only the gated ones', async () => {
    expect(await command.run(['--baseline', file(side(1.2)), '--head', file(side(1.2))])).toBe(0);
    expect(output.stdout).toMatch(/echo\.instructions_per_req\.ratio style=rxjs/);
    expect(output.stdout).not.toMatch(/echo\.rps style=rxjs/);
  });

  it('fails on a gated regression', async () => {
    expect(await command.run(['--baseline', file(side(1.2)), '--head', file(side(1.5))])).toBe(1);
    expect(output.stdout).toMatch(/regression/);
  });

  it('fails when the head lost a gated metric the baseline has', async () => {
    const extra = metric('memory.echo_idle.bytes_per_conn.ratio', 'lower', around(2), { style: 'rxjs', kind: 'ratio', unit: 'x baseline' });
    expect(await command.run(['--baseline', file(side(1.2, [extra])), '--head', file(side(1.2))])).toBe(1);
    expect(output.stderr).toMatch(/rosetta gate: head lacks 1 metric that base has \(first: memory\.echo_idle\.bytes_per_conn\.ratio style=rxjs\)/);
  });

  it('refuses a missing baseline with one line naming it, and stray arguments', async () => {
    await expect(command.run(['--baseline', join(dir, 'nope.json'), '--head', file(side(1))])).rejects.toThrow(UsageError);
    await expect(command.run(['--baseline', join(dir, 'nope.json'), '--head', file(side(1))])).rejects.toThrow(/nope\.json: no such file/);
    await expect(command.run(['extra'])).rejects.toThrow(/takes no positional arguments/);
  });

  it('prints memory per active connection but does not fail on it: it is not gated', async () => {
    const active = (centre: number): ReturnType<typeof metric> =>
      metric('memory.echo_active.bytes_per_conn.ratio', 'lower', around(centre), { style: 'rxjs', kind: 'ratio', unit: 'x baseline' });
    expect(await command.run(['--baseline', file(side(1.2, [active(2)])), '--head', file(side(1.2, [active(4)]))])).toBe(0);
    expect(output.stdout).toMatch(/memory\.echo_active\.bytes_per_conn\.ratio style=rxjs .*not gated: /);
    // Losing it does not fail the gate either.
    expect(await command.run(['--baseline', file(side(1.2, [active(2)])), '--head', file(side(1.2))])).toBe(0);
  });
});

describe('rosetta gate --help', () => {
  it('names what the gate reads (instructions and memory) and not the timed figures it does not', () => {
    const help = command.help;
    expect(help).toMatch(/instructions per 1 KiB request/);
    expect(help).toMatch(/memory per idle connection/);
    expect(help).toMatch(/not gated/);
    expect(help).not.toMatch(/CPU per request at the fixed rate|workflow throughput and CPU per workflow/);
  });
});
