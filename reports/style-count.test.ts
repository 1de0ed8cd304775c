// The report counts the styles of the run it renders, in words, with threads named apart.
import { describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../test/results-fixture.js';
import { stylesInWords } from './style-count.js';

const withStyles = (styles: unknown) => testResults([], {}, { config: { mode: 'full', styles } });

describe('stylesInWords', () => {
  it('counts the async styles of the run and names threads beside them', () => {
    expect(stylesInWords(withStyles(['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect']))).toBe('seven async styles and threads');
    expect(stylesInWords(withStyles(['callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts']))).toBe('six async styles');
    expect(stylesInWords(withStyles(['callbacks']))).toBe('one async style');
    expect(stylesInWords(withStyles(['threads']))).toBe('threads');
  });

  it('counts the styles a file’s figures name when its config has no list, leaving out the baseline and debug modes', () => {
    const metrics = ['baseline', 'callbacks', 'rxjs', 'coroutines+debug', 'threads'].map((style) => testMetric('echo.rps', 'higher', [1], { style }));
    expect(stylesInWords(testResults(metrics))).toBe('two async styles and threads');
    expect(stylesInWords(testResults([]))).toBe('async styles');
  });
});
