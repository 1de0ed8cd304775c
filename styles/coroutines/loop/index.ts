// The loop's public surface, in one import: the event loop, Future and Task, the helpers, streams
// and the HTTP bridge. It is the kit's own small asyncio, for the coroutine style; it is not a
// general-purpose runtime and does not replace Node's event loop (it runs on top of it).
export { EventLoop, getRunningLoop, defaultExceptionHandler } from './event-loop.js';
export type { EventLoopOptions, ExceptionContext, ExceptionHandler } from './event-loop.js';
export { Handle, TimerHandle } from './handle.js';
export { Future, wait } from './future.js';
export type { Coro, DoneCallback, FutureState } from './future.js';
export { Task } from './task.js';
export type { TaskOptions } from './task.js';
export { sleep, gather, waitFor, ensureFuture, createTask, reportFailure, Semaphore } from './helpers.js';
export type { Awaitable, AwaitedValue } from './helpers.js';
export { StreamReader, StreamWriter, openConnection, wrapSocket, DEFAULT_LIMIT } from './streams.js';
export { Server, startServer } from './server.js';
export type { Streams, StreamOptions } from './streams.js';
export { MessageReader, wrapWebSocket, DEFAULT_MESSAGE_LIMIT } from './websocket.js';
export type { WebSocketMessage } from './websocket.js';
export type { ServerOptions, ConnectionHandler } from './server.js';
export { get } from './http.js';
export {
  CancelledError, InvalidStateError, TimeoutError, BadYieldError, IncompleteReadError, LimitOverrunError, ConnectionResetError,
} from './errors.js';
export { coroutineChain, debugFromEnv, CHAIN_HEADER } from './debug.js';
export type { ChainLink } from './debug.js';
export { nodeClock, nodeScheduler } from './scheduler.js';
export type { Clock, Scheduler, Cancel } from './scheduler.js';
export { VirtualClock, ManualScheduler, createVirtualLoop } from './virtual-time.js';
export type { VirtualLoop } from './virtual-time.js';
