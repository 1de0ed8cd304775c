// The blocking call between a real Worker and this thread. The worker's side is the built
// channel.js (a worker runs JavaScript), driven by a few lines of eval'd code.
import { Worker } from 'node:worker_threads';
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
    const seen = await new Promise<unknown[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise((resolve) => worker.once('exit', resolve));
    channel.close();
    expect(seen[0]).toMatchObject({ value: 'right away' });
    expect(seen[1]).toMatchObject({ value: { after: 50 } });
    expect((seen[1] as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(45);
    expect(seen[2]).toEqual({ error: 'TypeError', code: 'E_TEST', message: 'bad request' });
  });
});
