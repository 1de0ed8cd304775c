// The echo server in a child process: `rosetta echo-server` (or a fixture) from dist/, started
// through the harness's one process model and asked the control questions over IPC
// (scenarios/echo/control.ts). Used where a test needs the server's own process: its memory after
// GC, its file-descriptor limit.
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, startProcess } from '../../harness/processes/watch.js';
import type { ControlAnswer, ControlMessage, ControlRequest } from '../../scenarios/echo/control.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const KiB = 1024;

/** An echo server in its own process, asked questions over IPC. */
export interface EchoServerChild {
  readonly port: number;
  ask(request: ControlRequest): Promise<ControlAnswer>;
  /** SIGTERM, then the exit code (0 when the server closed cleanly). */
  stop(): Promise<number | null>;
}

export interface EchoServerChildOptions {
  readonly exposeGc?: boolean;
  /** `ulimit -n` for the server alone. */
  readonly fdLimit?: number;
  /** A built fixture (dist/harness/fixtures/NAME.js) instead of `rosetta echo-server --style ID`. */
  readonly fixture?: string;
}

/** Starts `rosetta echo-server` of one style (or a fixture) from dist/ and waits until it listens. */
export async function startEchoServerChild(id: string, options: EchoServerChildOptions): Promise<EchoServerChild> {
  const node = [
    process.execPath,
    ...(options.exposeGc === true ? ['--expose-gc'] : []),
    ...(options.fixture === undefined ? [CLI, 'echo-server', '--style', id, '--port', '0'] : [path.join(ROOT, 'dist', 'harness', 'fixtures', `${options.fixture}.js`)]),
  ];
  const [command, ...args] = node;
  const child = startProcess({ label: `echo-server[${id}]`, command: command!, args, ipc: true, tailBytes: 16 * KiB });
  const gone = (what: string): Promise<never> =>
    child.exited.then((exit) => Promise.reject(new Error(`echo server ${id} exited (${exit.code}) before ${what}: ${child.tail()}`)));

  const port = await new Promise<number>((resolve, reject) => {
    const off = child.onMessage((message) => {
      if ((message as ControlMessage).kind !== 'listening') return;
      off();
      resolve((message as Extract<ControlMessage, { kind: 'listening' }>).port);
    });
    gone('listening').catch(reject);
  });
  // The descriptor limit is set once the server listens, on the server alone: set before start
  // (`ulimit -n` in front of node), it also limits node's loading of the style's modules, which
  // opens many files at once (effect's hundreds) and failed with EMFILE before listening, once in CI.
  if (options.fdLimit !== undefined) {
    await runCommand({ label: 'prlimit', command: 'prlimit', args: ['--pid', String(child.pid), `--nofile=${options.fdLimit}:${options.fdLimit}`] });
  }

  let nextId = 0;
  return {
    port,
    ask: (request) =>
      new Promise<ControlAnswer>((resolve, reject) => {
        const id = nextId++;
        const off = child.onMessage((raw) => {
          const message = raw as ControlMessage;
          if (message.kind !== 'answer' || message.id !== id) return;
          off();
          resolve(message.answer);
        });
        gone(`answering ${request}`).catch(reject);
        child.send({ id, request }).catch(reject);
      }),
    stop: async () => (await child.kill('SIGTERM')).code,
  };
}

/** The child runs dist/: refuse to test JavaScript older than its TypeScript. */
export function assertBuilt(subjectSources: readonly string[]): void {
  const sources = [
    ...subjectSources,
    'cli/main.ts',
    'cli/commands/echo-server.ts',
    'harness/child/style.ts',
    'styles/adapter.ts',
    'scenarios/echo/control.ts',
    'scenarios/echo/server-options.ts',
  ];
  for (const source of sources) {
    const built = path.join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
    let builtAt: number;
    try {
      builtAt = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${path.relative(ROOT, built)} is missing: build first (npx tsc -p tsconfig.build.json)`);
    }
    if (builtAt < statSync(path.join(ROOT, source)).mtimeMs) {
      throw new Error(`${path.relative(ROOT, built)} is older than ${source}: build first (npx tsc -p tsconfig.build.json)`);
    }
  }
}
