// Handles: a callback and its arguments waiting in the loop's ready queue (`Handle`) or its timer heap
// (`TimerHandle`). A handle is a plain record the loop runs once; it is not a future: nothing can
// wait for it, it can only be cancelled before it runs.

export class Handle {
  #callback: (...args: never) => void;
  #args: readonly unknown[];
  #cancelled = false;

  constructor(callback: (...args: never) => void, args: readonly unknown[]) {
    this.#callback = callback;
    this.#args = args;
  }

  /** Keeps the handle from running. Drops the callback at once, so a cancelled handle holds no references. */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#callback = noop;
    this.#args = [];
  }

  cancelled(): boolean {
    return this.#cancelled;
  }

  /** Called by the loop only; exceptions propagate to the loop, which reports them. */
  run(): void {
    (this.#callback as (...args: readonly unknown[]) => void)(...this.#args);
  }

  /** The callback's name, for slow-callback and error reports. */
  describe(): string {
    const name = this.#callback.name === '' ? 'anonymous' : this.#callback.name;
    return `${this.#cancelled ? 'cancelled ' : ''}${this.constructor.name}(${name})`;
  }
}

/**
 * A handle due at `when` (loop time, ms). `seq` orders handles with equal deadlines first-in,
 * first-out. Cancelling tells the loop, so it can stop holding the process alive for a dead timer.
 */
export class TimerHandle extends Handle {
  readonly when: number;
  readonly seq: number;
  /** True while the handle sits in the loop's heap; the loop clears it when the timer falls due. */
  scheduled = true;
  readonly #onCancel: (handle: TimerHandle) => void;

  constructor(
    when: number,
    seq: number,
    callback: (...args: never) => void,
    args: readonly unknown[],
    onCancel: (handle: TimerHandle) => void,
  ) {
    super(callback, args);
    this.when = when;
    this.seq = seq;
    this.#onCancel = onCancel;
  }

  override cancel(): void {
    if (this.cancelled()) return;
    super.cancel();
    if (this.scheduled) this.#onCancel(this);
  }
}

function noop(): void {
  // A cancelled handle's callback.
}
