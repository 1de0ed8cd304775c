// The callbacks adapter: the only place this style meets Promises, converting its error-first
// callbacks into the harness's interface.
import type { StyleAdapter } from '../adapter.js';
import { startEchoServer } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'callbacks',
  title: 'Callbacks',
  idiom: 'Node error-first callbacks, closures, hand-written counters',
  sources: { reposAndForks: 'styles/callbacks/repos-and-forks.ts', echo: 'styles/callbacks/echo.ts' },
  runReposAndForks: (input) =>
    new Promise((resolve, reject) => {
      reposAndForks(input, (error, result) => {
        if (error !== null || result === undefined) reject(error ?? new Error('callbacks workflow ended with neither error nor result'));
        else resolve(result);
      });
    }),
  startEchoServer: (options) =>
    new Promise((resolve, reject) => {
      startEchoServer(options, (error, server) => {
        if (error !== null || server === undefined) {
          reject(error ?? new Error('callbacks echo server started with neither error nor server'));
          return;
        }
        resolve({
          host: server.host,
          port: server.port,
          connections: () => server.connections(),
          close: () =>
            new Promise<void>((resolveClose, rejectClose) => {
              server.close((closeError) => (closeError === undefined ? resolveClose() : rejectClose(closeError)));
            }),
        });
      });
    }),
};
