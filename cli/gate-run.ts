// One gate measurement: `rosetta run` of the gate's arguments in a fresh process, for `rosetta gate`
// and for `rosetta calibrate`, which measures the gate's own false-alarm and detection rates.
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../harness/processes/watch.js';
import { parseResults, type Results } from '../harness/schema.js';
import { GATE_RUN_ARGS } from '../reports/gate.js';
import { describeInputError } from './input-errors.js';

export interface GateMeasurement {
  readonly results: Results;
  readonly ms: number;
}

/**
 * One gate measurement: `rosetta run` of the gate's arguments in a fresh process (this build's, or
 * `cli`'s: a patched copy's), its progress passed through to stderr. Resolves to the results, or to a one-line reason when the run produced none. A
 * signal to this process is passed on to the run, which stops its children and exits 130/143.
 */
export async function measureGate(
  out: string,
  env: NodeJS.ProcessEnv,
  quiet = false,
  runArgs: readonly string[] = GATE_RUN_ARGS,
  cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js'),
): Promise<GateMeasurement | string> {
  const started = performance.now();
  // A results.json left by an earlier run must not pass for this one's.
  rmSync(path.join(out, 'results.json'), { force: true });
  // Its progress goes straight to this stderr (a live line stays live); quiet, only the tail is kept.
  const child = startProcess({
    label: 'gate run',
    command: process.execPath,
    args: [cli, ...runArgs, '--out', out],
    env,
    stdout: quiet ? 'drop' : 'pass',
    stderr: quiet ? 'tail' : 'pass',
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const exit = await child.exited;
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  if (exit.startError !== undefined) return `cannot start the gate run: ${exit.startError}`;
  const { code, signal } = exit;
  if (code === 130 || code === 143 || signal !== null) process.exit(code ?? 130);
  const file = path.join(out, 'results.json');
  // `run` exits 1 when a measurement failed: its results still hold the failure, which fails the gate.
  const tail = child.tail();
  if ((code !== 0 && code !== 1) || !existsSync(file)) {
    return `the gate run exited ${code ?? signal ?? '?'} without results${tail === '' ? '' : `:\n${tail.trimEnd()}`}`;
  }
  try {
    return { results: parseResults(await readFile(file, 'utf8'), file), ms: performance.now() - started };
  } catch (error) {
    return describeInputError(file, error);
  }
}
