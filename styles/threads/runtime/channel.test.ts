// The blocking call between a real Worker and this thread. The worker's side is the built
// channel.js (a worker runs JavaScript), driven by a few lines of eval'd code.
import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createChannel } from './channel.js';
import { loadableUrl } from './task.js';

const CHANNEL_JS = loadableUrl(new URL('./channel.ts', import.meta.url).href);

// Three blocking calls; the worker reports what each returned or threw, and that it stayed blocked.
const WORKER = `(async () => {
const { workerData, parentPort } = require('node:worker_threads');
const { BlockingChannel } = await import(workerData.channelJs);
const channel = new BlockingChannel(workerData.ends);
const seen = [];
for (const request of ['now', 'later', 'fail']) {
  const started = Date.now();
  try {
    seen.push({ value: channel.call(request), waitedMs: Date.now() - started });
  } catch (error) {
    seen.push({ error: error.constructor.name, code: error.code, message: error.message });
  }
}
parentPort.postMessage(seen);
workerData.ends.port.close();
})();`;

describe('channel: a worker blocks until the main thread answers', () => {
  it('delivers answers now or later, and errors rebuilt; a second answer to one request is dropped', async () => {
    const channel = createChannel<string>();
    channel.onRequest((request, answer, fail) => {
      if (request === 'now') {
        answer('right away');
        answer('a second answer, dropped');
      } else if (request === 'later') {
        setTimeout(() => answer({ after: 50 }), 50);
      } else {
        fail(Object.assign(new TypeError('bad request'), { code: 'E_TEST' }));
      }
    });
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { ends: channel.workerEnds, channelJs: CHANNEL_JS },
      transferList: [channel.workerEnds.port],
    });
    // Listening for 'exit' from the start: a worker may exit before a listener added after its message.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const seen = await new Promise<unknown[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await exited;
    channel.close();
    expect(seen[0]).toMatchObject({ value: 'right away' });
    expect(seen[1]).toMatchObject({ value: { after: 50 } });
    expect((seen[1] as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(45);
    expect(seen[2]).toEqual({ error: 'TypeError', code: 'E_TEST', message: 'bad request' });
  });
});

// A notify can reach a call that has no reply yet: the notify of the previous call, when the worker
// read REPLIED and went on before the main thread got to notify (esbuild#590's race). The test sends
// such wake-ups on purpose while call 2 waits; the worker must go back to sleep until its own reply.
const TWO_CALLS = `(async () => {
const { workerData, parentPort } = require('node:worker_threads');
const { BlockingChannel } = await import(workerData.channelJs);
const channel = new BlockingChannel(workerData.ends);
const seen = [];
for (const request of [1, 2]) {
  try {
    seen.push({ value: channel.call(request) });
  } catch (error) {
    seen.push({ error: error.message });
  }
}
parentPort.postMessage(seen);
workerData.ends.port.close();
})();`;

describe('channel: a wake-up without a reply', () => {
  it('sends the thread back to sleep until its own reply', async () => {
    const { port1: main, port2: workerPort } = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const state = new Int32Array(flag);
    const reply = (value: string): void => {
      main.postMessage({ ok: true, value });
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    };
    const worker = new Worker(TWO_CALLS, {
      eval: true,
      workerData: { ends: { port: workerPort, flag }, channelJs: CHANNEL_JS },
      transferList: [workerPort],
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const done = new Promise<unknown[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let woken = 0;
    main.on('message', (request: number) => {
      if (request === 1) return reply('one');
      // Call 2: wake-ups with the flag still WAITING, every 5 ms for 50 ms, then its reply.
      const stale = setInterval(() => {
        woken += Atomics.notify(state, 0);
      }, 5);
      setTimeout(() => {
        clearInterval(stale);
        reply('two');
      }, 50);
    });
    const seen = await done;
    await exited;
    main.close();
    // At least one wake-up found the thread asleep in call 2, and it still got 'two'.
    expect(woken).toBeGreaterThan(0);
    expect(seen).toEqual([{ value: 'one' }, { value: 'two' }]);
  });
});
