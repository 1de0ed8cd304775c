// The callbacks adapter: the only place this style meets Promises, converting its error-first
// callbacks into the harness's interface.
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'callbacks',
  title: 'Callbacks',
  idiom: 'Node error-first callbacks, closures, hand-written counters',
  sources: { reposAndForks: 'styles/callbacks/repos-and-forks.ts', echo: 'styles/callbacks/echo.ts', chat: 'styles/callbacks/chat.ts' },
  runReposAndForks: (input) =>
    new Promise((resolve, reject) => {
      reposAndForks(input, (error, result) => {
        if (error !== null || result === undefined) reject(error ?? new Error('callbacks workflow ended with neither error nor result'));
        else resolve(result);
      });
    }),
  // The echo server's lifecycle is the scenario's (Promise-based, like this adapter); the style serves each connection.
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
