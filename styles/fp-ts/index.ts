// The fp-ts adapter: the only place this style meets rejections. Running a TaskEither gives a
// Promise of an Either that never rejects; here a Left becomes a rejection with the same error object.
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

async function run<A>(task: TaskEither<unknown, A>): Promise<A> {
  const result = await task();
  if (E.isLeft(result)) throw result.left;
  return result.right;
}

export const style: StyleAdapter = {
  id: 'fp-ts',
  title: 'fp-ts',
  idiom: 'TaskEither composed with pipe, traverse with a concurrency limit, bracket',
  sources: { reposAndForks: 'styles/fp-ts/repos-and-forks.ts', echo: 'styles/fp-ts/echo.ts', chat: 'styles/fp-ts/chat.ts' },
  runReposAndForks: (input) => run(reposAndForks(input)),
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
