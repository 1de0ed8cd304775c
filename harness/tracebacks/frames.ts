// V8 stack-trace lines parsed into frames: the raw material every traceback measure reads.
// It understands what V8 prints for Node (`at fn (file:line:col)`, `at file:line:col`, `at async fn`,
// `at new Class`, `at async Promise.all (index 0)`, `<anonymous>`, `node:` internals), and the lines
// of an Effect span trace, which imitate them (`at span (call site)`, `at span (definition) (file:line:col)`);
// it reads text only.

export interface Frame {
  /** The line as printed, without leading blanks. */
  readonly raw: string;
  /** The function as V8 names it, e.g. `Object.readRepos [as fn]`; null for an anonymous function. */
  readonly fn: string | null;
  /** The bare function name a reader looks for: the last dotted segment, without `[as x]`. */
  readonly name: string | null;
  /** The file path or URL as printed; null for builtins (`<anonymous>`, `native`, `index 0`). */
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** `at async fn`: a frame V8 rebuilt from an awaiting async function (zero-cost async stacks). */
  readonly isAsync: boolean;
  /** `at new Class`: a constructor call. */
  readonly isNew: boolean;
  /**
   * `at span (definition) (location)`: an Effect span trace's line for where the `Effect.fn` that opened
   * the span is defined, not where the fiber was; `fn` and `name` are the span's name without the suffix.
   */
  readonly isDefinition: boolean;
}

export interface ParsedStack {
  /** Everything before the first frame: `Name: message`, possibly over several lines. */
  readonly header: string;
  readonly frames: readonly Frame[];
}

const FRAME_LINE = /^\s*at\s+(.*)$/;
// A location is `file:line:col`; the file itself may contain colons (`file:///x`, `node:internal/y`).
const LOCATION = /^(.*):(\d+):(\d+)$/;
const DEFINITION_SUFFIX = ' (definition)';

/** Parses one line; undefined when it is not a frame. */
export function parseFrame(line: string): Frame | undefined {
  const match = FRAME_LINE.exec(line);
  if (match === null) return undefined;
  let rest = (match[1] ?? '').trim();
  const raw = `at ${rest}`;
  let isAsync = false;
  let isNew = false;
  if (rest.startsWith('async ')) {
    isAsync = true;
    rest = rest.slice('async '.length);
  }
  if (rest.startsWith('new ')) {
    isNew = true;
    rest = rest.slice('new '.length);
  }

  let fn: string | null = null;
  let location = rest;
  // `fn (location)`: the location is the last parenthesised group; `eval at` nests one inside it.
  if (rest.endsWith(')')) {
    const open = openingParen(rest);
    if (open > 0) {
      fn = rest.slice(0, open).trim() || null;
      location = rest.slice(open + 1, -1);
    } else if (open === 0) {
      location = rest.slice(1, -1);
    }
  }
  // `eval at outer (file:1:2), <anonymous>:3:4`: the position that matters is the outer call site.
  if (location.startsWith('eval at ')) {
    const inner = /\(([^()]*:\d+:\d+)\)/.exec(location);
    location = inner?.[1] ?? location;
  }

  // Effect's span trace writes the definition site of an `Effect.fn` as `at name (definition) (loc)`.
  let isDefinition = false;
  if (fn?.endsWith(DEFINITION_SUFFIX) === true) {
    isDefinition = true;
    fn = fn.slice(0, -DEFINITION_SUFFIX.length).trim() || null;
  }

  const where = LOCATION.exec(location);
  const file = where?.[1] ?? null;
  const builtin = file === null || file === '<anonymous>' || file === 'native';
  return {
    raw,
    fn,
    name: bareName(fn),
    file: builtin ? null : file,
    line: builtin || where?.[2] === undefined ? null : Number(where[2]),
    column: builtin || where?.[3] === undefined ? null : Number(where[3]),
    isAsync,
    isNew,
    isDefinition,
  };
}

/** Splits a stack string into its header and frames; lines that are neither are dropped. */
export function parseStack(stack: string): ParsedStack {
  const lines = stack.split('\n');
  const headerLines: string[] = [];
  const frames: Frame[] = [];
  for (const line of lines) {
    const frame = parseFrame(line);
    if (frame !== undefined) frames.push(frame);
    else if (frames.length === 0) headerLines.push(line);
  }
  return { header: headerLines.join('\n'), frames };
}

/** `Object.readRepos [as fn]` -> `readRepos`; `Generator.next` -> `next`; `<anonymous>` -> null. */
export function bareName(fn: string | null): string | null {
  if (fn === null) return null;
  const withoutAlias = fn.replace(/\s*\[as [^\]]*\]$/, '');
  const last = withoutAlias.split('.').pop() ?? withoutAlias;
  return last === '' || last === '<anonymous>' ? null : last;
}

// The index of the `(` that opens the final `( ... )` group, matching nested parentheses.
function openingParen(text: string): number {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const char = text[i];
    if (char === ')') depth += 1;
    else if (char === '(') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}
