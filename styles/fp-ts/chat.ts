// Chat in fp-ts: the room is a Set of members; each client is one TaskEither loop, run in constant
// memory by chainRec inside `TE.bracket`, whose acquire joins the room and whose release leaves it
// on every path. Broadcasting and sending are IO: nothing in them waits. The server around it is
// every style's (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) is a Left of the next
// read in that client's loop only; the release runs, and the Left is dropped at the client's edge.
// A member that cannot keep up is dropped with 1008.
// Look at: readMessages, where pushed events become a TaskEither that can run again (`() => new Promise`).
import { WebSocket } from 'ws';
import * as E from 'fp-ts/lib/Either.js';
import type * as IO from 'fp-ts/lib/IO.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as T from 'fp-ts/lib/Task.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, toMessage, type ChatMessage } from '../../scenarios/chat/contract.js';
import { chainRec } from './chain-rec.js';

/** The room's shared state: who hears a message. */
export interface Room {
  readonly members: Set<WebSocket>;
}

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(): (client: WebSocket) => void {
  const room: Room = { members: new Set() };
  return (client) => {
    // At once: fp-ts runs every IO a microtask late, and an 'error' with no listener crashes the process.
    const nextMessage = readMessages(client);
    void joinClient(room, client, nextMessage)(); // never rejects: its Left is dropped at its edge
  };
}

/** One client: a member while its loop runs, its messages broadcast in order until it closes. */
export function joinClient(room: Room, client: WebSocket, nextMessage: TE.TaskEither<Error, O.Option<ChatMessage>>): T.Task<void> {
  // One turn, built once and run per message (a TaskEither can run again); Left means "go round again".
  const turn = pipe(
    nextMessage,
    TE.flatMap(
      O.match(
        // The client has closed: stop.
        () => TE.right(E.right(undefined)),
        (message) => pipe(TE.fromIO(broadcast(room, client, message)), TE.map(() => E.left(undefined))),
      ),
    ),
  );
  return pipe(
    TE.bracketW(
      TE.fromIO(() => void room.members.add(client)),
      () => chainRec(undefined, () => turn),
      () => TE.fromIO(leaveClient(room, client)),
    ),
    // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
    TE.match(() => undefined, () => undefined),
  );
}

/**
 * The client's next message, `None` once it has closed, a Left if it failed. Its events fill a
 * queue from the moment this is called; the TaskEither takes one message each time it runs.
 */
function readMessages(client: WebSocket): TE.TaskEither<Error, O.Option<ChatMessage>> {
  const queued: ChatMessage[] = [];
  let ended: E.Either<Error, O.Option<ChatMessage>> | undefined;
  let waiting: ((result: E.Either<Error, O.Option<ChatMessage>>) => void) | undefined;
  const settle = (): void => {
    const next = queued.length > 0 ? E.right(O.some(queued.shift() as ChatMessage)) : ended;
    if (waiting === undefined || next === undefined) return;
    const resolve = waiting;
    waiting = undefined;
    resolve(next);
  };
  client
    .on('message', (data, isBinary) => {
      queued.push(toMessage(data, isBinary));
      if (waiting !== undefined) settle();
    })
    .on('error', (error) => {
      ended ??= E.left(error);
      settle();
    })
    .once('close', () => {
      ended ??= E.right(O.none);
      settle();
    });
  return () =>
    new Promise<E.Either<Error, O.Option<ChatMessage>>>((resolve) => {
      waiting = resolve;
      settle();
    });
}

/** Sends one message to every other open member, in the order the room received it. */
function broadcast(room: Room, sender: WebSocket, message: ChatMessage): IO.IO<void> {
  return () => {
    for (const member of room.members) {
      if (member !== sender && member.readyState === WebSocket.OPEN) sendToClient(room, member, message)();
    }
  };
}

/** Queues the message for a member, or, past the room's limit, drops the member with 1008. */
function sendToClient(room: Room, member: WebSocket, message: ChatMessage): IO.IO<void> {
  return () => {
    if (fitsBuffer(member, message)) {
      member.send(message.data, { binary: message.isBinary });
    } else {
      leaveClient(room, member)();
      member.close(CLOSE_CODES.policyViolation, SLOW_CLIENT_REASON);
    }
  };
}

/** Out of the room: nothing more is sent to it. */
function leaveClient(room: Room, client: WebSocket): IO.IO<void> {
  return () => void room.members.delete(client);
}
