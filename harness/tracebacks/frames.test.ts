// Frame parsing on V8 stack lines written out by hand, one shape per test, with known answers.
import { describe, expect, it } from 'vitest';
import { bareName, parseFrame, parseStack } from './frames.js';

describe('parseFrame', () => {
  it('reads a named frame with a file URL', () => {
    expect(parseFrame('    at readForkedRepoRequests (file:///repo/styles/async-await/repos-and-forks.ts:78:37)')).toEqual({
      raw: 'at readForkedRepoRequests (file:///repo/styles/async-await/repos-and-forks.ts:78:37)',
      fn: 'readForkedRepoRequests',
      name: 'readForkedRepoRequests',
      file: 'file:///repo/styles/async-await/repos-and-forks.ts',
      line: 78,
      column: 37,
      isAsync: false,
      isNew: false,
      isDefinition: false,
    });
  });

  it("reads an Effect span trace's call-site and definition lines as frames of the span's step", () => {
    const call = parseFrame('    at readForkedRepoRequests (styles/effect/repos-and-forks.ts:78:21)');
    const definition = parseFrame('    at readForkedRepoRequests (definition) (styles/effect/repos-and-forks.ts:84:46)');
    expect(call).toMatchObject({ name: 'readForkedRepoRequests', line: 78, isDefinition: false });
    expect(definition).toMatchObject({
      fn: 'readForkedRepoRequests',
      name: 'readForkedRepoRequests',
      file: 'styles/effect/repos-and-forks.ts',
      line: 84,
      column: 46,
      isDefinition: true,
    });
  });

  it('reads an async frame (zero-cost async stack traces)', () => {
    const frame = parseFrame('    at async sendForkedRepoRequests (styles/async-await/repos-and-forks.ts:70:3)');
    expect(frame).toMatchObject({ name: 'sendForkedRepoRequests', file: 'styles/async-await/repos-and-forks.ts', line: 70, isAsync: true, isNew: false });
  });

  it('reads a constructor frame', () => {
    const frame = parseFrame('    at new ApiError (/repo/scenarios/repos-and-forks/contract.ts:55:5)');
    expect(frame).toMatchObject({ fn: 'ApiError', name: 'ApiError', file: '/repo/scenarios/repos-and-forks/contract.ts', line: 55, column: 5, isNew: true });
  });

  it('reads builtin frames as having no file', () => {
    expect(parseFrame('    at async Promise.all (index 2)')).toMatchObject({ fn: 'Promise.all', name: 'all', file: null, line: null, isAsync: true });
    expect(parseFrame('    at new Promise (<anonymous>)')).toMatchObject({ name: 'Promise', file: null, isNew: true });
  });

  it('reads an anonymous frame (no function name, no parentheses)', () => {
    expect(parseFrame('    at file:///repo/harness/child/trace-case.ts:60:1')).toMatchObject({
      fn: null,
      name: null,
      file: 'file:///repo/harness/child/trace-case.ts',
      line: 60,
      column: 1,
    });
  });

  it('reads node internals and receivers', () => {
    expect(parseFrame('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)')).toMatchObject({
      fn: 'process.processTicksAndRejections',
      name: 'processTicksAndRejections',
      file: 'node:internal/process/task_queues',
      line: 95,
    });
    expect(parseFrame('    at IncomingMessage.<anonymous> (/repo/scenarios/repos-and-forks/http.ts:80:9)')).toMatchObject({
      fn: 'IncomingMessage.<anonymous>',
      name: null,
      line: 80,
    });
  });

  it('drops an `[as alias]` from the name', () => {
    expect(parseFrame('    at Object.readRepos [as fn] (/repo/node_modules/rxjs/dist/cjs/x.js:10:3)')).toMatchObject({
      fn: 'Object.readRepos [as fn]',
      name: 'readRepos',
      file: '/repo/node_modules/rxjs/dist/cjs/x.js',
    });
  });

  it('takes the outer call site of an eval frame', () => {
    expect(parseFrame('    at eval (eval at run (file:///x.js:3:7), <anonymous>:1:1)')).toMatchObject({ name: 'eval', file: 'file:///x.js', line: 3, column: 7 });
  });

  it('is undefined for a line that is not a frame', () => {
    expect(parseFrame('ApiError: GitHub API answered 500')).toBeUndefined();
    expect(parseFrame('  [cause]: TypeError: x')).toBeUndefined();
  });
});

describe('parseStack', () => {
  it('splits a multi-line header from the frames', () => {
    const stack = [
      'ParseError: could not read the response of http://127.0.0.1:1/repos/a/b: Unexpected end',
      'of JSON input',
      '    at readForkedRepoRequests (styles/callbacks/repos-and-forks.ts:120:14)',
      '    at styles/callbacks/repos-and-forks.ts:85:7',
    ].join('\n');
    const parsed = parseStack(stack);
    expect(parsed.header).toBe('ParseError: could not read the response of http://127.0.0.1:1/repos/a/b: Unexpected end\nof JSON input');
    expect(parsed.frames.map((frame) => [frame.name, frame.line])).toEqual([
      ['readForkedRepoRequests', 120],
      [null, 85],
    ]);
  });

  it('has no frames for an empty stack', () => {
    expect(parseStack('')).toEqual({ header: '', frames: [] });
  });
});

describe('bareName', () => {
  it('keeps the last dotted segment', () => {
    expect(bareName('Generator.next')).toBe('next');
    expect(bareName('Task.step')).toBe('step');
    expect(bareName('Object.<anonymous>')).toBeNull();
    expect(bareName(null)).toBeNull();
  });
});
