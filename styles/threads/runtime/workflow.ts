// One call on a thread of its own: the caller's input goes in as data (its functions stay on the
// main thread and are called over the channel), the task runs blocking code, and the result or
// the rebuilt typed error comes back once the thread, and any pool it started, has been joined.
import { Scope } from './scope.js';
import type { Task } from './task.js';
import { Thread } from './thread.js';

export async function runOnThread<Input extends object, Result>(fn: Task<readonly [Input], Result>, input: Input, label: string): Promise<Result> {
  const data: Record<string, unknown> = {};
  const callbacks: Record<string, (...args: never[]) => unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'function') callbacks[key] = value as (...args: never[]) => unknown;
    else data[key] = value;
  }
  const scope = new Scope(callbacks);
  const thread = new Thread({ kind: 'run', task: { module: fn.module, name: fn.name }, args: [data], callbacks: Object.keys(callbacks) }, scope, label);
  const outcome = await thread.joined;
  scope.close();
  if (!outcome.ok) throw outcome.error;
  return outcome.value as Result;
}
