// Cutting a file at its steps: where each cut starts (the comment above a declaration belongs to
// it), that every line lands in exactly one cut wherever the steps are declared, what a missing
// step looks like, and the echo fallback to whole files.
import { describe, expect, it } from 'vitest';
import { commonTopLevelNames, sideBySide, sideBySideOrder, sliceSource, topLevelNames } from './side-by-side.js';

const TOP_LEVEL = [
  '// header', //                                  1
  "import { x } from './x.js';", //                2
  '', //                                            3
  '// 1. the first step', //                        4
  'export function first(): void {', //             5
  '  x();', //                                      6
  '}', //                                           7
  '', //                                            8
  'const helper = 1;', //                           9
  '', //                                           10
  '/** 2. the second step */', //                  11
  'export const second = () => helper;', //        12
  '', //                                           13
].join('\n');

describe('sliceSource', () => {
  it('cuts at each declaration, its comment included, up to the next one', () => {
    const { preamble, slices } = sliceSource('a.ts', TOP_LEVEL, ['first', 'second']);
    expect(preamble).toEqual({ start: 1, end: 2 });
    // `helper` sits between the two anchors, so it travels with the first.
    expect(slices.get('first')).toEqual({ start: 4, end: 9 });
    expect(slices.get('second')).toEqual({ start: 11, end: 12 });
  });

  it('finds steps nested in a closure and keeps every line in one cut', () => {
    const text = [
      'export function whole(): void {', // 1
      '  let count = 0;', //               2
      '  function first() {', //           3
      '    count++;', //                   4
      '  }', //                            5
      '  const obj = {', //                6
      '    second() { return count; },', // 7
      '  };', //                           8
      '  obj.second();', //                9
      '}', //                              10
    ].join('\n');
    const { preamble, slices } = sliceSource('a.ts', text, ['whole', 'first', 'second']);
    expect(preamble).toBeUndefined();
    const ranges = [slices.get('whole'), slices.get('first'), slices.get('second')];
    expect(ranges).toEqual([
      { start: 1, end: 2 },
      { start: 3, end: 6 },
      { start: 7, end: 10 },
    ]);
    const covered = ranges.flatMap((range) => (range === undefined ? [] : Array.from({ length: range.end - range.start + 1 }, (_, i) => range.start + i)));
    expect(covered).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('finds the declaration, not an earlier call of the same name', () => {
    const text = ['run(first);', '', 'function first() {}'].join('\n');
    expect(sliceSource('a.ts', text, ['first']).slices.get('first')).toEqual({ start: 3, end: 3 });
  });

  it('leaves a step that the file does not declare undefined', () => {
    expect(sliceSource('a.ts', TOP_LEVEL, ['first', 'cleanup']).slices.get('cleanup')).toBeUndefined();
  });
});

describe('echo alignment', () => {
  it('reads top-level functions, variables and classes in order', () => {
    expect(topLevelNames('a.ts', TOP_LEVEL)).toEqual(['first', 'helper', 'second']);
  });

  it('aligns on the names every file shares, or on none', () => {
    const a = { path: 'a.ts', text: 'function echoConnection() {}\nfunction startEchoServer() {}\nfunction extra() {}' };
    const b = { path: 'b.ts', text: 'const startEchoServer = () => 1;\nfunction echoConnection() {}' };
    expect(commonTopLevelNames([a, b])).toEqual(['echoConnection', 'startEchoServer']);
    expect(commonTopLevelNames([a, { path: 'c.ts', text: 'function other() {}' }])).toEqual([]);
  });
});

describe('sideBySide', () => {
  it('says which step a style lacks, and gives each style a checkbox and a CSS rule to hide it', async () => {
    const { html, css } = await sideBySide([
      { style: 'callbacks', scenario: 'repos-and-forks', path: 'styles/callbacks/repos-and-forks.ts', text: 'function sendReposRequest() {}\nfunction cleanup() {}' },
      { style: 'rxjs', scenario: 'repos-and-forks', path: 'styles/rxjs/repos-and-forks.ts', text: 'const sendReposRequest = () => 1;' },
    ]);
    expect(html).toContain('<td class="c-rxjs missing">No declaration named <code>cleanup</code> in this file.</td>');
    expect(html).toContain('id="sbs-repos-and-forks-callbacks" checked');
    expect(css).toContain('#sbs-repos-and-forks-rxjs:not(:checked) ~ .sbs-scroll .c-rxjs { display: none; }');
    // No echo sources: the block says so instead of vanishing.
    expect(html).toContain('No echo sources in this results file.');
  });

  it('shows echo files whole when they share fewer than two top-level names', async () => {
    const { html } = await sideBySide([
      { style: 'callbacks', scenario: 'echo', path: 'styles/callbacks/echo.ts', text: 'function startEchoServer() {}\nfunction a() {}\n' },
      { style: 'rxjs', scenario: 'echo', path: 'styles/rxjs/echo.ts', text: 'function startEchoServer() {}\nfunction b() {}\n' },
    ]);
    expect(html).toContain('each is shown whole');
    expect(html.match(/<span class="ln">2<\/span>/g)).toHaveLength(2);
  });
});

describe('sideBySideOrder', () => {
  it('puts effect right after coroutines, and leaves the order alone when coroutines is absent', () => {
    expect(sideBySideOrder(['callbacks', 'coroutines', 'async-await', 'fp-ts', 'effect'])).toEqual(['callbacks', 'coroutines', 'effect', 'async-await', 'fp-ts']);
    expect(sideBySideOrder(['callbacks', 'fp-ts', 'effect'])).toEqual(['callbacks', 'fp-ts', 'effect']);
  });

  it('is the column order of the page', async () => {
    const file = (style: string): { style: string; scenario: 'repos-and-forks'; path: string; text: string } => ({
      style,
      scenario: 'repos-and-forks',
      path: `styles/${style}/repos-and-forks.ts`,
      text: 'function sendReposRequest() {}',
    });
    const { html } = await sideBySide(['effect', 'fp-ts', 'coroutines', 'callbacks'].map(file));
    const columns = [...html.matchAll(/<th class="c-([a-z-]+)"/g)].map((match) => match[1]);
    expect(columns).toEqual(['callbacks', 'coroutines', 'effect', 'fp-ts']);
  });
});
