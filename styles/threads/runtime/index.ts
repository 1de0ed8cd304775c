// The threads runtime in one import. The style files use the blocking side (they run on threads
// the runtime started); the main-thread side serves them (runOnThread, serveThreadPerConnection).
// It is not a general-purpose thread library: it exists so the threads style can be written,
// measured and read next to the others (README.md).
export { openHttpClient, httpGet, closeHttpClient, recv, sendAll, shutdown, closeConnection, ThreadPoolExecutor } from './blocking.js';
export type { HttpClient, Connection } from './blocking.js';
export { task, loadableUrl } from './task.js';
export type { Task } from './task.js';
export { InterruptedError, ThreadLimitError, ThreadExitError, THREAD_BOUNDARY } from './errors.js';
export { runOnThread } from './workflow.js';
export { serveThreadPerConnection } from './server.js';
export type { ThreadServer, ServerStart } from './server.js';
export { threadCap, liveThreads, lastThreadCost } from './thread.js';
export type { ThreadCost } from './protocol.js';
