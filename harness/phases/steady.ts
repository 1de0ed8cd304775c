// The steady-state rule before any timed window: short untimed windows until two in a row agree,
// never before a floor (JIT tiers need time), never past a cap (then flagged, and measured anyway).

export interface WarmUp {
  readonly ms: number;
  readonly windows: number;
  readonly steady: boolean;
}

/**
 * Short untimed windows until two in a row agree within the tolerance on CPU per request, after the
 * floor and before the cap. A cell that never settles is still measured after the cap, flagged.
 */
export async function warmUntilSteady(
  measureOne: () => Promise<number>,
  options: { readonly stepMs: number; readonly minMs: number; readonly maxMs: number; readonly tolerance: number },
  now: () => number = () => performance.now(),
): Promise<WarmUp> {
  const started = now();
  let previous: number | undefined;
  let windows = 0;
  for (;;) {
    const value = await measureOne();
    windows++;
    const agrees = previous !== undefined && Number.isFinite(value) && Math.abs(value / previous - 1) <= options.tolerance;
    previous = value;
    const elapsed = now() - started;
    if (agrees && elapsed >= options.minMs) return { ms: Math.round(elapsed), windows, steady: true };
    if (elapsed >= options.maxMs) return { ms: Math.round(elapsed), windows, steady: false };
  }
}

