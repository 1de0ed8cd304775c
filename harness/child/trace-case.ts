// Child: runs ONE fault case of the traceback matrix in ONE style, in a fresh process started with
// --enable-source-maps (and the row's debug aid, if any), and reports what a developer would see: how the workflow ended, the error's
// stack and cause chain (TypeScript lines), the coroutine debug chain, cleanups, time to surface.
// It classifies crashes and unhandled rejections itself, so neither kills it before it can report.
import { STYLE_IDS, type StyleAdapter } from '../../styles/adapter.js';
import { CHAIN_HEADER } from '../../styles/coroutines/loop/debug.js';
import type { CapturedError, ChildMessage, ChildOutcome, ErrorText, TraceCaseJob } from '../tracebacks/protocol.js';
import { aidActive } from '../aids.js';

// Every frame, however deep: the measures count frames, and a cut stack would hide the noise. An aid
// that sets its own depth (`--stack-trace-limit`) is read at that depth, as its users read it.
if (!process.execArgv.some((flag) => flag.startsWith('--stack-trace-limit') || flag.startsWith('--stack_trace_limit'))) Error.stackTraceLimit = Infinity;

const job = readJob();
const style = await loadStyle(job.style);
// A variant row whose aid did not take would be scored as the plain style under another name.
if (job.aid !== null && !(await aidActive(job.aid))) usage(`the ${job.aid} aid is not active in this process (node flags: ${process.execArgv.join(' ') || 'none'})`);

// The channel closing means the parent has what it needs (or died): nothing here may outlive it.
process.once('disconnect', () => process.exit(0));

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

/** Severity, worst first: a crash or an unhandled rejection outranks the settle that came before it. */
const RANK: Readonly<Record<ChildOutcome['kind'], number>> = { crashed: 0, unhandled: 1, rejected: 2, swallowed: 2, hung: 3 };

// Everything that happened, in order; the report names the worst and lists the rest beside it.
const events: ChildOutcome[] = [];
let surfaceMs: number | null = null;
let cleanupCount = 0;
/** The deadline passed with no event: the run is `hung`, whatever comes during the grace period. */
let hung = false;
const started = performance.now();

function observe(next: ChildOutcome): void {
  events.push(next);
  if (events.length > 1 || hung) return;
  surfaceMs = performance.now() - started;
  send({ type: 'surfaced', kind: next.kind });
  // Keep listening a little: a second cleanup, a late crash or a floating rejection shows up here.
  setTimeout(report, job.graceMs);
}

function report(): void {
  if (hung) {
    send({ type: 'report', outcome: { kind: 'hung' }, cleanupCount, surfaceMs: null, others: events.map((event) => `after the deadline ${describe(event)}`) });
    return;
  }
  const worst = events.reduce<ChildOutcome | undefined>((kept, event) => (kept === undefined || RANK[event.kind] < RANK[kept.kind] ? event : kept), undefined);
  const others = events.flatMap((event, index) => (event === worst ? [] : [`${index === 0 ? 'first' : 'also'} ${describe(event)}`]));
  send({ type: 'report', outcome: worst ?? { kind: 'hung' }, cleanupCount, surfaceMs, others });
  // Stay until the parent has sampled the server and disconnects: exiting now would close sockets
  // that the in-flight count is meant to see.
}

process.on('uncaughtException', (error) => observe({ kind: 'crashed', error: capture(error) }));
process.on('unhandledRejection', (reason) => observe({ kind: 'unhandled', error: capture(reason) }));

const deadline = setTimeout(() => {
  if (events.length > 0) return;
  hung = true;
  send({ type: 'surfaced', kind: 'hung' });
  setTimeout(report, job.graceMs);
}, job.deadlineMs);

send({ type: 'started' });
style
  .runReposAndForks({
    apiUrl: job.apiUrl,
    user: job.user,
    concurrency: job.concurrency,
    perPage: job.perPage,
    timeoutMs: job.timeoutMs,
    onCleanup: () => {
      cleanupCount += 1;
    },
  })
  .then(
    (result) => observe({ kind: 'swallowed', forks: result.sourceNames.length, pages: result.pages }),
    (error: unknown) => observe({ kind: 'rejected', error: capture(error) }),
  )
  .finally(() => clearTimeout(deadline));

function readJob(): TraceCaseJob {
  if (process.send === undefined) usage('started without an IPC channel; the traceback matrix starts it');
  try {
    return JSON.parse(process.argv[2] ?? '') as TraceCaseJob;
  } catch {
    return usage(`expected one JSON job argument, got ${JSON.stringify(process.argv[2])}`);
  }
}

// Only this style's adapter, not the registry: the registry loads every style's libraries (rxjs,
// fp-ts) into every child, which costs more start-up time than the whole workflow. Every style folder
// has an index.ts exporting `style` (DESIGN.md: the same files in every folder).
async function loadStyle(id: string): Promise<StyleAdapter> {
  if (!(STYLE_IDS as readonly string[]).includes(id)) usage(`no style ${JSON.stringify(id)}; accepted: ${STYLE_IDS.join(', ')}`);
  const module = (await import(`../../styles/${id}/index.js`)) as { style?: StyleAdapter };
  if (module.style?.id !== id) usage(`styles/${id}/index.js does not export the adapter \`style\` with id ${JSON.stringify(id)}`);
  return module.style;
}

function usage(problem: string): never {
  process.stderr.write(`trace-case: ${problem}\n`);
  process.exit(2);
}

/** The error as text: its own stack (without the debug chain), its causes, and the chain apart. */
function capture(value: unknown): CapturedError {
  const own = errorText(value);
  const chains: string[] = [];
  const split = (text: ErrorText): ErrorText => {
    const at = text.stack.indexOf(CHAIN_HEADER);
    if (at === -1) return text;
    chains.push(text.stack.slice(at).trimEnd());
    return { ...text, stack: text.stack.slice(0, at).trimEnd() };
  };
  const causes: ErrorText[] = [];
  const seen = new Set<unknown>([value]);
  let cause = causeOf(value);
  // Ten is deeper than any chain the styles build; the set stops a cycle.
  while (cause !== undefined && !seen.has(cause) && causes.length < 10) {
    seen.add(cause);
    causes.push(split(errorText(cause)));
    cause = causeOf(cause);
  }
  const top = split(own);
  return { ...top, causes, debugChain: chains.length > 0 ? chains.join('\n') : null };
}

function errorText(value: unknown): ErrorText {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: typeof value.stack === 'string' ? value.stack : `${value.name}: ${value.message}` };
  }
  // A thrown non-Error has no stack at all: exactly what the trace then shows.
  return { name: typeof value, message: String(value), stack: '' };
}

function causeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'cause' in value ? value.cause : undefined;
}

function describe(next: ChildOutcome): string {
  switch (next.kind) {
    case 'rejected':
    case 'crashed':
    case 'unhandled':
      return `${next.kind}: ${next.error.name}: ${next.error.message}`;
    case 'swallowed':
      return `resolved with ${next.forks} names over ${next.pages} pages`;
    case 'hung':
      return 'hung';
  }
}
