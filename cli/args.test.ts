// The flag parser: Node's parseArgs splits the words, the kit checks each value and says in one line
// what was wrong (the flag, the value, what is accepted). The hostile-input properties
// (test/hostile/parsers.property.test.ts) throw generated argv at it; these pin the messages down.
import { describe, expect, it } from 'vitest';
import { flagList, flagNumber, flagString, parseArgs, UsageError, type FlagSpecs } from './args.js';

const specs: FlagSpecs = {
  n: { kind: 'int', min: 1, max: 10, help: 'n' },
  user: { kind: 'string', metavar: 'NAME', help: 'user' },
  json: { kind: 'boolean', help: 'json' },
  style: { kind: 'list', choices: ['a', 'b'], help: 'style' },
  fault: { kind: 'string', repeatable: true, help: 'fault' },
};

const usage = (argv: readonly string[]): string => {
  try {
    parseArgs('test', argv, specs);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} parsed`);
};

describe('parseArgs', () => {
  it('reads both value forms, booleans, lists and repeated flags, and keeps the words', () => {
    const args = parseArgs('test', ['a.json', '--n', '3', '--user=--odd', '--json', '--style', 'a,b', '--fault', 'x', '--fault=y', 'b.json'], specs);
    expect(flagNumber(args, 'n')).toBe(3);
    expect(flagString(args, 'user')).toBe('--odd');
    expect(args.flags.get('json')).toBe(true);
    expect(flagList(args, 'style')).toEqual(['a', 'b']);
    expect(flagList(args, 'fault')).toEqual(['x', 'y']);
    expect(args.positionals).toEqual(['a.json', 'b.json']);
  });

  it('takes every word after -- as a word, not a flag', () => {
    expect(parseArgs('test', ['--n', '2', '--', '--json', '-x'], specs).positionals).toEqual(['--json', '-x']);
  });

  it('names the flag, the value and what is accepted', () => {
    expect(usage(['--n', '11'])).toBe('rosetta test: --n got "11"; expected a whole number from 1 to 10');
    expect(usage(['--style', 'a,c'])).toBe('rosetta test: --style got unknown "c"; accepted: a, b');
    expect(usage(['--json=yes'])).toBe('rosetta test: --json takes no value (got "yes")');
    expect(usage(['--user'])).toBe('rosetta test: --user needs a value (NAME)');
    expect(usage(['--user', '--json'])).toBe(
      'rosetta test: --user needs a value (NAME), got the flag --json; write --user=VALUE for a value that starts with --',
    );
    expect(usage(['--bogus=1'])).toBe('rosetta test: unknown flag --bogus; accepted: --n, --user, --json, --style, --fault, --help');
  });

  it('names a single-dash word as typed: the kit has no short flags', () => {
    expect(usage(['-xn', '3'])).toBe('rosetta test: unknown flag -xn; accepted: --n, --user, --json, --style, --fault, --help');
    expect(usage(['--constructor'])).toMatch(/^rosetta test: unknown flag --constructor;/);
  });
});
