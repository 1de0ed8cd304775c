#!/usr/bin/env node
// `rosetta`: the kit's one command line, the top layer (DESIGN.md, "Layers"): it may import every
// folder below it, and nothing imports it. Each subcommand lives in cli/commands/<name>.ts and is
// loaded only when called, so `rosetta styles` does not pay for the report renderer.
// Exit codes: 0 ok, 1 the thing ran and found a failure (e.g. a regression), 2 bad usage or input.
import { UsageError } from './args.js';
import type { Command } from './command.js';

const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  styles: () => import('./commands/styles.js'),
  repos: () => import('./commands/repos.js'),
  'fake-github': () => import('./commands/fake-github.js'),
  'echo-server': () => import('./commands/echo-server.js'),
  'echo-load': () => import('./commands/echo-load.js'),
  'chat-server': () => import('./commands/chat-server.js'),
  run: () => import('./commands/run.js'),
  tracebacks: () => import('./commands/tracebacks.js'),
  report: () => import('./commands/report.js'),
  compare: () => import('./commands/compare.js'),
  gate: () => import('./commands/gate.js'),
  calibrate: () => import('./commands/calibrate.js'),
  merge: () => import('./commands/merge.js'),
  export: () => import('./commands/export.js'),
  memory: () => import('./commands/memory.js'),
  variance: () => import('./commands/variance.js'),
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = await Promise.all(
      Object.entries(COMMANDS).map(async ([command, load]) => `  ${command.padEnd(13)}${(await load()).command.summary}`),
    );
    process.stdout.write(
      ['usage: rosetta <command> [options]   (rosetta <command> --help for its options)', '', 'commands:', ...lines, ''].join('\n'),
    );
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    throw new UsageError(`rosetta: unknown command ${JSON.stringify(name)}; accepted: ${Object.keys(COMMANDS).join(', ')}`);
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  return command.run(rest);
}

// `rosetta repos | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(error.message + '\n');
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`rosetta: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
