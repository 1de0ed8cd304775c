// The echo conformance suite (scenarios/echo/SPEC.md), run against every style in STYLES, the
// baseline, and the reference servers not written in Node (harness/references.ts) this machine can
// run. Behaviour a client can see is tested in-process; memory and file-descriptor limits are
// tested on the built server (`dist/`, `rosetta echo-server`) in a child process, asked over IPC
// (test/support/echo-server-child.ts). A reference is a process already: its connections are read
// from /proc, its memory is VmRSS, its descriptor limit is set with prlimit. The client helpers are
// test/support/echo-client.ts, the memory probe test/support/flood-probe.ts.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type net from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../harness/processes/watch.js';
import { availableReferences, heldConnections, residentBytes, startReferenceServer, type ReferenceId } from '../../harness/references.js';
import { startBaselineEchoServer } from '../../scenarios/echo/baseline.js';
import { DEFAULT_ECHO_OPTIONS } from '../../scenarios/echo/contract.js';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';
import { knownIssue } from '../../styles/known-issues.js';
import { STYLES } from '../../styles/registry.js';
import {
  attemptEcho, closeSocket, connectTo, exchange, expectSame, isEqual, mib, readToEnd, roundTrip, until, untilAsync,
} from '../support/echo-client.js';
import { assertBuilt, startEchoServerChild } from '../support/echo-server-child.js';
import { probeUnreadFlood, probeUnreadFloodOn } from '../support/flood-probe.js';
import { expectKnownFailure } from '../support/known-issue.js';
import { openResources } from '../support/resources.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Subject {
  readonly id: string;
  readonly start: (options: EchoServerOptions) => Promise<EchoServerHandle>;
  /** Sources whose built JavaScript the child-process tests run. */
  readonly sources: readonly string[];
  /** A reference server (not Node): a process of its own, tested as one. */
  readonly reference?: ReferenceId;
}

/** A reference server as the suite's handle: connections counted from /proc, close() is SIGTERM. */
async function startReference(id: ReferenceId, options: EchoServerOptions): Promise<EchoServerHandle & { readonly pid: number; stop(): Promise<number | null> }> {
  const server = await startReferenceServer(id, options);
  return {
    host: server.host,
    port: server.port,
    pid: server.pid,
    // After it has exited, /proc has no such pid and the count is 0.
    connections: () => heldConnections(server.pid, server.port),
    close: async () => {
      await server.stop();
    },
    stop: async () => (await server.stop()).code,
  };
}

const references = await availableReferences();

const SUBJECTS: readonly Subject[] = [
  ...STYLES.map((style) => ({
    id: style.id,
    start: (options: EchoServerOptions) => style.startEchoServer(options),
    sources: [style.sources.echo, `styles/${style.id}/index.ts`],
  })),
  { id: 'baseline', start: startBaselineEchoServer, sources: ['scenarios/echo/baseline.ts'] },
  ...references.available.map((id) => ({ id: `${id} (reference)`, start: (options: EchoServerOptions) => startReference(id, options), sources: [], reference: id })),
];

/** A reference whose toolchain this machine lacks is reported skipped, with why, not dropped. */
describe.each(references.missing)('echo: $id (reference)', ({ why }) => {
  it.skip(`not available on this machine: ${why}`, () => undefined);
});

/** A reference's EMFILE test: an attempt not echoed by then counts as shed (asyncio stops accepting for a second at EMFILE). */
const SHED_AFTER_MS = 2_000;
/** ...and once descriptors are free, a new connection may wait behind the abandoned ones in the backlog. */
const SERVED_AGAIN_WITHIN_MS = 20_000;
/** The test titles, exactly as styles/known-issues.ts names them. */
const TITLES = {
  payloads: 'random binary payloads of 1 B to 1 MiB come back identical',
  concurrent: '1,000 concurrent connections each get their own bytes back',
  halfClose: 'a half-close gets the full echo, then EOF',
  memory: "a client that sends 64 MiB and reads nothing leaves the server's memory bounded",
  reset: 'a client reset mid-write does not disturb other connections',
  close: 'close() ends open connections and leaves no sockets or timers behind',
  listenError: 'a port already in use fails the start with EADDRINUSE',
  emfile: 'survives running out of file descriptors (EMFILE) and accepts again when some close',
} as const;

/**
 * A test a style is known not to pass must fail, and with the failure the issue names, so the list
 * stays true (TodoMVC) and an unrelated crash is not taken for the known one.
 */
function test(subject: Subject, title: string): (name: string, body: () => Promise<void>) => void {
  const issue = knownIssue(subject.id, 'echo', title);
  if (issue === undefined) return (name, body) => it(name, body);
  // Given the room to fail its own way: the threads style's 1,000 connections first start 256 threads.
  return (name, body) => it(name, () => expectKnownFailure(issue, body), 60_000);
}

describe.each(SUBJECTS)('echo: $id', (subject) => {
  let server: EchoServerHandle;
  const clients = new Set<net.Socket>();
  const connect = (port = server.port): Promise<net.Socket> => connectTo(port, clients);

  // Each test has a server of its own. A test that fails (a known issue's among them) may leave the
  // server busy: the threads style's 1,000-connection test leaves up to 256 threads still starting
  // after its clients have gone, and a shared server made the next test wait behind them.
  beforeEach(async () => {
    server = await subject.start(DEFAULT_ECHO_OPTIONS);
  });
  afterEach(async ({ task }) => {
    try {
      // Every test leaves nothing open: its clients closed, and the server holding no connection.
      // A known issue's test is expected to fail, this check with it: its server is closed at once.
      await Promise.all([...clients].map(closeSocket));
      if (knownIssue(subject.id, 'echo', task.name) === undefined) await until(() => server.connections() === 0, 'the server to drop every connection');
    } finally {
      await server.close();
      expect(server.connections()).toBe(0);
    }
  });

  test(subject, TITLES.payloads)(TITLES.payloads, async () => {
    const sizes = [1, 2, 255, KiB, 16 * KiB - 1, 16 * KiB, 64 * KiB + 1, 256 * KiB, MiB];
    const payloads = sizes.map((size) => randomBytes(size));
    // One message at a time on one connection...
    const socket = await connect();
    for (const payload of payloads) await roundTrip(socket, payload);
    // ...and all of them back to back on another, so message boundaries fall inside chunks.
    const pipelined = await connect();
    const all = Buffer.concat(payloads);
    for (const payload of payloads) pipelined.write(payload);
    pipelined.end();
    expectSame(await readToEnd(pipelined), all, 'pipelined payloads');
  });

  test(subject, TITLES.concurrent)(TITLES.concurrent, async () => {
    const count = 1000;
    const sockets: net.Socket[] = [];
    // In batches, so a burst of SYNs stays under the listen backlog; all of them stay open.
    for (let first = 0; first < count; first += 100) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - first) }, () => connect()))));
    }
    await until(() => server.connections() === count, `the server to hold ${count} connections`);
    const payloads = sockets.map(() => randomBytes(KiB));
    const echoes = await Promise.all(sockets.map((socket, i) => exchange(socket, payloads[i]!)));
    const mismatched = echoes.filter((echo, i) => !echo.equals(payloads[i]!)).length;
    expect(mismatched, 'connections whose echo differs from what they sent').toBe(0);
  });

  test(subject, TITLES.halfClose)(TITLES.halfClose, async () => {
    // The FIN follows 4 MiB the server has mostly not echoed yet: it must finish, then end.
    const payload = randomBytes(4 * MiB);
    const socket = await connect();
    socket.end(payload);
    expectSame(await readToEnd(socket), payload, 'echo before EOF');
    // And an empty half-close is an immediate, empty EOF.
    const empty = await connect();
    empty.end();
    expect((await readToEnd(empty)).length).toBe(0);
  });

  test(subject, TITLES.reset)(TITLES.reset, async () => {
    const bystander = await connect();
    await roundTrip(bystander, randomBytes(64 * KiB));
    // The victim sends 8 MiB and resets (RST) as soon as the echo starts, while the server is still
    // writing to it and has more to read.
    const victim = await connect();
    victim.on('error', () => undefined);
    const echoing = once(victim, 'data');
    victim.write(randomBytes(8 * MiB));
    await echoing;
    victim.resetAndDestroy();
    await until(() => server.connections() === 1, 'the server to drop the reset connection');
    await roundTrip(bystander, randomBytes(MiB));
    await roundTrip(await connect(), randomBytes(64 * KiB));
  });

  if (subject.reference === undefined) test(subject, TITLES.close)(TITLES.close, async () => {
    const before = await openResources();
    const own = await subject.start(DEFAULT_ECHO_OPTIONS);
    const idle = await connect(own.port);
    // Busy: the server waits on a client that sends and never reads.
    const busy = await connect(own.port);
    busy.pause();
    busy.on('error', () => undefined);
    busy.write(randomBytes(8 * MiB));
    await until(() => own.connections() === 2, 'the server to hold both connections');
    await own.close();
    expect(own.connections()).toBe(0);
    await Promise.all([idle, busy].map(closeSocket));
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    // A thread-per-connection server joins every thread it started.
    if (before.threads !== undefined) expect(after.threads).toBeLessThanOrEqual(before.threads);
  });

  // A process has no timers or sockets in this one to leave behind: for a reference, close() is
  // SIGTERM, and what it must leave is a clean exit (0), a free port, and nothing open here.
  it.runIf(subject.reference !== undefined)('close (SIGTERM) ends open connections, exits 0 and frees the port', async () => {
    const before = await openResources();
    const own = await startReference(subject.reference!, DEFAULT_ECHO_OPTIONS);
    try {
      const idle = await connect(own.port);
      const busy = await connect(own.port);
      busy.pause();
      busy.on('error', () => undefined);
      busy.write(randomBytes(8 * MiB));
      await until(() => own.connections() === 2, 'the server to hold both connections');
      expect(await own.stop()).toBe(0);
      expect(own.connections()).toBe(0);
      await Promise.all([idle, busy].map(closeSocket));
      const refused = await connect(own.port).then(
        (socket) => closeSocket(socket).then(() => 'connected'),
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(refused, 'a connection to the stopped server').toBe('ECONNREFUSED');
    } finally {
      await own.stop(); // at once if it has exited already; a failed check must not leave it running
    }
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  test(subject, TITLES.listenError)(TITLES.listenError, async () => {
    const before = await openResources();
    await expect(subject.start({ host: server.host, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
  });

  describe.runIf(subject.reference === undefined)('in a child process (the built server)', () => {
    beforeAll(() => assertBuilt(subject.sources));

    test(subject, TITLES.memory)(TITLES.memory, async () => {
      const child = await startEchoServerChild(subject.id, { exposeGc: true });
      try {
        const probe = await probeUnreadFlood(child, clients);
        expect(probe.stalled, 'the client could send all 64 MiB: the server kept reading').toBe(true);
        expect(probe.growth, `server memory growth (heap+external+arrayBuffers, after GC): ${mib(probe.growth)}`).toBeLessThan(16 * MiB);
        expect(probe.echoedAll, 'after the client read again, the whole 64 MiB came back in order').toBe(true);
      } finally {
        expect(await child.stop()).toBe(0);
      }
    });

    test(subject, TITLES.emfile)(TITLES.emfile, async () => {
      const child = await startEchoServerChild(subject.id, { fdLimit: 64 });
      try {
        // 1. More connections than 64 descriptors allow, each trying one round trip.
        const attempts = await Promise.all(Array.from({ length: 100 }, (_, i) => attemptEcho(child.port, i, clients)));
        const served = attempts.flatMap((attempt) => (attempt.socket === undefined ? [] : [attempt.socket]));
        const shed = attempts.length - served.length;
        expect(shed, 'connections the server shed: none means the limit was never reached').toBeGreaterThan(0);
        expect(served.length).toBeGreaterThan(10);
        // 2. The server is up, holding exactly the connections it served.
        expect(await child.ask('connections')).toEqual({ kind: 'connections', count: served.length });
        // 3. They keep echoing.
        for (const socket of served) await roundTrip(socket, randomBytes(KiB));
        // 4. Free ten descriptors; once the server has closed its side, it accepts again.
        await Promise.all(served.slice(0, 10).map(closeSocket));
        const remaining = served.length - 10;
        await untilAsync(async () => isEqual(await child.ask('connections'), { kind: 'connections', count: remaining }), 'the server to close its side');
        const again = await Promise.all(Array.from({ length: 5 }, (_, i) => attemptEcho(child.port, 1000 + i, clients)));
        expect(again.filter((attempt) => attempt.socket !== undefined).length, 'new connections served after some closed').toBe(5);
      } finally {
        await Promise.all([...clients].map(closeSocket));
        expect(await child.stop()).toBe(0);
      }
    });
  });

  describe.runIf(subject.reference !== undefined)('its own process (a reference)', () => {
    it(`${TITLES.memory} (RSS)`, async () => {
      const own = await startReference(subject.reference!, DEFAULT_ECHO_OPTIONS);
      try {
        const probe = await probeUnreadFloodOn({ port: own.port, held: () => Promise.resolve(residentBytes(own.pid)) }, clients);
        expect(probe.stalled, 'the client could send all 64 MiB: the server kept reading').toBe(true);
        expect(probe.growth, `server RSS growth (VmRSS): ${mib(probe.growth)}`).toBeLessThan(16 * MiB);
        expect(probe.echoedAll, 'after the client read again, the whole 64 MiB came back in order').toBe(true);
      } finally {
        expect(await own.stop()).toBe(0);
      }
    });

    // Stock asyncio, at EMFILE, logs a traceback once per backlog slot on each accept attempt and
    // retries a second later; its loop is that busy while the limit holds, hence the long timeout.
    it(TITLES.emfile, { timeout: 120_000 }, async () => {
      const own = await startReference(subject.reference!, DEFAULT_ECHO_OPTIONS);
      try {
        // Limited once it listens, on the server alone, as the Node children are.
        await runCommand({ label: 'prlimit', command: 'prlimit', args: ['--pid', String(own.pid), '--nofile=64:64'] });
        // 1. More connections than 64 descriptors allow, each trying one round trip.
        const attempts = await Promise.all(Array.from({ length: 100 }, (_, i) => attemptEcho(own.port, i, clients, SHED_AFTER_MS)));
        const served = attempts.flatMap((attempt) => (attempt.socket === undefined ? [] : [attempt.socket]));
        const shed = attempts.length - served.length;
        expect(shed, 'connections the server shed: none means the limit was never reached').toBeGreaterThan(0);
        expect(served.length).toBeGreaterThan(10);
        // 2. The server is up, holding exactly the connections it served.
        await until(() => own.connections() === served.length, `the server to hold the ${served.length} connections it served`);
        // 3. They keep echoing.
        for (const socket of served) await roundTrip(socket, randomBytes(KiB));
        // 4. Free ten descriptors; once the server has closed its side, it accepts again.
        await Promise.all(served.slice(0, 10).map(closeSocket));
        const remaining = served.length - 10;
        await until(() => own.connections() === remaining, 'the server to close its side');
        const again = await Promise.all(Array.from({ length: 5 }, (_, i) => attemptEcho(own.port, 1000 + i, clients, SERVED_AGAIN_WITHIN_MS)));
        expect(again.filter((attempt) => attempt.socket !== undefined).length, 'new connections served after some closed').toBe(5);
      } finally {
        await Promise.all([...clients].map(closeSocket));
        expect(await own.stop()).toBe(0);
      }
    });
  });
});

describe('the echo probes catch a broken server', () => {
  it('a server that ignores backpressure fails the 64 MiB memory probe', async () => {
    // The same probe as above against a server that writes without ever pausing its reader: if
    // this did not exceed the bound, the conformance test above could not fail.
    const child = await startEchoServerChild('no-backpressure', { exposeGc: true, fixture: 'unbounded-echo' });
    const clients = new Set<net.Socket>();
    try {
      const probe = await probeUnreadFlood(child, clients);
      expect(probe.stalled).toBe(false);
      expect(probe.growth).toBeGreaterThan(16 * MiB);
    } finally {
      await Promise.all([...clients].map(closeSocket));
      expect(await child.stop()).toBe(0);
    }
  });
});
