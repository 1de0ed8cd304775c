// The chat contract: the room's limits and close codes, how the harness starts a style's room and
// what it gets back. The server's lifecycle is the same for every style (listener.ts); a style's
// `chat.ts` owns the room (its members, who hears what, the slow-client rule), handed to the listener.
import type { WebSocket } from 'ws';

export interface ChatServerOptions {
  /** 127.0.0.1 unless asked otherwise. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface ChatServerHandle {
  readonly host: string;
  readonly port: number;
  /** WebSocket connections open right now (members, and clients still closing). */
  clients(): number;
  /** Bytes the server holds queued for its clients (each connection's `bufferedAmount`, summed). */
  bufferedBytes(): number;
  /** Stops accepting, closes every client with 1001, and resolves when every connection and the listener are closed. */
  close(): Promise<void>;
}

export const DEFAULT_CHAT_OPTIONS: ChatServerOptions = { host: '127.0.0.1', port: 0 };

/** A message over this many bytes closes its sender with 1009 (ws's `maxPayload`). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** A message that would take a member's queued bytes past this is not queued: the member is closed with 1008. */
export const CLIENT_BUFFER_LIMIT_BYTES = 1024 * 1024;
/** A closing handshake not finished by then (a client that does not read) ends with the socket destroyed. */
export const CLOSE_TIMEOUT_MS = 1_000;

/** The close codes of the room (RFC 6455, section 7.4.1). */
export const CLOSE_CODES = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** The client did not read: its queue passed CLIENT_BUFFER_LIMIT_BYTES. */
  policyViolation: 1008,
  /** A message over MAX_MESSAGE_BYTES (ws closes with it itself). */
  messageTooBig: 1009,
  /** A malformed frame (ws closes with it itself). */
  protocolError: 1002,
} as const;

/** The reason sent with 1008, so a client can tell the room's policy from another 1008. */
export const SLOW_CLIENT_REASON = 'slow client';

/** One message as the server received it: delivered to the others with the same bytes and the same type. */
export interface ChatMessage {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** Whether a member can take `message` under the room's limit (the slow-client rule, SPEC.md). */
export function fitsBuffer(client: WebSocket, message: ChatMessage): boolean {
  return client.bufferedAmount + message.data.length <= CLIENT_BUFFER_LIMIT_BYTES;
}

/** ws's 'message' arguments as one message: the bytes are one Buffer (`binaryType` 'nodebuffer', ws's default; fragments joined). */
export function toMessage(data: unknown, isBinary: boolean): ChatMessage {
  return { data: data as Buffer, isBinary };
}

/** What a client fails with (ws's protocol errors, `WS_ERR_*`, and socket errors) carries a string `code`; a bug in a style would not. */
export function isClientError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
