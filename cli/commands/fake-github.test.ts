// `rosetta fake-github` in-process: the banner tells the truth, flags reach the server, bad values
// are UsageErrors naming flag and value, and a signal closes every socket and leaves no listener.
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { describeFaultRule, parseFaultRule } from '../../scenarios/repos-and-forks/faults.js';
import { UsageError } from '../args.js';
import { command, parseLatency, serveFakeGithub } from './fake-github.js';

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent();
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => {
          agent.destroy();
          resolve(response.statusCode ?? 0);
        });
      })
      .on('error', (error) => {
        agent.destroy();
        reject(error);
      });
  });
}

/** Waits for a condition, checking once per event-loop turn; no timed sleeps. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const running: { stop: () => void; done: Promise<number> }[] = [];

afterEach(async () => {
  for (const run of running.splice(0)) {
    run.stop();
    await run.done;
  }
});

async function serve(argv: readonly string[]): Promise<{ fake: FakeGithub; lines: string[]; stop: () => Promise<number> }> {
  const lines: string[] = [];
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let fake: FakeGithub | undefined;
  const done = serveFakeGithub(argv, { print: (line) => lines.push(line), stop: stopped, onListening: (started) => (fake = started) });
  running.push({ stop, done });
  await until(() => fake !== undefined && lines.length > 0, 'the server to listen');
  return {
    fake: fake!,
    lines,
    stop: () => {
      stop();
      return done;
    },
  };
}

describe('serveFakeGithub', () => {
  it('prints a true banner, serves the flags it was given, and closes on stop', async () => {
    const { fake, lines, stop } = await serve(['--latency', '5', '--fault', 'status=500@/repos/*/*#1', '--seed', '3', '--strict-auth']);
    expect(lines[0]).toBe(`fake GitHub API listening on ${fake.url} (user octocat: 250 repos, 83 forks)`);
    expect(lines).toContain('  world: seed 3; also tiny-tim 7 repos, 2 forks; exactly-100 100 repos, 33 forks; no-repos 0 repos, 0 forks');
    expect(lines).toContain('  latency: 5 ms');
    expect(lines).toContain(`  fault ${describeFaultRule(parseFaultRule('status=500@/repos/*/*#1'))}`);
    expect(lines.some((line) => line.includes('required (--strict-auth)'))).toBe(true);
    expect(fake.world.seed).toBe(3);
    // --strict-auth: no token, 401; the fault rule is counted only on requests it matches.
    expect(await status(`${fake.url}/repos/octocat/x`)).toBe(500);
    expect(await status(`${fake.url}/users/octocat/repos`)).toBe(401);
    await expect(stop()).resolves.toBe(0);
    expect(fake.stats()).toMatchObject({ openSockets: 0, inFlight: 0 });
    expect(lines.at(-1)).toBe('fake GitHub API closed after 2 responses');
    await expect(status(`${fake.url}/rate_limit`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('says when there are no faults and when latency is a range', async () => {
    const { lines } = await serve(['--latency', '10-20']);
    expect(lines).toContain('  faults: none');
    expect(lines).toContain('  latency: 10-20 ms, uniform, seeded');
  });

  it.each([
    [['--fault', 'boom@/x'], /^rosetta fake-github: --fault fault rule "boom@\/x": unknown KIND "boom"; accepted: KIND\[=ARG\]@PATH/],
    [['--latency', 'fast'], /--latency got "fast"; not a number or range; expected MS or MIN-MAX/],
    [['--port', '70000'], /--port got "70000"; expected a whole number from 0 to 65535/],
    [['--seed', '-1'], /--seed got "-1"/],
    [['extra'], /unexpected argument "extra"/],
    [['--verbose'], /unknown flag --verbose/],
  ])('rejects %j with a UsageError', async (argv, message) => {
    const never = new Promise<void>(() => undefined);
    const error = await serveFakeGithub(argv, { print: () => undefined, stop: never }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('names --host and --port when the port is taken', async () => {
    const { fake } = await serve([]);
    const never = new Promise<void>(() => undefined);
    const error = await serveFakeGithub(['--port', String(fake.port)], { print: () => undefined, stop: never }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `rosetta fake-github: --host 127.0.0.1 --port ${fake.port}: the port is in use; pick another or 0 for any free one`,
    );
  });
});

describe('parseLatency', () => {
  it('reads MS and MIN-MAX', () => {
    expect(parseLatency('0')).toBe(0);
    expect(parseLatency('50')).toBe(50);
    expect(parseLatency('10-100')).toEqual({ min: 10, max: 100 });
  });

  it.each([
    ['', 'not a number or range'],
    ['-5', 'not a number or range'],
    ['5-', 'not a number or range'],
    ['1.5', 'not a number or range'],
    ['20-10', 'MIN is above MAX'],
    ['700000', 'too long'],
  ])('rejects %j: %s', (raw, why) => {
    expect(() => parseLatency(raw)).toThrow(UsageError);
    expect(() => parseLatency(raw)).toThrow(`--latency got ${JSON.stringify(raw)}; ${why}; expected MS or MIN-MAX`);
  });
});

describe('command', () => {
  it('runs until its SIGINT listener fires, then exits 0 and removes its listeners', async () => {
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const done = command.run(['--port', '0']);
      await until(() => writes.some((line) => line.startsWith('fake GitHub API listening on')), 'the banner');
      const url = /listening on (\S+)/.exec(writes.join(''))![1]!;
      expect(await status(`${url}/rate_limit`)).toBe(200);
      // Call our own listener rather than emit the signal, which would reach the test runner's too.
      const ours = process.listeners('SIGINT').filter((listener) => !before.SIGINT.includes(listener));
      expect(ours).toHaveLength(1);
      (ours[0] as (signal: NodeJS.Signals) => void)('SIGINT');
      await expect(done).resolves.toBe(0);
      expect(writes.join('')).toContain('received SIGINT, closing\n');
      await expect(status(`${url}/rate_limit`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      spy.mockRestore();
    }
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
    expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
  });

  it('leaves no signal listener behind when its flags are bad', async () => {
    const before = process.listenerCount('SIGINT');
    await expect(command.run(['--port', 'x'])).rejects.toBeInstanceOf(UsageError);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('documents every flag in its help', () => {
    for (const flag of ['--host', '--port', '--latency', '--fault', '--strict-auth', '--seed']) expect(command.help).toContain(flag);
  });
});
