// The chat conformance suite (scenarios/chat/SPEC.md), run against every style in STYLES and the
// baseline, in-process: behaviour a client can see (fan-out, order, no echo, the close codes), and
// what the server holds queued for its clients (`bufferedBytes()`), never speed. The client is
// test/support/chat-client.ts; a malformed frame is written on a raw socket.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBaselineChatServer } from '../../scenarios/chat/baseline.js';
import {
  CLIENT_BUFFER_LIMIT_BYTES, CLOSE_CODES, DEFAULT_CHAT_OPTIONS, MAX_MESSAGE_BYTES, SLOW_CLIENT_REASON,
} from '../../scenarios/chat/contract.js';
import type { ChatServerHandle, ChatServerOptions } from '../../scenarios/chat/contract.js';
import { STYLES } from '../../styles/registry.js';
import { closeChat, connectChat, type ChatClient, type Received } from '../support/chat-client.js';
import { until } from '../support/echo-client.js';
import { openResources } from '../support/resources.js';

const KiB = 1024;

interface Subject {
  readonly id: string;
  readonly start: (options: ChatServerOptions) => Promise<ChatServerHandle>;
}

const SUBJECTS: readonly Subject[] = [
  ...STYLES.flatMap((style) => (style.startChatServer === undefined ? [] : [{ id: style.id, start: style.startChatServer.bind(style) }])),
  { id: 'baseline', start: startBaselineChatServer },
];

/** A style without a room yet is reported skipped, not dropped. */
describe.each(STYLES.filter((style) => style.startChatServer === undefined))('chat: $id', () => {
  it.skip('has no chat room yet (startChatServer is absent from its adapter)', () => undefined);
});

/** A message as a key: its type and its bytes, so a delivery can be matched to what was sent. */
const keyOf = (message: Received): string => `${message.isBinary ? 'b' : 't'}:${message.data.toString('base64')}`;

/** Random text or binary of 1 B to 16 KiB, each one distinct. */
function randomMessage(index: number): Buffer | string {
  const size = 1 + Math.floor(Math.random() * 16 * KiB);
  return index % 2 === 0 ? randomBytes(size) : `${index}:${randomBytes(size).toString('base64').slice(0, size)}`;
}

const asReceived = (sent: Buffer | string): Received => ({ data: Buffer.from(sent), isBinary: Buffer.isBuffer(sent) });

describe.each(SUBJECTS)('chat: $id', (subject) => {
  let server: ChatServerHandle;
  const clients = new Set<ChatClient>();
  const connect = (): Promise<ChatClient> => connectChat(server.port, clients);

  beforeEach(async () => {
    server = await subject.start(DEFAULT_CHAT_OPTIONS);
  });
  afterEach(async () => {
    try {
      await Promise.all([...clients].map(closeChat));
      clients.clear();
      await until(() => server.clients() === 0, 'the server to drop every client');
    } finally {
      await server.close();
      expect(server.clients()).toBe(0);
    }
  });

  it('fan-out: every message reaches every other client, byte-exact and in one order', async () => {
    const room = await Promise.all(Array.from({ length: 10 }, () => connect()));
    const senders = room.slice(0, 3);
    const sent = senders.map((_, s) => Array.from({ length: 20 }, (_unused, i) => randomMessage(s * 100 + i)));
    // Interleaved: the three senders write at once, so the server's order is its own.
    await Promise.all(senders.map(async (sender, s) => {
      for (const message of sent[s]!) await sender.send(message);
    }));
    const total = 60;
    const inboxes = await Promise.all(room.map((client, c) => client.receive(c < 3 ? total - 20 : total)));
    const order = inboxes[3]!.map(keyOf);
    for (const [c, inbox] of inboxes.entries()) {
      const own = new Set(c < 3 ? sent[c]!.map((message) => keyOf(asReceived(message))) : []);
      // Exactly the others' messages, in the order every listener saw.
      expect(inbox.map(keyOf), `client ${c}'s messages`).toEqual(order.filter((key) => !own.has(key)));
    }
    // Each sender's messages appear in the order it sent them, byte for byte and with their type.
    for (const [s, messages] of sent.entries()) {
      const keys = new Set(messages.map((message) => keyOf(asReceived(message))));
      expect(order.filter((key) => keys.has(key)), `sender ${s}'s messages as delivered`).toEqual(messages.map((message) => keyOf(asReceived(message))));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(room.map((client) => client.inbox.length), 'nothing more than the others sent').toEqual(inboxes.map((inbox) => inbox.length));
  });

  it('no echo: a sender never receives its own message', async () => {
    const [alice, bob] = [await connect(), await connect()];
    for (let i = 0; i < 5; i++) await alice.send(`from alice ${i}`);
    await bob.receive(5);
    await bob.send('from bob');
    // Had alice's own messages come back, they would arrive before bob's (the room's order).
    const got = await alice.receive(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alice.inbox.map((message) => message.data.toString())).toEqual(['from bob']);
    expect(got[0]!.isBinary).toBe(false);
  });

  it('join and leave under load: a member receives every message from its join to its leave, in order', async () => {
    const sender = await connect();
    const observer = await connect();
    const total = 400;
    const visitors: { client: ChatClient; from: number }[] = [];
    for (let i = 0; i < total; i++) {
      await sender.send(`m${i}`);
      // The server has accepted a visitor before it reads any message sent after its 'open'.
      if (i % 20 === 10) visitors.push({ client: await connect(), from: i + 1 });
      // Every other visitor leaves a while later: half by closing, half by dropping the connection.
      if (i % 20 === 19 && visitors.length >= 2) {
        const leaving = visitors[visitors.length - 2]!.client;
        if (leaving.socket.readyState === WebSocket.OPEN) {
          if (i % 40 === 19) leaving.socket.close(1000);
          else leaving.socket.terminate();
        }
      }
    }
    const all = await observer.receive(total);
    expect(all.map((message) => message.data.toString())).toEqual(Array.from({ length: total }, (_, i) => `m${i}`));
    const stayed = visitors.filter(({ client }) => client.socket.readyState === WebSocket.OPEN);
    expect(stayed.length).toBeGreaterThan(0);
    const last = (client: ChatClient): string | undefined => client.inbox.at(-1)?.data.toString();
    await until(() => stayed.every(({ client }) => last(client) === `m${total - 1}`), 'the visitors still open to get the last message');
    for (const { client, from } of visitors) {
      // What it got is a run of the sender's messages with no gap; one still open has all from its join on.
      const indices = client.inbox.map((message) => Number(message.data.toString().slice(1)));
      expect(indices, "a visitor's messages have a gap or are out of order").toEqual(indices.map((_, k) => indices[0]! + k));
      if (stayed.some((visitor) => visitor.client === client)) expect(indices[0]!, 'a visitor missed messages sent after it joined').toBeLessThanOrEqual(from);
    }
    await until(() => server.clients() === 2 + stayed.length, `the server to hold ${2 + stayed.length} clients`);
  });

  it('a client that stops reading is closed with 1008; the others get every message and the server\'s queue stays bounded', async () => {
    const sender = await connect();
    const reader = await connect();
    const slow = await connect();
    slow.socket.pause();
    const size = 60 * KiB;
    const limit = CLIENT_BUFFER_LIMIT_BYTES + 256; // frame headers and the close frame
    let maxBuffered = 0;
    let unchanged = 0;
    let last = 0;
    let sent = 0;
    // One message at a time, the next only once the reader has it: the reader's queue is then
    // empty and what the server holds is the slow client's. It is dropped when its queue stops growing.
    for (; sent < 2_000 && unchanged < 5; sent++) {
      const message = Buffer.alloc(size, sent % 251);
      message.writeUInt32BE(sent, 0);
      await sender.send(message);
      await reader.receive(sent + 1);
      const buffered = server.bufferedBytes();
      maxBuffered = Math.max(maxBuffered, buffered);
      unchanged = buffered >= CLIENT_BUFFER_LIMIT_BYTES - 2 * size && buffered - last <= 64 ? unchanged + 1 : 0;
      last = buffered;
    }
    expect(unchanged, `the slow client was never dropped after ${sent} messages (${server.bufferedBytes()} bytes queued)`).toBe(5);
    expect(maxBuffered, 'bytes the server held for its clients').toBeLessThanOrEqual(limit);
    // Reading again, it gets what was queued before the limit, in order and whole, then the 1008.
    slow.socket.resume();
    const { code, reason } = await slow.closed;
    expect({ code, reason }).toEqual({ code: CLOSE_CODES.policyViolation, reason: SLOW_CLIENT_REASON });
    const indices = slow.inbox.map((message) => message.data.readUInt32BE(0));
    expect(indices, 'the slow client got a run of messages from the first').toEqual(indices.map((_, k) => k));
    for (const message of slow.inbox) expect(message.data.equals(reader.inbox[message.data.readUInt32BE(0)]!.data)).toBe(true);
    // The room goes on without it.
    await sender.send('after');
    expect((await reader.receive(sent + 1)).at(-1)!.data.toString()).toBe('after');
    await until(() => server.clients() === 2, 'the server to drop the slow client');
  });

  it('clients that vanish mid-broadcast do not disturb the others', async () => {
    const sender = await connect();
    const stay = await Promise.all(Array.from({ length: 5 }, () => connect()));
    const vanish = await Promise.all(Array.from({ length: 10 }, () => connect()));
    const total = 200;
    // 800 KiB in all: under the slow-client limit even if the server writes all of it before anyone reads.
    const message = (i: number): Buffer => Buffer.alloc(4 * KiB, i % 251);
    for (let i = 0; i < total; i++) sender.socket.send(message(i));
    // Once the broadcast is under way, dropped with data unread: the server's writes to them fail (a reset).
    await stay[0]!.receive(20);
    for (const client of vanish) client.socket.terminate();
    for (const client of stay) {
      const inbox = await client.receive(total);
      expect(inbox.every((received, i) => received.data.equals(message(i)))).toBe(true);
    }
    await until(() => server.clients() === 1 + stay.length, 'the server to drop the vanished clients');
    await sender.send('still here');
    for (const client of stay) expect((await client.receive(total + 1)).at(-1)!.data.toString()).toBe('still here');
  });

  it('a message over the size limit closes its sender with 1009 and reaches nobody', async () => {
    const big = await connect();
    const other = await connect();
    await big.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 7)).catch(() => undefined);
    expect((await big.closed).code).toBe(CLOSE_CODES.messageTooBig);
    const sender = await connect();
    // Exactly at the limit is a message like any other.
    await sender.send(Buffer.alloc(MAX_MESSAGE_BYTES, 8));
    const [received] = await other.receive(1);
    expect(received!.data.length).toBe(MAX_MESSAGE_BYTES);
    expect(other.inbox).toHaveLength(1);
  });

  it('a malformed frame closes that client with 1002 and the room carries on', async () => {
    const other = await connect();
    const sender = await connect();
    const raw = net.connect(server.port, '127.0.0.1');
    raw.on('error', () => undefined);
    await once(raw, 'connect');
    raw.write([
      'GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', '', '',
    ].join('\r\n'));
    let bytes = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
    await until(() => bytes.includes('\r\n\r\n'), 'the handshake\'s answer');
    expect(bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    const head = bytes.indexOf('\r\n\r\n') + 4;
    // A text frame from a client without a mask: RFC 6455 says the server must close the connection.
    raw.write(Buffer.from([0x81, 0x05, ...Buffer.from('hello')]));
    await once(raw, 'close');
    const frame = bytes.subarray(head);
    expect(frame[0], 'a close frame').toBe(0x88);
    expect(frame.readUInt16BE(2)).toBe(CLOSE_CODES.protocolError);
    await sender.send('after the bad frame');
    expect((await other.receive(1)).map((message) => message.data.toString())).toEqual(['after the bad frame']);
  });

  it('close() closes every client with 1001 and leaves no sockets or timers behind', async () => {
    const before = await openResources();
    const own = await subject.start(DEFAULT_CHAT_OPTIONS);
    const mine = new Set<ChatClient>();
    const readers = await Promise.all(Array.from({ length: 3 }, () => connectChat(own.port, mine)));
    const stuck = await connectChat(own.port, mine);
    stuck.socket.pause();
    // Under the slow-client limit: the stuck client is still a member, with bytes queued, at the close.
    for (let i = 0; i < 10; i++) await readers[0]!.send(Buffer.alloc(60 * KiB, i));
    await readers[1]!.receive(10);
    await own.close();
    expect(own.clients()).toBe(0);
    for (const reader of readers) expect((await reader.closed).code).toBe(CLOSE_CODES.goingAway);
    stuck.socket.resume();
    await stuck.closed;
    await Promise.all([...mine].map(closeChat));
    // close() again waits for the same close.
    await own.close();
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('a port already in use fails the start with EADDRINUSE', async () => {
    await expect(subject.start({ host: server.host, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
