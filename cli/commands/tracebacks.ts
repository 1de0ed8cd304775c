// `rosetta tracebacks`: the traceback quality matrix (style x fault case) with each style's total,
// the rubric that scored it, and on request one trace in full. It runs its children from dist/, so
// it needs the built JavaScript; the CLI itself runs from dist too.
import type { TracebackRow } from '../../harness/schema.js';
import { UsageError, flagBoolean, flagList, flagString, helpText, parseArgs, rejectPositionals, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { killAllChildren } from '../../harness/processes/watch.js';
import { matrixRows, runTracebackMatrix, type TracebackMatrix } from '../../harness/tracebacks/matrix.js';
import { caseIds } from '../../harness/tracebacks/cases.js';
import { AIDS, variantId } from '../../harness/aids.js';

const rowLabels = (): string[] => matrixRows().map((row) => row.label);

/** One line per variant: its id and how its aid is switched on. */
function aidLines(): string {
  const width = Math.max(...AIDS.map((aid) => variantId(aid).length));
  return AIDS.map((aid) => `  ${variantId(aid).padEnd(width)}  ${aid.how}`).join('\n');
}

const USAGE = 'rosetta tracebacks [--style a,b] [--case c,d] [--json] [--show style/case]';

const FLAGS: FlagSpecs = {
  style: {
    kind: 'list',
    choices: rowLabels(),
    help: 'rows to run: a style, or a style with its debug aid on, STYLE+AID (default: every style and every variant)',
    metavar: 'A,B',
  },
  case: { kind: 'list', choices: caseIds(), help: 'fault cases to run (default: all)', metavar: 'C,D' },
  json: { kind: 'boolean', help: 'print the matrix as JSON (the results.json `tracebacks` section)' },
  show: {
    kind: 'string',
    help: 'print this pair\'s trace in full; alone, it runs only that pair',
    metavar: 'STYLE/CASE',
  },
};

export const command: Command = {
  summary: 'score how well each style\'s errors explain a fault (style x case matrix)',
  help: helpText(
    USAGE,
    'Runs every (style, fault case) in a fresh child with --enable-source-maps against a fake GitHub that\n' +
      'injects the fault, and scores the error each style surfaces (outcome, causal chain, distance to the\n' +
      'fault\'s origin, context, noise, cleanup, requests left in flight). Needs the build (npm run build).\n' +
      'A variant row STYLE+AID runs the style with the debug aid its users reach for, switched on as they would:\n' +
      aidLines(),
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('tracebacks', argv, FLAGS);
    rejectPositionals('tracebacks', args, USAGE);
    const show = parseShow(flagString(args, 'show'));
    const styles = flagList(args, 'style') ?? (show !== undefined && !args.flags.has('case') ? [show.style] : undefined);
    const cases = flagList(args, 'case') ?? (show !== undefined && !args.flags.has('style') ? [show.case] : undefined);
    if (show !== undefined && (styles?.includes(show.style) === false || cases?.includes(show.case) === false)) {
      throw new UsageError(`rosetta tracebacks: --show ${show.style}/${show.case} is outside the --style/--case selection`);
    }
    const tty = process.stderr.isTTY;
    // An interrupt kills the running children now (they would otherwise live to their deadline).
    const interrupt = (signal: NodeJS.Signals): void => {
      void killAllChildren().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    let matrix: TracebackMatrix;
    try {
      matrix = await runTracebackMatrix({
        ...(styles !== undefined ? { rows: styles } : {}),
        ...(cases !== undefined ? { cases } : {}),
        ...(tty ? { onRow: (row: TracebackRow) => process.stderr.write(`  ${row.style}/${row.case}: ${row.outcome} ${row.score}\n`) } : {}),
      });
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    if (flagBoolean(args, 'json')) {
      process.stdout.write(JSON.stringify(matrix, null, 2) + '\n');
      return 0;
    }
    process.stdout.write(renderMatrix(matrix) + '\n');
    if (show !== undefined) {
      const row = matrix.rows.find((candidate) => candidate.style === show.style && candidate.case === show.case);
      if (row !== undefined) process.stdout.write('\n' + renderRow(row) + '\n');
    }
    return 0;
  },
};

function parseShow(value: string | undefined): { style: string; case: string } | undefined {
  if (value === undefined) return undefined;
  const [style = '', faultCase = '', ...rest] = value.split('/');
  const labels = rowLabels();
  if (rest.length > 0 || !labels.includes(style) || !caseIds().includes(faultCase)) {
    throw new UsageError(
      `rosetta tracebacks: --show got ${JSON.stringify(value)}; expected STYLE/CASE with STYLE one of ${labels.join(', ')} ` +
        `and CASE one of ${caseIds().join(', ')}`,
    );
  }
  return { style, case: faultCase };
}

/** The matrix as text: one line per style, `outcome score` per case, then the total; then the key. */
export function renderMatrix(matrix: TracebackMatrix): string {
  const caseIdsShown = matrix.cases.map((faultCase) => faultCase.id);
  const styles = matrix.totals.map((total) => total.style);
  const cell = (style: string, id: string): string => {
    const row = matrix.rows.find((candidate) => candidate.style === style && candidate.case === id);
    return row === undefined ? '-' : `${row.outcome} ${row.score}`;
  };
  const header = ['style', ...caseIdsShown, 'total'];
  const body = styles.map((style) => [
    style,
    ...caseIdsShown.map((id) => cell(style, id)),
    String(matrix.totals.find((total) => total.style === style)?.score ?? '-'),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => (line[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const cases = matrix.cases.map(
    (faultCase) => `  ${faultCase.id.padEnd(15)}${faultCase.expectedError.padEnd(14)}${faultCase.path}\n  ${''.padEnd(15)}${faultCase.rule}: ${faultCase.description}`,
  );
  return [
    line(header),
    ...body.map(line),
    '',
    'cases (id, expected error, logical path; the server\'s fault rule):',
    ...cases,
    '',
    'rubric:',
    matrix.rubricText,
    ...(matrix.warnings.length > 0 ? ['', 'warnings:', ...matrix.warnings.map((warning) => `  ${warning}`)] : []),
  ].join('\n');
}

/** One pair in full: its measures, then the trace exactly as stored. */
export function renderRow(row: TracebackRow): string {
  const chain = row.chain.map((step) => `${step.present ? '+' : '-'}${step.step}`).join(' ');
  return [
    `${row.style} / ${row.case}: ${row.outcome}, score ${row.score}`,
    `  error ${row.errorName ?? '(none)'} (expected ${row.expectedError}${row.classMatches ? ', matches' : ', does not match'})`,
    `  chain ${chain}`,
    `  origin distance ${row.originDistance ?? 'n/a (no frame of the style file)'}; context ${row.context ? 'yes' : 'no'}; noise ${Math.round(row.noise * 100)}%`,
    `  cleanup ran ${row.cleanupCount}x; in flight after ${row.inFlightAfter}; surfaced after ${row.surfaceMs ?? '-'} ms`,
    '',
    row.trace,
  ].join('\n');
}
