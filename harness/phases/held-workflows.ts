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

export interface HeldStatus {
  readonly started: number;
  readonly failed: number;
  readonly first: string | null;
}

/** How long a wait for the held requests of `burst` new workflows may take: a base, and the style's cost to start one. */
export function heldWaitMs(burst: number, msPerUnit: number): number {
  return 30_000 + burst * msPerUnit;
}

/**
 * Waits until the fake GitHub holds exactly `count` requests; more than that is an error. With the
 * workflow child (`runner`), a held workflow that failed before sending its request ends the wait at
 * once with its error: it would never be held, and a timeout would not say why.
 */
export async function waitForHeld(fake: Child, count: number, runner?: Child, timeoutMs = 30_000): Promise<void> {
  let last: Stats | undefined;
  await waitUntil(
    async () => {
      last = await fake.request<Stats>('stats');
      if (last.held > count) throw new Error(`the fake GitHub holds ${last.held} requests; only ${count} workflows were started`);
      if (last.held === count) return true;
      const status = runner === undefined ? undefined : await runner.request<HeldStatus>('heldStatus');
      if (status !== undefined && status.failed > 0) {
        throw new Error(`${status.failed} of ${status.started} held workflows failed before their request was held (the fake GitHub holds ${last.held}); first: ${status.first ?? '?'}`);
      }
      return false;
    },
    timeoutMs,
    () => `${count} held requests (the fake GitHub holds ${last?.held ?? '?'}, ${last?.openSockets ?? '?'} sockets open)`,
  );
}
