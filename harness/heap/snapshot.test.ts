// The census and the attribution on real snapshots: a small Node process writes one snapshot, makes
// 100 objects of a named class (and 100 of a class whose name V8 writes with \u escapes), writes another.
// The diff must find exactly 100 of each, with their bytes; the streaming parser must agree with a
// plain JSON.parse of the same file whatever the chunk size; a cut or foreign file is an error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attribute } from './attribution.js';
import { CensusBuilder, SnapshotError, censusOfFile, groupLabel, type HeapCensus } from './snapshot.js';

/** V8 writes non-ASCII names as `\u00e9` escapes: the parser must decode them, split across chunks too. */
const ODD_NAME = 'ProbeÉtéλ';
const SCRIPT = `
const v8 = require('node:v8');
class AttributionProbe { constructor(i) { this.i = i; this.label = 'probe'; } }
class ${ODD_NAME} { constructor(i) { this.i = i; } }
globalThis.kept = [];
v8.writeHeapSnapshot(process.argv[1]);
for (let i = 0; i < 100; i++) kept.push(new AttributionProbe(i), new ${ODD_NAME}(i));
v8.writeHeapSnapshot(process.argv[2]);
`;

let dir = '';
let before = '';
let after = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-snapshot-test-'));
  before = path.join(dir, 'before.heapsnapshot');
  after = path.join(dir, 'after.heapsnapshot');
  execFileSync(process.execPath, ['-e', SCRIPT, before, after], { stdio: 'ignore', timeout: 60_000 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The same census the slow way: the whole file through JSON.parse, every node looked at. */
function referenceCensus(file: string): HeapCensus {
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  let nativeBytes = 0;
  for (let i = 0; i < json.nodes.length; i += fields.length) {
    const at = (field: string): number => json.nodes[i + fields.indexOf(field)]!;
    const type = types[at('type')]!;
    const name = json.strings[at('name')]!;
    if ((type === 'native' || type === 'synthetic') && name !== 'system / JSArrayBufferData') nativeBytes += at('self_size');
    const label = groupLabel(type, name);
    const group = groups.get(label) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += at('self_size');
    groups.set(label, group);
  }
  const entries = [...groups].map(([name, group]) => ({ name, ...group }));
  return {
    entries: entries.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)),
    count: entries.reduce((sum, entry) => sum + entry.count, 0),
    bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
    nativeBytes,
  };
}

function censusInChunks(text: string, size: number): HeapCensus {
  const builder = new CensusBuilder();
  for (let i = 0; i < text.length; i += size) builder.feed(text.slice(i, i + size));
  return builder.finish();
}

describe('heap snapshot census', () => {
  it('attributes 100 objects of a class to that class, with their bytes', async () => {
    const diff = attribute(await censusOfFile(before), await censusOfFile(after), 100);
    const probe = diff.entries.find((entry) => entry.name === 'AttributionProbe');
    expect(probe?.countPerConnection).toBe(1);
    expect(probe?.bytesPerConnection).toBeGreaterThan(0);
    const odd = diff.entries.find((entry) => entry.name === ODD_NAME);
    expect(odd?.countPerConnection).toBe(1);
    // The array holding them grew too; the diff's total covers every group.
    expect(diff.snapshotBytesPerConnection).toBeGreaterThanOrEqual((probe?.bytesPerConnection ?? 0) + (odd?.bytesPerConnection ?? 0));
  });

  it('agrees with JSON.parse of the whole file, whatever the chunk size', async () => {
    const text = readFileSync(after, 'utf8');
    const expected = referenceCensus(after);
    expect(await censusOfFile(after)).toEqual(expected);
    // Chunks that end inside numbers, strings and escapes.
    expect(censusInChunks(text, 7)).toEqual(expected);
    expect(censusInChunks(text, 4099)).toEqual(expected);
  });

  it('rejects a snapshot cut short and a file that is not one', () => {
    const text = readFileSync(before, 'utf8');
    expect(() => censusInChunks(text.slice(0, Math.floor(text.length / 2)), 1 << 16)).toThrow(SnapshotError);
    expect(() => censusInChunks(text.slice(0, text.length - 3), 1 << 16)).toThrow(/ends early/);
    const cut = path.join(dir, 'results.json');
    writeFileSync(cut, JSON.stringify({ schemaVersion: 1, metrics: [] }));
    return expect(censusOfFile(cut)).rejects.toThrow(SnapshotError);
  });
});
