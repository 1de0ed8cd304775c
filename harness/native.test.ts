// The native load client end to end: compiled into a cache of its own, driving real servers on
// loopback: the baseline echo server, one that corrupts a byte, and a port nobody listens on.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicMs } from '../scenarios/clock.js';
import { startBaselineEchoServer } from '../scenarios/echo/baseline.js';
import type { EchoServerHandle } from '../scenarios/echo/contract.js';
import { runLoad } from '../scenarios/echo/load.js';
import { NativeEngine, NativeSession } from '../scenarios/echo/native-session.js';
import { EchoLoadConnectError } from '../scenarios/echo/session.js';
import { compileC, NATIVE_SOURCES, nativeBinary, NativeBuildError } from './native.js';
import { repoRoot } from './processes/probes.js';

const cache = mkdtempSync(path.join(os.tmpdir(), 'rosetta-native-'));
const cache0 = mkdtempSync(path.join(os.tmpdir(), 'rosetta-compile-'));
let binary: string;
let engine: NativeEngine;
let server: EchoServerHandle;

beforeAll(async () => {
  binary = await nativeBinary('echo-load', cache);
  engine = new NativeEngine(binary);
  server = await startBaselineEchoServer({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await engine.stop();
  await server.close();
  rmSync(cache, { recursive: true, force: true });
  rmSync(cache0, { recursive: true, force: true });
});

const options = (port: number, size = 1024, connections = 4) => ({ host: '127.0.0.1', port, connections, size });

describe('the native echo load client', () => {
  it('is compiled once into the cache and found there the next time', async () => {
    expect(path.dirname(binary)).toBe(cache);
    expect(existsSync(binary)).toBe(true);
    expect(await nativeBinary('echo-load', cache)).toBe(binary);
  });

  it('names the compiler and what it said when a source does not compile, and leaves no binary', async () => {
    const source = path.join(cache, 'broken.c');
    writeFileSync(source, 'int main(void) { return missing; }\n');
    const failure = await compileC({ source, cache: path.join(cache, 'broken') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NativeBuildError);
    expect((failure as NativeBuildError).message).toContain('broken.c');
    expect((failure as NativeBuildError).stderr).toMatch(/missing/);
    expect(readdirSync(path.join(cache, 'broken'))).toEqual([]);
  });

  it('says so when there is no compiler at all', async () => {
    const failure = await compileC({ source: path.join(repoRoot(), NATIVE_SOURCES['echo-load']), cache, cc: 'no-such-cc' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NativeBuildError);
    expect((failure as NativeBuildError).message).toMatch(/no C compiler: no-such-cc/);
  });

  it('counts every round trip of a closed loop in the window between two instants', async () => {
    const session = await NativeSession.open(engine, options(server.port));
    expect(session.connections).toBe(4);
    const from = await session.setDrive({ mode: 'closed' });
    await session.waitUntil(from + 300);
    const to = monotonicMs();
    await session.setDrive({ mode: 'idle' });
    const window = await session.window(from, to);
    expect(window.requests).toBeGreaterThan(100);
    expect(window.rps).toBeCloseTo(window.requests / ((to - from) / 1000), 6);
    expect(window.latencyUs.p50).toBeGreaterThan(0);
    expect(session.errors + session.verifyFailures).toBe(0);
    // Two halves hold exactly the round trips of the whole.
    const mid = (from + to) / 2;
    expect((await session.window(from, mid)).requests + (await session.window(mid, to)).requests).toBe(window.requests);
    await session.close();
  });

  it('sends an open loop on schedule: the window holds the rate asked for', async () => {
    const session = await NativeSession.open(engine, options(server.port, 100, 10));
    const start = await session.setDrive({ mode: 'open', rate: 2_000 });
    await session.waitUntil(start + 1_200);
    await session.setDrive({ mode: 'idle' });
    // One second after the first 200 ms: 2,000 due, give or take the ones completing at the edges.
    const window = await session.window(start + 200, start + 1_200);
    expect(window.requests).toBeGreaterThanOrEqual(1_900);
    expect(window.requests).toBeLessThanOrEqual(2_100);
    expect(window.skipped).toBe(0);
    await session.close();
  });

  it('runs `rosetta echo-load` windows, 100 KiB messages included, with the engine as the client', async () => {
    const result = await runLoad({ ...options(server.port, 100 * 1024, 2), durationMs: 300, warmupMs: 100, engine });
    expect(result.requests).toBeGreaterThan(10);
    expect(result.errors + result.verifyFailures).toBe(0);
    expect(result.clientCpu.userUs + result.clientCpu.systemUs).toBeGreaterThan(0);
  });

  it('fails the connection whose echo differs by one byte, and only it', async () => {
    let corrupted = false;
    const liar = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        // The first message after the opening echo comes back with one byte changed.
        if (!corrupted && socket.bytesRead > 64) {
          corrupted = true;
          chunk[chunk.length - 1] = (chunk[chunk.length - 1] ?? 0) ^ 1;
        }
        socket.write(chunk);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const port = (liar.address() as net.AddressInfo).port;
    const session = await NativeSession.open(engine, options(port, 64, 3));
    const from = await session.setDrive({ mode: 'closed' });
    await session.waitUntil(from + 200);
    await session.setDrive({ mode: 'idle' });
    await session.window(from, monotonicMs());
    expect(session.verifyFailures).toBe(1);
    expect(session.errors).toBe(0);
    await session.close();
    await new Promise((resolve) => liar.close(resolve));
  });

  it('says how many connections opened when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const failure = await NativeSession.open(engine, options(port)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EchoLoadConnectError);
    expect((failure as EchoLoadConnectError).opened).toBe(0);
  });
});

describe('compileC', () => {
  // A `cc` that counts its runs, so a test can tell a cached build from a fresh one.
  const counter = path.join(cache0, 'cc-runs');
  const cc = path.join(cache0, 'counting-cc');
  writeFileSync(cc, `#!/bin/sh\necho run >> '${counter}'\nexec cc "$@"\n`);
  chmodSync(cc, 0o755);
  const runs = (): number => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;

  it('compiles on first use, reuses the build while the source is unchanged, and rebuilds after an edit', async () => {
    const cache = path.join(cache0, 'cache');
    const source = path.join(cache0, 'c-epoll.c');
    writeFileSync(source, readFileSync(path.join(repoRoot(), NATIVE_SOURCES['c-epoll'])));
    const [first, concurrent] = await Promise.all([compileC({ source, cache, cc }), compileC({ source, cache, cc })]);
    expect(concurrent).toBe(first);
    expect(statSync(first).mode & 0o111).not.toBe(0);
    expect(runs()).toBe(1);
    expect(await compileC({ source, cache, cc })).toBe(first);
    expect(runs()).toBe(1);
    writeFileSync(source, `${readFileSync(source, 'utf8')}\n/* an edit */\n`);
    const edited = await compileC({ source, cache, cc });
    expect(edited).not.toBe(first);
    expect(runs()).toBe(2);
  });

});

