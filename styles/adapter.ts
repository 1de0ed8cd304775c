// The one interface the harness, the CLI and the conformance suites see. Each style's `index.ts`
// implements it by converting the style's native shape (callbacks, Observables, TaskEither, ...)
// into Promises; it is the only place a style meets the harness, and lint exempts it.
import type { ChatServerHandle, ChatServerOptions } from '../scenarios/chat/contract.js';
import type { EchoServerHandle, EchoServerOptions } from '../scenarios/echo/contract.js';
import type { ReposAndForksInput, ReposAndForksResult } from '../scenarios/repos-and-forks/contract.js';

export const STYLE_IDS = ['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect'] as const;
export type StyleId = (typeof STYLE_IDS)[number];

export interface StyleAdapter {
  readonly id: StyleId;
  readonly title: string;
  /** One line: the idiom, as DESIGN.md's table says it. */
  readonly idiom: string;
  /** Source files relative to the repository root, for code metrics and the side-by-side page. */
  readonly sources: { readonly reposAndForks: string; readonly echo: string; readonly chat?: string };
  runReposAndForks(input: ReposAndForksInput): Promise<ReposAndForksResult>;
  startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle>;
  /** The chat room: the style's `serveRoom` behind the chat listener (scenarios/chat/SPEC.md). Absent while the style has none. */
  startChatServer?(options: ChatServerOptions): Promise<ChatServerHandle>;
  /**
   * The memory sweeps' steps (open connections, held workflows; first 0) for a style whose unit
   * costs too much for the run's steps (threads: megabytes each). Absent: the run's steps.
   */
  readonly memorySteps?: { readonly echo: readonly number[]; readonly workflow: readonly number[] };
  /** What one unit costs as the style's own runtime sees it (threads: a thread's own heap), for the memory metrics' extra. */
  unitCost?(): Readonly<Record<string, number | string>> | undefined;
}
