// `rosetta run` from the built CLI (build first: npx tsc -p tsconfig.build.json): a quick echo run
// of one style writes a valid results.json with ratios against the baseline, and SIGTERM in the
// middle of a run kills every child, frees the server's port, writes nothing and exits 143.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResults } from '../harness/schema.js';
import { CHILD_ENV } from '../harness/processes/children.js';
import { repoRoot } from '../harness/processes/probes.js';
import { descendants } from '../harness/processes/descendants.js';
import { alive } from '../test/support/alive.js';
import { planConfig } from '../harness/phases/common.js';

const CLI = path.join(repoRoot(), 'dist', 'cli', 'main.js');
const dirs: string[] = [];
const started: ChildProcess[] = [];

afterEach(() => {
  for (const proc of started.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rosetta-run-'));
  dirs.push(dir);
  return dir;
}

function runCli(args: readonly string[]): { proc: ChildProcess; output: { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  const output = { stdout: '', stderr: '' };
  proc.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output, exited };
}

/** TCP ports in LISTEN state, with the inode of their socket (from /proc/net/tcp{,6}). */
function listeningSockets(): Map<string, number> {
  const byInode = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue;
      const port = parseInt(fields[1]?.split(':')[1] ?? '', 16);
      byInode.set(fields[9] ?? '', port);
    }
  }
  return byInode;
}

/** The ports a process listens on. */
function portsOf(pid: number): number[] {
  const listening = listeningSockets();
  const ports: number[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = match?.[1] !== undefined ? listening.get(match[1]) : undefined;
        if (port !== undefined) ports.push(port);
      } catch {
        // The descriptor closed while we looked.
      }
    }
  } catch {
    // The process exited.
  }
  return ports;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe('rosetta run (built CLI)', () => {
  it('--quick --style callbacks --scenario echo writes a valid results.json with ratios to the baseline', async () => {
    const out = tempDir();
    // A budget the memory sweeps alone exceed: the timed rounds then take their minimum (4).
    const { output, exited } = runCli(['--quick', '--budget', '10s', '--memory-repeat', '2', '--seed', '7', '--style', 'callbacks', '--scenario', 'echo', '--out', out]);
    const code = await exited;
    expect(output.stderr).toContain('[echo cost and capacity]');
    expect(code, output.stderr).toBe(0);
    const results = parseResults(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.failures).toEqual([]);
    expect(results.environment.nodeFlags).toEqual(['--expose-gc']);
    expect(results.environment.childEnv).toEqual(CHILD_ENV);
    expect(results.config.mode).toBe('quick');
    const names = new Set(results.metrics.map((metric) => `${metric.name} ${metric.style}`));
    for (const expected of [
      'echo.rps baseline', 'echo.rps callbacks', 'echo.rps.ratio callbacks', 'echo.cpu_us_per_req callbacks',
      'echo.cpu_us_per_req.ratio callbacks', 'echo.p99_us callbacks', 'echo.p99_sent_us callbacks', 'echo.rps_per_core callbacks',
      'memory.echo_idle.bytes_per_conn baseline', 'memory.echo_idle.bytes_per_conn callbacks', 'memory.echo_active.bytes_per_conn callbacks',
    ]) {
      expect(names, expected).toContain(expected);
    }
    const ratio = results.metrics.find((metric) => metric.name === 'echo.rps.ratio' && metric.params.size === 1024);
    // One ratio sample per round (the minimum, 3, with the budget spent), each against the reference's
    // slices inside the same turn, in a seeded order that every server but the reference took each round.
    expect(ratio?.samples.length).toBeGreaterThanOrEqual(3);
    expect(ratio?.kind).toBe('ratio');
    expect(results.config.seed).toBe(7);
    expect(results.config.budgetMs).toBe(10_000);
    const order = results.config.order as { phase: string; repeat: number; order: string[] }[];
    expect(order.length).toBeGreaterThanOrEqual(3);
    expect(order.map((round) => [round.phase, round.repeat, [...round.order].sort()])).toEqual(
      order.map((_, repeat) => ['echo/1KiBx10/generation-1', repeat, ['baseline', 'callbacks']]),
    );
    // The cost turn is a steady-state window at the offered rate, the warm-up recorded, and the
    // figure says what stopped its rounds.
    const cost = results.metrics.find((metric) => metric.name === 'echo.cpu_us_per_req' && metric.style === 'callbacks');
    expect(cost?.extra?.rate).toBe(5000);
    expect(typeof cost?.extra?.warmupMs).toBe('number');
    expect(cost?.extra?.stoppedBy).toBe('budget');
    expect(cost?.extra?.rounds).toBe(order.length);
    // Whether a turn got its rate depends on the host: a loaded CI machine can stall the client long
    // enough to skip sends (it did once). So the test checks that the flag is set, not that the
    // machine was fast.
    expect(typeof cost?.extra?.saturated).toBe('boolean');
    expect(Number(cost?.extra?.achievedRate)).toBeGreaterThan(0);
    // The style's own slices of the turn: costPairs of sliceMs, give or take the switches.
    const { turn } = planConfig({ scenarios: ['echo'], styles: ['callbacks'], quick: true, out: '/nonexistent' }).echo;
    expect(Number(cost?.extra?.windowMs)).toBeGreaterThanOrEqual(0.95 * turn.costPairs * turn.sliceMs);
    const costRatio = results.metrics.find((metric) => metric.name === 'echo.cpu_us_per_req.ratio' && metric.style === 'callbacks');
    expect(costRatio?.extra?.paired).toBe(true);
    expect(costRatio?.samples.length).toBe(cost?.samples.length);
    // The baseline row is a second copy of the reference's server: its ratio is an A/A check.
    expect(results.metrics.find((metric) => metric.name === 'echo.cpu_us_per_req.ratio' && metric.style === 'baseline')?.extra?.paired).toBe(true);
    const capacity = results.metrics.find((metric) => metric.name === 'echo.rps' && metric.style === 'callbacks');
    expect(['server', 'client', 'both', 'neither']).toEqual(expect.arrayContaining(String(capacity?.extra?.saturatedBy).split('|')));
    // Every turn is recorded for `rosetta variance`, both halves of its cost window.
    expect(results.turns?.filter((turn) => turn.id === 'callbacks').every((turn) => turn.parts.length === 2)).toBe(true);
    // A quick run takes no heap snapshots: the memory explanation belongs to the full run.
    expect(results.memoryAttribution).toBeUndefined();
    const memory = results.metrics.find((metric) => metric.name === 'memory.echo_idle.bytes_per_conn' && metric.style === 'callbacks');
    expect(typeof memory?.extra?.r2).toBe('number');
    // --memory-repeat 2: two sweeps of each server, each its own sample, paired with the baseline's by sweep.
    expect(memory?.samples).toHaveLength(2);
    expect(results.metrics.find((metric) => metric.name === 'memory.echo_idle.bytes_per_conn.ratio' && metric.style === 'callbacks')?.samples).toHaveLength(2);
    expect(results.sources?.some((source) => source.style === 'callbacks' && source.scenario === 'echo')).toBe(true);
    expect(output.stdout).toMatch(/^callbacks\s/m);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('names the flag, the value and what is accepted on bad usage, and exits 2 without starting anything', async () => {
    const out = tempDir();
    const { output, exited } = runCli(['--scenario', 'echo,nope', '--out', out]);
    expect(await exited).toBe(2);
    expect(output.stderr).toContain('--scenario got unknown "nope"; accepted: echo, repos-and-forks, memory, instructions, micro, tracebacks');
    expect(readdirSync(out)).toEqual([]);
    // No sweeps and nothing else asked for: nothing to measure, said before anything starts.
    const none = runCli(['--scenario', 'memory', '--memory-repeat', '0', '--out', out]);
    expect(await none.exited).toBe(2);
    expect(none.output.stderr).toContain('--memory-repeat 0 leaves --scenario memory nothing to measure');
    expect(readdirSync(out)).toEqual([]);
  });

  it('SIGTERM kills every child, frees the port, writes nothing and exits 143', async () => {
    const out = tempDir();
    const { proc, output, exited } = runCli(['--quick', '--style', 'callbacks', '--scenario', 'echo', '--out', out]);
    const pid = proc.pid ?? 0;
    // Wait until a child of the harness listens: the echo server is up and the load child is starting.
    let serverPorts: number[] = [];
    const listening = await eventually(() => {
      serverPorts = descendants(pid).flatMap(portsOf);
      return serverPorts.length > 0;
    }, 20_000);
    expect(listening, output.stderr).toBe(true);
    const children = descendants(pid);
    expect(children.length).toBeGreaterThan(0);
    proc.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(await eventually(() => children.every((child) => !alive(child)), 3_000)).toBe(true);
    const stillListening = new Set(listeningSockets().values());
    for (const port of serverPorts) expect(stillListening.has(port), `port ${port} still listening`).toBe(false);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
    expect(output.stderr).toContain('SIGTERM');
  }, 40_000);
});
