// Chat in the callback style: the room is a Set of members, and each client is three event
// handlers registered when it joins: 'message' broadcasts, 'close' leaves, 'error' is heard. No
// Promise anywhere. The server around it is every style's (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) goes to its own
// listener, and ws then closes that client only; a member that cannot keep up is dropped with 1008.
// Look at: joinClient, where the whole life of a client is the handlers it registers, and nothing waits.
import { WebSocket } from 'ws';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, toMessage, type ChatMessage } from '../../scenarios/chat/contract.js';

/** The room's shared state: who hears a message. */
export interface Room {
  readonly members: Set<WebSocket>;
}

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(): (client: WebSocket) => void {
  const room: Room = { members: new Set() };
  return (client) => joinClient(room, client);
}

/** One client: a member at once, its messages broadcast as they come, out of the room when it closes. */
export function joinClient(room: Room, client: WebSocket): void {
  room.members.add(client);
  // Without a listener the 'error' event would be thrown and take the whole server down.
  client.on('error', () => undefined);
  readMessages(
    client,
    (message) => broadcast(room, client, message),
    () => leaveClient(room, client),
  );
}

/** Hands each message to `onMessage` in order, and calls `onEnd` once the client has closed, whichever way. */
function readMessages(client: WebSocket, onMessage: (message: ChatMessage) => void, onEnd: () => void): void {
  client.on('message', (data, isBinary) => onMessage(toMessage(data, isBinary))).once('close', onEnd);
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
