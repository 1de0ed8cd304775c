// A task: the function a new thread runs, named by module and export. Node cannot send a function
// to a worker (it is not cloneable), so a thread loads the module itself and looks the export up by
// name, as Python's multiprocessing pickles a function by its qualified name. A task must therefore
// be an exported, top-level function of a module; `task()` checks the name at least.
//
// The module must be JavaScript Node can load in a worker. The harness runs the built dist/ tree,
// where `import.meta.url` already names a .js file; under vitest the sources are TypeScript, which
// a Node 20 worker cannot load, so a `.ts` URL is mapped to its twin under dist/ (built by `npm run
// build`; a missing or stale twin is refused with the command that fixes it).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TaskRef } from './protocol.js';

/** A TaskRef that remembers the function's type, so callers pass the right arguments. */
export interface Task<Args extends readonly unknown[], Result> extends TaskRef {
  readonly signature?: (...args: Args) => Result;
}

/** `task(import.meta.url, echoConnection)`: the function must be exported by that module under its own name. */
export function task<Args extends readonly unknown[], Result>(moduleUrl: string, fn: (...args: Args) => Result): Task<Args, Result> {
  if (fn.name === '') throw new TypeError('a task must be a named, exported function: a new thread looks it up by name');
  return { module: moduleUrl, name: fn.name };
}

// styles/threads/runtime/ -> the repository root, in the source tree and in dist/ alike.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const IN_DIST = HERE.split(path.sep).includes('dist');
const ROOT = path.resolve(HERE, IN_DIST ? '../../../..' : '../../..');

/** The URL a worker can load for `moduleUrl`: itself when JavaScript, its dist/ twin when TypeScript. */
export function loadableUrl(moduleUrl: string): string {
  if (!moduleUrl.endsWith('.ts')) return moduleUrl;
  const source = fileURLToPath(moduleUrl);
  const relative = path.relative(ROOT, source);
  const built = path.join(ROOT, 'dist', relative.replace(/\.ts$/, '.js'));
  if (!existsSync(built)) throw new Error(`${path.relative(ROOT, built)} is missing: a worker thread runs built JavaScript; build first (npm run build)`);
  if (statSync(built).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`${path.relative(ROOT, built)} is older than ${relative}: a worker thread runs built JavaScript; build first (npm run build)`);
  }
  return pathToFileURL(built).href;
}

/** This runtime's worker entry, loadable. */
export function threadEntryUrl(): URL {
  const own = import.meta.url;
  return new URL(loadableUrl(new URL(`./thread-main${path.extname(fileURLToPath(own))}`, own).href));
}
