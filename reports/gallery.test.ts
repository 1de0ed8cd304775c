// The traceback gallery's reading of a trace: which lines are the style's own frames, which are
// noise and causes, and that the text is escaped; and the matrix's totals row.
import { describe, expect, it } from 'vitest';
import type { TracebackRow, Tracebacks } from '../harness/schema.js';
import { baseStyle, markTrace, ownPaths, tracebackMatrix } from './gallery.js';

const TRACE = [
  'ParseError: could not read <the> response',
  '    at readRepos (styles/callbacks/repos-and-forks.ts:53:11)',
  '    at IncomingMessage.<anonymous> (scenarios/repos-and-forks/http.ts:101:11)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '  [cause]: SyntaxError: Unexpected end of JSON input',
  '      at JSON.parse (<anonymous>)',
  '      at readRepos (/home/me/kit/styles/callbacks/repos-and-forks.ts:51:19)',
  '    at styles/callbacks/repos-and-forks.tsx:1:1',
].join('\n');

describe('markTrace', () => {
  it('marks the lines in the style’s own file (relative or absolute), and only those', () => {
    const { html, ownFrames } = markTrace(TRACE, ['styles/callbacks/repos-and-forks.ts']);
    expect(ownFrames).toBe(2);
    const marked = [...html.matchAll(/<mark class="tl own">(.*?)<\/mark>/g)].map((m) => m[1]);
    expect(marked).toEqual([
      '    at readRepos (styles/callbacks/repos-and-forks.ts:53:11)',
      '      at readRepos (/home/me/kit/styles/callbacks/repos-and-forks.ts:51:19)',
    ]);
  });

  it('escapes the text and tells the header, causes and Node internals apart', () => {
    const { html } = markTrace(TRACE, ['styles/callbacks/repos-and-forks.ts']);
    expect(html).toContain('<strong class="tl">ParseError: could not read &#60;the&#62; response</strong>');
    expect(html).toContain('<span class="tl cause">  [cause]: SyntaxError: Unexpected end of JSON input</span>');
    expect(html).toContain('<span class="tl noise">    at process.processTicksAndRejections');
    expect(html).not.toContain('<the>');
  });

  it('finds no own frame in another style’s trace', () => {
    expect(markTrace(TRACE, ownPaths('rxjs')).ownFrames).toBe(0);
  });
});

describe('ownPaths', () => {
  it('reads the debug row’s frames from the plain style’s file, as results.json names it', () => {
    expect(baseStyle('coroutines+debug')).toBe('coroutines');
    expect(ownPaths('coroutines+debug')).toEqual(['styles/coroutines/repos-and-forks.ts']);
    expect(ownPaths('rxjs', [{ style: 'rxjs', scenario: 'repos-and-forks', path: 'styles/rxjs/workflow.ts', text: '' }])).toEqual(['styles/rxjs/workflow.ts']);
  });
});

describe('tracebackMatrix', () => {
  const row = (style: string, score: number, more: Partial<TracebackRow> = {}): TracebackRow => ({
    style,
    case: 'http-500',
    outcome: 'rejected',
    expectedError: 'ApiError',
    errorName: 'ApiError',
    classMatches: true,
    context: true,
    originDistance: 0,
    chain: [],
    noise: 0,
    cleanupCount: 1,
    inFlightAfter: 0,
    surfaceMs: 3,
    score,
    trace: '',
    ...more,
  });
  const tracebacks: Tracebacks = {
    rubric: { outcome: 50, chain: 50 },
    rubricText: '',
    cases: [{ id: 'http-500', description: 'a 500', expectedError: 'ApiError' }],
    rows: [row('rxjs', 40, { outcome: 'swallowed' }), row('callbacks', 90)],
    totals: [
      { style: 'rxjs', score: 40 },
      { style: 'callbacks', score: 90 },
    ],
  };

  it('orders the styles, names an outcome that is not a rejection, and marks the best total', () => {
    const html = tracebackMatrix(tracebacks);
    expect(html.indexOf('<th>callbacks</th>')).toBeLessThan(html.indexOf('<th>rxjs</th>'));
    expect(html).toContain('<span class="outcome outcome-swallowed"');
    expect(html).toMatch(/<strong>90<\/strong> <span class="best-mark">best<\/span>/);
    expect(html).not.toMatch(/<strong>40<\/strong> <span class="best-mark">/);
  });
});
