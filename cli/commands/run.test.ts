// The run command's own logic: `--node` items read as specs, and a run on two runtimes in two rounds,
// end to end but small (micro and the traceback matrix, callbacks only): the second runtime is a wrapper script
// that logs every start and then runs this Node, so the test can count that every measured child of
// its part of the run went through it; the harness writes each runtime's results and the
// combination, the CLI renders their reports. Needs the build.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeView } from '../../reports/runtimes.js';
import { parseResults } from '../../harness/schema.js';
import { liveChildren } from '../../harness/processes/watch.js';
import { currentRuntime, type Runtime } from '../../harness/runtimes.js';
import { UsageError } from '../args.js';
import { parseNodeSpecs, runAndReport } from './run.js';

describe('parseNodeSpecs', () => {
  it('reads current, a major, a minor and an exact version', () => {
    expect(parseNodeSpecs('run', ['current', '22', '22.12', 'v24.1.0'])).toEqual([
      { kind: 'current', text: 'current' },
      { kind: 'version', text: '22', major: 22 },
      { kind: 'version', text: '22.12', major: 22, minor: 12 },
      { kind: 'version', text: 'v24.1.0', major: 24, minor: 1, patch: 0 },
    ]);
  });

  it.each(['18', 'latest', '22.x', '22.1.2.3', ''])('refuses %j naming the flag and what it accepts', (text) => {
    expect(() => parseNodeSpecs('run', [text])).toThrow(UsageError);
    expect(() => parseNodeSpecs('run', [text])).toThrow(`--node got ${JSON.stringify(text)}; expected current or a Node version from 20 up`);
  });
});


const work = mkdtempSync(path.join(os.tmpdir(), 'rosetta-matrix-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A "Node 99" that is this Node behind a script writing each command line it starts to `log`. */
function wrapper(log: string): Runtime {
  const binary = path.join(work, 'node-wrapper');
  writeFileSync(binary, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(binary, 0o755);
  return { version: process.version.replace(/^v\d+/, 'v99'), v8: process.versions.v8, binary, source: 'a test wrapper of the current Node' };
}

describe('runAndReport (runMatrix, then the reports)', () => {
  it('runs every measured child of a runtime on its binary and writes each runtime and the combination', async () => {
    const log = path.join(work, 'starts.log');
    writeFileSync(log, '');
    const current = await currentRuntime();
    const out = path.join(work, 'out');
    const sink = new PassThrough().resume();
    const exit = await runAndReport(
      // Not quick: a quick run's traceback matrix leaves the debug-aid rows out, and this checks that aided children run on the runtime too.
      { scenarios: ['micro', 'tracebacks'], styles: ['callbacks'], quick: false, repeats: 2, seed: 7, out },
      [current, wrapper(log)],
      { stdout: sink, stderr: sink },
    );
    expect(exit).toBe(0);
    expect(liveChildren()).toEqual([]);

    const starts = readFileSync(log, 'utf8').trim().split('\n');
    const count = (entry: string): number => starts.filter((line) => line.includes(`dist/harness/child/${entry}.js`)).length;
    // Two rounds: micro in each, the traceback matrix (measured once) in the first only: six cases
    // for callbacks and six for its debug-aid variant, callbacks+trace.
    expect(count('micro')).toBe(2);
    expect(count('trace-case')).toBe(12);
    expect(starts.filter((line) => line.includes('dist/harness/child/trace-case.js') && /--require=\S*trace\.js/.test(line))).toHaveLength(6);
    expect(starts).toHaveLength(14);

    const major = process.version.replace(/^v/, '').split('.')[0];
    const own = (folder: string): string => path.join(out, folder, 'results.json');
    expect(parseResults(readFileSync(own(`node-${major}`), 'utf8')).environment.node).toBe(process.version);
    const node99 = parseResults(readFileSync(own('node-99'), 'utf8'));
    expect(node99.environment.node).toBe(current.version.replace(/^v\d+/, 'v99'));
    // Each runtime's file is its rounds merged: one micro sample per round, labelled with its round;
    // the traceback matrix from the first round; each round's own file kept beside it.
    expect(node99.config.mergedRuns).toBe(2);
    expect(node99.config.runSeeds).toEqual([7, 8]);
    const micro = node99.metrics.find((metric) => metric.name === 'micro.hop_ns' && metric.style === 'callbacks');
    expect(micro?.runs).toEqual([0, 1]);
    expect(node99.tracebacks?.rows.length).toBe(12);
    expect(node99.tracebacks?.aids?.map((aid) => aid.variant)).toEqual(['callbacks+trace']);
    expect(parseResults(readFileSync(own('node-99/round-2'), 'utf8')).tracebacks).toBeUndefined();
    const combined = parseResults(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(combined.environment.node).toBe(process.version);
    expect(combined.runtimes?.map((run) => run.environment.node)).toEqual([process.version, process.version.replace(/^v\d+/, 'v99')]);
    // The runtimes took turns, rotated per round.
    expect(combined.config.runtimeRounds).toEqual([
      [current.version, current.version.replace(/^v\d+/, 'v99')],
      [current.version.replace(/^v\d+/, 'v99'), current.version],
    ]);
    // The same Node twice: nothing may read as a change of runtime.
    expect(runtimeView(combined)?.changes).toEqual([]);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(`Node ${process.version.replace(/^v\d+/, '99').slice(0)}`);
  });
});
