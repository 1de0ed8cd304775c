// `rosetta chat-server`: runs one style's chat room, or the baseline, until SIGINT or SIGTERM, then
// closes it cleanly (every client gets 1001). It loads only the chosen style's code, as echo-server does.
import net from 'node:net';
import { startBaselineChatServer } from '../../scenarios/chat/baseline.js';
import { DEFAULT_CHAT_OPTIONS } from '../../scenarios/chat/contract.js';
import type { ChatServerHandle, ChatServerOptions } from '../../scenarios/chat/contract.js';
import { loadStyle } from '../../harness/child/style.js';
import { STYLE_IDS } from '../../styles/adapter.js';
import { UsageError, flagNumber, flagString, helpText, parseArgs } from '../args.js';
import type { FlagSpecs } from '../args.js';
import type { Command } from '../command.js';

const BASELINE = 'baseline';
const USAGE = 'rosetta chat-server --style <id|baseline> [--host H] [--port P]';
const SUMMARY = "run one style's WebSocket chat room (or the baseline) until SIGINT/SIGTERM";

const SPECS: FlagSpecs = {
  style: { kind: 'string', help: 'the room to run', metavar: 'ID', choices: [...STYLE_IDS, BASELINE] },
  host: { kind: 'string', help: `address to listen on (default ${DEFAULT_CHAT_OPTIONS.host})`, metavar: 'HOST' },
  port: { kind: 'int', help: 'port to listen on, 0 picks a free one (default 0)', min: 0, max: 65535, metavar: 'PORT' },
};

export const command: Command = {
  summary: SUMMARY,
  help: helpText(USAGE, `${SUMMARY}.\nPrints "chat server (style ID) listening on ws://HOST:PORT/" once it listens.`, SPECS),
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs('chat-server', argv, SPECS);
  if (args.positionals.length > 0) {
    throw new UsageError(`rosetta chat-server: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
  }
  const id = flagString(args, 'style');
  if (id === undefined) {
    throw new UsageError(`rosetta chat-server: --style is required; accepted: ${SPECS.style?.choices?.join(', ') ?? ''}`);
  }
  const host = flagString(args, 'host') ?? DEFAULT_CHAT_OPTIONS.host;
  if (net.isIP(host) === 0) {
    throw new UsageError(`rosetta chat-server: --host got ${JSON.stringify(host)}; expected an IP address such as 127.0.0.1`);
  }
  const options: ChatServerOptions = { host, port: flagNumber(args, 'port') ?? DEFAULT_CHAT_OPTIONS.port };
  const server = await startServer(id, options).catch((error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`rosetta chat-server: --port ${options.port} on --host ${options.host} cannot be listened on (${String(code)}); pick another`);
    }
    throw error;
  });
  process.stdout.write(`chat server (${id === BASELINE ? 'baseline' : `style ${id}`}) listening on ws://${server.host}:${server.port}/\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return 0;
}

/** --style has been checked against the accepted ids by then; a style without a room is a usage error. */
async function startServer(id: string, options: ChatServerOptions): Promise<ChatServerHandle> {
  if (id === BASELINE) return startBaselineChatServer(options);
  const style = await loadStyle(id);
  if (style.startChatServer === undefined) {
    throw new UsageError(`rosetta chat-server: --style ${id} has no chat room yet; accepted: ${SPECS.style?.choices?.filter((choice) => choice !== id).join(', ') ?? ''}`);
  }
  return style.startChatServer(options);
}
