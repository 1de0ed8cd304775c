// Chat in RxJS: the room is a Subject of what was said; a member is a subscription to it (the
// others' messages, sent to this client) merged with its own messages, which it says into the room.
// The server around it is every style's (scenarios/chat/listener.ts).
// How it fails: a client's 'error' (a malformed or oversized frame, a reset) is an error
// notification of that client's Observable only; `catchError` ends it there, which unsubscribes it
// from the room. A member that cannot keep up is dropped with 1008: its `takeWhile` completes.
// Look at: joinClient, where membership is a subscription, and `takeUntil(leaveClient(client))`,
// which ends it when the client goes.
import { WebSocket } from 'ws';
import { EMPTY, Observable, Subject, catchError, filter, fromEvent, ignoreElements, merge, takeUntil, takeWhile, tap } from 'rxjs';
import { CLOSE_CODES, SLOW_CLIENT_REASON, fitsBuffer, toMessage, type ChatMessage } from '../../scenarios/chat/contract.js';

/** One message said in the room, and who said it. */
interface Said {
  readonly from: WebSocket;
  readonly message: ChatMessage;
}

/** The room's shared state: everything said, to every subscribed member, in one order. */
export interface Room {
  readonly said: Subject<Said>;
}

/** Makes the room; the listener calls what it returns for each accepted client. */
export function serveRoom(): (client: WebSocket) => void {
  const room: Room = { said: new Subject<Said>() };
  // Subscribed while ws delivers the 'connection', so the client hears the room from then on.
  return (client) => void joinClient(room, client).subscribe();
}

/** One client: what the others say is sent to it, what it says goes to the room, until it leaves. */
export function joinClient(room: Room, client: WebSocket): Observable<never> {
  const hears = room.said.pipe(
    filter(({ from }) => from !== client && client.readyState === WebSocket.OPEN),
    // Past the limit the member is dropped (1008), and its subscription to the room completes.
    takeWhile(({ message }) => sendToClient(client, message)),
  );
  const says = readMessages(client).pipe(tap((message) => broadcast(room, client, message)));
  return merge(hears, says).pipe(
    ignoreElements(),
    takeUntil(leaveClient(client)),
    // A malformed or oversized frame, or a reset: ws closes this client; the room carries on.
    catchError(() => EMPTY),
  );
}

// The client's messages; its 'error' is an error notification (and is listened for while subscribed).
function readMessages(client: WebSocket): Observable<ChatMessage> {
  return new Observable<ChatMessage>((subscriber) => {
    const onMessage = (data: Buffer, isBinary: boolean): void => subscriber.next(toMessage(data, isBinary));
    const onError = (error: Error): void => subscriber.error(error);
    client.on('message', onMessage).on('error', onError);
    return () => {
      client.off('message', onMessage).off('error', onError);
    };
  });
}

/** Says one message into the room: every other open member gets it, in the order the room received it. */
function broadcast(room: Room, sender: WebSocket, message: ChatMessage): void {
  room.said.next({ from: sender, message });
}

/** Queues the message for a member and says true; past the room's limit, closes it with 1008 and says false. */
function sendToClient(member: WebSocket, message: ChatMessage): boolean {
  if (!fitsBuffer(member, message)) {
    member.close(CLOSE_CODES.policyViolation, SLOW_CLIENT_REASON);
    return false;
  }
  member.send(message.data, { binary: message.isBinary });
  return true;
}

// Emits once the client has closed, whichever way: its membership ends there, for `takeUntil`.
function leaveClient(client: WebSocket): Observable<unknown> {
  return fromEvent(client, 'close');
}
