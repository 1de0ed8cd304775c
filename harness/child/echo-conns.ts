// Child: the client side of the echo memory measurement. It only opens sockets to the server (and,
// when asked, has every open socket echo one message), so the server's memory can be read against
// the number of connections. It lives in its own process so none of its memory is the server's.
import net from 'node:net';
import { num, serve } from './ipc.js';

const sockets: net.Socket[] = [];

/** Opens one connection; resolves when connected. Errors after that are kept, not thrown. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A socket that errors later is counted by `open`; the handler keeps the process alive.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Echoes one message on a socket and checks the bytes that come back. */
function echoOnce(socket: net.Socket, message: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < message.length) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      // The socket goes back to idle: paused, so later bytes (there should be none) stay in the kernel.
      socket.pause();
      if (Buffer.concat(chunks).equals(message)) resolve();
      else reject(new Error(`echo differs from the ${message.length}-byte message sent`));
    };
    const onClose = (): void => reject(new Error('connection closed before its echo came back'));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(message);
  });
}

serve({
  handlers: {
    // Opens connections until `total` are open, `batch` connects at a time: a burst of thousands of
    // SYNs would overflow the server's accept backlog and stall on SYN retries (1 s each).
    async open(payload) {
      const port = num(payload, 'port');
      const total = num(payload, 'total');
      const batch = num(payload, 'batch');
      while (sockets.length < total) {
        const n = Math.min(batch, total - sockets.length);
        const opened = await Promise.all(Array.from({ length: n }, () => connect(port)));
        sockets.push(...opened);
      }
      return { open: sockets.filter((socket) => !socket.destroyed).length };
    },
    async echoAll(payload) {
      const size = num(payload, 'size');
      const batch = num(payload, 'batch');
      const message = Buffer.alloc(size, 'echo-memory/');
      for (let i = 0; i < sockets.length; i += batch) {
        await Promise.all(sockets.slice(i, i + batch).map((socket) => echoOnce(socket, message)));
      }
      return { echoed: sockets.length };
    },
    // Closes sockets from the end until `total` remain (the active sweep goes down in steps).
    closeTo(payload) {
      const total = num(payload, 'total');
      while (sockets.length > total) sockets.pop()?.destroy();
      return { open: sockets.length };
    },
  },
  cleanup: () => {
    for (const socket of sockets) socket.destroy();
  },
});
