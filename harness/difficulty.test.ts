// The code metrics on snippets small enough to count by hand: each expectation below was counted
// token by token, line by line, before the code ran.
import { describe, expect, it } from 'vitest';
import { difficultyRows, measureDifficulty, ownHelperImports } from './difficulty.js';

const measure = (text: string) => measureDifficulty('snippet.ts', text);

describe('tokens', () => {
  it('counts scanner tokens, not whitespace', () => {
    // const x = 1 ;
    expect(measure('const x = 1;').tokens).toBe(5);
    expect(measure('const   x\n=\n\n1 ;').tokens).toBe(5);
  });

  it('ignores line, block and doc comments', () => {
    const text = ['// header', '/** doc */', 'const x = 1; /* trailing */', '/*', ' * block', ' */'].join('\n');
    expect(measure(text).tokens).toBe(5);
  });

  it('splits a template with substitutions the way the parser does', () => {
    // const s = `a${ b }c${ d }e` ;  -> const, s, =, head, b, middle, d, tail, ;
    expect(measure('const s = `a${b}c${d}e`;').tokens).toBe(9);
    // A template without substitutions is one token.
    expect(measure('const s = `a b c`;').tokens).toBe(5);
  });

  it('reads a regular expression literal as one token', () => {
    // const r = /a+b/g ;
    expect(measure('const r = /a+b/g;').tokens).toBe(5);
  });

  it('counts type annotations: they are code a reader has to write', () => {
    // function f ( a : number ) : void { }
    expect(measure('function f(a: number): void {}').tokens).toBe(11);
  });
});

describe('lines', () => {
  it('skips blank and comment-only lines', () => {
    const text = ['// why', '', 'const a = 1;', '   ', '/* more', '   why */', 'const b = 2; // trailing', ''].join('\n');
    expect(measure(text).lines).toBe(2);
  });

  it('counts every non-blank line of a multi-line template', () => {
    const text = ['const t = `one', '', 'two`;'].join('\n');
    expect(measure(text).lines).toBe(2);
  });
});

describe('maxNesting', () => {
  it('is 0 for top-level statements and 1 inside a function', () => {
    expect(measure('const a = 1;').maxNesting).toBe(0);
    expect(measure('function f() { return 1; }').maxNesting).toBe(1);
    expect(measure('const f = (x: number) => x + 1;').maxNesting).toBe(1);
  });

  it('counts a callback pyramid level by level', () => {
    const text = 'a(function () { b(function () { c(() => { if (x) { d(); } }); }); });';
    // function, function, arrow, if-block
    expect(measure(text).maxNesting).toBe(4);
  });

  it('keeps a promise chain flat', () => {
    expect(measure('p.then((a) => f(a)).then((b) => g(b)).catch((e) => h(e));').maxNesting).toBe(1);
  });

  it('counts brace-less bodies but not an else-if chain', () => {
    expect(measure('if (a) b();').maxNesting).toBe(1);
    expect(measure('if (a) { b(); } else if (c) { d(); } else if (e) { f(); } else { g(); }').maxNesting).toBe(1);
    expect(measure('for (;;) while (a) b();').maxNesting).toBe(2);
  });

  it('counts try, catch and case bodies', () => {
    const text = 'function f() { try { switch (a) { case 1: { b(); } } } catch { c(); } }';
    // function, try block, case clause, block inside the case
    expect(measure(text).maxNesting).toBe(4);
  });

  it('does not count type-level signatures as functions', () => {
    expect(measure('interface I { m(): void; f: (a: number) => void }').maxNesting).toBe(0);
  });
});

describe('cyclomatic', () => {
  it('is 1 for straight-line code', () => {
    expect(measure('const a = 1; f(a);').cyclomatic).toBe(1);
  });

  it('adds one per decision point', () => {
    const text = [
      'function f(a: number, b?: number) {', //
      '  if (a > 0 && b !== undefined) return a;', // if, &&
      '  const c = b ?? (a || 2);', // ??, ||
      '  for (const x of [1]) c;', // for-of
      '  while (a--) {}', // while
      '  do {} while (false);', // do
      '  for (let i = 0; i < 1; i++) {}', // for
      '  for (const k in {}) k;', // for-in
      '  switch (a) { case 1: break; case 2: break; default: break; }', // 2 cases, default not
      '  try { f(1); } catch { }', // catch
      '  let d = 0; d ||= 1; d &&= 2; d ??= 3;', // 3 logical assignments
      '  return a ? 1 : 2;', // ?:
      '}',
    ].join('\n');
    expect(measure(text).cyclomatic).toBe(1 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 3 + 1);
  });

  it('does not count optional chaining or ordinary operators', () => {
    expect(measure('const a = b?.c + d * e - (f === g ? 0 : 1);').cyclomatic).toBe(2);
  });
});

describe('difficultyRows', () => {
  it('gives each file its ratio to the fewest tokens of its own scenario', () => {
    const rows = difficultyRows([
      { style: 'a', scenario: 'echo', path: 'styles/a/echo.ts', text: 'const x = 1;' }, // 5 tokens
      { style: 'b', scenario: 'echo', path: 'styles/b/echo.ts', text: 'const x = 1; const y = 2;' }, // 10
      { style: 'a', scenario: 'repos-and-forks', path: 'styles/a/repos-and-forks.ts', text: 'f(1);' }, // 5
      { style: 'b', scenario: 'repos-and-forks', path: 'styles/b/repos-and-forks.ts', text: 'f(1, 2, 3);' }, // 9
    ]);
    expect(rows.map((row) => [row.style, row.scenario, row.tokens, row.tokenRatio])).toEqual([
      ['a', 'echo', 5, 1],
      ['b', 'echo', 10, 2],
      ['a', 'repos-and-forks', 5, 1],
      ['b', 'repos-and-forks', 9, 1.8],
    ]);
    expect(rows[1]!.file).toBe('styles/b/echo.ts');
  });

  it('keeps an empty file finite', () => {
    const rows = difficultyRows([{ style: 'a', scenario: 'echo', path: 'a.ts', text: '' }]);
    expect(rows[0]).toMatchObject({ tokens: 0, lines: 0, maxNesting: 0, cyclomatic: 1, tokenRatio: 1 });
  });
});

describe('a style’s own helpers count in its difficulty', () => {
  it('finds the modules a style file imports from its own folder, not from a subfolder or the adapter', () => {
    const text = [
      "import { pipe } from 'fp-ts/lib/function.js';",
      "import { traverseWithConcurrency } from './traverse-with-concurrency.js';",
      "import { EventLoop } from './loop/event-loop.js';",
      "import { style } from './index.js';",
      "import { http } from '../../scenarios/repos-and-forks/http.js';",
    ].join('\n');
    expect(ownHelperImports(text)).toEqual(['traverse-with-concurrency.ts']);
  });

  it('adds the helpers’ tokens, lines and decisions to the program’s, and lists them', () => {
    const program = { style: 'fp-ts', scenario: 'echo' as const, path: 'styles/fp-ts/echo.ts', text: 'export const a = 1;\n' };
    const helper = { path: 'styles/fp-ts/chain-rec.ts', text: 'export function f(x: number) {\n  return x > 0 ? 1 : 2;\n}\n' };
    const [alone] = difficultyRows([program]);
    const [withHelper] = difficultyRows([{ ...program, helpers: [helper] }]);
    const helperAlone = measureDifficulty(helper.path, helper.text);
    expect(withHelper!.tokens).toBe(alone!.tokens + helperAlone.tokens);
    expect(withHelper!.lines).toBe(alone!.lines + helperAlone.lines);
    expect(withHelper!.cyclomatic).toBe(alone!.cyclomatic + helperAlone.cyclomatic);
    expect(withHelper!.helpers).toEqual(['styles/fp-ts/chain-rec.ts']);
    expect(alone).not.toHaveProperty('helpers');
  });
});
