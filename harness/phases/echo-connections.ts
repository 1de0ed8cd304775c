// Opening echo connections for a memory reading and waiting until the server counts them: shared
// by the echo memory sweep and the memory explanation, which read the server at the same points.
import type { Child } from '../processes/children.js';
import { sleep, waitUntil } from './common.js';

/** Connects in flight at once: the servers listen with Node's default backlog (511). */
export const CONNECT_BATCH = 100;
/** Connections opened, echoed once and closed before the first point is read. */
export const WARMUP_CONNECTIONS = 200;
/** After the count matches, a moment for the last sockets' handlers to finish their work. */
export const SETTLE_MS = 30;

/** Waits until the server counts exactly `connections`, then a moment for their handlers to finish. */
export async function settledConnections(echo: Child, connections: number): Promise<void> {
  let seen = -1;
  await waitUntil(
    async () => {
      seen = await echo.request<number>('connections');
      return seen === connections;
    },
    30_000,
    () => `the server to count ${connections} connections (it counts ${seen})`,
    10,
  );
  await sleep(SETTLE_MS);
}
