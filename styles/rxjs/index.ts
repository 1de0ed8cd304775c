// The RxJS adapter: the only place this style meets Promises. `lastValueFrom` subscribes once (one
// workflow run) and rejects with the error notification's own error object; `firstValueFrom` takes
// the listening server's handle.
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { StyleAdapter } from '../adapter.js';
import { startEchoServer } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'rxjs',
  title: 'RxJS',
  idiom: 'Observables and operators: expand for pages, mergeMap with a concurrency limit, finalize',
  sources: { reposAndForks: 'styles/rxjs/repos-and-forks.ts', echo: 'styles/rxjs/echo.ts' },
  runReposAndForks: (input) => lastValueFrom(reposAndForks(input)),
  startEchoServer: async (options) => {
    const server = await firstValueFrom(startEchoServer(options));
    return {
      host: server.host,
      port: server.port,
      connections: () => server.connections(),
      close: () => lastValueFrom(server.close()),
    };
  },
};
