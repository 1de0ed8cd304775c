// `rosetta fake-github`: runs the fake GitHub API on its own until SIGINT or SIGTERM, to point a
// style (`rosetta repos --api URL`), curl or a benchmark at it; then closes every socket and exits 0.
// Flags go through cli/args.ts; `--latency` and `--fault` values get their own checks here.
import { FAULT_RULE_SYNTAX, FaultRuleError, describeFaultRule, parseFaultRule, type FaultRule } from '../../scenarios/repos-and-forks/faults.js';
import { startFakeGithub, type FakeGithub, type FakeGithubOptions, type Latency } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_SEED, DEFAULT_USER, createWorld } from '../../scenarios/repos-and-forks/world.js';
import { UsageError, flagBoolean, flagList, flagNumber, flagString, helpText, parseArgs, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';

const MAX_LATENCY_MS = 600_000;

const FLAGS: FlagSpecs = {
  host: { kind: 'string', help: 'address to listen on (default 127.0.0.1)', metavar: 'HOST' },
  port: { kind: 'int', min: 0, max: 65_535, help: 'port to listen on, 0 for any free one (default 0)', metavar: 'PORT' },
  latency: {
    kind: 'string',
    help: 'delay before every answer in ms: MS fixed, or MIN-MAX uniform from a PRNG seeded by --seed (default 0)',
    metavar: 'MS|MIN-MAX',
  },
  fault: { kind: 'string', repeatable: true, help: 'a fault rule, may be repeated, e.g. status=500@/repos/*/*#3 (syntax above)', metavar: 'RULE' },
  'strict-auth': { kind: 'boolean', help: 'answer 401 to requests without an Authorization token' },
  seed: { kind: 'int', min: 0, max: 0xffff_ffff, help: `seed of the world and of the latency draws (default ${DEFAULT_SEED})`, metavar: 'N' },
};

const USAGE = 'rosetta fake-github [--host H] [--port P] [--latency MS|MIN-MAX] [--fault RULE]... [--strict-auth] [--seed N]';

export const command: Command = {
  summary: 'serve the fake GitHub API (deterministic world, latency, fault rules) until Ctrl-C',
  help: helpText(
    USAGE,
    'Serves GET /users/{login}/repos, GET /repos/{owner}/{repo} and GET /rate_limit on loopback from a world\n' +
      'generated from --seed, with GitHub\'s pagination, rate-limit headers, ETags and error bodies.\n' +
      'Runs until SIGINT or SIGTERM, then closes every connection and exits 0.\n\n' +
      `Fault rules: ${FAULT_RULE_SYNTAX}.`,
    FLAGS,
  ),
  async run(argv) {
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    const stop = new Promise<void>((resolve) => {
      onSignal = (signal) => {
        process.stdout.write(`received ${signal}, closing\n`);
        resolve();
      };
    });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return await serveFakeGithub(argv, { print: (line) => process.stdout.write(line + '\n'), stop });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

export interface ServeIo {
  readonly print: (line: string) => void;
  /** Resolves when the server should close (the command wires it to SIGINT and SIGTERM). */
  readonly stop: Promise<void>;
  /** Called once the server listens, e.g. for a test to reach it. */
  readonly onListening?: (fake: FakeGithub) => void;
}

/** The command's body without process signals, so it can be driven in-process. */
export async function serveFakeGithub(argv: readonly string[], io: ServeIo): Promise<number> {
  const options = parseOptions(argv);
  const fake = await listen(options);
  io.onListening?.(fake);
  for (const line of banner(fake, options)) io.print(line);
  await io.stop;
  const served = fake.stats().served;
  await fake.close();
  io.print(`fake GitHub API closed after ${served} responses`);
  return 0;
}

function parseOptions(argv: readonly string[]): FakeGithubOptions & { readonly faults: readonly FaultRule[]; readonly latency: Latency } {
  const args = parseArgs('fake-github', argv, FLAGS);
  if (args.positionals.length > 0) {
    throw new UsageError(`rosetta fake-github: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
  }
  const host = flagString(args, 'host');
  const port = flagNumber(args, 'port');
  const seed = flagNumber(args, 'seed');
  const rawLatency = flagString(args, 'latency');
  return {
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    world: createWorld(seed !== undefined ? { seed } : {}),
    latency: rawLatency === undefined ? 0 : parseLatency(rawLatency),
    faults: (flagList(args, 'fault') ?? []).map(parseFault),
    strictAuth: flagBoolean(args, 'strict-auth'),
  };
}

/** `MS` or `MIN-MAX`, whole milliseconds; args.ts has no kind for a number-or-range. */
export function parseLatency(raw: string): Latency {
  const bad = (why: string): UsageError =>
    new UsageError(
      `rosetta fake-github: --latency got ${JSON.stringify(raw)}; ${why}; expected MS or MIN-MAX, whole milliseconds from 0 to ${MAX_LATENCY_MS}, e.g. 50 or 10-100`,
    );
  const match = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  if (match === null) throw bad('not a number or range');
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max > MAX_LATENCY_MS) throw bad('too long');
  if (min > max) throw bad('MIN is above MAX');
  return match[2] === undefined ? min : { min, max };
}

function parseFault(text: string): FaultRule {
  try {
    return parseFaultRule(text);
  } catch (error) {
    if (error instanceof FaultRuleError) throw new UsageError(`rosetta fake-github: --fault ${error.message}`);
    throw error;
  }
}

async function listen(options: FakeGithubOptions): Promise<FakeGithub> {
  try {
    return await startFakeGithub(options);
  } catch (error) {
    // Listening fails on what the user typed (a busy port, a foreign address): say which flag.
    const code = (error as { code?: unknown } | null)?.code;
    const where = `--host ${options.host ?? '127.0.0.1'} --port ${options.port ?? 0}`;
    if (code === 'EADDRINUSE') throw new UsageError(`rosetta fake-github: ${where}: the port is in use; pick another or 0 for any free one`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new UsageError(`rosetta fake-github: ${where}: no such local address; expected e.g. 127.0.0.1 or ::1`);
    }
    if (code === 'EACCES') throw new UsageError(`rosetta fake-github: ${where}: not allowed to listen there; use a port from 1024 up`);
    throw error;
  }
}

function banner(fake: FakeGithub, options: { readonly faults: readonly FaultRule[]; readonly latency: Latency; readonly strictAuth?: boolean }): string[] {
  const users = fake.world.users();
  const main = users.find((user) => user.login === DEFAULT_USER) ?? users[0];
  const headline = main === undefined ? '' : ` (user ${main.login}: ${main.repos} repos, ${main.forks} forks)`;
  const others = users.filter((user) => user !== main).map((user) => `${user.login} ${user.repos} repos, ${user.forks} forks`);
  const latency = options.latency;
  return [
    `fake GitHub API listening on ${fake.url}${headline}`,
    `  world: seed ${fake.world.seed}${others.length > 0 ? `; also ${others.join('; ')}` : ''}`,
    `  latency: ${typeof latency === 'number' ? `${latency} ms` : `${latency.min}-${latency.max} ms, uniform, seeded`}`,
    `  auth: ${options.strictAuth === true ? 'required (--strict-auth): 401 without a token' : 'optional; Bearer or token accepted'}`,
    ...(options.faults.length === 0 ? ['  faults: none'] : options.faults.map((rule) => `  fault ${describeFaultRule(rule)}`)),
    `  try: curl -i '${fake.url}/users/${main?.login ?? DEFAULT_USER}/repos?per_page=100'`,
    'Ctrl-C (SIGINT) or SIGTERM closes it.',
  ];
}
