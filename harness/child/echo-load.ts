// Child: the echo load generator, alone in its process (and on its own core where taskset exists),
// so the server's CPU figures are the server's. It verifies before it loads: a known payload of each
// size must come back identical, and a timed run with any verify failure or error is refused.
import net from 'node:net';
import { monotonicMs } from '../../scenarios/clock.js';
import { NativeEngine, NativeSession } from '../../scenarios/echo/native-session.js';
import { LoadSession } from '../../scenarios/echo/session.js';
import { VerificationError } from '../verification.js';
import { num, serve, str } from './ipc.js';

/** A payload whose every byte depends on its position, so a reordered or shifted echo cannot match. */
export function knownPayload(size: number): Buffer {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >> 8) * 7 + 11) & 0xff;
  return payload;
}

/** Sends the payload on a fresh connection and resolves with exactly as many bytes as came back before the close. */
function echoOnce(port: number, payload: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new VerificationError(`no complete echo of ${payload.length} bytes within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Half-close after writing: the contract says the server finishes writing, then closes.
    socket.once('connect', () => socket.end(payload));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

// `--native BINARY`: the sessions' sockets live in the C engine (scenarios/echo/native-session.ts),
// which this process starts and which inherits its core; verification and the windows stay here.
const nativeAt = process.argv.indexOf('--native');
const engine = nativeAt < 0 ? undefined : new NativeEngine(process.argv[nativeAt + 1] ?? '');

// The harness's long-lived sessions (phases/echo-cost.ts), by name: one per server of the fleet,
// each driven and read by the parent on its own.
const sessions = new Map<string, LoadSession | NativeSession>();

function nameOf(payload: Record<string, unknown>): string {
  return payload.session === undefined ? 'main' : str(payload, 'session');
}

function current(payload: Record<string, unknown>): LoadSession | NativeSession {
  const name = nameOf(payload);
  const session = sessions.get(name);
  if (session === undefined) throw new Error(`no load session ${JSON.stringify(name)} is open (send session-open first)`);
  return session;
}

function spansOf(value: unknown): [number, number][] {
  const ok = Array.isArray(value) && value.every((span) => Array.isArray(span) && span.length === 2 && span.every((t) => typeof t === 'number'));
  if (!ok) throw new TypeError(`payload.spans must be a list of [from, to] pairs of numbers (got ${JSON.stringify(value)})`);
  return value as [number, number][];
}

/** Drives a session as `payload.mode` says; resolves with the instant it took effect (the engine's, for the native client). */
async function drive(s: LoadSession | NativeSession, payload: Record<string, unknown>): Promise<number> {
  const mode = str(payload, 'mode');
  let t: number | void;
  if (mode === 'open') t = await s.setDrive({ mode, rate: num(payload, 'rate') });
  else if (mode === 'closed' || mode === 'idle') t = await s.setDrive({ mode });
  else throw new TypeError(`payload.mode must be open, closed or idle (got ${JSON.stringify(mode)})`);
  return typeof t === 'number' ? t : monotonicMs();
}

function throwIfBroken(s: LoadSession | NativeSession): void {
  if (s.verifyFailures > 0) throw new VerificationError(`${s.verifyFailures} echoes differed from what was sent`);
  if (s.errors > 0) throw new Error(`${s.errors} connection errors during the load`);
}

serve({
  handlers: {
    async 'session-open'(payload) {
      const name = nameOf(payload);
      const previous = sessions.get(name);
      sessions.delete(name);
      await previous?.close();
      const options = { host: '127.0.0.1', port: num(payload, 'port'), connections: num(payload, 'connections'), size: num(payload, 'size') };
      const session = engine === undefined ? await LoadSession.open(options) : await NativeSession.open(engine, options);
      sessions.set(name, session);
      return { connections: session.connections };
    },
    async drive(payload) {
      return { t: await drive(current(payload), payload) };
    },
    // One slice of a paired turn ends and the next begins in one request: `idle` (a session name)
    // stops, then `session` is driven as `mode` says; each with the instant it took effect.
    async switch(payload) {
      const idle = payload.idle === undefined ? undefined : sessions.get(str(payload, 'idle'));
      if (payload.idle !== undefined && idle === undefined) throw new Error(`no load session ${JSON.stringify(payload.idle)} is open`);
      const stopped = idle === undefined ? undefined : await drive(idle, { mode: 'idle' });
      const started = payload.session === undefined ? undefined : await drive(current(payload), payload);
      return { stopped, started };
    },
    // Round trips completed between two instants of the monotonic clock (e.g. the server's CPU readings),
    // or in several disjoint `spans` ([from, to] pairs) taken as one window; the records up to the
    // window's end are forgotten unless `keep` is true.
    async window(payload) {
      const s = current(payload);
      const stats = payload.spans === undefined ? await s.window(num(payload, 'from'), num(payload, 'to')) : await s.spans(spansOf(payload.spans));
      throwIfBroken(s);
      // `keep`: a longer window over this one follows (the cost window's latency over its sub-windows).
      if (payload.keep !== true) s.forget(stats.to);
      return stats;
    },
    // A closed loop for a number of round trips, then idle: resolves with how many completed.
    async 'round-trips'(payload) {
      const s = current(payload);
      if (s instanceof NativeSession) throw new TypeError('round-trips is a node client request (instruction counting starts its own load child)');
      const requests = await s.roundTrips(num(payload, 'count'));
      throwIfBroken(s);
      return { requests };
    },
    // This process's CPU, with the time it was read: the client's share of a window.
    // With the engine, its CPU is the client's too: this process only answers between windows.
    async cpu() {
      const own = process.cpuUsage();
      if (engine === undefined) return { ...own, t: monotonicMs() };
      const native = await engine.cpu();
      return { user: own.user + native.user, system: own.system + native.system, t: native.t };
    },
    async 'session-close'(payload) {
      const s = current(payload);
      sessions.delete(nameOf(payload));
      await s.close();
      return { errors: s.errors, verifyFailures: s.verifyFailures };
    },
    async verify(payload) {
      const port = num(payload, 'port');
      const sizes = payload.sizes as number[];
      for (const size of sizes) {
        const sent = knownPayload(size);
        const got = await echoOnce(port, sent, 5_000);
        if (!got.equals(sent)) {
          const at = got.findIndex((byte, i) => byte !== sent[i]);
          throw new VerificationError(
            `echo of a ${size}-byte payload came back as ${got.length} bytes` + (at >= 0 ? `, first difference at byte ${at}` : ''),
          );
        }
      }
      return { verified: sizes };
    },
  },
  cleanup: async () => {
    await Promise.all([...sessions.values()].map((s) => s.close()));
    await engine?.stop();
  },
});
