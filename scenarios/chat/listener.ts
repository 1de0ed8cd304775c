// The chat server's lifecycle, once for every style and the baseline: an HTTP server on 127.0.0.1
// upgraded by ws (the protocol: frames, masks, UTF-8, the 1009 and 1002 closes), the count of open
// connections, shutdown. It holds no room: each accepted WebSocket goes to the style's `joinClient`,
// which owns it from then on (membership, reading, broadcast, the slow-client rule, leaving).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, CLOSE_TIMEOUT_MS, MAX_MESSAGE_BYTES } from './contract.js';
import type { ChatServerHandle, ChatServerOptions } from './contract.js';

/** A style's room as the listener sees it: called once per accepted client, it owns the client from then on. */
export type JoinClient = (client: WebSocket) => void;

/** The one set of ws options every room runs with, styles and baseline alike. */
export const CHAT_SERVER_OPTIONS = {
  maxPayload: MAX_MESSAGE_BYTES,
  // ws 8.23's own option (absent from @types/ws 8.18): a close not completed by then destroys the socket.
  closeTimeout: CLOSE_TIMEOUT_MS,
  // Compression would make a message's cost depend on its bytes and hold a zlib context per client.
  perMessageDeflate: false,
  // Every connection is counted and closed by the listener itself (below).
  clientTracking: false,
} as const;

/** Listens on `options` (127.0.0.1, any free port by default) and hands every WebSocket to `joinClient`. */
export function startChatListener(options: ChatServerOptions, joinClient: JoinClient): Promise<ChatServerHandle> {
  const clients = new Set<WebSocket>();
  const server = http.createServer((_request, response) => response.writeHead(426, { connection: 'close' }).end('a WebSocket room: upgrade\n'));
  const wss = new WebSocketServer({ ...CHAT_SERVER_OPTIONS, server });
  wss.on('connection', (client) => {
    clients.add(client);
    client.once('close', () => clients.delete(client)); // counted until its socket has closed
    joinClient(client);
  });
  // A failed upgrade (a bad handshake) is answered by ws with a 4xx; nothing reaches the room.
  wss.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeServer(server, wss, clients));
  const bufferedBytes = (): number => [...clients].reduce((sum, client) => sum + client.bufferedAmount, 0);
  return listen(server, options).then((port) => ({ host: options.host, port, clients: () => clients.size, bufferedBytes, close }));
}

/** Resolves with the bound port; rejects with the listen error (EADDRINUSE, ...) and leaves nothing open. */
function listen(server: http.Server, options: ChatServerOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting, closes every client with 1001 (each style's client then leaves by its own
 * 'close'), and resolves once every connection and the listener are closed. A client that does not
 * answer the close is destroyed after CLOSE_TIMEOUT_MS by ws itself.
 */
function closeServer(server: http.Server, wss: WebSocketServer, clients: ReadonlySet<WebSocket>): Promise<void> {
  const closed = [...clients].map((client) => new Promise<void>((resolve) => client.once('close', () => resolve())));
  const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const client of clients) client.close(CLOSE_CODES.goingAway, 'server shutting down');
  wss.close();
  return Promise.all([...closed, listenerClosed]).then(() => undefined);
}
