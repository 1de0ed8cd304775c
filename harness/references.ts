// Reference echo servers not written in Node (GitHub issue 30): a C epoll server and Python asyncio
// ones, each a row marked as a reference beside the styles. Their sources live in
// scenarios/echo/references/; this launcher lives in harness/ because it starts processes through
// the harness's one process model (processes.ts: tracking, pinning with taskset).
//
// The C source is compiled on first use (native.ts). Each server prints one line, {"port":N}, once
// listening, and exits 0 on SIGTERM.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { nativeBinary } from './native.js';
import { pinPrefix } from './processes/children.js';
import { repoRoot } from './processes/probes.js';
import { runCommand, startProcess, type ExitInfo } from './processes/watch.js';

export const REFERENCE_SERVERS = ['c-epoll', 'asyncio', 'asyncio-streams', 'uvloop'] as const;
export type ReferenceId = (typeof REFERENCE_SERVERS)[number];

export function isReferenceId(id: string): id is ReferenceId {
  return (REFERENCE_SERVERS as readonly string[]).includes(id);
}

/** Where the sources are: the repository's, found from this file in harness/ or in dist/harness/. */
export function referenceSources(): string {
  return path.join(repoRoot(), 'scenarios', 'echo', 'references');
}

// ---------------------------------------------------------------------------------------------
// Which references this machine can run.

export interface ReferenceAvailability {
  readonly available: ReferenceId[];
  readonly missing: { readonly id: ReferenceId; readonly why: string }[];
}

/** What a reference needs, and the commands tried in turn to run it (the first that passes is kept). */
const PROBES: Record<ReferenceId, { readonly commands: readonly string[]; readonly args: readonly string[]; readonly needs: string }> = {
  'c-epoll': { commands: ['cc'], args: ['--version'], needs: 'a C compiler (`cc`)' },
  asyncio: { commands: ['python3'], args: ['-c', 'import asyncio'], needs: 'python3 with asyncio' },
  'asyncio-streams': { commands: ['python3'], args: ['-c', 'import asyncio'], needs: 'python3 with asyncio' },
  // The distribution's python3-uvloop is importable by the system's interpreter only, which a
  // python3 of pyenv or a venv earlier on PATH hides.
  uvloop: { commands: ['python3', '/usr/bin/python3'], args: ['-c', 'import uvloop'], needs: "python3's uvloop (Debian: python3-uvloop)" },
};

/** The interpreter each Python reference runs on: the first of its probe's commands that passed. */
const interpreters = new Map<ReferenceId, string>();

let availability: Promise<ReferenceAvailability> | undefined;

/** The references whose toolchain is installed, and why each other one is not; probed once a process. */
export function availableReferences(): Promise<ReferenceAvailability> {
  availability ??= (async () => {
    const results = await Promise.all(
      REFERENCE_SERVERS.map(async (id) => {
        const probe = PROBES[id];
        const failures: string[] = [];
        for (const command of probe.commands) {
          try {
            await runCommand({ label: `${command} ${probe.args.join(' ')}`, command, args: probe.args, deadlineMs: 30_000 });
            interpreters.set(id, command);
            return { id, why: undefined };
          } catch (error) {
            // The command and how it failed, then its last line of output (the exception, say).
            const lines = (error as Error).message.trim().split('\n');
            const how = /^.*? failed \([^)]*\)/.exec(lines[0] ?? '')?.[0] ?? lines[0] ?? '';
            failures.push(`${how}${lines.length > 1 ? `: ${lines[lines.length - 1]!.trim()}` : ''}`);
          }
        }
        return { id, why: `needs ${probe.needs}: ${failures.join('; ')}` };
      }),
    );
    return {
      available: results.filter((result) => result.why === undefined).map((result) => result.id),
      missing: results.flatMap((result) => (result.why === undefined ? [] : [{ id: result.id, why: result.why }])),
    };
  })();
  return availability;
}

// ---------------------------------------------------------------------------------------------
// Compiling the C server.

// ---------------------------------------------------------------------------------------------
// Starting and stopping one.

export interface ReferenceServerOptions {
  /** 127.0.0.1 unless asked otherwise. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Pin the server to this core with taskset, when taskset exists. */
  readonly cpu?: number | undefined;
  /** How long the port line may take, compiling excluded (default 10 s). */
  readonly startTimeoutMs?: number;
}

export interface ReferenceServer {
  readonly id: ReferenceId;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** True when it runs under taskset on `cpu`. */
  readonly pinned: boolean;
  /** Resolves once it has exited; never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** Its CPU (µs) and the instant it read it on the monotonic clock (ms), as the Node servers answer over IPC. */
  cpu(): Promise<{ readonly user: number; readonly system: number; readonly t: number }>;
  /** SIGTERM, SIGKILL if it has not exited within 5 s; resolves with how it exited (code 0: it closed cleanly). */
  stop(): Promise<ExitInfo>;
}

/** A reference server that exited or stayed silent before its port line; `code` is the errno name it printed (EADDRINUSE), when it printed one. */
export class ReferenceStartError extends Error {
  override readonly name = 'ReferenceStartError';
  readonly code: string | undefined;

  constructor(id: ReferenceId, what: string, output: string) {
    super(`reference echo server ${id} ${what}${output.trim() === '' ? '' : `: ${output.trim()}`}`);
    this.code = /^error: (E[A-Z0-9]+):/m.exec(output)?.[1];
  }
}

const STOP_GRACE_MS = 5_000;

interface CpuReading {
  readonly user: number;
  readonly system: number;
  readonly t: number;
}

/** The command line of a reference, the C server compiled first if need be. */
export async function referenceCommand(id: ReferenceId, host: string, port: number): Promise<string[]> {
  const listen = ['--host', host, '--port', String(port)];
  // The probe picks each Python reference's interpreter; it runs once a process.
  if (id !== 'c-epoll') await availableReferences();
  const python = (file: string, ...extra: string[]): string[] => [interpreters.get(id) ?? 'python3', path.join(referenceSources(), file), ...listen, ...extra];
  switch (id) {
    case 'c-epoll':
      return [await nativeBinary('c-epoll'), ...listen];
    case 'asyncio':
      return python('asyncio_echo.py');
    case 'asyncio-streams':
      return python('asyncio_streams_echo.py');
    case 'uvloop':
      return python('asyncio_echo.py', '--loop', 'uvloop');
  }
}

export async function startReferenceServer(id: ReferenceId, options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  if (!isReferenceId(id)) throw new Error(`unknown reference server '${String(id)}'; accepted: ${REFERENCE_SERVERS.join(', ')}`);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`reference server port ${port}: accepted are integers 0-65535`);
  const pin = pinPrefix(options.cpu);
  const [command, ...args] = [...pin, ...(await referenceCommand(id, host, port))] as [string, ...string[]];

  let stdout = '';
  let output = '';
  let readings = '';
  const waiting: ((reading: CpuReading) => void)[] = [];
  let announced: ((port: number) => void) | undefined;
  const child = startProcess({
    label: `reference[${id}]`,
    command,
    args,
    stdout: 'tail',
    stdin: 'pipe',
    tailBytes: 16 * 1024,
    group: true,
    // No bytecode written beside the sources; the port line is flushed by the servers themselves.
    env: { PYTHONDONTWRITEBYTECODE: '1' },
    onOutput: (chunk, stream) => {
      output = (output + chunk).slice(-16 * 1024);
      if (stream === 'stdout' && announced === undefined) {
        readings += chunk;
        // Each answer to a "cpu" line is one JSON line, in the order asked.
        for (let end = readings.indexOf('\n'); end >= 0; end = readings.indexOf('\n')) {
          const line = readings.slice(0, end);
          readings = readings.slice(end + 1);
          if (line.startsWith('{"user"')) waiting.shift()?.(JSON.parse(line) as CpuReading);
        }
      }
      if (stream !== 'stdout' || announced === undefined) return;
      stdout += chunk;
      const line = /^\{"port":(\d+)\}$/m.exec(stdout);
      if (line !== null) announced(Number(line[1]));
    },
  });
  if (child.pid === undefined) {
    const exit = await child.exited;
    throw new ReferenceStartError(id, `could not start ${command} (${exit.startError ?? 'no pid'})`, '');
  }

  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const bound = await new Promise<number>((resolve, reject) => {
    announced = resolve;
    timer = setTimeout(() => reject(new ReferenceStartError(id, `printed no {"port":N} line within ${timeoutMs} ms`, output)), timeoutMs);
    void child.exited.then((exit) => {
      const how = exit.startError ?? (exit.signal !== null ? `killed by ${exit.signal}` : `exit ${String(exit.code)}`);
      reject(new ReferenceStartError(id, `exited (${how}) before listening`, output));
    });
  }).catch(async (error: unknown) => {
    await child.kill();
    throw error;
  }).finally(() => {
    clearTimeout(timer);
    announced = undefined;
  });

  return {
    id,
    pid: child.pid,
    host,
    port: bound,
    pinned: pin.length > 0,
    exited: child.exited,
    cpu() {
      return new Promise<CpuReading>((resolve, reject) => {
        if (!child.alive()) {
          reject(new ReferenceStartError(id, 'is not running: no CPU reading', output));
          return;
        }
        const timer = setTimeout(() => reject(new ReferenceStartError(id, 'answered no CPU reading within 5 s', output)), 5_000);
        waiting.push((reading) => {
          clearTimeout(timer);
          resolve(reading);
        });
        child.write('cpu\n');
      });
    },
    async stop() {
      const kill = setTimeout(() => child.killBecause(`still running ${STOP_GRACE_MS} ms after SIGTERM; killed`), STOP_GRACE_MS);
      const exit = await child.kill('SIGTERM');
      clearTimeout(kill);
      return exit;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a server process from outside: what the Node servers answer over IPC.

/**
 * The TCP connections process `pid` holds on local port `port`, listener excluded: its socket
 * descriptors (/proc/PID/fd) matched by inode against /proc/net/tcp and tcp6. Synchronous, so a
 * test's `connections()` can call it; it reads one line per socket on the machine.
 */
export function heldConnections(pid: number, port: number): number {
  const inodes = new Set<string>();
  const fdDir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return 0; // exited
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${fdDir}/${fd}`));
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      const inode = fields[9];
      if (local === undefined || inode === undefined || state === '0A') continue; // 0A: LISTEN
      if (local.endsWith(`:${portHex}`) && inodes.has(inode)) count++;
    }
  }
  return count;
}

/** The process's resident set size in bytes (VmRSS of /proc/PID/status). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) * 1024;
}
