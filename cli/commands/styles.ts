// `rosetta styles`: the styles the registry lists, with their idiom and source files.
import { helpText, parseArgs, flagBoolean, rejectPositionals, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { STYLES } from '../../styles/registry.js';

const FLAGS: FlagSpecs = { json: { kind: 'boolean', help: 'print JSON instead of a table' } };

export const command: Command = {
  summary: 'list the styles and their idioms',
  help: helpText('rosetta styles [--json]', 'Lists every style the kit measures, in report order.', FLAGS),
  run(argv) {
    const args = parseArgs('styles', argv, FLAGS);
    rejectPositionals('styles', args, 'rosetta styles [--json]');
    if (flagBoolean(args, 'json')) {
      const rows = STYLES.map(({ id, title, idiom, sources }) => ({ id, title, idiom, sources }));
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    } else {
      const width = Math.max(...STYLES.map((style) => style.id.length)) + 2;
      for (const style of STYLES) process.stdout.write(`${style.id.padEnd(width)}${style.idiom}\n`);
    }
    return Promise.resolve(0);
  },
};
