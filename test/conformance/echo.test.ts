// The echo conformance suite (scenarios/echo/SPEC.md), run against every style in STYLES and the
// baseline. Behaviour a client can see is tested in-process; memory and file-descriptor limits are
// tested on the built server (`dist/`, `rosetta echo-server`) in a child process, asked over IPC.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBaselineEchoServer } from '../../scenarios/echo/baseline.js';
import { DEFAULT_ECHO_OPTIONS } from '../../scenarios/echo/contract.js';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';
import type { ControlAnswer, ControlMessage, ControlRequest } from '../../scenarios/echo/control.js';
import { knownIssue } from '../../styles/known-issues.js';
import { STYLES } from '../../styles/registry.js';
import { startProcess } from '../../harness/processes.js';
import { openResources } from '../support/resources.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const KiB = 1024;
const MiB = 1024 * KiB;

interface Subject {
  readonly id: string;
  readonly start: (options: EchoServerOptions) => Promise<EchoServerHandle>;
  /** Sources whose built JavaScript the child-process tests run. */
  readonly sources: readonly string[];
}

const SUBJECTS: readonly Subject[] = [
  ...STYLES.map((style) => ({
    id: style.id,
    start: (options: EchoServerOptions) => style.startEchoServer(options),
    sources: [style.sources.echo, `styles/${style.id}/index.ts`],
  })),
  { id: 'baseline', start: startBaselineEchoServer, sources: ['scenarios/echo/baseline.ts'] },
];

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

/** A test a style is known not to pass is expected to fail, so the list stays true (TodoMVC). */
function test(subject: Subject, title: string): typeof it | typeof it.fails {
  return knownIssue(subject.id, 'echo', title) === undefined ? it : it.fails;
}

describe.each(SUBJECTS)('echo: $id', (subject) => {
  let server: EchoServerHandle;
  const clients = new Set<net.Socket>();
  const connect = (port = server.port): Promise<net.Socket> => connectTo(port, clients);

  beforeAll(async () => {
    server = await subject.start(DEFAULT_ECHO_OPTIONS);
  });
  afterEach(async () => {
    // Every test leaves nothing open: its clients closed, and the server holding no connection.
    await Promise.all([...clients].map(closeSocket));
    await until(() => server.connections() === 0, 'the server to drop every connection');
  });
  afterAll(async () => {
    await server.close();
    expect(server.connections()).toBe(0);
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

  test(subject, TITLES.close)(TITLES.close, async () => {
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

  test(subject, TITLES.listenError)(TITLES.listenError, async () => {
    const before = await openResources();
    await expect(subject.start({ host: server.host, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
  });

  describe('in a child process (the built server)', () => {
    beforeAll(() => assertBuilt(subject));

    test(subject, TITLES.memory)(TITLES.memory, async () => {
      const child = await startChild(subject.id, { exposeGc: true });
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
      const child = await startChild(subject.id, { fdLimit: 64 });
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
});

describe('the echo probes catch a broken server', () => {
  it('a server that ignores backpressure fails the 64 MiB memory probe', async () => {
    // The same probe as above against a server that writes without ever pausing its reader: if
    // this did not exceed the bound, the conformance test above could not fail.
    const child = await startChild('no-backpressure', { exposeGc: true, script: UNBOUNDED_ECHO_SCRIPT });
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

// ---------------------------------------------------------------------------------------------
// Client helpers. Every socket they open is tracked, so the test that opened it can close it.

function connectTo(port: number, clients: Set<net.Socket>): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function closeSocket(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  const closed = once(socket, 'close').then(() => undefined);
  socket.on('error', () => undefined); // a reset seen while closing is not the test's subject
  socket.destroy();
  return closed;
}

/** Writes `payload` and checks that exactly the same bytes come back. */
async function roundTrip(socket: net.Socket, payload: Buffer): Promise<void> {
  expectSame(await exchange(socket, payload), payload, `${payload.length} B round trip`);
}

/** Writes `payload` and resolves with exactly as many bytes back; more, or an EOF first, rejects. */
function exchange(socket: net.Socket, payload: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = (): void => {
      // Paused, bytes the server sends after the echo wait in the buffer for the next check.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < payload.length) return;
      stop();
      if (length > payload.length) reject(new Error(`got ${length} bytes back for ${payload.length} sent`));
      else resolve(Buffer.concat(chunks, length));
    };
    const onEnd = (): void => {
      stop();
      reject(new Error(`EOF after ${length} of ${payload.length} bytes`));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
    socket.write(payload);
  });
}

/** Everything the socket receives until EOF. */
async function readToEnd(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One connection trying one round trip: served (socket kept open) or shed (EOF, reset, refused). */
async function attemptEcho(port: number, n: number, clients: Set<net.Socket>): Promise<{ socket?: net.Socket }> {
  const payload = Buffer.from(`attempt ${n}`);
  let socket: net.Socket | undefined;
  let echo: Buffer;
  try {
    socket = await connectTo(port, clients);
    echo = await exchange(socket, payload);
  } catch {
    if (socket !== undefined) await closeSocket(socket);
    return {};
  }
  // Shed is fine; served with the wrong bytes is not.
  expectSame(echo, payload, `attempt ${n}`);
  return { socket };
}

/** Compares without printing megabytes: reports the first differing offset. */
function expectSame(actual: Buffer, expected: Buffer, label: string): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  expect.fail(`${label}: ${actual.length} bytes back for ${expected.length} sent, first difference at offset ${at}`);
}

/** Waits for a condition that no event announces (a server-side count), checking every 5 ms. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------------
// The unread flood: a client sends 64 MiB without reading a byte, honouring its own backpressure.
// An honest server stops reading once its write buffer is full, so the client's writes stall after
// what the kernel's socket buffers hold (a few MiB on loopback) and the server's memory stays put.
// Measured in the server's own process after GC, because an in-process measurement would count
// the client's buffers too; `bytesRead` alone would show that reading stopped, not what it cost.

interface FloodProbe {
  /** The client's writes stopped draining before 64 MiB were sent. */
  readonly stalled: boolean;
  /** Server heapUsed + external + arrayBuffers, after GC, while stalled, minus the same before. */
  readonly growth: number;
  /** Once the client read again, every byte came back, in order, and the server then ended. */
  readonly echoedAll: boolean;
}

const FLOOD_BYTES = 64 * MiB;
const BLOCK = 64 * KiB;
/** A stalled writer has no event: no 'drain' for this long, with the server idle, is the signal. */
const STALL_MS = 500;

async function probeUnreadFlood(child: Child, clients: Set<net.Socket>): Promise<FloodProbe> {
  const before = await child.ask('memory');
  if (before.kind !== 'memory' || !before.gc) throw new Error('the server child must run with --expose-gc');
  const socket = await connectTo(child.port, clients);
  socket.pause(); // reads nothing
  const base = randomBytes(BLOCK);
  const sentHash = createHash('sha256');
  let sent = 0;
  const nextBlock = (): Buffer => {
    const block = Buffer.from(base);
    block.writeUInt32LE(sent / BLOCK, 0); // every block distinct: a dropped or repeated one shows
    sentHash.update(block);
    sent += BLOCK;
    return block;
  };
  const drained = (quietMs: number | undefined): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const timer = quietMs === undefined ? undefined : setTimeout(() => finish(false), quietMs);
      const onDrain = (): void => finish(true);
      const finish = (drain: boolean): void => {
        clearTimeout(timer);
        socket.off('drain', onDrain);
        resolve(drain);
      };
      socket.once('drain', onDrain);
    });

  let stalled = false;
  while (sent < FLOOD_BYTES && !stalled) {
    if (!socket.write(nextBlock())) stalled = !(await drained(STALL_MS));
  }
  const during = await child.ask('memory');
  if (during.kind !== 'memory') throw new Error(`memory probe answered ${JSON.stringify(during)}`);
  const held = (m: typeof during): number => m.heapUsed + m.external + m.arrayBuffers;

  // Now read: the server must resume, echo the rest, and end after the client's FIN.
  const receivedHash = createHash('sha256');
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    receivedHash.update(chunk);
    received += chunk.length;
  });
  const ended = once(socket, 'end');
  socket.resume();
  while (sent < FLOOD_BYTES) {
    if (!socket.write(nextBlock())) await drained(undefined);
  }
  socket.end();
  await ended;
  return {
    stalled,
    growth: held(during) - held(before),
    echoedAll: received === FLOOD_BYTES && receivedHash.digest('hex') === sentHash.digest('hex'),
  };
}

// ---------------------------------------------------------------------------------------------
// The server in a child process: `rosetta echo-server` from dist/, asked questions over IPC.

interface Child {
  readonly port: number;
  ask(request: ControlRequest): Promise<ControlAnswer>;
  /** SIGTERM, then the exit code (0 when the server closed cleanly). */
  stop(): Promise<number | null>;
}

/**
 * A deliberately broken echo server for the probe self-test: it writes without ever pausing, so
 * a client that does not read makes it buffer everything. It answers the same control questions.
 */
const UNBOUNDED_ECHO_SCRIPT = `
import net from 'node:net';
import { answerControl } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/scenarios/echo/control.js')).href)};
const sockets = new Set();
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('end', () => socket.end());
});
server.listen(0, '127.0.0.1', () => process.send({ kind: 'listening', server: 'no-backpressure', host: '127.0.0.1', port: server.address().port }));
process.on('message', (m) => process.send({ kind: 'answer', id: m.id, answer: answerControl(m.request, { connections: () => sockets.size }) }));
process.once('SIGTERM', () => { server.close(); for (const socket of sockets) socket.destroy(); process.disconnect(); });
`;

async function startChild(
  id: string,
  options: { readonly exposeGc?: boolean; readonly fdLimit?: number; readonly script?: string },
): Promise<Child> {
  const node = [
    process.execPath,
    ...(options.exposeGc === true ? ['--expose-gc'] : []),
    ...(options.script === undefined ? [CLI, 'echo-server', '--style', id, '--port', '0'] : ['--input-type=module', '-e', options.script]),
  ];
  // `ulimit -n` in a shell that then becomes node: the limit applies to the server alone.
  const [command, ...args] = options.fdLimit === undefined ? node : ['bash', '-c', `ulimit -n ${options.fdLimit} && exec "$@"`, 'bash', ...node];
  const child = startProcess({ label: `echo-server[${id}]`, command: command!, args, ipc: true, tailBytes: 16 * KiB });
  const gone = (what: string): Promise<never> =>
    child.exited.then((exit) => Promise.reject(new Error(`echo server ${id} exited (${exit.code}) before ${what}: ${child.tail()}`)));

  const port = await new Promise<number>((resolve, reject) => {
    const off = child.onMessage((message) => {
      if ((message as ControlMessage).kind !== 'listening') return;
      off();
      resolve((message as Extract<ControlMessage, { kind: 'listening' }>).port);
    });
    gone('listening').catch(reject);
  });

  let nextId = 0;
  return {
    port,
    ask: (request) =>
      new Promise<ControlAnswer>((resolve, reject) => {
        const id = nextId++;
        const off = child.onMessage((raw) => {
          const message = raw as ControlMessage;
          if (message.kind !== 'answer' || message.id !== id) return;
          off();
          resolve(message.answer);
        });
        gone(`answering ${request}`).catch(reject);
        child.send({ id, request }).catch(reject);
      }),
    stop: async () => (await child.kill('SIGTERM')).code,
  };
}

/** The child runs dist/: refuse to test JavaScript older than its TypeScript. */
function assertBuilt(subject: Subject): void {
  const sources = [
    ...subject.sources,
    'cli/main.ts',
    'cli/commands/echo-server.ts',
    'styles/registry.ts',
    'scenarios/echo/control.ts',
    'scenarios/echo/server-options.ts',
  ];
  for (const source of sources) {
    const built = path.join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
    let builtAt: number;
    try {
      builtAt = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${path.relative(ROOT, built)} is missing: build first (npx tsc -p tsconfig.build.json)`);
    }
    if (builtAt < statSync(path.join(ROOT, source)).mtimeMs) {
      throw new Error(`${path.relative(ROOT, built)} is older than ${source}: build first (npx tsc -p tsconfig.build.json)`);
    }
  }
}
