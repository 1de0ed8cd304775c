// The side-by-side page: for each scenario, one column per style and one row per step, so the same
// step of every style sits on one line of the screen. Each style's file is cut at the declaration
// of each step (found with TypeScript's parser, wherever it is nested), and each cut runs to the
// next one, so every line of the file appears exactly once. Style checkboxes are plain CSS.
import ts from 'typescript';
import type { DifficultyRow, SourceFile } from '../harness/schema.js';
import { escapeHtml, formatFactor, formatNumber, orderStyles } from './format.js';
import { highlightTypeScript } from './highlight.js';
import type { MemoryLink } from './memory-explain.js';

/** The six steps of scenarios/repos-and-forks/SPEC.md, in order: the rows of the repos-and-forks table. */
export const STEPS = [
  'sendReposRequest',
  'readRepos',
  'sendForkedRepoRequests',
  'readForkedRepoRequests',
  'printSourceNames',
  'cleanup',
] as const;

/** The function that composes the steps; its row follows the six. */
export const COMPOSITION = 'reposAndForks';

/**
 * Styles whose column sits right after another's on this page, whatever the report's order: effect
 * beside coroutines, both generators stepped by a scheduler that is not the engine's (Effect's fiber
 * runtime, the kit's own loop), so the two can be diffed column against column.
 */
export const BESIDE: Readonly<Record<string, string>> = { effect: 'coroutines' };

/** The report's order, with each style of BESIDE moved right after its neighbour when both are present. */
export function sideBySideOrder(styles: readonly string[]): string[] {
  const moved = new Set(styles.filter((style) => BESIDE[style] !== undefined && styles.includes(BESIDE[style])));
  return styles.flatMap((style) => (moved.has(style) ? [] : [style, ...[...moved].filter((other) => BESIDE[other] === style)]));
}

/** Lines of a file, 1-based and inclusive. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

export interface SourceSlices {
  /** What comes before the first anchor: the header comment, imports, shared types. */
  readonly preamble: LineRange | undefined;
  /** Each anchor's lines; undefined when the file declares nothing by that name. */
  readonly slices: ReadonlyMap<string, LineRange | undefined>;
}

/**
 * Cuts a file at the first declaration of each name: a function, a variable, a method or a
 * property. A cut starts at the comment block right above the declaration (its "why" belongs to
 * it) and ends before the next cut, trailing blank lines dropped.
 */
export function sliceSource(path: string, text: string, anchors: readonly string[]): SourceSlices {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split(/\r?\n/);
  const wanted = new Set(anchors);
  const found = new Map<string, number>();
  const visit = (node: ts.Node): void => {
    for (const name of declaredNames(node)) {
      if (wanted.has(name) && !found.has(name)) {
        found.set(name, commentBlockStart(lines, file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  const starts = [...new Set(found.values())].sort((a, b) => a - b);
  const endBefore = (start: number): number => {
    const next = starts.find((line) => line > start) ?? lines.length + 1;
    return lastNonBlank(lines, start, next - 1);
  };
  const slices = new Map<string, LineRange | undefined>();
  for (const name of anchors) {
    const start = found.get(name);
    slices.set(name, start === undefined ? undefined : { start, end: endBefore(start) });
  }
  const first = starts[0] ?? lines.length + 1;
  const preambleEnd = lastNonBlank(lines, 1, first - 1);
  return { preamble: preambleEnd >= 1 ? { start: 1, end: preambleEnd } : undefined, slices };
}

/** Names declared at the top level of a file, in order: functions, variables, classes. */
export function topLevelNames(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return file.statements.flatMap((statement) => (ts.isFunctionDeclaration(statement) || ts.isVariableStatement(statement) || ts.isClassDeclaration(statement) ? declaredNames(statement) : []));
}

/**
 * The anchors to align files that share no spec'd step names (echo): the top-level names every file
 * declares, in the first file's order. Fewer than two means the files share no shape worth aligning.
 */
export function commonTopLevelNames(files: readonly { readonly path: string; readonly text: string }[]): string[] {
  const [first, ...rest] = files.map((file) => topLevelNames(file.path, file.text));
  if (first === undefined) return [];
  return first.filter((name) => rest.every((names) => names.includes(name)));
}

function declaredNames(node: ts.Node): string[] {
  if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) return node.name !== undefined ? [node.name.text] : [];
  if (ts.isVariableStatement(node)) {
    return node.declarationList.declarations.flatMap((declaration) => (ts.isIdentifier(declaration.name) ? [declaration.name.text] : []));
  }
  if (ts.isMethodDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) {
    return ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? [node.name.text] : [];
  }
  return [];
}

function isCommentLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith('//') || trimmed.startsWith('/*') || trimmed.startsWith('*');
}

function commentBlockStart(lines: readonly string[], declarationLine: number): number {
  let start = declarationLine;
  while (start > 1 && isCommentLine(lines[start - 2] ?? '')) start--;
  return start;
}

function lastNonBlank(lines: readonly string[], from: number, to: number): number {
  let end = to;
  while (end >= from && (lines[end - 1] ?? '').trim() === '') end--;
  return end;
}

// ------------------------------------------------------------------------------------------------
// HTML

const SCENARIOS = ['repos-and-forks', 'echo'] as const;

export interface SideBySide {
  readonly html: string;
  /** Rules that hide a style's column when its checkbox is cleared; no script involved. */
  readonly css: string;
}

interface Row {
  readonly id: string;
  readonly title: string;
  readonly range: (slices: SourceSlices) => LineRange | undefined;
}

/** CSS-safe form of a style id (`coroutines+debug` -> `coroutines-debug`). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export async function sideBySide(
  sources: readonly SourceFile[],
  difficulty: readonly DifficultyRow[] = [],
  colours: ReadonlyMap<string, string> = new Map(),
  /** Each style's memory figure per `scenario:style`, linked to what explains it. */
  memory: ReadonlyMap<string, MemoryLink> = new Map(),
  /** The styles in report order (view.ts); by default, the sources' own. */
  order: readonly string[] = orderStyles(sources.map((source) => source.style)),
): Promise<SideBySide> {
  const blocks: string[] = [];
  const css: string[] = [];
  for (const scenario of SCENARIOS) {
    const files = sources.filter((source) => source.scenario === scenario);
    if (files.length === 0) {
      blocks.push(`<h3>${scenario}</h3><p class="absent">No ${scenario} sources in this results file.</p>`);
      continue;
    }
    const styles = sideBySideOrder(order.filter((style) => files.some((file) => file.style === style)));
    const byStyle = new Map(files.map((file) => [file.style, file]));
    const ordered = styles.map((style) => byStyle.get(style)).filter((file): file is SourceFile => file !== undefined);
    const { rows, note } = rowsFor(scenario, ordered);
    const anchors = rows.map((row) => row.id).filter((id) => id !== 'preamble' && id !== 'file');
    const sliced = ordered.map((file) => sliceSource(file.path, file.text, anchors));
    const highlighted = await Promise.all(ordered.map((file) => highlightTypeScript(file.text)));
    const prefix = `sbs-${slug(scenario)}`;

    for (const style of styles) {
      css.push(`#${prefix}-${slug(style)}:not(:checked) ~ .sbs-scroll .c-${slug(style)} { display: none; }`);
    }
    const toggles = styles
      .map((style) => {
        const id = `${prefix}-${slug(style)}`;
        const swatch = `<span class="swatch" style="background:${colours.get(style) ?? '#999'}"></span>`;
        return `<input type="checkbox" class="sbs-toggle" id="${id}" checked><label for="${id}">${swatch}${escapeHtml(style)}</label>`;
      })
      .join('\n');

    const head = ordered
      .map((file) => {
        const row = difficulty.find((d) => d.style === file.style && d.scenario === scenario);
        const metrics =
          row === undefined
            ? ''
            : `<span class="sbs-metrics">${formatNumber(row.tokens)} tokens (${formatFactor(row.tokenRatio)}) · ${row.lines} lines · nesting ${row.maxNesting} · cyclomatic ${row.cyclomatic}</span>`;
        const figure = memory.get(`${scenario}:${file.style}`);
        const held = figure === undefined ? '' : `<span class="sbs-metrics">memory: <a href="${escapeHtml(figure.href)}">${escapeHtml(figure.text)}</a></span>`;
        return `<th class="c-${slug(file.style)}" style="border-top-color:${colours.get(file.style) ?? '#999'}"><span class="sbs-style">${escapeHtml(file.style)}</span><code>${escapeHtml(file.path)}</code>${metrics}${held}</th>`;
      })
      .join('');

    const body = rows
      .map((row, index) => {
        const cells = ordered
          .map((file, column) => {
            const range = row.range(sliced[column] ?? { preamble: undefined, slices: new Map() });
            const lines = highlighted[column]?.lines ?? [];
            if (range === undefined) {
              const what = row.id === 'preamble' ? 'Nothing before the first step.' : `No declaration named <code>${escapeHtml(row.id)}</code> in this file.`;
              return `<td class="c-${slug(file.style)} missing">${what}</td>`;
            }
            const code = codeHtml(lines, range, highlighted[column]?.background);
            // The preamble (header comment, imports, types) folds away so the six steps line up on
            // the first screen; a <details> opens without any script.
            if (row.id === 'preamble') {
              return `<td class="c-${slug(file.style)}"><details class="preamble"><summary>lines ${range.start}–${range.end}</summary>${code}</details></td>`;
            }
            return `<td class="c-${slug(file.style)}">${code}</td>`;
          })
          .join('');
        const step = STEPS.indexOf(row.id as (typeof STEPS)[number]);
        const number = step === -1 ? '' : `<span class="step-no">${step + 1}</span>`;
        return `<tr class="sbs-step" id="${prefix}-row-${slug(row.id)}-${index}"><th colspan="${ordered.length}">${number}${escapeHtml(row.title)}</th></tr>\n<tr class="sbs-code">${cells}</tr>`;
      })
      .join('\n');

    blocks.push(
      [
        `<div class="sbs" id="${prefix}">`,
        `<h3>${scenario}</h3>`,
        `<p class="note">${note}</p>`,
        `<div class="sbs-toggles">Show:</div>`,
        toggles,
        `<div class="sbs-scroll"><table class="sbs-table"><thead><tr>${head}</tr></thead><tbody>`,
        body,
        '</tbody></table></div>',
        '</div>',
      ].join('\n'),
    );
  }
  return { html: blocks.join('\n'), css: css.join('\n') };
}

function rowsFor(scenario: (typeof SCENARIOS)[number], files: readonly SourceFile[]): { rows: Row[]; note: string } {
  const preamble: Row = { id: 'preamble', title: 'header, imports and shared types', range: (s) => s.preamble };
  const named = (id: string, title: string): Row => ({ id, title, range: (s) => s.slices.get(id) });
  if (scenario === 'repos-and-forks') {
    return {
      rows: [preamble, ...STEPS.map((step) => named(step, step)), named(COMPOSITION, `${COMPOSITION}: composes the steps`)],
      note: 'Rows are aligned on the six steps of SPEC.md. Each cell runs from the step’s declaration (and the comment above it) to the next step’s, so every line of every file appears once.',
    };
  }
  const common = commonTopLevelNames(files);
  if (common.length >= 2) {
    return {
      rows: [preamble, ...common.map((name) => named(name, name))],
      note: `Rows are aligned on the top-level functions every echo file declares: ${common.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}.`,
    };
  }
  // With no anchors the preamble runs to the last line: it is the whole file.
  const whole: Row = { id: 'file', title: 'whole file', range: (s) => s.preamble };
  return { rows: [whole], note: 'The echo files share fewer than two top-level names, so each is shown whole.' };
}

function codeHtml(lines: readonly string[], range: LineRange, background: string | undefined): string {
  const out: string[] = [];
  for (let line = range.start; line <= range.end; line++) {
    out.push(`<div class="l"><span class="ln">${line}</span><span class="lc">${lines[line - 1] ?? ''}</span></div>`);
  }
  return `<div class="code" style="background:${background ?? '#fff'}">${out.join('')}</div>`;
}
