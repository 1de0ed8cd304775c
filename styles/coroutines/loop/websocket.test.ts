// The WebSocket reader on a stand-in for ws's WebSocket (an EventEmitter with pause and resume):
// messages in order, null after the close, an error thrown after the messages that came before it,
// one waiting reader only, and flow control (paused past `limit` unread messages, resumed at half).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { EventLoop } from './event-loop.js';
import { InvalidStateError } from './errors.js';
import type { Coro } from './future.js';
import { wrapWebSocket, type MessageReader, type WebSocketMessage } from './websocket.js';
import { settled } from '../index.js';

const loops: EventLoop[] = [];

afterEach(() => {
  for (const loop of loops.splice(0)) {
    loop.stop();
    loop.close();
  }
});

class FakeWebSocket extends EventEmitter {
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  say(text: string): void {
    this.emit('message', Buffer.from(text), false);
  }
}

function setup(limit?: number): { loop: EventLoop; ws: FakeWebSocket; reader: MessageReader } {
  const loop = new EventLoop({ debug: false });
  loops.push(loop);
  loop.runForever();
  const ws = new FakeWebSocket();
  return { loop, ws, reader: wrapWebSocket(loop, ws as unknown as WebSocket, limit) };
}

function* readAll(reader: MessageReader): Coro<string[]> {
  const texts: string[] = [];
  for (let message = yield* reader.receive(); message !== null; message = yield* reader.receive()) texts.push(message.data.toString());
  return texts;
}

describe('MessageReader', () => {
  it('hands over the messages in order, whether they came before or after the read, then null at the close', async () => {
    const { loop, ws, reader } = setup();
    ws.say('a');
    ws.say('b');
    const all = settled(loop.createTask(readAll(reader)));
    setImmediate(() => {
      ws.say('c');
      ws.emit('close');
    });
    expect(await all).toEqual(['a', 'b', 'c']);
  });

  it('throws the error after the messages that arrived before it', async () => {
    const { loop, ws, reader } = setup();
    ws.say('before');
    ws.emit('error', Object.assign(new RangeError('Invalid WebSocket frame: MASK must be set'), { code: 'WS_ERR_EXPECTED_MASK' }));
    ws.emit('close');
    const first = await settled(loop.createTask(reader.receive()));
    expect(first?.data.toString()).toBe('before');
    await expect(settled(loop.createTask(reader.receive()))).rejects.toMatchObject({ code: 'WS_ERR_EXPECTED_MASK' });
  });

  it('refuses a second reader while one waits', async () => {
    const { loop, ws, reader } = setup();
    const waiting = settled(loop.createTask(reader.receive()));
    await expect(settled(loop.createTask(reader.receive()))).rejects.toBeInstanceOf(InvalidStateError);
    ws.say('x');
    expect((await waiting)?.data.toString()).toBe('x');
  });

  it('pauses the WebSocket past `limit` unread messages and resumes it once half are read', async () => {
    const { loop, ws, reader } = setup(4);
    for (let i = 0; i < 5; i++) ws.say(String(i));
    expect(ws.paused).toBe(true);
    const take = (): Promise<WebSocketMessage | null> => settled(loop.createTask(reader.receive()));
    await take();
    await take();
    expect(ws.paused).toBe(true);
    await take();
    expect(ws.paused).toBe(false);
  });
});
