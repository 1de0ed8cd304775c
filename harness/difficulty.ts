// Coding difficulty as numbers: tokens, code lines, deepest nesting and cyclomatic complexity of one
// TypeScript file, measured with TypeScript's own parser and scanner (never regular expressions), so
// a template literal, a regex or a comment is counted exactly as the compiler sees it.
import ts from 'typescript';
import type { DifficultyRow, SourceFile } from './schema.js';

export interface Difficulty {
  /** Tokens the scanner produces, without whitespace, newlines and comments. */
  readonly tokens: number;
  /** Lines holding at least one token: blank and comment-only lines do not count. */
  readonly lines: number;
  /** Deepest nesting of function bodies and statement blocks; top-level statements are depth 0. */
  readonly maxNesting: number;
  /** 1 + decision points: if, ?:, &&, ||, ??, (and their assignments), case, catch, loops. */
  readonly cyclomatic: number;
}

/** Measures one file; `path` only picks the language variant (TSX for `.tsx`). */
export function measureDifficulty(path: string, text: string): Difficulty {
  const kind = path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const tokenLines = new Set<number>();
  let tokens = 0;
  let cyclomatic = 1;
  let maxNesting = 0;

  // Leaves of `getChildren` are exactly the scanner's tokens, rescanned where the parser says so
  // (a `}` that continues a template, a `/` that starts a regex). A bare `ts.createScanner` loop
  // cannot know that and miscounts every template literal with a substitution.
  const countTokens = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(file);
    if (children.length === 0) {
      if (node.kind === ts.SyntaxKind.EndOfFileToken || node.kind === ts.SyntaxKind.SyntaxList) return;
      tokens++;
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.end).line;
      for (let line = first; line <= last; line++) tokenLines.add(line);
      return;
    }
    children.forEach(countTokens);
  };
  countTokens(file);

  const walk = (node: ts.Node, depth: number): void => {
    if (isDecisionPoint(node)) cyclomatic++;
    const inner = opensLevel(node) ? depth + 1 : depth;
    if (inner > maxNesting) maxNesting = inner;
    ts.forEachChild(node, (child) => walk(child, inner));
  };
  ts.forEachChild(file, (child) => walk(child, 0));

  // A multi-line template literal covers its blank lines too; they are still blank to a reader.
  const sourceLines = text.split(/\r?\n/);
  const lines = [...tokenLines].filter((line) => (sourceLines[line] ?? '').trim() !== '').length;
  return { tokens, lines, maxNesting, cyclomatic };
}

/**
 * One row per source with `tokenRatio` = tokens / the fewest tokens of any file of the same
 * scenario, so the most concise style of each scenario reads 1.00.
 */
export function difficultyRows(sources: readonly SourceFile[]): DifficultyRow[] {
  const measured = sources.map((source) => ({ source, difficulty: withHelpers(source) }));
  const fewest = new Map<string, number>();
  for (const { source, difficulty } of measured) {
    const previous = fewest.get(source.scenario);
    if (previous === undefined || difficulty.tokens < previous) fewest.set(source.scenario, difficulty.tokens);
  }
  return measured.map(({ source, difficulty }) => {
    const smallest = fewest.get(source.scenario) ?? 0;
    const helpers = (source.helpers ?? []).map((helper) => helper.path);
    return {
      style: source.style,
      scenario: source.scenario,
      file: source.path,
      ...difficulty,
      // An empty file has no tokens; a ratio against zero would be Infinity, which JSON cannot hold.
      tokenRatio: smallest > 0 ? difficulty.tokens / smallest : 1,
      ...(helpers.length > 0 ? { helpers } : {}),
    };
  });
}

/**
 * A program and the style's own helpers it imports, measured as one: tokens, lines and cyclomatic
 * complexity add up (each file keeps its own base of 1), nesting is the deepest of them.
 */
function withHelpers(source: SourceFile): Difficulty {
  const parts = [{ path: source.path, text: source.text }, ...(source.helpers ?? [])].map((part) => measureDifficulty(part.path, part.text));
  return {
    tokens: parts.reduce((sum, part) => sum + part.tokens, 0),
    lines: parts.reduce((sum, part) => sum + part.lines, 0),
    cyclomatic: parts.reduce((sum, part) => sum + part.cyclomatic, 0),
    maxNesting: Math.max(...parts.map((part) => part.maxNesting)),
  };
}

/**
 * The modules a style file imports from its own folder (`./name.js`), by the TypeScript
 * pre-processor's reading of its imports: the style's helpers. Subfolders (`./loop/...`) are a
 * runtime the style runs on, not the style's code, and the adapter (`index`) is not a helper.
 */
export function ownHelperImports(text: string): string[] {
  return ts
    .preProcessFile(text, true, false)
    .importedFiles.map((file) => file.fileName)
    .filter((name) => /^\.\/[^/]+\.js$/.test(name) && name !== './index.js')
    .map((name) => name.slice(2, -'.js'.length) + '.ts');
}

function isDecisionPoint(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.IfStatement:
    case ts.SyntaxKind.ConditionalExpression:
    case ts.SyntaxKind.CaseClause:
    case ts.SyntaxKind.CatchClause:
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.ForInStatement:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
      return true;
    case ts.SyntaxKind.BinaryExpression:
      switch ((node as ts.BinaryExpression).operatorToken.kind) {
        case ts.SyntaxKind.AmpersandAmpersandToken:
        case ts.SyntaxKind.BarBarToken:
        case ts.SyntaxKind.QuestionQuestionToken:
        case ts.SyntaxKind.AmpersandAmpersandEqualsToken:
        case ts.SyntaxKind.BarBarEqualsToken:
        case ts.SyntaxKind.QuestionQuestionEqualsToken:
          return true;
        default:
          return false;
      }
    default:
      return false;
  }
}

/**
 * A node whose contents sit one level deeper: a function (its body included, so the body's block
 * is not counted twice), a block of statements, a case clause, or the brace-less body of an `if` or
 * a loop. `else if` continues its chain at the same level, as a reader sees it.
 */
function opensLevel(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return hasBody(node);
  const parent = node.parent;
  if (ts.isBlock(node)) return !ts.isFunctionLike(parent);
  if (ts.isCaseClause(node) || ts.isDefaultClause(node)) return true;
  if (!ts.isStatement(node)) return false;
  if (ts.isIfStatement(parent)) {
    return node === parent.thenStatement || (node === parent.elseStatement && !ts.isIfStatement(node));
  }
  return ts.isIterationStatement(parent, false) && node === parent.statement;
}

function hasBody(node: ts.SignatureDeclaration): boolean {
  return 'body' in node && node.body !== undefined;
}
