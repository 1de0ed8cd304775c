// The unread flood: a client sends 64 MiB without reading a byte, honouring its own backpressure.
// An honest server stops reading once its write buffer is full, so the client's writes stall after
// what the kernel's socket buffers hold (a few MiB on loopback) and the server's memory stays put.
// Measured in the server's own process after GC, because an in-process measurement would count
// the client's buffers too; `bytesRead` alone would show that reading stopped, not what it cost.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type net from 'node:net';
import { connectTo } from './echo-client.js';
import type { EchoServerChild } from './echo-server-child.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const FLOOD_BYTES = 64 * MiB;
const BLOCK = 64 * KiB;
/** A stalled writer has no event: no 'drain' for this long, with the server idle, is the signal. */
const STALL_MS = 500;

export interface FloodProbe {
  /** The client's writes stopped draining before 64 MiB were sent. */
  readonly stalled: boolean;
  /** The server's memory while stalled minus the same before: heap after GC for a Node child, RSS for a reference process. */
  readonly growth: number;
  /** Once the client read again, every byte came back, in order, and the server then ended. */
  readonly echoedAll: boolean;
}

/** A Node server child: memory is heapUsed + external + arrayBuffers after GC, asked over IPC. */
export async function probeUnreadFlood(child: EchoServerChild, clients: Set<net.Socket>): Promise<FloodProbe> {
  const first = await child.ask('memory');
  if (first.kind !== 'memory' || !first.gc) throw new Error('the server child must run with --expose-gc');
  const held = async (): Promise<number> => {
    const memory = await child.ask('memory');
    if (memory.kind !== 'memory') throw new Error(`memory probe answered ${JSON.stringify(memory)}`);
    return memory.heapUsed + memory.external + memory.arrayBuffers;
  };
  return probeUnreadFloodOn({ port: child.port, held }, clients);
}

/** Floods the server on `port` without reading, reads `held()` before and while the client is stalled, then reads it all back. */
export async function probeUnreadFloodOn(server: { readonly port: number; held(): Promise<number> }, clients: Set<net.Socket>): Promise<FloodProbe> {
  const before = await server.held();
  const socket = await connectTo(server.port, clients);
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
  const during = await server.held();

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
    growth: during - before,
    echoedAll: received === FLOOD_BYTES && receivedHash.digest('hex') === sentHash.digest('hex'),
  };
}
