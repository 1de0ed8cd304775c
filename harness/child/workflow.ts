// Child: runs one style's repos-and-forks workflow against a fake GitHub in another process, for
// throughput (closed loop of C concurrent workflows), wall time at a set latency, and memory per
// suspended workflow. Every result is compared with the world's expected answer before it counts.
//   argv: <style id | variant style+aid (started with its aid on: harness/aids.ts)>
import { DEFAULT_INPUT, type ReposAndForksInput, type ReposAndForksResult } from '../../scenarios/repos-and-forks/contract.js';
import { monotonicMs } from '../../scenarios/clock.js';
import { takeHeapSnapshot } from './heap-snapshot.js';
import { memorySample, num, serve, str } from './ipc.js';
import { loadStyle } from './style.js';
import { benchWorld } from './world.js';
import { heldInput } from './held-input.js';
import { VerificationError } from '../verification.js';

const id = process.argv[2] ?? '';
// Loaded in the background: `serve` must listen for IPC at once, or early requests would be lost.
const style = loadStyle(id);
// A style that cannot load fails every request with its error; it must not crash the child first.
style.catch(() => undefined);
const world = benchWorld();

function input(apiUrl: string, user: string, timeoutMs: number): ReposAndForksInput {
  return { apiUrl, user, concurrency: DEFAULT_INPUT.concurrency, perPage: DEFAULT_INPUT.perPage, timeoutMs };
}

function verify(user: string, result: ReposAndForksResult): void {
  const expected = world.expectedSourceNames(user);
  const got = result.sourceNames;
  const same = got.length === expected.length && got.every((name, i) => name === expected[i]);
  if (!same) {
    const at = got.findIndex((name, i) => name !== expected[i]);
    throw new VerificationError(
      `${id} returned ${got.length} source names for ${user}, expected ${expected.length}` +
        (at >= 0 ? `; first difference at ${at}: ${JSON.stringify(got[at])} instead of ${JSON.stringify(expected[at])}` : ''),
    );
  }
}

async function runVerified(apiUrl: string, user: string, timeoutMs: number): Promise<ReposAndForksResult> {
  const result = await (await style).runReposAndForks(input(apiUrl, user, timeoutMs));
  verify(user, result);
  return result;
}

interface Loop {
  /** Starts the C workers (again, after a pause). */
  readonly start: () => Promise<void>[];
  stopping: boolean;
  /** Monotonic ms of each completed, verified workflow not yet read. */
  completions: number[];
  failure: Error | undefined;
  /** Empty while the loop is paused. */
  workers: Promise<void>[];
}

/** Lets every worker finish the workflow it is in and start no other; the workflows they ran are all settled. */
async function drain(state: Loop): Promise<void> {
  state.stopping = true;
  await Promise.all(state.workers);
  state.workers = [];
  state.stopping = false;
}
let loop: Loop | undefined;

function runningLoop(): Loop {
  if (loop === undefined) throw new Error('no workflow loop is running (send loop-start first)');
  return loop;
}

// Workflows started by `startHeld` and not yet settled: their promises are what is suspended.
const held: Promise<ReposAndForksResult>[] = [];
// Held workflows that failed before settleHeld: one that fails never sends its held request, and
// the sweep waiting for it must say why instead of timing out (heldStatus).
const heldFailures: Error[] = [];

serve({
  handlers: {
    async warmup(payload) {
      const apiUrl = str(payload, 'apiUrl');
      const user = str(payload, 'user');
      for (let i = 0; i < num(payload, 'count'); i++) await runVerified(apiUrl, user, DEFAULT_INPUT.timeoutMs);
      return null;
    },
    // C workers, each starting its next workflow as soon as the last one ends, until loop-stop;
    // every result is verified, and the instant each completes is kept, so the parent can count the
    // workflows completed between two instants of the shared monotonic clock (phases/workflow-throughput.ts).
    'loop-start'(payload) {
      if (loop !== undefined) throw new Error('a workflow loop is already running');
      const apiUrl = str(payload, 'apiUrl');
      const user = str(payload, 'user');
      const concurrent = num(payload, 'concurrent');
      const worker = async (): Promise<void> => {
        while (!state.stopping && state.failure === undefined) {
          try {
            await runVerified(apiUrl, user, DEFAULT_INPUT.timeoutMs);
            state.completions.push(monotonicMs());
          } catch (error) {
            state.failure ??= error instanceof Error ? error : new Error(String(error));
          }
        }
      };
      const state: Loop = { start: () => Array.from({ length: concurrent }, worker), stopping: false, completions: [], failure: undefined, workers: [] };
      state.workers = state.start();
      loop = state;
      return { t: monotonicMs() };
    },
    // The in-pair turns (phases/workflow-throughput.ts): only one runner drives the fake server at a
    // time, so a pause returns once the workflows in flight have all ended, and a resume starts C
    // workers again. Both answer with the instant they did so.
    async 'loop-pause'() {
      const state = runningLoop();
      if (state.workers.length === 0) throw new Error('the workflow loop is paused already');
      await drain(state);
      if (state.failure !== undefined) throw state.failure;
      return { t: monotonicMs() };
    },
    'loop-resume'() {
      const state = runningLoop();
      if (state.workers.length > 0) throw new Error('the workflow loop is not paused');
      state.workers = state.start();
      return { t: monotonicMs() };
    },
    // Workflows completed in [from, to]; records before `to` are dropped afterwards.
    window(payload) {
      const state = runningLoop();
      if (state.failure !== undefined) throw state.failure;
      const from = num(payload, 'from');
      const to = num(payload, 'to');
      const completed = state.completions.filter((t) => t >= from && t < to).length;
      state.completions = state.completions.filter((t) => t >= to);
      return { completed };
    },
    async 'loop-stop'() {
      const state = runningLoop();
      await drain(state);
      loop = undefined;
      if (state.failure !== undefined) throw state.failure;
      return null;
    },
    // µs of CPU this process has used, and the instant it was read on the shared monotonic clock.
    cpu: () => ({ ...process.cpuUsage(), t: monotonicMs() }),
    // One workflow after another, each timed alone: the wall time the latency allows.
    async wall(payload) {
      const apiUrl = str(payload, 'apiUrl');
      const user = str(payload, 'user');
      const ms: number[] = [];
      let pages = 0;
      for (let i = 0; i < num(payload, 'runs'); i++) {
        const started = performance.now();
        const result = await runVerified(apiUrl, user, DEFAULT_INPUT.timeoutMs);
        ms.push(performance.now() - started);
        pages = result.pages;
      }
      return { ms, pages, forks: world.forkCount(user) };
    },
    // Starts `count` more workflows and returns at once: they suspend on the held listing request.
    async startHeld(payload) {
      const adapter = await style;
      const apiUrl = str(payload, 'apiUrl');
      const user = str(payload, 'user');
      const count = num(payload, 'count');
      const runInput = heldInput(apiUrl, user, num(payload, 'timeoutMs'));
      for (let i = 0; i < count; i++) {
        // The adapter's promise and one `.then` per workflow: the harness's own share of what is
        // held, the same for every style.
        const run = adapter.runReposAndForks(runInput).then((result) => {
          verify(user, result);
          return result;
        });
        // Failures are reported by heldStatus and settleHeld; until then they must not be unhandled rejections.
        run.catch((error: unknown) => {
          heldFailures.push(error instanceof Error ? error : new Error(String(error)));
        });
        held.push(run);
      }
      return { started: held.length };
    },
    // How many held workflows have failed so far, and the first failure, while they are still held.
    heldStatus: () => {
      const first = heldFailures[0];
      return { started: held.length, failed: heldFailures.length, first: first === undefined ? null : `${first.name}: ${first.message}` };
    },
    async settleHeld() {
      heldFailures.length = 0;
      const outcomes = await Promise.allSettled(held.splice(0));
      const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed.length > 0) {
        const first = failed[0]?.reason as Error | undefined;
        throw new VerificationError(`${failed.length} of ${outcomes.length} held workflows failed; first: ${first?.name}: ${first?.message}`);
      }
      return { completed: outcomes.length };
    },
    memory: () => memorySample(),
    heapSnapshot: (payload) => takeHeapSnapshot(payload),
    // What one held workflow costs as the style's runtime sees it (threads: its thread's own heap).
    unitCost: async () => (await style).unitCost?.() ?? null,
  },
});
