// The reference rows of the echo memory phase: a short idle sweep of each reference this machine can
// run, recorded under the RSS metric of its own, and the missing ones named in one progress line.
// Small steps: this checks the plumbing, it measures nothing worth keeping.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from '../progress.js';
import { availableReferences } from '../references.js';
import { Collector } from '../results.js';
import type { PhaseContext, RunConfig } from './common.js';
import { REFERENCE_RSS_METRIC, referenceSweeps } from './echo-memory.js';

describe('the echo memory phase: reference rows', () => {
  it('records one VmRSS slope per available reference and names the missing ones in one line', { timeout: 120_000 }, async () => {
    const { available, missing } = await availableReferences();
    const output = new PassThrough();
    let written = '';
    output.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = new Progress({ stream: output, tty: false });
    const collector = new Collector();
    const config = { memoryRepeats: 1, memoryParallel: 1, echoMemorySteps: [0, 20, 40], echoActiveBytes: 64 } as unknown as RunConfig;
    const context: PhaseContext = { config, collector, progress, signal: new AbortController().signal, cpus: undefined };
    await referenceSweeps(context);
    expect(collector.failures).toEqual([]);
    expect(collector.samples.map((sample) => sample.style).sort()).toEqual([...available].sort());
    for (const sample of collector.samples) {
      expect(sample.name).toBe(REFERENCE_RSS_METRIC);
      expect(sample.extra).toMatchObject({ kind: 'reference', measure: 'VmRSS', steps: '0,20,40' });
    }
    const notes = written.split('\n').filter((line) => line.startsWith('echo memory: reference rows left out'));
    expect(notes.length).toBe(missing.length > 0 ? 1 : 0);
    for (const entry of missing) expect(notes[0]).toContain(entry.id);
  });
});
