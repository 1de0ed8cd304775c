// The async/await adapter: the style is already Promise-shaped, so this only names it and hands its
// connections to the echo scenario's listener.
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

export const style: StyleAdapter = {
  id: 'async-await',
  title: 'async/await',
  idiom: 'async functions, loops, try/catch/finally',
  sources: { reposAndForks: 'styles/async-await/repos-and-forks.ts', echo: 'styles/async-await/echo.ts', chat: 'styles/async-await/chat.ts' },
  runReposAndForks: reposAndForks,
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
