// What a test must give back: the sockets and listeners this process holds, by kind, its timers,
// and its OS threads (a worker thread not joined is one more).
import { readFileSync } from 'node:fs';

export interface OpenResources {
  readonly handles: Record<string, number>;
  readonly timers: number;
  /** Threads of this process (Linux /proc/self/status); undefined where that is not available. */
  readonly threads: number | undefined;
}

/**
 * Taken a full loop turn later, because a closed handle leaves the list only in the loop's close
 * phase, after the 'close' event that announced it. Compare timers as "no more than before": the
 * test runner has timers of its own that come and go.
 */
export async function openResources(): Promise<OpenResources> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const handles: Record<string, number> = {};
  let timers = 0;
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind.startsWith('TCP')) handles[kind] = (handles[kind] ?? 0) + 1;
    if (kind === 'Timeout' || kind === 'Immediate') timers++;
  }
  return { handles, timers, threads: osThreads() };
}

/** Compare as "no more than before": libuv's thread pool may start meanwhile, and never shrinks. */
function osThreads(): number | undefined {
  try {
    const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
