// The threads adapter: the only place this style meets Promises. A workflow runs on a thread of its
// own (its input's functions stay here and are called over the channel); the echo server's accept
// loop runs here and starts a thread per connection. Both settle once their threads are joined.
import type { StyleAdapter } from '../adapter.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';
import { lastThreadCost, runOnThread, serveThreadPerConnection, task } from './runtime/index.js';

// The workflow's thread loads repos-and-forks itself: named here with this module's own extension
// (.ts under vitest, .js when built; runtime/task.ts maps a .ts module to its dist/ twin).
const REPOS_AND_FORKS = task(new URL(`./repos-and-forks${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href, reposAndForks);

export const style: StyleAdapter = {
  id: 'threads',
  title: 'Threads',
  idiom: 'blocking, sequential code on worker threads: a thread per echo connection, a pool of `concurrency` threads for the forks',
  sources: { reposAndForks: 'styles/threads/repos-and-forks.ts', echo: 'styles/threads/echo.ts' },
  runReposAndForks: (input) => runOnThread(REPOS_AND_FORKS, input, 'reposAndForks'),
  startEchoServer: async (options) => {
    // The accept loop is the runtime's: the main thread owns the listening socket and cannot block on accept().
    const server = await serveThreadPerConnection(options, ECHO_SERVER_OPTIONS, serveConnection).started;
    return { host: server.host, port: server.port, connections: () => server.connections(), close: () => server.close() };
  },
  // A thread costs about 7.6 MiB of RSS (runtime/README.md), so the run's sweeps (up to 10,000)
  // would need ~76 GiB. Five equal steps to 200 give a straight line (R² ≥ 0.99 for RSS) in about
  // ten seconds of thread starts; the thread cap is far above.
  memorySteps: { echo: [0, 40, 80, 120, 160, 200], workflow: [0, 40, 80, 120, 160, 200] },
  unitCost: () => {
    const cost = lastThreadCost();
    if (cost === undefined) return undefined;
    const { resourceLimits, ...heap } = cost;
    return {
      ...Object.fromEntries(Object.entries(heap).map(([key, value]) => [`thread.${key}`, value])),
      'thread.resourceLimits': JSON.stringify(resourceLimits),
    };
  },
};
