// C programs the kit compiles on first use with the system's C compiler (`cc`), into a cache outside
// the repo keyed by a hash of the source and the flags, so an edited source is compiled again and an
// unchanged one never is. A machine without a compiler is not an error: the caller gets the reason
// and falls back (the echo load client to its Node twin).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './processes.js';

const FLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11'] as const;

/** The compiler is missing or rejected the source; `stderr` holds what it said. */
export class NativeBuildError extends Error {
  override readonly name = 'NativeBuildError';
  constructor(
    message: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
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
} as const;

export type NativeProgram = keyof typeof NATIVE_SOURCES;

const built = new Map<string, Promise<string>>();

/** The path of the program's binary, compiled first if the cache has none for this source. */
export function nativeBinary(program: NativeProgram, cache = nativeCache()): Promise<string> {
  const source = path.join(repoRoot(), NATIVE_SOURCES[program]);
  const text = readFileSync(source);
  const hash = createHash('sha256').update(text).update(FLAGS.join(' ')).digest('hex').slice(0, 16);
  const binary = path.join(cache, `${program}-${hash}`);
  let promise = built.get(binary);
  if (promise === undefined) {
    promise = existsSync(binary) ? Promise.resolve(binary) : compileC(source, binary);
    built.set(binary, promise);
    promise.catch(() => built.delete(binary));
  }
  return promise;
}

/** Compiles one C file into `binary` with the kit's flags; rejects with NativeBuildError. */
export function compileC(source: string, binary: string): Promise<string> {
  mkdirSync(path.dirname(binary), { recursive: true });
  // Compiled under a temporary name and renamed: a run that dies mid-compile leaves no half binary.
  const partial = `${binary}.${process.pid}.partial`;
  return new Promise((resolve, reject) => {
    execFile('cc', [...FLAGS, '-o', partial, source], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error !== null) {
        rmSync(partial, { force: true });
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const why = missing ? 'no C compiler (`cc`) on PATH' : `cc could not compile ${source}`;
        reject(new NativeBuildError(why, stderr, { cause: error }));
        return;
      }
      renameSync(partial, binary);
      resolve(binary);
    });
  });
}
