// Chat in Effect: the room is a PubSub; each client is a fiber that reads its messages from a
// Queue its socket events fill and publishes them, and a child fiber, its membership, that holds a
// subscription to the room and sends it what the others said. The server around it is every
// style's (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) fails the take from
// its inbox, in that client's fiber only; `Effect.ignore` drops it at the client's edge, and
// `ensuring` interrupts its membership, whose scope unsubscribes it. A member that cannot keep up is
// dropped with 1008: its membership ends, and with it the subscription.
// Look at: joinClient, where membership is a fiber with a scoped subscription, started at once.
import { WebSocket } from 'ws';
// Deep imports (effect/Effect, not the 'effect' barrel), as the echo file's.
import * as Cause from 'effect/Cause';
import * as Effect from 'effect/Effect';
import * as Fiber from 'effect/Fiber';
import * as PubSub from 'effect/PubSub';
import * as Queue from 'effect/Queue';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, toMessage, type ChatMessage } from '../../scenarios/chat/contract.js';

/** One message said in the room, and who said it. */
interface Said {
  readonly from: WebSocket;
  readonly message: ChatMessage;
}

/** The room's shared state: everything said, to every subscribed member, in one order. */
export interface Room {
  readonly said: PubSub.PubSub<Said>;
}

/** A client's messages as its socket events deliver them; it ends (Done) when the client closes. */
type Inbox = Queue.Queue<ChatMessage, Error | Cause.Done>;

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(): (client: WebSocket) => void {
  const room: Room = { said: Effect.runSync(PubSub.unbounded<Said>()) };
  return (client) => {
    // At once: an 'error' with no listener crashes the process, and the client may speak any time.
    const inbox = readMessages(client);
    Effect.runFork(joinClient(room, client, inbox));
  };
}

/** One client: a member at once, then its messages published in order until it leaves. */
export function joinClient(room: Room, client: WebSocket, inbox: Inbox): Effect.Effect<void> {
  return Effect.gen(function* () {
    // Started in this evaluation, so the subscription is made before anything else is read.
    const membership = yield* Effect.forkChild(hearRoom(room, client), { startImmediately: true });
    yield* Effect.gen(function* () {
      for (let message = yield* readMessage(inbox); message !== null; message = yield* readMessage(inbox)) {
        yield* broadcast(room, client, message);
      }
    }).pipe(
      // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
      Effect.ignore,
      Effect.ensuring(leaveClient(membership)),
    );
  });
}

/** The client's messages, queued by its events (its 'error' is listened for from here on). */
function readMessages(client: WebSocket): Inbox {
  const inbox = Effect.runSync(Queue.unbounded<ChatMessage, Error | Cause.Done>());
  client
    .on('message', (data, isBinary) => void Queue.offerUnsafe(inbox, toMessage(data, isBinary)))
    .on('error', (error) => void Queue.failCauseUnsafe(inbox, Cause.fail(error)))
    .once('close', () => void Queue.endUnsafe(inbox));
  return inbox;
}

/** Publishes one message to the room: every other open member's membership sends it, in the room's order. */
function broadcast(room: Room, sender: WebSocket, message: ChatMessage): Effect.Effect<void> {
  return Effect.asVoid(PubSub.publish(room.said, { from: sender, message }));
}

/** Queues the message for a member and succeeds with true; past the room's limit, closes it with 1008 and succeeds with false. */
function sendToClient(member: WebSocket, message: ChatMessage): Effect.Effect<boolean> {
  return Effect.sync(() => {
    if (!fitsBuffer(member, message)) {
      member.close(CLOSE_CODES.policyViolation, SLOW_CLIENT_REASON);
      return false;
    }
    member.send(message.data, { binary: message.isBinary });
    return true;
  });
}

/** Out of the room: its membership is interrupted, and its scope unsubscribes it. */
function leaveClient(membership: Fiber.Fiber<void>): Effect.Effect<void> {
  return Fiber.interrupt(membership);
}

// The next message; null once the client has closed and every message was read.
function readMessage(inbox: Inbox): Effect.Effect<ChatMessage | null, Error> {
  return Queue.take(inbox).pipe(Effect.catchIf(Cause.isDone, () => Effect.succeed(null)));
}

// A member's subscription to the room, in its own scope: what the others say is sent to it until it
// leaves or is dropped.
function hearRoom(room: Room, client: WebSocket): Effect.Effect<void> {
  return Effect.scoped(
    Effect.gen(function* () {
      const subscription = yield* PubSub.subscribe(room.said);
      for (;;) {
        const { from, message } = yield* PubSub.take(subscription);
        if (from === client || client.readyState !== WebSocket.OPEN) continue;
        if (!(yield* sendToClient(client, message))) return;
      }
    }),
  );
}
