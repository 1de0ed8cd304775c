// The flags of every CLI command: Node's own parser (`node:util` parseArgs) splits the words, and
// the kit checks each value against its spec. Errors name the flag, the value given and what is
// accepted (after p-limit), and map to exit code 2.
import { parseArgs as parseArgsNode } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'string' | 'int' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** What `--help` says about the flag. */
  readonly help: string;
  /** Inclusive bounds for `int` and `number`. */
  readonly min?: number;
  readonly max?: number;
  /** Accepted values for `string` and for each item of `list`. */
  readonly choices?: readonly string[];
  /** Placeholder shown in help, e.g. `N` or `URL`. */
  readonly metavar?: string;
  /** May be given more than once (values collected in order); `string` only. */
  readonly repeatable?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | number | boolean | readonly string[]>;
  readonly positionals: readonly string[];
}

/** Parses `--name value`, `--name=value` and boolean `--name`; anything unknown is a UsageError. */
export function parseArgs(command: string, argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  // Node splits the words (flag or value, inline `=` or the next word, `--` ending the flags);
  // what a word may be is the kit's own check below, so every message names flag, value and range.
  const { tokens } = parseArgsNode({ args: [...argv], options: nodeOptions(specs), strict: false, allowPositionals: true, tokens: true });
  const flags = new Map<string, string | number | boolean | readonly string[]>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = token.rawName.startsWith('--') && Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      // A single dash is no flag of this kit (`-x`, `-abc`): name the word as it was typed.
      const name = token.rawName.startsWith('--') ? token.rawName : (argv[token.index] ?? token.rawName);
      const known = Object.keys(specs).map((flag) => `--${flag}`).join(', ');
      throw new UsageError(`rosetta ${command}: unknown flag ${name}; accepted: ${known || '(none)'}, --help`);
    }
    const name = token.name;
    if (spec.kind === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`rosetta ${command}: --${name} takes no value (got ${JSON.stringify(token.value)})`);
      flags.set(name, true);
      continue;
    }
    const raw = token.value;
    // `--user --json` is a forgotten value, not a user named "--json"; `--user=--json` says it is.
    if (raw?.startsWith('--') === true && token.inlineValue === false) {
      throw new UsageError(
        `rosetta ${command}: --${name} needs a value (${describe(spec)}), got the flag ${raw}; write --${name}=VALUE for a value that starts with --`,
      );
    }
    if (raw === undefined) throw new UsageError(`rosetta ${command}: --${name} needs a value (${describe(spec)})`);
    const value = convert(command, name, spec, raw);
    if (spec.repeatable === true) {
      const previous = flags.get(name);
      flags.set(name, [...(Array.isArray(previous) ? (previous as string[]) : []), value as string]);
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positionals };
}

/** The shape Node's parser needs: which flags take a value (every kind but boolean). */
function nodeOptions(specs: FlagSpecs): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.kind === 'boolean' ? 'boolean' : 'string' }]));
}

const INT_SYNTAX = /^[+-]?[0-9]+$/;
const NUMBER_SYNTAX = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** For commands that take only flags: a stray word is a usage error, not silently ignored. */
export function rejectPositionals(command: string, args: ParsedArgs, usage: string): void {
  if (args.positionals.length > 0) {
    throw new UsageError(`rosetta ${command}: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${usage}`);
  }
}

function convert(command: string, name: string, spec: FlagSpec, raw: string): string | number | readonly string[] {
  const bad = (): UsageError =>
    new UsageError(`rosetta ${command}: --${name} got ${JSON.stringify(raw)}; expected ${describe(spec)}`);
  switch (spec.kind) {
    case 'int':
    case 'number': {
      // Plain decimal only: Number() also reads `0x10`, `0b1`, `1_0`-free exponents and ` 8 `.
      if (!(spec.kind === 'int' ? INT_SYNTAX : NUMBER_SYNTAX).test(raw)) throw bad();
      const value = Number(raw);
      if (!Number.isFinite(value)) throw bad();
      if (spec.kind === 'int' && !Number.isInteger(value)) throw bad();
      if (spec.min !== undefined && value < spec.min) throw bad();
      if (spec.max !== undefined && value > spec.max) throw bad();
      return value;
    }
    case 'list': {
      const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
      if (items.length === 0) throw bad();
      if (spec.choices !== undefined) {
        const unknown = items.filter((item) => !spec.choices?.includes(item));
        if (unknown.length > 0) {
          throw new UsageError(
            `rosetta ${command}: --${name} got unknown ${JSON.stringify(unknown.join(','))}; accepted: ${spec.choices.join(', ')}`,
          );
        }
      }
      return items;
    }
    case 'string':
      if (spec.choices !== undefined && !spec.choices.includes(raw)) throw bad();
      return raw;
    case 'boolean':
      throw bad();
  }
}

function describe(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const what = spec.kind === 'int' ? 'a whole number' : 'a number';
      if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `${what} from ${spec.min} up`;
      return what;
    }
    case 'list':
      return spec.choices !== undefined ? `a comma-separated list of: ${spec.choices.join(', ')}` : 'a comma-separated list';
    case 'string':
      return spec.choices !== undefined ? `one of: ${spec.choices.join(', ')}` : (spec.metavar ?? 'a value');
    case 'boolean':
      return 'no value';
  }
}

/** Typed accessors: the spec already validated the kind. */
export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}
export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags.get(name);
  return typeof value === 'number' ? value : undefined;
}
export function flagBoolean(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
export function flagList(args: ParsedArgs, name: string): readonly string[] | undefined {
  const value = args.flags.get(name);
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}

/** The `--help` text of a command, generated from the same specs that parse it, so it stays true. */
export function helpText(usage: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const meta = spec.kind === 'boolean' ? '' : ` ${spec.metavar ?? spec.kind.toUpperCase()}`;
    // A free-form string's metavar already says what it takes; everything else states its range.
    const accepted = spec.kind === 'boolean' || (spec.kind === 'string' && spec.choices === undefined) ? '' : ` (${describe(spec)})`;
    return [`  --${name}${meta}`, `${spec.help}${accepted}`] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => left.padEnd(width) + right);
  return [`usage: ${usage}`, '', summary, '', 'options:', ...lines, '  --help'.padEnd(width) + 'show this help'].join('\n');
}
