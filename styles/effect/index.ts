// The Effect adapter: the only place this style meets Promises. It runs each Effect on Effect's
// default runtime (its default scheduler, no custom layers) with `runPromiseExit`, and turns a failed
// Exit into a rejection with the error the workflow failed with: the contract's own error object,
// made in the style's step. Its stack becomes what Effect itself prints for the failure
// (`Cause.prettyErrors`): the V8 frames up to Effect's runtime, then one `at <span> (<call site>)`
// line per Effect.fn span the failing fiber was in, innermost first.
import * as Cause from 'effect/Cause';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import type { StyleAdapter } from '../adapter.js';
import { startChatListener } from '../../scenarios/chat/listener.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { serveRoom } from './chat.js';
import { serveConnection } from './echo.js';
import { reposAndForks } from './repos-and-forks.js';

async function run<A, E>(effect: Effect.Effect<A, E>): Promise<A> {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  throw failure(exit.cause);
}

/** The first failure of the cause (a typed error, else a defect, else the interruption), with Effect's trace as its stack. */
export function failure(cause: Cause.Cause<unknown>): Error {
  const error = Cause.squash(cause);
  // Rendered from that one reason, so the trace is the one of the error being rejected.
  const reason = cause.reasons.find((r) => (Cause.isFailReason(r) ? r.error === error : Cause.isDieReason(r) && r.defect === error));
  const [pretty] = Cause.prettyErrors(reason === undefined ? cause : Cause.fromReasons([reason]));
  if (!(error instanceof Error)) return pretty ?? new Error('the effect failed with a non-Error value', { cause: error });
  if (pretty?.stack !== undefined) error.stack = pretty.stack;
  return error;
}

export const style: StyleAdapter = {
  id: 'effect',
  title: 'Effect',
  idiom: '`Effect.fn`/`Effect.gen` steps on Effect\'s fiber runtime, `forEach` with concurrency, tagged errors, scoped cleanup',
  sources: { reposAndForks: 'styles/effect/repos-and-forks.ts', echo: 'styles/effect/echo.ts', chat: 'styles/effect/chat.ts' },
  runReposAndForks: (input) => run(reposAndForks(input)),
  startEchoServer: (options) => startEchoListener(options, serveConnection),
  startChatServer: (options) => startChatListener(options, serveRoom()),
};
