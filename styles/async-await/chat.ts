// Chat in async/await: the room is a Set of members; each client is an async function looping
// `for await` over its messages and broadcasting each one; try/finally makes it leave the room
// whichever way it ends. The server around it is every style's (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) is thrown into its
// own loop and ends that client only; a member that cannot keep up is dropped with 1008.
// Look at: broadcast, which does not await the sends: awaiting one member's write would stall the
// room behind its slowest member.
import { on } from 'node:events';
import { WebSocket } from 'ws';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, toMessage, type ChatMessage } from '../../scenarios/chat/contract.js';

/** The room's shared state: who hears a message. */
export interface Room {
  readonly members: Set<WebSocket>;
}

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(): (client: WebSocket) => void {
  const room: Room = { members: new Set() };
  return (client) => void joinClient(room, client);
}

/** One client: a member at once, then its messages broadcast in order until it leaves. */
export async function joinClient(room: Room, client: WebSocket): Promise<void> {
  room.members.add(client);
  try {
    for await (const message of readMessages(client)) broadcast(room, client, message);
  } catch {
    // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
  } finally {
    leaveClient(room, client);
  }
}

/** The client's messages until it closes; its 'error' is thrown at the loop (and is listened for from here on). */
async function* readMessages(client: WebSocket): AsyncGenerator<ChatMessage> {
  const events = on(client, 'message', { close: ['close'] }) as AsyncIterableIterator<[unknown, boolean]>;
  for await (const [data, isBinary] of events) yield toMessage(data, isBinary);
}

/** Sends one message to every other open member, in the order the room received it. */
function broadcast(room: Room, sender: WebSocket, message: ChatMessage): void {
  for (const member of room.members) {
    if (member !== sender && member.readyState === WebSocket.OPEN) sendToClient(room, member, message);
  }
}

/** Queues the message for a member, or, past the room's limit, drops the member with 1008. */
function sendToClient(room: Room, member: WebSocket, message: ChatMessage): void {
  if (fitsBuffer(member, message)) {
    member.send(message.data, { binary: message.isBinary });
  } else {
    leaveClient(room, member);
    member.close(CLOSE_CODES.policyViolation, SLOW_CLIENT_REASON);
  }
}

/** Out of the room: nothing more is sent to it. */
function leaveClient(room: Room, client: WebSocket): void {
  room.members.delete(client);
}
