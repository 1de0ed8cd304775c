// The echo contract: how the harness starts a style's echo server and what it gets back.
// Every style's `echo.ts` exports `startEchoServer` in its own idiom; the style's adapter turns it
// into this Promise-based shape.

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
