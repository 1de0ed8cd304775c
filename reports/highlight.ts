// TypeScript syntax highlighting for the side-by-side page: shiki's TypeScript grammar and its
// light GitHub theme, turned into lines of spans with inline colours, so the page needs no
// stylesheet or script of shiki's. A file is highlighted whole, then sliced by line: slicing first
// would cut a comment or a template literal in two and colour the rest of it wrong.
import { createHighlighterCore } from 'shiki/core';
import type { HighlighterCore, ThemedToken } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import typescript from 'shiki/langs/typescript.mjs';
import githubLight from 'shiki/themes/github-light.mjs';
import { escapeHtml } from './format.js';

export const THEME = 'github-light';

export interface HighlightedFile {
  /** One entry per source line (line 1 at index 0): the line's HTML, spans with inline styles. */
  readonly lines: readonly string[];
  readonly background: string;
  readonly foreground: string;
}

// The JavaScript regex engine needs no WebAssembly; TypeScript's grammar is one it supports fully.
let highlighter: Promise<HighlighterCore> | undefined;

function load(): Promise<HighlighterCore> {
  highlighter ??= createHighlighterCore({
    themes: [githubLight],
    langs: [typescript],
    engine: createJavaScriptRegexEngine(),
  });
  return highlighter;
}

export async function highlightTypeScript(code: string): Promise<HighlightedFile> {
  const core = await load();
  const theme = core.getTheme(THEME);
  const tokens = core.codeToTokensBase(code, { lang: 'typescript', theme: THEME });
  return {
    lines: tokens.map((line) => line.map(tokenHtml).join('')),
    background: theme.bg,
    foreground: theme.fg,
  };
}

// shiki's FontStyle flags: 1 italic, 2 bold, 4 underline (-1 and 0: none).
function tokenHtml(token: ThemedToken): string {
  const styles: string[] = [];
  if (token.color !== undefined) styles.push(`color:${token.color}`);
  const font = token.fontStyle ?? 0;
  if (font > 0) {
    if ((font & 1) !== 0) styles.push('font-style:italic');
    if ((font & 2) !== 0) styles.push('font-weight:600');
    if ((font & 4) !== 0) styles.push('text-decoration:underline');
  }
  const text = escapeHtml(token.content);
  return styles.length === 0 ? text : `<span style="${styles.join(';')}">${text}</span>`;
}
