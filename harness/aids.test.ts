// The debug aids' registry: every variant names a real style and an aid that is really on in a Node
// process started the way aidLaunch says (an error made in a later turn of the event loop carries the
// frame that scheduled it), and off without it. The matrix, the children and the run read these ids.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STYLE_IDS } from '../styles/adapter.js';
import { AIDS, aidLaunch, aidOf, aidPackages, aidsFor, baseStyleId, UnknownVariantError, variantId, variantIds } from './aids.js';
import { planConfig } from './phases/common.js';
import { withVariants } from './phases/servers.js';
import { matrixRows } from './tracebacks/matrix.js';

// An error made one setImmediate after `scheduleLater` ran: only a stitched stack names it.
const SCRIPT = [
  'function scheduleLater(done) { setImmediate(() => done(new Error("later"))); }',
  'scheduleLater((error) => process.stdout.write(error.stack));',
].join('\n');

function stackIn(nodeFlags: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, '--input-type=module', '-e', SCRIPT], { timeout: 10_000, env: { ...process.env, NODE_OPTIONS: '', ...env } }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('the aid registry', () => {
  it('gives each aid a known style, at most one aid per style, and ids of the form style+aid', () => {
    for (const aid of AIDS) expect(STYLE_IDS).toContain(aid.style);
    expect(new Set(AIDS.map((aid) => aid.style)).size).toBe(AIDS.length);
    expect(variantIds()).toContain('callbacks+trace');
    expect(variantIds()).toContain('coroutines+debug');
    for (const id of variantIds()) expect(baseStyleId(id)).toBe(id.split('+')[0]);
  });

  it('reads a plain id as no aid and rejects an unknown variant, naming the accepted ones', () => {
    expect(aidOf('callbacks')).toBeUndefined();
    expect(aidOf('callbacks+trace')?.style).toBe('callbacks');
    expect(() => aidOf('fp-ts+trace')).toThrow(UnknownVariantError);
    expect(() => aidOf('fp-ts+trace')).toThrow(/accepted: .*callbacks\+trace.*coroutines\+debug/);
  });

  it('puts each variant right after its style in the traceback matrix, and keeps the coroutines+debug label', () => {
    const labels = matrixRows().map((row) => row.label);
    for (const aid of AIDS) expect(labels.indexOf(variantId(aid))).toBe(labels.indexOf(aid.style) + 1);
    expect(matrixRows().find((row) => row.label === 'coroutines+debug')?.aid?.env).toEqual({ ROSETTA_LOOP_DEBUG: '1' });
    expect(matrixRows().filter((row) => row.aid === null).map((row) => row.label)).toEqual([...STYLE_IDS]);
  });

  it('resolves each preload to an installed file and records its version', () => {
    const launch = aidLaunch('callbacks+trace');
    const required = launch.nodeFlags.filter((flag) => flag.startsWith('--require=')).map((flag) => flag.slice('--require='.length));
    expect(required.length).toBe(2);
    for (const file of required) expect(existsSync(file)).toBe(true);
    const trace = AIDS.find((aid) => aid.aid === 'trace');
    expect(trace).toBeDefined();
    if (trace !== undefined) expect(aidPackages(trace).map((p) => p.name)).toEqual(['trace', 'clarify']);
    for (const p of trace === undefined ? [] : aidPackages(trace)) expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(aidLaunch('callbacks')).toEqual({ nodeFlags: [], env: {} });
    expect(aidLaunch('coroutines+debug')).toEqual({ nodeFlags: [], env: { ROSETTA_LOOP_DEBUG: '1' } });
  });

  it('stitches a stack across an event-loop turn in a process started with the trace aid, and not without it', async () => {
    const plain = await stackIn([]);
    const aided = await stackIn(aidLaunch('callbacks+trace').nodeFlags);
    expect(plain).toContain('Error: later');
    expect(plain).not.toContain('scheduleLater');
    expect(aided).toContain('scheduleLater');
  }, 20_000);
});

describe('variants in a run', () => {
  it('asks for the variants of the styles measured, and only with --aids', () => {
    const base = { scenarios: [], styles: ['callbacks', 'fp-ts', 'coroutines'], quick: true, out: '/nonexistent' } as const;
    expect(planConfig(base).aids).toEqual([]);
    expect(planConfig({ ...base, aids: true }).aids).toEqual(aidsFor(['callbacks', 'fp-ts', 'coroutines']).map(variantId));
    expect(planConfig({ ...base, aids: true }).aids).toEqual(['callbacks+trace', 'coroutines+debug']);
  });

  it('measures a variant beside its style, and never without it', () => {
    expect(withVariants(['baseline', 'callbacks', 'rxjs'], ['callbacks+trace', 'async-await+trace'])).toEqual(['baseline', 'callbacks', 'rxjs', 'callbacks+trace']);
    expect(withVariants(['callbacks'], [])).toEqual(['callbacks']);
  });
});
