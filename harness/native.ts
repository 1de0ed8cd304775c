// C programs the kit compiles on first use with the system's C compiler (`cc`): the native echo load
// engine and the c-epoll reference server. Each lands in a cache outside the repo under a name keyed
// by a hash of the compiler, the flags and the source, so an edit recompiles and an unchanged source
// never does. A machine without a compiler is not an error: callers get the reason and fall back
// (the echo load client to its Node twin, the reference rows to none).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './processes/probes.js';
import { startProcess } from './processes/watch.js';

/** The flags every C program is built with; part of the cache key. */
export const C_FLAGS: readonly string[] = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11'];

/** The compiler is missing or refused the source; `stderr` is what it said. */
export class NativeBuildError extends Error {
  override readonly name = 'NativeBuildError';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** $ROSETTA_NATIVE_CACHE, else $XDG_CACHE_HOME/async-rosetta/native, else ~/.cache/async-rosetta/native. */
export function nativeCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ROSETTA_NATIVE_CACHE !== undefined && env.ROSETTA_NATIVE_CACHE !== '') return path.resolve(env.ROSETTA_NATIVE_CACHE);
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(path.resolve(base), 'async-rosetta', 'native');
}

/** The C sources the kit ships, by name, relative to the repository root. */
export const NATIVE_SOURCES = {
  'echo-load': 'scenarios/echo/native/load.c',
  'c-epoll': 'scenarios/echo/references/c-epoll.c',
} as const;

export type NativeProgram = keyof typeof NATIVE_SOURCES;

/** The path of one of the kit's programs, compiled first if the cache has no build of its source. */
export function nativeBinary(program: NativeProgram, cache = nativeCache()): Promise<string> {
  return compileC({ source: path.join(repoRoot(), NATIVE_SOURCES[program]), cache });
}

/** Builds under way, by the binary they write: two callers of one source wait on one compiler. */
const building = new Map<string, Promise<string>>();

/**
 * The path of `source` compiled, compiling it when the cache has no build of it. Written under a
 * temporary name and renamed, so a concurrent or interrupted build never leaves a half-written binary.
 */
export async function compileC(options: { readonly source: string; readonly cache?: string; readonly cc?: string }): Promise<string> {
  const { source } = options;
  const cache = options.cache ?? nativeCache();
  const cc = options.cc ?? 'cc';
  const text = await readFile(source);
  const key = createHash('sha256').update(cc).update('\0').update(C_FLAGS.join(' ')).update('\0').update(text).digest('hex').slice(0, 16);
  const binary = path.join(cache, `${path.basename(source, '.c')}-${key}`);
  if (existsSync(binary)) return binary;
  let build = building.get(binary);
  if (build === undefined) {
    build = compile(cc, source, binary).finally(() => building.delete(binary));
    building.set(binary, build);
  }
  return build;
}

async function compile(cc: string, source: string, binary: string): Promise<string> {
  await mkdir(path.dirname(binary), { recursive: true });
  const temporary = `${binary}.tmp-${process.pid}`;
  let stderr = '';
  const child = startProcess({
    label: `cc ${path.basename(source)}`,
    command: cc,
    args: [...C_FLAGS, '-o', temporary, source],
    stdout: 'tail',
    deadlineMs: 120_000,
    onOutput: (chunk) => {
      stderr += chunk;
    },
  });
  const exit = await child.exited;
  if (exit.code !== 0) {
    await rm(temporary, { force: true });
    if (exit.startError !== undefined) throw new NativeBuildError(`no C compiler: ${cc} could not be started (${exit.startError})`, '');
    const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit ${String(exit.code)}`;
    throw new NativeBuildError(`${cc} ${C_FLAGS.join(' ')} ${source} failed (${how})${stderr.trim() === '' ? '' : `:\n${stderr.trim()}`}`, stderr);
  }
  await rename(temporary, binary);
  return binary;
}
