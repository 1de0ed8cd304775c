// The RxJS adapter: the only place this style meets Promises. `lastValueFrom` subscribes once (one
// workflow run) and rejects with the error notification's own error object; the echo scenario's
// listener subscribes to each connection's Observable through `serveConnection`.
import { lastValueFrom } from 'rxjs';
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'rxjs',
  title: 'RxJS',
  idiom: 'Observables and operators: expand for pages, mergeMap with a concurrency limit, finalize',
  sources: { reposAndForks: 'styles/rxjs/repos-and-forks.ts', echo: 'styles/rxjs/echo.ts', chat: 'styles/rxjs/chat.ts' },
  runReposAndForks: (input) => lastValueFrom(reposAndForks(input)),
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
