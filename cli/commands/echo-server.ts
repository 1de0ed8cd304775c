// `rosetta echo-server`: runs one style's echo server, or the baseline, until SIGINT or SIGTERM,
// then closes it cleanly. It answers control questions (cpu, memory, connections; see
// scenarios/echo/control.ts) on stdin lines with --report-cpu, and over IPC when run as a child.
// It loads only the chosen style's code, as the harness's server child does (harness/child/style.ts):
// every other style's modules would enlarge the measured process's heap.
import net from 'node:net';
import readline from 'node:readline';
import { startBaselineEchoServer } from '../../scenarios/echo/baseline.js';
import { DEFAULT_ECHO_OPTIONS } from '../../scenarios/echo/contract.js';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';
import { answerControl, isControlQuestion } from '../../scenarios/echo/control.js';
import type { ControlMessage } from '../../scenarios/echo/control.js';
import { loadStyle } from '../../harness/child/style.js';
import { STYLE_IDS } from '../../styles/adapter.js';
import { UsageError, flagBoolean, flagNumber, flagString, helpText, parseArgs } from '../args.js';
import type { FlagSpecs } from '../args.js';
import type { Command } from '../command.js';

const BASELINE = 'baseline';
const USAGE = 'rosetta echo-server --style <id|baseline> [--host H] [--port P] [--report-cpu]';
const SUMMARY = "run one style's echo server (or the baseline) until SIGINT/SIGTERM";

/** The accepted styles are the ids alone (styles/adapter.ts), which load none of the styles' code. */
const SPECS: FlagSpecs = {
  style: { kind: 'string', help: 'the server to run', metavar: 'ID', choices: [...STYLE_IDS, BASELINE] },
  host: { kind: 'string', help: `address to listen on (default ${DEFAULT_ECHO_OPTIONS.host})`, metavar: 'HOST' },
  port: { kind: 'int', help: 'port to listen on, 0 picks a free one (default 0)', min: 0, max: 65535, metavar: 'PORT' },
  'report-cpu': {
    kind: 'boolean',
    help: 'answer each stdin line `cpu` (also `memory`, `connections`) with one JSON line on stdout',
  },
};

export const command: Command = {
  summary: SUMMARY,
  help: helpText(USAGE, `${SUMMARY}.\nPrints "echo server (style ID) listening on HOST:PORT" once it listens.`, SPECS),
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs('echo-server', argv, SPECS);
  if (args.positionals.length > 0) {
    throw new UsageError(`rosetta echo-server: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
  }
  const id = flagString(args, 'style');
  if (id === undefined) {
    throw new UsageError(`rosetta echo-server: --style is required; accepted: ${SPECS.style?.choices?.join(', ') ?? ''}`);
  }
  const host = flagString(args, 'host') ?? DEFAULT_ECHO_OPTIONS.host;
  if (net.isIP(host) === 0) {
    throw new UsageError(`rosetta echo-server: --host got ${JSON.stringify(host)}; expected an IP address such as 127.0.0.1`);
  }
  const options: EchoServerOptions = { host, port: flagNumber(args, 'port') ?? DEFAULT_ECHO_OPTIONS.port };

  const server = await startServer(id, options).catch((error: unknown) => {
    // A port in use or not ours to take is a usage error naming the flag, as fake-github says it.
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const what = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'is not ours to listen on' : 'is not an address of this machine';
      throw new UsageError(`rosetta echo-server: --port ${options.port} on --host ${options.host} ${what} (${code}); pick another`);
    }
    throw error;
  });
  const label = id === BASELINE ? 'baseline' : `style ${id}`;
  process.stdout.write(`echo server (${label}) listening on ${server.host}:${server.port}\n`);

  const stopControl = serveControl(server, flagBoolean(args, 'report-cpu'));
  sendToParent({ kind: 'listening', server: id, host: server.host, port: server.port });
  await shutdownRequested();
  await server.close();
  stopControl();
  return 0;
}

/** --style has been checked against the accepted ids by then. */
async function startServer(id: string, options: EchoServerOptions): Promise<EchoServerHandle> {
  if (id === BASELINE) return startBaselineEchoServer(options);
  const style = await loadStyle(id);
  return style.startEchoServer(options);
}

/** Resolves on SIGINT, SIGTERM, or when the parent that holds our IPC channel goes away. */
function shutdownRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('disconnect', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (process.send !== undefined) process.once('disconnect', stop);
  });
}

/** Answers control questions on stdin (if asked) and over IPC (if any); returns the stopper. */
function serveControl(server: EchoServerHandle, onStdin: boolean): () => void {
  const lines = onStdin ? readline.createInterface({ input: process.stdin, crlfDelay: Infinity }) : undefined;
  lines?.on('line', (line) => {
    const request = line.trim();
    if (request !== '') process.stdout.write(JSON.stringify(answerControl(request, server)) + '\n');
  });
  const onMessage = (message: unknown): void => {
    if (isControlQuestion(message)) sendToParent({ kind: 'answer', id: message.id, answer: answerControl(message.request, server) });
  };
  process.on('message', onMessage);
  return () => {
    process.off('message', onMessage);
    lines?.close();
    if (onStdin) process.stdin.destroy(); // readline leaves its input open; an open stdin keeps us alive
    if (process.connected) process.disconnect(); // likewise the IPC channel
  };
}

function sendToParent(message: ControlMessage): void {
  if (process.send !== undefined && process.connected) process.send(message);
}
