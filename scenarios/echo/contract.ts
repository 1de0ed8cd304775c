// The echo contract: how the harness starts a style's echo server and what it gets back. The
// server's lifecycle is the same for every style (listener.ts); a style's `echo.ts` exports only
// `serveConnection`, the per-connection control flow, which its adapter hands to the listener.

export interface EchoServerOptions {
  /** 127.0.0.1 unless asked otherwise. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface EchoServerHandle {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, ends every open connection, and resolves when the listener is closed. */
  close(): Promise<void>;
}

export const DEFAULT_ECHO_OPTIONS: EchoServerOptions = { host: '127.0.0.1', port: 0 };

/** Errors of the socket (ECONNRESET, EPIPE, the server's close, ...) carry a `code`; a bug in a style would not. */
export function isSocketError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}

/** What a closed socket failed with: its own error, or, destroyed without one, that it closed. */
export function closedError(socket: { readonly errored: Error | null }): Error {
  return socket.errored ?? new Error('socket closed');
}
