// Progress on stderr while `rosetta run` measures: one phase at a time, its steps counted. A TTY
// gets one line redrawn in place (a bar); anything else (CI logs, a pipe) gets one line per step,
// so a log shows what ran and when.

/** How often a log (not a TTY) gets a status line. */
const STATUS_EVERY_MS = 15_000;

export interface ProgressOptions {
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Defaults to the stream's `isTTY`. */
  readonly tty?: boolean;
  readonly now?: () => number;
}

export class Progress {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #started: number;
  #phase = '';
  #phaseStarted = 0;
  #total = 0;
  #done = 0;
  #drawn = false;
  #lastStatus = Number.NEGATIVE_INFINITY;

  constructor(options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#tty = options.tty ?? this.#stream.isTTY === true;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** Starts a phase of `total` steps. */
  phase(name: string, total: number): void {
    this.#finishLine();
    this.#phase = name;
    this.#phaseStarted = this.#now();
    this.#total = total;
    this.#done = 0;
    if (!this.#tty) this.#stream.write(`[${name}] ${total} step${total === 1 ? '' : 's'} (run ${this.#seconds(this.#started)} s)\n`);
  }

  /** Says what the next step is; call `step` when it is done. */
  doing(label: string): void {
    if (this.#tty) this.#draw(label);
  }

  /**
   * Where a long step stands (the timed rounds: worst precision, time left). A TTY redraws it at
   * once; a log gets it at most every `STATUS_EVERY_MS`, so a long phase still shows it is alive.
   */
  status(label: string): void {
    if (this.#tty) {
      this.#draw(label);
      return;
    }
    const now = this.#now();
    if (now - this.#lastStatus < STATUS_EVERY_MS) return;
    this.#lastStatus = now;
    this.#stream.write(`[${this.#phase}] ${label} (phase ${this.#seconds(this.#phaseStarted)} s, run ${this.#seconds(this.#started)} s)\n`);
  }

  /** One step done. */
  step(label: string): void {
    this.#done++;
    if (this.#tty) this.#draw(label);
    else {
      this.#stream.write(
        `[${this.#phase}] ${this.#done}/${this.#total} ${label} (${this.#total - this.#done} left, phase ${this.#seconds(this.#phaseStarted)} s, ` +
          `run ${this.#seconds(this.#started)} s${this.#eta()})\n`,
      );
    }
  }

  /** A line that is not a step (a failure, a note); keeps the bar below it on a TTY. */
  note(message: string): void {
    this.#finishLine();
    this.#stream.write(`${message}\n`);
  }

  /** Ends the current phase's line. */
  end(): void {
    this.#finishLine();
  }

  #draw(label: string): void {
    const width = 20;
    const filled = this.#total === 0 ? width : Math.round((this.#done / this.#total) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    let line = `[${this.#phase}] [${bar}] ${this.#done}/${this.#total} ${label} ${this.#seconds(this.#started)} s${this.#eta()}`;
    const columns = this.#stream.columns ?? 100;
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#drawn = true;
  }

  #finishLine(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }

  /** `, phase ETA N s`: the phase's time so far per step done, times the steps left. */
  #eta(): string {
    const left = this.#total - this.#done;
    if (this.#done === 0 || left <= 0) return '';
    const perStep = (this.#now() - this.#phaseStarted) / this.#done;
    return `, phase ETA ${Math.round((perStep * left) / 1000)} s`;
  }

  #seconds(since: number): string {
    return ((this.#now() - since) / 1000).toFixed(1);
  }
}
