// Watching one trace-case child: it reports `started`, `surfaced` and its report over IPC; the
// parent samples the fake server's in-flight count once the error has surfaced (after settleMs), and
// a child that crashes or never reports becomes that outcome, its stderr the trace.
import type { FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { startProcess } from '../processes/watch.js';
import type { CapturedError, ChildMessage, TraceCaseJob } from './protocol.js';
import { aidLaunch } from '../aids.js';
import { TRACE_CHILD_FLAGS, TracebackMatrixError, type Observed, type PairContext } from './pair.js';

export function observeChild(context: PairContext, job: TraceCaseJob, server: FakeGithub): Promise<Observed> {
  // The row's aid, if any, is switched on the way its users do: node flags and environment.
  const aid = aidLaunch(context.row.label);
  const child = startProcess({
    label: `trace-case[${context.row.label}/${context.faultCase.id}]`,
    command: context.node,
    args: [...TRACE_CHILD_FLAGS, ...aid.nodeFlags, context.entry, JSON.stringify(job)],
    // The coroutine loop's switch is cleared for a row that does not ask for it.
    env: { NODE_OPTIONS: undefined, ROSETTA_LOOP_DEBUG: undefined, ...aid.env },
    ipc: true,
    group: true,
    tailBytes: 4_096,
  });
  const stderr = (): string => child.tail();

  return new Promise<Observed>((resolve, reject) => {
    let started = false;
    let inFlightAfter: number | undefined;
    let report: Extract<ChildMessage, { type: 'report' }> | undefined;
    let done = false;
    // A child that never reports (a busy loop, a style that calls process.exit) is killed here.
    const hardLimit = job.deadlineMs + job.graceMs + 5_000;
    const killer = setTimeout(() => finish(`no report within ${hardLimit} ms; killed`), hardLimit);

    const finish = (failure: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(killer);
      const sampled = inFlightAfter ?? server.stats().inFlight;
      // Resolve once the child is gone, so the next pair starts on an idle server.
      const result = (observed: Observed): void => {
        void child.stop(1_000).then(() => resolve(observed));
      };
      if (!started) {
        // It never reached the workflow: a broken build or a style that fails to load is not a trace.
        reject(
          new TracebackMatrixError(
            `trace-case child for ${context.row.label}/${context.faultCase.id} failed before it started the workflow: ` +
              `${failure ?? 'no report'}${stderr() === '' ? '' : `\n${stderr().trimEnd()}`}`,
          ),
        );
        void child.kill();
        return;
      }
      if (report !== undefined && failure === null) {
        result({ ...report, inFlightAfter: sampled, childFailure: null });
        return;
      }
      result({
        outcome: failure?.startsWith('no report') === true ? { kind: 'hung' } : { kind: 'crashed', error: childError(failure, stderr()) },
        cleanupCount: 0,
        surfaceMs: null,
        others: [],
        inFlightAfter: sampled,
        childFailure: `${failure ?? 'no report'}${stderr() === '' ? '' : `\n${stderr().trimEnd()}`}`,
      });
    };

    child.onMessage((raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type === 'started') {
        started = true;
      } else if (message.type === 'surfaced') {
        // setImmediate after the timer: a socket close that is already pending gets its poll phase
        // first, so the count shows what the client did, not when this process got around to it.
        setTimeout(() => {
          setImmediate(() => {
            inFlightAfter = server.stats().inFlight;
            if (report !== undefined) finish(null);
          });
        }, context.settings.settleMs);
      } else {
        report = message;
        if (inFlightAfter !== undefined) finish(null);
      }
    });
    // `exited` waits for the last stderr, so a failure quotes all of it.
    void child.exited.then((exit) =>
      finish(
        exit.startError !== undefined
          ? `the child could not run: ${exit.startError}`
          : `the child exited (${exit.signal ?? `code ${String(exit.code)}`}) before it reported`,
      ),
    );
  });
}

// A child that died without reporting is itself the crash; its stderr is all the trace there is.
function childError(failure: string | null, stderr: string): CapturedError {
  return { name: 'ChildProcessExit', message: failure ?? 'no report', stack: stderr.trimEnd(), causes: [], debugChain: null };
}
