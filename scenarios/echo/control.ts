// The echo server's control channel: the few questions a measuring parent asks a running server
// (its CPU time, its memory, its open connections), answered the same way over stdin lines
// (`rosetta echo-server --report-cpu`) and over an IPC channel (tests and the harness).
import type { EchoServerHandle } from './contract.js';
import { cpuSnapshot } from './cpu.js';

export const CONTROL_REQUESTS = ['cpu', 'memory', 'connections'] as const;
export type ControlRequest = (typeof CONTROL_REQUESTS)[number];

export type ControlAnswer =
  | { readonly kind: 'cpu'; readonly userUs: number; readonly systemUs: number }
  | {
      readonly kind: 'memory';
      /** Whether a full GC ran first (the process was started with --expose-gc). */
      readonly gc: boolean;
      readonly rss: number;
      readonly heapUsed: number;
      readonly external: number;
      readonly arrayBuffers: number;
    }
  | { readonly kind: 'connections'; readonly count: number }
  | { readonly kind: 'unknown'; readonly request: string; readonly accepted: readonly ControlRequest[] };

/** Parent to child over IPC: `id` pairs the reply with its question. */
export interface ControlQuestion {
  readonly id: number;
  readonly request: string;
}

/** Child to parent over IPC. */
export type ControlMessage =
  | { readonly kind: 'listening'; readonly server: string; readonly host: string; readonly port: number }
  | { readonly kind: 'answer'; readonly id: number; readonly answer: ControlAnswer };

export function isControlQuestion(value: unknown): value is ControlQuestion {
  if (typeof value !== 'object' || value === null) return false;
  const { id, request } = value as Record<string, unknown>;
  return typeof id === 'number' && typeof request === 'string';
}

export function answerControl(request: string, server: Pick<EchoServerHandle, 'connections'>): ControlAnswer {
  switch (request) {
    case 'cpu':
      return { kind: 'cpu', ...cpuSnapshot() };
    case 'memory': {
      // heapUsed after a full GC is what the server holds, not what it has yet to collect; the
      // second pass collects what the first one's finalizers released.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      return { kind: 'memory', gc: gc !== undefined, rss, heapUsed, external, arrayBuffers };
    }
    case 'connections':
      return { kind: 'connections', count: server.connections() };
    default:
      return { kind: 'unknown', request, accepted: CONTROL_REQUESTS };
  }
}
