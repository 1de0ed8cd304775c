// Child: the echo load generator, alone in its process (and on its own core where taskset exists),
// so the server's CPU figures are the server's. It verifies before it loads: a known payload of each
// size must come back identical, and a timed run with any verify failure or error is refused.
import net from 'node:net';
import { runLoad } from '../../scenarios/echo/load.js';
import { monotonicMs } from '../../scenarios/clock.js';
import { LoadSession } from '../../scenarios/echo/session.js';
import { VerificationError } from '../verification.js';
import { num, sendEvent, serve, str } from './ipc.js';

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

// The harness's long-lived session (phases/echo.ts): one at a time, driven and read by the parent.
let session: LoadSession | undefined;

function current(): LoadSession {
  if (session === undefined) throw new Error('no load session is open (send session-open first)');
  return session;
}

serve({
  handlers: {
    async 'session-open'(payload) {
      await session?.close();
      session = undefined;
      session = await LoadSession.open({
        host: '127.0.0.1',
        port: num(payload, 'port'),
        connections: num(payload, 'connections'),
        size: num(payload, 'size'),
      });
      return { connections: session.connections };
    },
    drive(payload) {
      const mode = str(payload, 'mode');
      if (mode === 'open') current().setDrive({ mode, rate: num(payload, 'rate') });
      else if (mode === 'closed' || mode === 'idle') current().setDrive({ mode });
      else throw new TypeError(`payload.mode must be open, closed or idle (got ${JSON.stringify(mode)})`);
      return { t: monotonicMs() };
    },
    // Round trips completed between two instants of the monotonic clock (e.g. the server's CPU readings);
    // the records up to `to` are forgotten unless `keep` is true.
    window(payload) {
      const s = current();
      if (s.verifyFailures > 0) throw new VerificationError(`${s.verifyFailures} echoes differed from what was sent`);
      if (s.errors > 0) throw new Error(`${s.errors} connection errors during the load`);
      const stats = s.window(num(payload, 'from'), num(payload, 'to'));
      // `keep`: a longer window over this one follows (the cost window's latency over its sub-windows).
      if (payload.keep !== true) s.forget(num(payload, 'to'));
      return stats;
    },
    // A closed loop for a number of round trips, then idle: resolves with how many completed.
    async 'round-trips'(payload) {
      const s = current();
      const requests = await s.roundTrips(num(payload, 'count'));
      if (s.verifyFailures > 0) throw new VerificationError(`${s.verifyFailures} echoes differed from what was sent`);
      if (s.errors > 0) throw new Error(`${s.errors} connection errors during the load`);
      return { requests };
    },
    // This process's CPU, with the time it was read: the client's share of a window.
    cpu: () => ({ ...process.cpuUsage(), t: monotonicMs() }),
    async 'session-close'() {
      const s = current();
      session = undefined;
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
    async load(payload) {
      // The parent times the server's CPU window from this moment (see phases/echo-throughput.ts).
      sendEvent('load-started');
      const result = await runLoad({
        host: '127.0.0.1',
        port: num(payload, 'port'),
        connections: num(payload, 'connections'),
        size: num(payload, 'size'),
        durationMs: num(payload, 'durationMs'),
        warmupMs: num(payload, 'warmupMs'),
      });
      if (result.verifyFailures > 0) {
        throw new VerificationError(`${result.verifyFailures} echoes differed from what was sent (${result.requests} requests)`);
      }
      if (result.errors > 0) throw new Error(`${result.errors} connection errors during the load`);
      if (result.requests === 0) throw new VerificationError('no request completed in the window');
      return result;
    },
  },
  cleanup: async () => {
    await session?.close();
  },
});
