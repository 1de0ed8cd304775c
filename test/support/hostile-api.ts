// A hostile API for the conformance suite: a node:http server on loopback that answers every request
// with whatever the test's handler says and records what each request carried (its path and its
// Authorization header), so a test can prove where the token went. Not the fake GitHub: that one is
// well-behaved by default; this one is whatever the test makes it.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  readonly path: string;
  readonly authorization: string | undefined;
}

export interface HostileReply {
  readonly status?: number;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string;
}

export interface HostileApi {
  /** `http://127.0.0.1:port`, no trailing slash. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly seen: SeenRequest[];
  /** Destroys every socket and resolves once the server is closed. */
  close(): Promise<void>;
}

/** Starts the server; `reply(path)` decides each answer (default: 200 with `[]`). */
export async function startHostileApi(reply: (path: string) => HostileReply = () => ({})): Promise<HostileApi> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push({ path, authorization: request.headers.authorization });
    const answer = reply(path);
    const body = answer.body ?? '[]';
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
