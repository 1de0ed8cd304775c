// What a test must give back: the sockets and listeners this process holds, by kind, and its timers.

export interface OpenResources {
  readonly handles: Record<string, number>;
  readonly timers: number;
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
  return { handles, timers };
}
