// `rosetta echo-load`: drives a running echo server with the harness's load session, for one window
// (scenarios/echo/load.ts): a closed loop, or an open loop with --rate. Prints req/s, MiB/s, latency
// percentiles, errors and the client's own CPU share, readable or as JSON. Exit 1 if any echo failed
// verification or any connection failed; 2 if nothing at --host/--port answered.
import net from 'node:net';
import { DEFAULT_ECHO_OPTIONS } from '../../scenarios/echo/contract.js';
import { runLoad } from '../../scenarios/echo/load.js';
import { NativeEngine } from '../../scenarios/echo/native-session.js';
import { nativeBinary, NativeBuildError } from '../../harness/native.js';
import { EchoLoadConnectError } from '../../scenarios/echo/session.js';
import type { LoadOptions, LoadResult } from '../../scenarios/echo/load.js';
import { UsageError, flagBoolean, flagNumber, flagString, helpText, parseArgs } from '../args.js';
import type { FlagSpecs } from '../args.js';
import type { Command } from '../command.js';

const USAGE = 'rosetta echo-load --port P [--host H] [--connections C] [--size BYTES] [--duration S] [--warmup S] [--rate R] [--client native|node] [--json]';
const SUMMARY = 'closed- or open-loop load against a running echo server: req/s, MiB/s, latency';

const MAX_BYTES_IN_FLIGHT = 1024 ** 3;

const SPECS: FlagSpecs = {
  port: { kind: 'int', help: 'port of the echo server (required)', min: 1, max: 65535, metavar: 'PORT' },
  host: { kind: 'string', help: `address of the echo server (default ${DEFAULT_ECHO_OPTIONS.host})`, metavar: 'HOST' },
  connections: { kind: 'int', help: 'connections, each with one message in flight (default 10)', min: 1, max: 100_000, metavar: 'C' },
  size: { kind: 'int', help: 'bytes per message (default 1024)', min: 1, max: 64 * 1024 * 1024, metavar: 'BYTES' },
  duration: { kind: 'number', help: 'seconds measured (default 10)', min: 0.01, max: 3600, metavar: 'S' },
  warmup: { kind: 'number', help: 'seconds of load before measuring (default 2)', min: 0, max: 600, metavar: 'S' },
  rate: {
    kind: 'number',
    help: 'open loop: R requests a second over all connections, sent on schedule; latency from when each was due (default: closed loop)',
    min: 0.001,
    max: 10_000_000,
    metavar: 'R',
  },
  client: {
    kind: 'string',
    choices: ['native', 'node'],
    help: 'the load client: native (C, compiled with cc on first use; 127.0.0.1 only) or node (the default)',
    metavar: 'CLIENT',
  },
  json: { kind: 'boolean', help: 'print the result as one JSON object' },
};

export const command: Command = {
  summary: SUMMARY,
  help: helpText(
    USAGE,
    `${SUMMARY}.\nC connections each send a message of BYTES and wait for its whole echo before the next;\n` +
      'with --rate, messages are sent when due whether or not the last echo is back, and a stall shows in every latency it delays.',
    SPECS,
  ),
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs('echo-load', argv, SPECS);
  if (args.positionals.length > 0) {
    throw new UsageError(`rosetta echo-load: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
  }
  const port = flagNumber(args, 'port');
  if (port === undefined) throw new UsageError('rosetta echo-load: --port is required (a whole number from 1 to 65535)');
  const host = flagString(args, 'host') ?? DEFAULT_ECHO_OPTIONS.host;
  if (net.isIP(host) === 0) {
    throw new UsageError(`rosetta echo-load: --host got ${JSON.stringify(host)}; expected an IP address such as 127.0.0.1`);
  }
  const connections = flagNumber(args, 'connections') ?? 10;
  const size = flagNumber(args, 'size') ?? 1024;
  // Each connection holds its message and its echo: bound the product, not only each factor.
  if (connections * size > MAX_BYTES_IN_FLIGHT) {
    throw new UsageError(
      `rosetta echo-load: --connections ${connections} x --size ${size} is ${connections * size} bytes in flight; ` +
        `at most ${MAX_BYTES_IN_FLIGHT} (1 GiB) are accepted`,
    );
  }
  const client = flagString(args, 'client') ?? 'node';
  if (client === 'native' && host !== '127.0.0.1') {
    throw new UsageError(`rosetta echo-load: --client native drives 127.0.0.1 only (got --host ${host}); use --client node for another address`);
  }
  const engine = client === 'native' ? new NativeEngine(await buildNativeClient()) : undefined;
  const abort = new AbortController();
  let exitCode = 1;
  const interrupt = (signal: NodeJS.Signals): void => {
    exitCode = signal === 'SIGINT' ? 130 : 143;
    abort.abort(new Error('interrupted'));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const options: LoadOptions = {
    host,
    port,
    connections,
    size,
    durationMs: (flagNumber(args, 'duration') ?? 10) * 1000,
    warmupMs: (flagNumber(args, 'warmup') ?? 2) * 1000,
    rate: flagNumber(args, 'rate'),
    // An open loop may queue messages behind a slow echo: keep what it holds under the same bound.
    maxOutstanding: Math.max(1, Math.min(256, Math.floor(MAX_BYTES_IN_FLIGHT / (connections * size)))),
    signal: abort.signal,
    ...(engine !== undefined ? { engine } : {}),
  };
  try {
    const result = await runLoad(options);
    process.stdout.write(flagBoolean(args, 'json') ? JSON.stringify(result) + '\n' : summary(options, result));
    return result.errors > 0 || result.verifyFailures > 0 ? 1 : 0;
  } catch (error) {
    // Nothing answering where --host/--port point is a usage problem (exit 2), like an unreachable --api.
    if (error instanceof EchoLoadConnectError && error.opened === 0) {
      throw new UsageError(`rosetta echo-load: --host ${options.host} --port ${options.port}: ${error.message}`);
    }
    // Some opened and some did not: the server is there but failing, and nothing was measured.
    if (error instanceof EchoLoadConnectError) {
      process.stderr.write(`rosetta echo-load: ${error.message}; nothing was measured\n`);
      return 1;
    }
    if (abort.signal.aborted) {
      // Interrupted: 130 or 143, like every other command.
      process.stderr.write(`rosetta echo-load: ${error instanceof Error ? error.message : String(error)}\n`);
      return exitCode;
    }
    throw error;
  } finally {
    await engine?.stop();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/** The native engine's binary; a machine that cannot build it is a usage problem with a way out. */
async function buildNativeClient(): Promise<string> {
  try {
    return await nativeBinary('echo-load');
  } catch (error) {
    if (!(error instanceof NativeBuildError)) throw error;
    const said = error.stderr.trim().split('\n').slice(0, 5).join('\n');
    throw new UsageError(`rosetta echo-load: --client native: ${error.message}${said === '' ? '' : `\n${said}`}; install gcc, or use --client node`);
  }
}

function summary(options: LoadOptions, result: LoadResult): string {
  const n = (value: number, digits = 0): string =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const { latencyUs: l, sentLatencyUs: s, clientCpu: cpu } = result;
  const open = options.rate !== undefined;
  return [
    `echo-load ${options.host}:${options.port}: ${options.connections} connections x ${n(options.size)} B, ` +
      (open ? `open loop at ${n(options.rate ?? 0)} req/s, ` : '') +
      `${n(result.durationMs / 1000, 1)} s measured after ${n(options.warmupMs / 1000, 1)} s warm-up`,
    `  requests     ${n(result.requests)}   ${n(result.rps)} req/s`,
    `  throughput   ${n(result.mibps, 2)} MiB/s`,
    `  latency µs   p50 ${n(l.p50)}   p90 ${n(l.p90)}   p99 ${n(l.p99)}   p99.9 ${n(l.p999)}   max ${n(l.max)}` + (open ? '   (from due time)' : ''),
    ...(open
      ? [
          `  from send µs p50 ${n(s.p50)}   p90 ${n(s.p90)}   p99 ${n(s.p99)}   p99.9 ${n(s.p999)}   max ${n(s.max)}`,
          `  skipped      ${n(result.skipped)} sends (a connection had too many echoes outstanding)`,
        ]
      : []),
    `  errors       ${n(result.errors)}   verify failures ${n(result.verifyFailures)}`,
    `  client CPU   ${n(cpu.share * 100)}% of one core${options.engine !== undefined ? ' (native client)' : ''} (user ${n(cpu.userUs / 1e6, 2)} s, system ${n(cpu.systemUs / 1e6, 2)} s)`,
    '',
  ].join('\n');
}
