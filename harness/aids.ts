// The debug aids: for a style, the one aid its users reach for when a trace does not explain a
// failure, and how it is switched on in the style's process (node flags, environment), never in the
// style's code. A variant `<style>+<aid>` is that style run with its aid on: a row of the traceback
// matrix, and a server or runner the memory and instruction phases can measure beside the plain style.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { StyleId } from '../styles/adapter.js';
import type { AidRecord } from './schema.js';

/** `callbacks+trace`: the style, the separator, the aid. */
export const VARIANT_SEPARATOR = '+';

/** Where an aid leaves its mark in a process, so a child can prove the aid is on before it is measured. */
export type AidProbe = 'stitched-stack' | 'loop-debug';

export interface Aid {
  /** The aid's short name, the part after `+`. */
  readonly aid: string;
  readonly style: StyleId;
  /** npm packages the aid loads, preloaded with `--require` in this order; none for a runtime switch. */
  readonly preload: readonly string[];
  /** Other node flags, e.g. the stack depth the aid's documentation runs it with. */
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** How a user turns it on, as its documentation says. */
  readonly how: string;
  /** Why this aid for this style, in one line. */
  readonly why: string;
  readonly probe: AidProbe;
}

// trace's README runs it as `node --stack_trace_limit=100 -r trace -r clarify`: clarify drops the
// node-internal frames the stitched stacks are full of.
const LONG_TRACE = {
  aid: 'trace',
  preload: ['trace', 'clarify'],
  nodeFlags: ['--stack-trace-limit=100'],
  env: {},
  how: 'node --stack-trace-limit=100 -r trace -r clarify',
  probe: 'stitched-stack',
} as const;

/** The registry, in the styles' report order. Styles without an entry have no aid of their own (see why). */
export const AIDS: readonly Aid[] = [
  { ...LONG_TRACE, style: 'callbacks', why: 'long stack traces stitched across every async_hooks boundary (timers, sockets, nextTick), the classic answer to lost callback stacks' },
  { ...LONG_TRACE, style: 'promise-chains', why: 'the same async_hooks stitching follows each .then back to the code that created its promise' },
  {
    aid: 'debug',
    style: 'coroutines',
    preload: [],
    nodeFlags: [],
    env: { ROSETTA_LOOP_DEBUG: '1' },
    how: 'ROSETTA_LOOP_DEBUG=1',
    why: "the loop's debug mode (asyncio's): each task's creation and suspension sites appended to errors leaving it",
    probe: 'loop-debug',
  },
  { ...LONG_TRACE, style: 'async-await', why: "V8's async stack traces are on by default (the plain row); this row asks what the long-trace aid adds on top" },
  {
    ...LONG_TRACE,
    style: 'rxjs',
    why: 'the closest honest equivalent: rxjs-spy 8 runs on rxjs 7 but leaves error.stack as it is (it logs tagged observables, which needs tag() in the code), so the generic long-trace aid',
  },
];

export function variantId(aid: Pick<Aid, 'style' | 'aid'>): string {
  return `${aid.style}${VARIANT_SEPARATOR}${aid.aid}`;
}

export function variantIds(): string[] {
  return AIDS.map(variantId);
}

export function findAid(variant: string): Aid | undefined {
  return AIDS.find((aid) => variantId(aid) === variant);
}

/** The aids of these styles, in registry order. */
export function aidsFor(styles: readonly string[]): Aid[] {
  return AIDS.filter((aid) => styles.includes(aid.style));
}

/** The style a plain or variant id runs: `callbacks+trace` -> `callbacks`. */
export function baseStyleId(id: string): string {
  return id.split(VARIANT_SEPARATOR)[0] ?? id;
}

/** An id that looks like a variant (it has the separator) but is not one of the registry's. */
export class UnknownVariantError extends Error {
  override readonly name = 'UnknownVariantError';
}

/** The aid of a variant id, undefined for a plain id; throws for an unknown variant, naming the accepted ones. */
export function aidOf(id: string): Aid | undefined {
  if (!id.includes(VARIANT_SEPARATOR)) return undefined;
  const aid = findAid(id);
  if (aid === undefined) throw new UnknownVariantError(`unknown variant ${JSON.stringify(id)}; accepted: ${variantIds().join(', ')}`);
  return aid;
}

const kitRequire = createRequire(import.meta.url);
const resolveFromKit = (name: string): string => kitRequire.resolve(name);

/** What a process running `id` starts with beyond the kit's own flags: the aid's flags and environment (none for a plain id). */
export interface AidLaunch {
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Node flags and environment that turn `id`'s aid on; none for any id that is not a registry variant
 * (a style, the baseline, the calibration's `callbacks+slow`). Preloads are resolved to absolute
 * paths here, so a child finds them whatever its working directory.
 */
export function aidLaunch(id: string): AidLaunch {
  const aid = findAid(id);
  if (aid === undefined) return { nodeFlags: [], env: {} };
  return { nodeFlags: [...aid.nodeFlags, ...aid.preload.map((name) => `--require=${resolveFromKit(name)}`)], env: aid.env };
}

/** The installed version of each package an aid loads, as results.json records it. */
export function aidPackages(aid: Aid): { name: string; version: string }[] {
  return aid.preload.map((name) => {
    const main = resolveFromKit(name);
    // The package.json is in the nearest folder above its main file named after the package.
    const folder = name.split('/').pop() ?? name;
    let dir = path.dirname(main);
    while (path.basename(dir) !== folder && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string };
    return { name, version: manifest.version ?? 'unknown' };
  });
}

/** The registry entry as results.json records it beside the traceback matrix. */
export function aidRecord(aid: Aid): AidRecord {
  return { variant: variantId(aid), style: aid.style, aid: aid.aid, how: aid.how, why: aid.why, packages: aidPackages(aid) };
}

/**
 * True when `probe`'s aid is on in this process. A stitched stack is checked by what it does: an
 * error made in a later turn of the event loop must carry the frame that scheduled that turn.
 */
export async function aidActive(probe: AidProbe): Promise<boolean> {
  if (probe === 'loop-debug') {
    // The loop's own reading of its switch, loaded only in a process that runs coroutines: a computed
    // specifier, as harness/child/style.ts loads a style, so no other style's process carries it.
    const loop = 'coroutines';
    const { debugFromEnv } = (await import(`../styles/${loop}/loop/debug.js`)) as { debugFromEnv: () => boolean };
    return debugFromEnv();
  }
  return new Promise((resolve) => {
    scheduleProbe((error) => resolve(typeof error.stack === 'string' && error.stack.includes('scheduleProbe')));
  });
}

function scheduleProbe(done: (error: Error) => void): void {
  setImmediate(() => done(new Error('aid probe')));
}
