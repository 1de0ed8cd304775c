// Trace text made portable: absolute paths and file URLs become repo-relative, and a location left in
// built JavaScript is mapped to its TypeScript line through a (hand-written) source map.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDistLocations, portableTrace, relativizePaths } from './source-map.js';

describe('relativizePaths', () => {
  it('rewrites absolute paths and file URLs under the root, and nothing else', () => {
    const text = [
      '    at a (file:///work/main/styles/x.ts:1:2)',
      '    at b (/work/main/scenarios/y.ts:3:4)',
      '    at c (node:internal/process/task_queues:95:5)',
      '    at d (/work/mainline/z.ts:1:1)',
    ].join('\n');
    expect(relativizePaths(text, '/work/main/')).toBe(
      ['    at a (styles/x.ts:1:2)', '    at b (scenarios/y.ts:3:4)', '    at c (node:internal/process/task_queues:95:5)', '    at d (/work/mainline/z.ts:1:1)'].join(
        '\n',
      ),
    );
  });
});

describe('mapDistLocations', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rosetta-sourcemap-'));
    mkdirSync(path.join(root, 'dist', 'styles'), { recursive: true });
    writeFileSync(path.join(root, 'dist', 'styles', 'x.js'), 'first();\nsecond();\n//# sourceMappingURL=x.js.map\n');
    // One segment: generated line 2, column 1 comes from line 3, column 1 of ../../styles/x.ts.
    writeFileSync(
      path.join(root, 'dist', 'styles', 'x.js.map'),
      JSON.stringify({ version: 3, file: 'x.js', sources: ['../../styles/x.ts'], names: [], mappings: ';AAEA' }),
    );
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('maps a built-JS location to its TypeScript line', () => {
    expect(mapDistLocations('    at second (dist/styles/x.js:2:5)', root)).toBe('    at second (styles/x.ts:3:1)');
  });

  it('maps absolute and file-URL locations once made relative', () => {
    const url = `file://${root}/dist/styles/x.js:2:1`;
    expect(portableTrace(`Error: boom\n    at ${url}`, root)).toBe('Error: boom\n    at styles/x.ts:3:1');
  });

  it('leaves locations without a map, or outside dist/, as printed', () => {
    expect(mapDistLocations('    at f (dist/styles/missing.js:2:1)', root)).toBe('    at f (dist/styles/missing.js:2:1)');
    expect(mapDistLocations('    at g (node_modules/rxjs/dist/cjs/x.js:2:1)', root)).toBe('    at g (node_modules/rxjs/dist/cjs/x.js:2:1)');
  });
});
