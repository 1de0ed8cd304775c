// Chat in generator coroutines: the room is a Set of members; each client is a task on the kit's
// loop (asyncio's `websockets` handler) that joins, loops over `yield* readMessage` broadcasting
// each one, and leaves in its `finally`. The server around it is every style's
// (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) is thrown at its
// `receive` and ends that client's task only; a member that cannot keep up is dropped with 1008.
// Look at: serveRoom, where a ws WebSocket becomes a message reader on the loop, at once, so that
// its 'error' is heard before the task's first step.
import { WebSocket } from 'ws';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, isClientError, type ChatMessage } from '../../scenarios/chat/contract.js';
import { CancelledError, reportFailure, wrapWebSocket, type Coro, type EventLoop, type MessageReader } from './loop/index.js';

/** The room's shared state: who hears a message. */
export interface Room {
  readonly members: Set<WebSocket>;
}

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(loop: EventLoop): (client: WebSocket) => void {
  const room: Room = { members: new Set() };
  return (client) => {
    const reader = wrapWebSocket(loop, client);
    loop.createTask(joinClient(room, client, reader)).addDoneCallback(reportFailure);
  };
}

/** One client: a member from the task's first step, then its messages broadcast in order until it leaves. */
export function* joinClient(room: Room, client: WebSocket, reader: MessageReader): Coro<void> {
  room.members.add(client);
  try {
    for (let message = yield* readMessage(reader); message !== null; message = yield* readMessage(reader)) {
      broadcast(room, client, message);
    }
  } catch (error) {
    // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
    if (error instanceof CancelledError || !isClientError(error)) throw error;
  } finally {
    leaveClient(room, client);
  }
}

// The next message, null once the client has closed; the reader's own coroutine.
function readMessage(reader: MessageReader): Coro<ChatMessage | null> {
  return reader.receive();
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
