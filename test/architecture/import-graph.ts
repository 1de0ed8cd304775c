// The kit's import graph, read with the TypeScript compiler's own parser: every static import,
// every `export ... from`, and every `import()` of a literal path, between the kit's own files.
// The layer rule it checks (DESIGN.md, "Layers"): scenarios <- styles <- harness <- reports <- cli,
// an arrow may only point down or sideways; tests may also use test/ (support code at the side).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Bottom to top: a file may import its own layer and the ones before it. */
export const LAYERS = ['scenarios', 'styles', 'harness', 'reports', 'cli'] as const;
export type Layer = (typeof LAYERS)[number];

export interface Edge {
  /** Repo-relative paths, `/`-separated. */
  readonly from: string;
  readonly to: string;
  /** `import type` / `export type`: erased at compile time, no arrow at run time. */
  readonly typeOnly: boolean;
}

const FOLDERS = [...LAYERS, 'test'];

/** Every TypeScript file of the kit's folders, repo-relative. */
export function kitFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir))) {
      const relative = `${dir}/${name}`;
      if (statSync(path.join(root, relative)).isDirectory()) walk(relative);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(relative);
    }
  };
  for (const folder of FOLDERS) if (existsSync(path.join(root, folder))) walk(folder);
  return files.sort();
}

/** The arrows between the given files: each import of one of them by another. */
export function importGraph(root: string, files: readonly string[]): Edge[] {
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const from of files) {
    const source = ts.createSourceFile(from, readFileSync(path.join(root, from), 'utf8'), ts.ScriptTarget.ES2022, false);
    const add = (specifier: string, typeOnly: boolean): void => {
      if (!specifier.startsWith('.')) return; // node: built-ins and packages
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
      if (known.has(to)) edges.push({ from, to, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, isTypeOnlyImport(node));
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node.isTypeOnly);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [argument] = node.arguments;
        if (argument !== undefined && ts.isStringLiteralLike(argument)) add(argument.text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** The layer a file belongs to; `test` for the shared test folder. */
export function layerOf(file: string): Layer | 'test' {
  const top = file.split('/')[0] as Layer | 'test';
  if (!FOLDERS.includes(top)) throw new Error(`${file} is in no layer; the layers are ${FOLDERS.join(', ')}`);
  return top;
}

const isTest = (file: string): boolean => file.endsWith('.test.ts') || layerOf(file) === 'test';

/**
 * Arrows that break the layer rule: from a layer to one above it, or from non-test code into test/.
 * test/ itself sits beside the layers: its suites and support may import any of them.
 */
export function upwardArrows(edges: readonly Edge[]): Edge[] {
  return edges.filter(({ from, to }) => {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === 'test') return false;
    if (b === 'test') return !isTest(from);
    return LAYERS.indexOf(b) > LAYERS.indexOf(a);
  });
}

/** Every cycle of run-time imports (Tarjan's strongly connected components of more than one file, or a file importing itself). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.typeOnly) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (next.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort()) if (!index.has(node)) connect(node);
  return found;
}

/** A command of the CLI: a module under cli/commands/ that is not a test. */
export const isCommand = (file: string): boolean => /^cli\/commands\/[^/]+\.ts$/.test(file) && !file.endsWith('.test.ts');

/**
 * Arrows from one command to another. A command is one verb of the CLI; what two commands share (an
 * input error's wording, the gate's run) lives in cli/, beside them. Tests may import the commands they test.
 */
export function commandArrows(edges: readonly Edge[]): Edge[] {
  return edges.filter(({ from, to }) => isCommand(from) && isCommand(to) && from !== to);
}

/**
 * The phase modules: files directly under harness/phases/, not tests, that export a value named
 * `...Phase` (the kit's name for what run.ts plans: `echoCostPhase`, `echoExplainPhase`, ...). Read
 * with the compiler's parser, so a comment or a string that mentions one does not count.
 */
export function phaseModules(root: string, files: readonly string[]): Set<string> {
  const phases = new Set<string>();
  for (const file of files) {
    if (!/^harness\/phases\/[^/]+\.ts$/.test(file) || file.endsWith('.test.ts')) continue;
    if (exportsPhase(readFileSync(path.join(root, file), 'utf8'))) phases.add(file);
  }
  return phases;
}

/** True when the source exports a `const` whose name ends in `Phase`. */
export function exportsPhase(text: string): boolean {
  const source = ts.createSourceFile('phase.ts', text, ts.ScriptTarget.ES2022, false);
  return source.statements.some(
    (statement) =>
      ts.isVariableStatement(statement) &&
      statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) === true &&
      statement.declarationList.declarations.some((declaration) => ts.isIdentifier(declaration.name) && /Phase$/.test(declaration.name.text)),
  );
}

/**
 * Arrows from one phase module to another. A phase is one measurement; what two phases share (the
 * list of echo servers, the rounds, the warm-up) lives in its own module under harness/phases/.
 */
export function phaseArrows(edges: readonly Edge[], phases: ReadonlySet<string>): Edge[] {
  return edges.filter(({ from, to }) => phases.has(from) && phases.has(to) && from !== to);
}

/** How many arrows run from each layer to each other one, e.g. `harness -> reports: 12`. */
export function layerArrows(edges: readonly Edge[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === b) continue;
    const key = `${a} -> ${b}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
