// A measured child started as a variant (`callbacks+trace`) from the built JavaScript (build first):
// with the aid's flags it serves as its style does; without them it refuses to start rather than be
// measured as the variant; and a traceback row run with the aid carries frames of the steps that
// started its promise chain, stitched across the async boundaries, which the plain row has lost.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { aidLaunch } from '../aids.js';
import { spawnChild } from '../processes/children.js';
import { liveChildren } from '../processes/watch.js';
import type { TracebackMatrix } from '../tracebacks/matrix.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');

afterEach(() => {
  expect(liveChildren()).toEqual([]);
});

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(text));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (got += chunk));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('an echo server child started as callbacks+trace', () => {
  it('serves with the aid on', async () => {
    const child = spawnChild({ entry: 'echo-server', label: 'echo-server[callbacks+trace]', args: ['callbacks+trace'], ...aidLaunch('callbacks+trace'), deadlineMs: 20_000 });
    try {
      const { port } = await child.request<{ port: number }>('start', { port: 0 }, 10_000);
      await expect(echoOnce(port, 'stitched')).resolves.toBe('stitched');
      await child.request('close');
    } finally {
      await child.stop();
    }
  });

  it('refuses to start without the aid, naming how to switch it on', async () => {
    const child = spawnChild({ entry: 'echo-server', label: 'echo-server[callbacks+trace, no aid]', args: ['callbacks+trace'], deadlineMs: 20_000 });
    try {
      await expect(child.request('start', { port: 0 }, 10_000)).rejects.toThrow(/trace aid is not active.*-r trace/);
    } finally {
      await child.stop();
    }
  });
});

describe('rosetta tracebacks --style promise-chains,promise-chains+trace --case http-500 (built JS)', () => {
  it('stitches the steps that started the chain into the aided trace, which the plain one has lost', async () => {
    expect(existsSync(cli), `${cli} is missing: build first (npx tsc -p tsconfig.build.json)`).toBe(true);
    const stdout = await new Promise<string>((resolve, reject) => {
      const args = [cli, 'tracebacks', '--style', 'promise-chains,promise-chains+trace', '--case', 'http-500', '--json'];
      execFile(process.execPath, args, { cwd: root, timeout: 25_000, maxBuffer: 16 * 1024 * 1024 }, (error, out, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(out);
      });
    });
    const matrix = JSON.parse(stdout) as TracebackMatrix;
    const row = (style: string): TracebackMatrix['rows'][number] => {
      const found = matrix.rows.find((candidate) => candidate.style === style);
      if (found === undefined) throw new Error(`no ${style} row`);
      return found;
    };
    const plain = row('promise-chains');
    const aided = row('promise-chains+trace');
    expect(plain.outcome).toBe('rejected');
    expect(aided.outcome).toBe('rejected');
    // The fork request's promise was made in a chain that sendReposRequest started: only a stitched stack shows it.
    const started = /^\s*at sendReposRequest \(styles\/promise-chains\/repos-and-forks\.ts:\d+/m;
    expect(plain.trace).not.toMatch(started);
    expect(aided.trace).toMatch(started);
    const present = (r: typeof plain): number => r.chain.filter((step) => step.present).length;
    expect(present(aided)).toBeGreaterThan(present(plain));
    expect(matrix.aids?.map((aid) => aid.variant)).toEqual(['promise-chains+trace']);
  }, 30_000);
});
