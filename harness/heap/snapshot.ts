// A census of a V8 heap snapshot (the .heapsnapshot JSON that `v8.writeHeapSnapshot` and DevTools
// write): how many nodes of each kind it holds and their self sizes, grouped by the name V8 gives a
// node (a constructor such as `Socket`, a closure's function name, `system / Context`). It is not a
// retainer analysis: a node's self size is its own bytes, never what it keeps alive.
//
// Read as a stream: a snapshot of a thousand connections is tens of MB, and only the nodes and the
// few strings that name a group are needed. The nodes are counted as they arrive, the edges skipped,
// and of the strings only those that name a group are kept. The format (V8's HeapSnapshotJSONSerializer):
//   {"snapshot":{"meta":{"node_fields":[...],"node_types":[[type names...], ...],...},"node_count":N,...},
//    "nodes":[node_fields.length integers per node],"edges":[...],...,"strings":["...", ...]}
import { createReadStream } from 'node:fs';

/** One group of a census: every node with this name (or, for strings and code, this type). */
export interface CensusEntry {
  readonly name: string;
  readonly count: number;
  /** Sum of the nodes' self sizes. */
  readonly bytes: number;
}

export interface HeapCensus {
  /** Largest bytes first. */
  readonly entries: readonly CensusEntry[];
  readonly count: number;
  readonly bytes: number;
  /**
   * Of `bytes`, the native and synthetic nodes other than ArrayBuffer backing stores: C++ objects
   * the embedder reports (`Node / TCPSocketWrap`), which are neither in heapUsed nor in external.
   */
  readonly nativeBytes: number;
}

/** A file that is not a heap snapshot, or one cut short. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/**
 * Node types grouped by type alone: their "name" is their content (a string's text, a number's
 * digits, a regexp's source), and one group per value would bury the objects a reader looks for.
 */
const BY_TYPE = new Set(['string', 'concatenated string', 'sliced string', 'number', 'heap number', 'regexp', 'symbol', 'bigint']);

/**
 * Types of the nodes the embedder adds to the snapshot (Node's C++ objects: `Node / TCPSocketWrap`
 * is synthetic, most others native); synthetic roots have no size. Not in heapUsed or external.
 */
const OUTSIDE_HEAP_TYPES = new Set(['native', 'synthetic']);
/** A native node that is an ArrayBuffer's backing store: counted in `external`, unlike other native nodes. */
const BACKING_STORE = 'system / JSArrayBufferData';

/** The label of a group, as a reader of DevTools' summary would look for it. */
export function groupLabel(type: string, name: string): string {
  if (BY_TYPE.has(type)) return `(${type})`;
  // Code-type nodes V8 names by kind (`system / FeedbackCell`, `(shared function info)`) keep it;
  // the rest are named by their function, one group per function.
  if (type === 'code') return name.startsWith('system / ') || name.startsWith('(') ? name : '(code)';
  if (type === 'closure') return name === '' ? '(closure)' : `(closure) ${name}`;
  return name === '' ? `(${type})` : name;
}

/** The head of the file is only the meta; a snapshot whose `nodes` does not start within this is not one. */
const MAX_HEAD_CHARS = 1 << 20;
/** Enough of the previous chunk to find `"strings"` split across two chunks. */
const CARRY_CHARS = 16;

interface Meta {
  readonly fields: number;
  readonly typeAt: number;
  readonly nameAt: number;
  readonly sizeAt: number;
  readonly types: readonly string[];
  readonly nodeCount: number | undefined;
}

type State = 'head' | 'nodes' | 'between' | 'strings' | 'done';

/**
 * Builds a census from a snapshot's text fed in chunks of any size (a chunk may end inside a
 * number, a string or an escape). Invariant: in `nodes`, `field` fields of the current node are in
 * `fields`, and `value` holds the digits read so far of the next one when `inNumber`.
 */
export class CensusBuilder {
  private state: State = 'head';
  private head = '';
  private meta: Meta | undefined;
  // nodes
  private fields: number[] = [];
  private field = 0;
  private value = 0;
  private inNumber = false;
  private nodes = 0;
  /** key: name index * types + type for named groups, -(type + 1) for the types grouped by type. */
  private readonly groups = new Map<number, { count: number; bytes: number }>();
  // between
  private carry = '';
  // strings
  private needed = new Set<number>();
  private readonly names = new Map<number, string>();
  private stringIndex = 0;
  private inString = false;
  private escaped = false;
  private captured: string | undefined;

  feed(chunk: string): void {
    let text = chunk;
    while (text !== '') text = this.step(text);
  }

  /** The census; throws SnapshotError when the text ended before the strings did. */
  finish(): HeapCensus {
    if (this.state !== 'done' || this.meta === undefined) {
      throw new SnapshotError(`the heap snapshot ends early (while reading ${this.state === 'head' ? 'its meta' : `its ${this.state}`})`);
    }
    const meta = this.meta;
    const byLabel = new Map<string, { count: number; bytes: number }>();
    let count = 0;
    let bytes = 0;
    let nativeBytes = 0;
    for (const [key, group] of this.groups) {
      const type = key < 0 ? -key - 1 : key % meta.types.length;
      const name = key < 0 ? '' : (this.names.get(Math.floor(key / meta.types.length)) ?? '');
      const typeName = meta.types[type] ?? `type ${type}`;
      if (OUTSIDE_HEAP_TYPES.has(typeName) && name !== BACKING_STORE) nativeBytes += group.bytes;
      const label = groupLabel(typeName, name);
      const entry = byLabel.get(label) ?? { count: 0, bytes: 0 };
      entry.count += group.count;
      entry.bytes += group.bytes;
      byLabel.set(label, entry);
      count += group.count;
      bytes += group.bytes;
    }
    const entries = [...byLabel].map(([name, entry]) => ({ name, ...entry })).sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
    return { entries, count, bytes, nativeBytes };
  }

  /** Consumes what the current state can of `text`; returns the rest for the next state. */
  private step(text: string): string {
    switch (this.state) {
      case 'head':
        return this.readHead(text);
      case 'nodes':
        return this.readNodes(text);
      case 'between':
        return this.skipToStrings(text);
      case 'strings':
        return this.readStrings(text);
      case 'done':
        return '';
    }
  }

  private readHead(text: string): string {
    this.head += text;
    const at = this.head.indexOf('"nodes"');
    const open = at === -1 ? -1 : this.head.indexOf('[', at);
    if (open === -1) {
      if (this.head.length > MAX_HEAD_CHARS) throw new SnapshotError('not a V8 heap snapshot: no "nodes" array in its first MiB');
      return '';
    }
    this.meta = parseMeta(this.head.slice(0, at));
    this.fields = new Array<number>(this.meta.fields).fill(0);
    const rest = this.head.slice(open + 1);
    this.head = '';
    this.state = 'nodes';
    return rest;
  }

  private readNodes(text: string): string {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        this.value = this.value * 10 + (c - 48);
        this.inNumber = true;
        continue;
      }
      if (this.inNumber) this.endNumber();
      if (c === 93 /* ] */) {
        const meta = this.meta as Meta;
        if (this.field !== 0) throw new SnapshotError(`the nodes array ends inside a node (${this.field} of ${meta.fields} fields)`);
        if (meta.nodeCount !== undefined && meta.nodeCount !== this.nodes) {
          throw new SnapshotError(`the snapshot says it holds ${meta.nodeCount} nodes; its nodes array has ${this.nodes}`);
        }
        this.state = 'between';
        return text.slice(i + 1);
      }
    }
    return '';
  }

  private endNumber(): void {
    const meta = this.meta as Meta;
    this.fields[this.field++] = this.value;
    this.value = 0;
    this.inNumber = false;
    if (this.field < meta.fields) return;
    this.field = 0;
    this.nodes++;
    const type = this.fields[meta.typeAt] ?? 0;
    const key = BY_TYPE.has(meta.types[type] ?? '') ? -(type + 1) : (this.fields[meta.nameAt] ?? 0) * meta.types.length + type;
    const group = this.groups.get(key);
    const size = this.fields[meta.sizeAt] ?? 0;
    if (group === undefined) this.groups.set(key, { count: 1, bytes: size });
    else {
      group.count++;
      group.bytes += size;
    }
  }

  private skipToStrings(text: string): string {
    const window = this.carry + text;
    const at = window.indexOf('"strings"');
    const open = at === -1 ? -1 : window.indexOf('[', at);
    if (open === -1) {
      // `"strings"` may be split across chunks; `[` may come in the next one.
      this.carry = window.slice(at === -1 ? -CARRY_CHARS : at);
      return '';
    }
    const meta = this.meta as Meta;
    this.needed = new Set([...this.groups.keys()].filter((key) => key >= 0).map((key) => Math.floor(key / meta.types.length)));
    this.carry = '';
    this.state = 'strings';
    return window.slice(open + 1);
  }

  private readStrings(text: string): string {
    // Where the captured part of the current string starts in `text`, when one is being captured.
    let from = this.inString ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!this.inString) {
        if (c === 34 /* " */) {
          this.inString = true;
          this.captured = this.needed.has(this.stringIndex) ? '' : undefined;
          from = i + 1;
        } else if (c === 93 /* ] */) {
          this.state = 'done';
          return '';
        }
        continue;
      }
      if (this.escaped) this.escaped = false;
      else if (c === 92 /* \ */) this.escaped = true;
      else if (c === 34) {
        if (this.captured !== undefined) this.names.set(this.stringIndex, JSON.parse(`"${this.captured}${text.slice(from, i)}"`) as string);
        this.captured = undefined;
        this.inString = false;
        this.stringIndex++;
      }
    }
    if (this.inString && this.captured !== undefined) this.captured += text.slice(from);
    return '';
  }
}

function parseMeta(head: string): Meta {
  let parsed: unknown;
  try {
    // The head is `{"snapshot":{...},` : close the object it opens.
    parsed = JSON.parse(`${head.trim().replace(/,$/, '')}}`);
  } catch (error) {
    throw new SnapshotError(`not a V8 heap snapshot: its head is not JSON (${(error as Error).message})`);
  }
  const snapshot = (parsed as { snapshot?: { meta?: { node_fields?: unknown; node_types?: unknown }; node_count?: unknown } }).snapshot;
  const fields = snapshot?.meta?.node_fields;
  const types = (snapshot?.meta?.node_types as unknown[] | undefined)?.[0];
  if (!Array.isArray(fields) || !Array.isArray(types)) throw new SnapshotError('not a V8 heap snapshot: snapshot.meta has no node_fields or node_types');
  const at = (name: string): number => {
    const index = fields.indexOf(name);
    if (index === -1) throw new SnapshotError(`not a V8 heap snapshot: snapshot.meta.node_fields has no ${JSON.stringify(name)}`);
    return index;
  };
  return {
    fields: fields.length,
    typeAt: at('type'),
    nameAt: at('name'),
    sizeAt: at('self_size'),
    types: types.map(String),
    nodeCount: typeof snapshot?.node_count === 'number' ? snapshot.node_count : undefined,
  };
}

/** The census of a snapshot file, read in 1 MiB chunks. */
export async function censusOfFile(file: string): Promise<HeapCensus> {
  const builder = new CensusBuilder();
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) builder.feed(chunk as string);
  return builder.finish();
}
