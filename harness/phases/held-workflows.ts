// Starting workflows that the fake GitHub holds at their first request, and waiting until it holds
// them all: shared by the workflow memory sweep and the memory explanation.
import type { Child } from '../processes/children.js';
import { waitUntil } from './common.js';

/** Workflows started per burst: thousands of simultaneous connects would overflow the accept backlog. */
export const BURST = 250;
/** A held request must not time out while the sweep goes on. */
export const HELD_TIMEOUT_MS = 600_000;

interface Stats {
  readonly held: number;
  readonly inFlight: number;
  readonly openSockets: number;
}

/** Waits until the fake GitHub holds exactly `count` requests; more than that is an error. */
export async function waitForHeld(fake: Child, count: number): Promise<void> {
  let last: Stats | undefined;
  await waitUntil(
    async () => {
      last = await fake.request<Stats>('stats');
      if (last.held > count) throw new Error(`the fake GitHub holds ${last.held} requests; only ${count} workflows were started`);
      return last.held === count;
    },
    30_000,
    () => `${count} held requests (the fake GitHub holds ${last?.held ?? '?'}, ${last?.openSockets ?? '?'} sockets open)`,
  );
}
