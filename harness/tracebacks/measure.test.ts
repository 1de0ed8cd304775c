// The traceback measures on hand-written traces with known answers: origin markers and distance,
// chain detection (stack, causes, the loop's debug chain), noise, context, and the rubric's arithmetic.
import { describe, expect, it } from 'vitest';
import type { CapturedError } from './protocol.js';
import { parseStack } from './frames.js';
import { chainCoverage, debugFrames, errorFrames, frameOwner, hasContext, noiseShare, scopeFor, styleLines, urlsIn } from './measure.js';
import { FaultOriginError, findFaultOrigins, originDistance } from './origins.js';
import { ORIGIN_ZERO_AT_LINES, RUBRIC_WEIGHTS, rubricParts, scoreRow, styleTotal, type RowFacts } from './rubric.js';

const FILE = 'styles/async-await/repos-and-forks.ts';
const scope = scopeFor(FILE);

// What async-await prints for http-500, source-mapped and made repo-relative.
const ASYNC_AWAIT_500 = [
  'ApiError: GitHub API answered 500 for http://127.0.0.1:4000/repos/octocat/amber-zephyr: Internal Server Error',
  `    at readForkedRepoRequests (${FILE}:78:37)`,
  `    at worker (${FILE}:66:21)`,
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at async Promise.all (index 2)',
  `    at async sendForkedRepoRequests (${FILE}:70:3)`,
  `    at async reposAndForks (${FILE}:100:21)`,
].join('\n');

describe('findFaultOrigins', () => {
  it('points a standalone marker at the next line of code, skipping comments and blanks', () => {
    const source = ['function f() {', '  // @fault-origin: http-500', '  // why it fails here', '', '  throw new ApiError();', '}'].join('\n');
    expect(findFaultOrigins(source).get('http-500')).toBe(5);
  });

  it('points a trailing marker at its own line, and one marker may name several cases', () => {
    const source = ['a();', 'reject(e); // @fault-origin: reset, hang', 'b();'].join('\n');
    const origins = findFaultOrigins(source);
    expect(origins.get('reset')).toBe(2);
    expect(origins.get('hang')).toBe(2);
    expect(origins.has('http-500')).toBe(false);
  });

  it('refuses a case marked twice', () => {
    expect(() => findFaultOrigins('// @fault-origin: reset\na();\n// @fault-origin: reset\nb();', 'x.ts')).toThrow(FaultOriginError);
  });
});

describe('originDistance', () => {
  it('is the gap to the nearest frame line of the file', () => {
    expect(originDistance(78, [66, 70, 100])).toBe(8);
    expect(originDistance(78, [78, 66])).toBe(0);
  });

  it('is null without an origin or without a frame of the file', () => {
    expect(originDistance(undefined, [1])).toBeNull();
    expect(originDistance(10, [])).toBeNull();
  });

  it('reads the lines of the style file only', () => {
    const frames = parseStack(ASYNC_AWAIT_500).frames;
    expect(styleLines(frames, FILE)).toEqual([78, 66, 70, 100]);
    expect(originDistance(77, styleLines(frames, 'styles/callbacks/repos-and-forks.ts'))).toBeNull();
  });
});

describe('chainCoverage', () => {
  it('finds steps by name in the style file, async frames included', () => {
    const frames = parseStack(ASYNC_AWAIT_500).frames;
    expect(chainCoverage(['reposAndForks', 'sendForkedRepoRequests', 'readForkedRepoRequests'], frames, FILE)).toEqual([
      { step: 'reposAndForks', present: true },
      { step: 'sendForkedRepoRequests', present: true },
      { step: 'readForkedRepoRequests', present: true },
    ]);
  });

  it("reads an Effect span trace: call sites and definitions name steps, only call sites count for origin", () => {
    const effect = 'styles/effect/repos-and-forks.ts';
    const frames = parseStack(
      [
        'ApiError: GitHub API answered 500',
        `    at <anonymous> (${effect}:86:57)`,
        `    at readForkedRepoRequests (${effect}:78:21)`,
        `    at readForkedRepoRequests (definition) (${effect}:84:46)`,
        `    at sendForkedRepoRequests (${effect}:112:26)`,
        `    at sendForkedRepoRequests (definition) (${effect}:73:46)`,
        '    at reposAndForks (styles/effect/index.ts:34:36)',
        `    at reposAndForks (definition) (${effect}:109:37)`,
      ].join('\n'),
    ).frames;
    expect(chainCoverage(['reposAndForks', 'sendForkedRepoRequests', 'readForkedRepoRequests'], frames, effect).every((step) => step.present)).toBe(true);
    expect(styleLines(frames, effect)).toEqual([86, 78, 112]);
    expect(noiseShare(frames, scopeFor(effect))).toBe(0);
  });

  it('does not count a step name from another file', () => {
    const frames = parseStack(`Error: x\n    at readRepos (styles/callbacks/repos-and-forks.ts:40:1)\n    at readRepos (${FILE}:10:1)`).frames;
    expect(chainCoverage(['readRepos', 'sendReposRequest'], frames, 'styles/callbacks/repos-and-forks.ts')).toEqual([
      { step: 'readRepos', present: true },
      { step: 'sendReposRequest', present: false },
    ]);
  });

  it('reads the cause chain and the coroutine debug chain too', () => {
    const coroutines = 'styles/coroutines/repos-and-forks.ts';
    const error: CapturedError = {
      name: 'ParseError',
      message: 'could not read',
      stack: 'ParseError: could not read\n    at Task.step (styles/coroutines/loop/task.ts:90:20)',
      causes: [{ name: 'TypeError', message: 'x', stack: `TypeError: x\n    at readForkedRepoRequests (${coroutines}:88:30)` }],
      debugChain: [
        '--- coroutine chain (the tasks this error left, innermost first) ---',
        '  fork-3',
        '   suspended at:',
        `    at sendForkedRepoRequests (${coroutines}:60:12)`,
        '   created at:',
        `    at reposAndForks (${coroutines}:120:5)`,
      ].join('\n'),
    };
    const frames = [...errorFrames(error), ...debugFrames(error.debugChain)];
    expect(chainCoverage(['reposAndForks', 'sendForkedRepoRequests', 'readForkedRepoRequests'], frames, coroutines).every((step) => step.present)).toBe(true);
    // Without the debug chain, only the cause's frame names a step.
    expect(chainCoverage(['reposAndForks', 'sendForkedRepoRequests', 'readForkedRepoRequests'], errorFrames(error), coroutines).map((step) => step.present)).toEqual([
      false,
      false,
      true,
    ]);
  });
});

describe('noise', () => {
  it('is the share of frames outside the style and the scenario', () => {
    const frames = parseStack(
      [
        'Error: x',
        `    at readRepos (${FILE}:1:1)`,
        '    at finish (scenarios/repos-and-forks/http.ts:70:9)',
        '    at emit (node:events:517:28)',
        '    at Object.<anonymous> (node_modules/rxjs/dist/cjs/internal/Subscriber.js:10:3)',
        '    at async Promise.all (index 0)',
        '    at main (harness/child/trace-case.ts:3:3)',
      ].join('\n'),
    ).frames;
    expect(frames.map((frame) => frameOwner(frame, scope))).toEqual(['style', 'scenario', 'node', 'dependency', 'node', 'other']);
    expect(noiseShare(frames, scope)).toBeCloseTo(4 / 6);
  });

  it("counts a runtime in a subfolder of the style (the coroutine loop) as noise, the style's own files not", () => {
    const coroutines = scopeFor('styles/coroutines/repos-and-forks.ts');
    const frames = parseStack(
      [
        'Error: x',
        '    at fork (/abs/styles/coroutines/repos-and-forks.ts:68:14)',
        '    at Object.runReposAndForks (/abs/styles/coroutines/index.ts:42:32)',
        '    at Task.#step (/abs/styles/coroutines/loop/task.ts:117:52)',
        '    at EventLoop.runOnce (file:///abs/styles/coroutines/loop/event-loop.ts:146:39)',
      ].join('\n'),
    ).frames;
    expect(frames.map((frame) => frameOwner(frame, coroutines))).toEqual(['style', 'style', 'runtime', 'runtime']);
    expect(noiseShare(frames, coroutines)).toBe(0.5);
  });

  it('counts an empty trace as all noise', () => {
    expect(noiseShare([], scope)).toBe(1);
  });
});

describe('hasContext', () => {
  const target = { origin: 'http://127.0.0.1:4000', pathname: '/repos/octocat/amber-zephyr' };
  const error = (message: string, causes: CapturedError['causes'] = []): CapturedError => ({ name: 'E', message, stack: '', causes, debugChain: null });

  it('finds the url in the message, with trailing punctuation', () => {
    expect(hasContext(error('GitHub API answered 500 for http://127.0.0.1:4000/repos/octocat/amber-zephyr: boom'), target, 500)).toBe(true);
  });

  it('wants the status of an ApiError as well', () => {
    expect(hasContext(error('failed: http://127.0.0.1:4000/repos/octocat/amber-zephyr'), target, 500)).toBe(false);
    expect(hasContext(error('failed: http://127.0.0.1:4000/repos/octocat/amber-zephyr'), target, undefined)).toBe(true);
  });

  it('finds the url in a cause, and rejects another fork or another server', () => {
    expect(hasContext(error('request failed', [{ name: 'E', message: 'GET http://127.0.0.1:4000/repos/octocat/amber-zephyr reset', stack: '' }]), target, undefined)).toBe(true);
    expect(hasContext(error('http://127.0.0.1:4000/repos/octocat/amber-valley'), target, undefined)).toBe(false);
    expect(hasContext(error('http://127.0.0.1:4001/repos/octocat/amber-zephyr'), target, undefined)).toBe(false);
  });

  it('matches a listing page on its page parameter, 1 when absent', () => {
    const page2 = { origin: 'http://127.0.0.1:4000', pathname: '/users/octocat/repos', page: 2 };
    expect(hasContext(error('bad JSON from http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=2.'), page2, undefined)).toBe(true);
    expect(hasContext(error('bad JSON from http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=3'), page2, undefined)).toBe(false);
    expect(hasContext(error('403 for http://127.0.0.1:4000/users/octocat/repos'), { ...page2, page: 1 }, 403)).toBe(true);
  });

  it('pulls every URL out of a text', () => {
    expect(urlsIn('a http://x.test/a, then (https://y.test/b?page=1).').map((url) => url.href)).toEqual(['http://x.test/a', 'https://y.test/b?page=1']);
  });
});

describe('rubric', () => {
  const perfect: RowFacts = {
    outcome: 'rejected',
    classMatches: true,
    chainPresent: 3,
    chainTotal: 3,
    originDistance: 0,
    context: true,
    noise: 0,
    cleanupCount: 1,
    inFlightAfter: 0,
  };

  it('weights sum to 100, and a perfect row scores it', () => {
    expect(Object.values(RUBRIC_WEIGHTS).reduce((sum, weight) => sum + weight, 0)).toBe(100);
    expect(scoreRow(perfect)).toBe(100);
  });

  it('takes off each criterion by its weight', () => {
    expect(scoreRow({ ...perfect, classMatches: false })).toBe(Math.round(100 - RUBRIC_WEIGHTS.outcome / 2));
    expect(scoreRow({ ...perfect, chainPresent: 1 })).toBe(Math.round(100 - (RUBRIC_WEIGHTS.chain * 2) / 3));
    expect(scoreRow({ ...perfect, originDistance: ORIGIN_ZERO_AT_LINES / 2 })).toBe(Math.round(100 - RUBRIC_WEIGHTS.origin / 2));
    expect(scoreRow({ ...perfect, originDistance: null })).toBe(100 - RUBRIC_WEIGHTS.origin);
    expect(scoreRow({ ...perfect, noise: 0.5 })).toBe(Math.round(100 - RUBRIC_WEIGHTS.noise / 2));
    expect(scoreRow({ ...perfect, cleanupCount: 2 })).toBe(100 - RUBRIC_WEIGHTS.cleanup);
    expect(scoreRow({ ...perfect, inFlightAfter: 3 })).toBe(100 - RUBRIC_WEIGHTS.leaks);
  });

  it('gives a crash its trace criteria but not the outcome', () => {
    expect(rubricParts({ ...perfect, outcome: 'crashed' })).toMatchObject({ outcome: 0, chain: 1, origin: 1, context: 1 });
  });

  it('gives a swallowed error nothing for the trace it does not have', () => {
    expect(scoreRow({ ...perfect, outcome: 'swallowed', noise: 1 })).toBe(RUBRIC_WEIGHTS.cleanup + RUBRIC_WEIGHTS.leaks);
    expect(scoreRow({ ...perfect, outcome: 'hung', noise: 1, cleanupCount: 0, inFlightAfter: 1 })).toBe(0);
  });

  it("averages a style's cases", () => {
    expect(styleTotal([100, 50, 0])).toBe(50);
    expect(styleTotal([])).toBeNull();
  });
});
