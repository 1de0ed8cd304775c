// The loop on real Node, in child processes: it lets the process exit when only futures are pending,
// holds it open exactly as long as a timer it was asked for (and not after that timer is cancelled),
// and does not spin while it waits. The loop's sources are transpiled with TypeScript into a temp
// folder, so the children run plain JavaScript with no loader. One in-process check looks at Node's
// active resources directly.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoop } from './event-loop.js';
import type { Coro } from './future.js';
import { sleep, waitFor } from './helpers.js';
import { settled } from '../index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rosetta-loop-'));
  mkdirSync(path.join(dir, 'loop'));
  const sources = readdirSync(here).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('bench'));
  for (const file of sources) {
    const { outputText } = ts.transpileModule(readFileSync(path.join(here, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(dir, 'loop', file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  readonly code: number | null;
  readonly report: Record<string, unknown>;
  readonly wallMs: number;
}

/** Runs `body` after a prelude that makes a running Node-driven loop; the child prints one JSON line on exit. */
function child(name: string, body: string): Promise<Exit> {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    [
      "import { EventLoop, sleep, wait, waitFor } from './loop/index.js';",
      'const loop = new EventLoop({ debug: false });',
      'loop.runForever();',
      'const start = performance.now();',
      'const report = {};',
      body,
      // Last, so the body's own exit listeners have filled `report` by then.
      "process.on('exit', () => process.stdout.write(JSON.stringify({ ...report, iterations: loop.iterations, elapsedMs: performance.now() - start })));",
    ].join('\n'),
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], timeout: 20_000 });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(out) as Record<string, unknown>, wallMs: performance.now() - started });
      } catch (error) {
        reject(new Error(`child ${name} printed ${JSON.stringify(out)} and exited with ${String(code)}`, { cause: error }));
      }
    });
  });
}

describe('the loop in a real process', () => {
  it('lets the process exit while a task waits on a future nobody will settle (like a pending Promise)', async () => {
    const exit = await child(
      'pending-future',
      [
        'const task = loop.createTask((function* () { yield* wait(loop.createFuture()); })());',
        "process.on('exit', () => { report.state = task.state; });",
      ].join('\n'),
    );
    expect(exit.code).toBe(0);
    expect(exit.report).toMatchObject({ state: 'pending', iterations: 1 });
    expect(exit.report.elapsedMs).toBeLessThan(1_000);
  });

  it('holds the process open for a pending sleep, like setTimeout, without spinning meanwhile', async () => {
    const exit = await child(
      'pending-sleep',
      [
        'const task = loop.createTask((function* () { yield* sleep(300); return performance.now() - start; })());',
        'task.addDoneCallback((done) => { report.slept = done.result(); });',
      ].join('\n'),
    );
    expect(exit.code).toBe(0);
    expect(exit.report.slept).toBeGreaterThanOrEqual(298); // the loop counts a timer due within 1 ms of its deadline
    // First step, the timer, the wake-up, the done-callback: a spinning loop would count thousands.
    expect(exit.report.iterations).toBeLessThanOrEqual(6);
  });

  it('lets the process go as soon as the only timer is cancelled', async () => {
    const exit = await child(
      'cancelled-sleep',
      [
        'const task = loop.createTask((function* () { yield* sleep(60_000); })());',
        'loop.callLater(20, () => task.cancel());',
        "process.on('exit', () => { report.cancelled = task.cancelled(); });",
      ].join('\n'),
    );
    expect(exit.code).toBe(0);
    expect(exit.report.cancelled).toBe(true);
    expect(exit.report.elapsedMs).toBeLessThan(5_000);
  });

  it('drops waitFor’s deadline timer when the inner work finishes first', async () => {
    const exit = await child(
      'wait-for-in-time',
      [
        'const task = loop.createTask(waitFor(sleep(10), 60_000));',
        "process.on('exit', () => { report.state = task.state; });",
      ].join('\n'),
    );
    expect(exit.code).toBe(0);
    expect(exit.report.state).toBe('finished');
    expect(exit.report.elapsedMs).toBeLessThan(5_000);
  });
});

describe('Node resources held by a loop', () => {
  it('holds a Timeout only while a loop timer is pending, and nothing once it is done', async () => {
    const count = (kind: string): number => process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
    // The counts are process-wide: let the earlier tests' child-process handles settle first, and
    // below compare with <=, since another owner's timer may end meanwhile (one of ours may not stay).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = { timeouts: count('Timeout'), immediates: count('Immediate') };
    const loop = new EventLoop({ debug: false });
    loop.runForever();
    function* nap(): Coro<string> {
      yield* waitFor(sleep(20), 10_000);
      return 'rested';
    }
    const task = loop.createTask(nap());
    const during = { immediates: count('Immediate') };
    const result = await settled(task);
    expect(result).toBe('rested');
    expect(during.immediates).toBeGreaterThanOrEqual(before.immediates + 1); // the wake for the task's first step
    expect(count('Timeout')).toBeLessThanOrEqual(before.timeouts);
    expect(count('Immediate')).toBeLessThanOrEqual(before.immediates);
    loop.stop();
    loop.close();
  });
});
