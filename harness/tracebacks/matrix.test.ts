// The matrix end to end for one style: `rosetta tracebacks --style callbacks --json` from the built
// JavaScript (children from dist/, with --enable-source-maps), against the real fake GitHub. Plus
// the check that every style in the registry marks where each fault starts.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STYLES } from '../../styles/registry.js';
import type { TracebackMatrix } from './matrix.js';
import { FAULT_CASES, HANG_TIMEOUT_MS } from './cases.js';
import { findFaultOrigins } from './origins.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');

function runCli(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`rosetta ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('fault-origin markers', () => {
  it.each(STYLES.map((style) => [style.id, style.sources.reposAndForks] as const))('%s marks the origin of every case', (_id, file) => {
    const origins = findFaultOrigins(readFileSync(path.join(root, file), 'utf8'), file);
    expect(FAULT_CASES.filter((faultCase) => !origins.has(faultCase.id)).map((faultCase) => faultCase.id)).toEqual([]);
  });
});

describe('rosetta tracebacks --style callbacks (built JS)', () => {
  it(
    'surfaces every fault as the expected typed error with a source-mapped, repo-relative trace',
    async () => {
      expect(existsSync(cli), `${cli} is missing: build first (npx tsc -p tsconfig.build.json)`).toBe(true);
      const started = performance.now();
      const matrix = JSON.parse(await runCli(['tracebacks', '--style', 'callbacks', '--json'], 25_000)) as TracebackMatrix;
      // Bounded: six children, two at a time, the slowest waiting on a 300 ms timeout.
      expect(performance.now() - started).toBeLessThan(20_000);

      expect(matrix.rows.map((row) => row.case)).toEqual(FAULT_CASES.map((faultCase) => faultCase.id));
      expect(matrix.warnings).toEqual([]);
      for (const row of matrix.rows) {
        expect(row, row.case).toMatchObject({ style: 'callbacks', outcome: 'rejected', classMatches: true, context: true, cleanupCount: 1, inFlightAfter: 0 });
        expect(row.errorName).toBe(row.expectedError);
        // The error is created in the style's own step, and the trace shows that very line.
        expect(row.originDistance, row.case).toBe(0);
        expect(row.trace).toContain('styles/callbacks/repos-and-forks.ts:');
        // Repo-relative and TypeScript: no absolute root, no built-JS location.
        expect(row.trace).not.toContain(root);
        expect(row.trace).not.toMatch(/dist\/\S+\.js:\d+/);
        expect(row.score).toBeGreaterThan(0);
        expect(row.score).toBeLessThanOrEqual(100);
      }

      const byCase = new Map(matrix.rows.map((row) => [row.case, row]));
      expect(byCase.get('http-500')?.trace).toMatch(/^ApiError: GitHub API answered 500 for http:\/\/127\.0\.0\.1:\d+\/repos\/octocat\//);
      expect(byCase.get('http-500')?.chain).toContainEqual({ step: 'readForkedRepoRequests', present: true });
      expect(byCase.get('missing-field')?.trace).toContain('[cause]: TypeError');
      const hang = byCase.get('hang')?.surfaceMs ?? 0;
      expect(hang).toBeGreaterThanOrEqual(HANG_TIMEOUT_MS);
      expect(hang).toBeLessThan(2_000);

      const mean = Math.round(matrix.rows.reduce((sum, row) => sum + row.score, 0) / matrix.rows.length);
      expect(matrix.totals).toEqual([{ style: 'callbacks', score: mean }]);
    },
    30_000,
  );
});
