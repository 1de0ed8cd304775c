// The coroutines adapter: the only place this style meets Promises. It runs every workflow and echo
// connection as a Task on one loop per process (debug mode from ROSETTA_LOOP_DEBUG=1), and turns a
// workflow Task's done-callback into a Promise's settlement.
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';
import { EventLoop, type Coro, type Future } from './loop/index.js';

let processLoop: EventLoop | undefined;

/** Made on first use and left running: an idle loop holds nothing open, so it never keeps the process alive. */
function loop(): EventLoop {
  if (processLoop === undefined || processLoop.isClosed()) {
    processLoop = new EventLoop();
    processLoop.runForever();
  }
  return processLoop;
}

function run<T>(coro: Coro<T>, name: string): Promise<T> {
  return settled(loop().createTask(coro, { name }));
}

/** A loop Future as a Promise: the one bridge, used by this adapter and by the coroutine tests. */
export function settled<T>(future: Future<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    future.addDoneCallback((done) => {
      try {
        resolve(done.result());
      } catch (error) {
        // The task's own error (or its CancelledError), with its coroutine chain in debug mode.
        reject(error instanceof Error ? error : new Error('the coroutine threw a non-Error value', { cause: error }));
      }
    });
  });
}

export const style: StyleAdapter = {
  id: 'coroutines',
  title: 'Coroutines',
  idiom: '`function*` + `yield*` on the kit\'s own loop (Future/Task)',
  sources: { reposAndForks: 'styles/coroutines/repos-and-forks.ts', echo: 'styles/coroutines/echo.ts', chat: 'styles/coroutines/chat.ts' },
  runReposAndForks: (input) => run(reposAndForks(input), 'reposAndForks'),
  startEchoServer: (options) => {
    const running = loop();
    return startEchoListener(options, (socket) => serveConnection(running, socket));
  },
  startChatServer: (options) => startChatListener(options, serveRoom(loop())),
};
