// Chat in promise chains: the room is a Set of members; each client is a read loop written as a
// recursive `.then` chain over the promise of its next message, no async/await; `.finally` makes it
// leave the room whichever way it ends. The server around it is every style's
// (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) rejects the promise of
// its next message, and its chain's `.catch` ends that client only; a member that cannot keep up is
// dropped with 1008.
// Look at: joinClient's `step`, which returns nothing so that no chain grows with the messages.
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
  return (client) => {
    joinClient(room, client)
      .finally(() => leaveClient(room, client))
      // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
      .catch(() => undefined);
  };
}

/** One client: a member at once, then its messages broadcast in order until it closes. */
export function joinClient(room: Room, client: WebSocket): Promise<void> {
  room.members.add(client);
  const nextMessage = readMessages(client);
  return new Promise<void>((resolve, reject) => {
    // Had `step` returned the next round's promise, every promise would wait on the next one and a
    // long-lived client would hold a chain as long as its number of messages.
    const step = (): void => {
      nextMessage()
        .then((message) => {
          if (message === null) return resolve();
          broadcast(room, client, message);
          return step();
        })
        .catch(reject);
    };
    step();
  });
}

/** The promise of the client's next message, null once it has closed; its 'error' rejects it (and is listened for from here on). */
function readMessages(client: WebSocket): () => Promise<ChatMessage | null> {
  const events = on(client, 'message', { close: ['close'] }) as AsyncIterableIterator<[unknown, boolean]>;
  return () => events.next().then((next) => (next.done === true ? null : toMessage(next.value[0], next.value[1])));
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
