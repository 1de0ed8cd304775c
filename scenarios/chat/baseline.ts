// The reference row, not a style: the plainest room ws allows, its README's broadcast example
// (`clients = new Set()`, 'message' → send to every other open client), with the room's slow-client
// rule. Every chat figure can be read as a ratio to it. The lifecycle is every style's (listener.ts).
import { WebSocket } from 'ws';
import { CLOSE_CODES, DEFAULT_CHAT_OPTIONS, SLOW_CLIENT_REASON, fitsBuffer, toMessage } from './contract.js';
import type { ChatServerHandle, ChatServerOptions } from './contract.js';
import { startChatListener } from './listener.js';

export function startBaselineChatServer(options: ChatServerOptions = DEFAULT_CHAT_OPTIONS): Promise<ChatServerHandle> {
  const members = new Set<WebSocket>();
  return startChatListener(options, (client) => {
    members.add(client);
    // A malformed or oversized frame is an 'error' (ws then closes the client); unheard, it would crash the process.
    client.on('error', () => undefined);
    client.on('close', () => members.delete(client));
    client.on('message', (data, isBinary) => {
      const message = toMessage(data, isBinary);
      for (const other of members) {
        if (other === client || other.readyState !== WebSocket.OPEN) continue;
        if (fitsBuffer(other, message)) {
          other.send(message.data, { binary: message.isBinary });
        } else {
          members.delete(other);
          other.close(CLOSE_CODES.policyViolation, SLOW_CLIENT_REASON);
        }
      }
    });
  });
}
