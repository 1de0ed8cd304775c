// The promise-chains adapter: the style is already Promise-shaped, so this only names it and hands
// its connections to the echo scenario's listener.
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'promise-chains',
  title: 'Promise chains',
  idiom: '.then/.catch/.finally and Promise.all, no async/await',
  sources: { reposAndForks: 'styles/promise-chains/repos-and-forks.ts', echo: 'styles/promise-chains/echo.ts', chat: 'styles/promise-chains/chat.ts' },
  runReposAndForks: reposAndForks,
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
