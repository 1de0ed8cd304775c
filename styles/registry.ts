// STYLES: the list the harness, the CLI and every conformance suite iterate, in the order the
// report shows them: threads first, the contrast every talk on the subject starts from (easy code,
// a thread's memory per connection), then the event-loop styles from the most manual to the most
// abstract. Effect comes last, after fp-ts, as the most abstract (a runtime of its own under the
// steps); the side-by-side page pairs it with coroutines, the other generator style on a scheduler
// that is not the engine's.
import type { StyleAdapter, StyleId } from './adapter.js';
import { style as threads } from './threads/index.js';
import { style as callbacks } from './callbacks/index.js';
import { style as promiseChains } from './promise-chains/index.js';
import { style as coroutines } from './coroutines/index.js';
import { style as asyncAwait } from './async-await/index.js';
import { style as rxjs } from './rxjs/index.js';
import { style as fpTs } from './fp-ts/index.js';
import { style as effect } from './effect/index.js';

export const STYLES: readonly StyleAdapter[] = [threads, callbacks, promiseChains, coroutines, asyncAwait, rxjs, fpTs, effect];

export function findStyle(id: string): StyleAdapter | undefined {
  return STYLES.find((style) => style.id === id);
}

export function styleIds(): StyleId[] {
  return STYLES.map((style) => style.id);
}
