// `rosetta repos`: runs the repos-and-forks workflow in one style and prints the source repos.
// Without --api it starts the embedded fake GitHub server on loopback and stops it afterwards.
// GITHUB_TOKEN goes only to the --api origin (never to the embedded fake server, never to another
// origin a `link` points at), and over plain http only to loopback unless --send-token-over-http.
import { DEFAULT_INPUT, NetworkError, TimeoutError, isWorkflowError, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { isLoopbackHost } from '../../scenarios/repos-and-forks/http.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { findStyle, styleIds } from '../../styles/registry.js';
import { UsageError, flagBoolean, flagNumber, flagString, helpText, parseArgs, rejectPositionals, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';

const USAGE = 'rosetta repos --style <id> [--user LOGIN] [--api URL] [--concurrency N] [--json]';

const FLAGS: FlagSpecs = {
  style: { kind: 'string', help: 'the style to run', metavar: 'ID' },
  user: { kind: 'string', help: `GitHub login whose repos are listed (default ${DEFAULT_USER})`, metavar: 'LOGIN' },
  api: { kind: 'string', help: 'API base URL, e.g. https://api.github.com (default: an embedded fake server)', metavar: 'URL' },
  concurrency: { kind: 'int', min: 1, max: 1000, help: `fork requests in flight at most (default ${DEFAULT_INPUT.concurrency})`, metavar: 'N' },
  'timeout-ms': { kind: 'int', min: 1, max: 600_000, help: `per-request silence before TimeoutError (default ${DEFAULT_INPUT.timeoutMs})`, metavar: 'MS' },
  'deadline-ms': {
    kind: 'int', min: 1, max: 3_600_000, metavar: 'MS',
    help: `total time for one response, however steadily it trickles, before TimeoutError (default ${DEFAULT_INPUT.deadlineMs})`,
  },
  'max-body-bytes': {
    kind: 'int', min: 1024, max: 512 * 1024 * 1024, metavar: 'BYTES',
    help: `largest response body accepted; a larger one is a NetworkError (default ${DEFAULT_INPUT.maxBodyBytes}, 32 MiB)`,
  },
  'max-pages': {
    kind: 'int', min: 1, max: 1_000_000, metavar: 'N',
    help: `listing pages read at most; a listing with more is a ParseError (default ${DEFAULT_INPUT.maxPages}, ` +
      `${(DEFAULT_INPUT.maxPages * DEFAULT_INPUT.perPage).toLocaleString('en-US')} repos)`,
  },
  'send-token-over-http': { kind: 'boolean', help: 'send GITHUB_TOKEN in clear text when --api is plain http to a host that is not loopback' },
  latency: { kind: 'int', min: 0, max: 60_000, help: 'latency of the embedded fake server in ms (default 0)', metavar: 'MS' },
  json: { kind: 'boolean', help: 'print one JSON object instead of one name a line' },
};

export const command: Command = {
  summary: 'run the repos-and-forks workflow in one style and print each fork\'s source repo',
  help: helpText(
    USAGE,
    'Lists the user\'s repos page by page, fetches every fork\'s details with bounded concurrency and prints\n' +
      'the source repo of each fork, in listing order. A token is read from GITHUB_TOKEN only.\n' +
      'Every listing ends: a page whose link names a page already read (a cycle) is a ParseError, and so is\n' +
      `a listing longer than --max-pages (default ${DEFAULT_INPUT.maxPages} pages of ${DEFAULT_INPUT.perPage}; no real account lists that many).`,
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('repos', argv, FLAGS);
    const id = flagString(args, 'style');
    rejectPositionals('repos', args, USAGE);
    if (id === undefined) throw new UsageError(`rosetta repos: --style is required; accepted: ${styleIds().join(', ')}`);
    const style = findStyle(id);
    if (style === undefined) throw new UsageError(`rosetta repos: --style got ${JSON.stringify(id)}; accepted: ${styleIds().join(', ')}`);
    const api = flagString(args, 'api');
    const apiUrl = api === undefined ? undefined : parseApiUrl(api);
    // parseApiUrl refuses credentials, so the flag as given holds no password.
    const shown = api ?? '';
    if (api !== undefined && args.flags.has('latency')) {
      throw new UsageError('rosetta repos: --latency applies to the embedded fake server only; drop it or drop --api');
    }
    // The embedded fake server never sees the token: it is not GitHub.
    const token = apiUrl !== undefined && process.env.GITHUB_TOKEN !== '' ? process.env.GITHUB_TOKEN : undefined;
    const tokenOverHttp = flagBoolean(args, 'send-token-over-http');
    if (token !== undefined && apiUrl?.protocol === 'http:' && !isLoopbackHost(apiUrl.hostname) && !tokenOverHttp) {
      throw new UsageError(
        `rosetta repos: --api ${shown} is plain http to a host that is not loopback, and GITHUB_TOKEN would travel in clear text; ` +
          'use https, unset GITHUB_TOKEN, or pass --send-token-over-http',
      );
    }
    const fake = api === undefined ? await startFakeGithub({ latency: flagNumber(args, 'latency') ?? 0 }) : undefined;
    const json = flagBoolean(args, 'json');
    const deadlineMs = flagNumber(args, 'deadline-ms');
    const maxBodyBytes = flagNumber(args, 'max-body-bytes');
    const maxPages = flagNumber(args, 'max-pages');
    const input: ReposAndForksInput = {
      apiUrl: apiUrl?.href ?? fake?.url ?? '',
      user: flagString(args, 'user') ?? DEFAULT_USER,
      concurrency: flagNumber(args, 'concurrency') ?? DEFAULT_INPUT.concurrency,
      perPage: DEFAULT_INPUT.perPage,
      timeoutMs: flagNumber(args, 'timeout-ms') ?? DEFAULT_INPUT.timeoutMs,
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
      ...(maxPages !== undefined ? { maxPages } : {}),
      ...(token !== undefined ? { token, tokenOverHttp } : {}),
      ...(json ? {} : { print: (line: string) => process.stdout.write(line + '\n') }),
    };
    const started = performance.now();
    try {
      const result = await style.runReposAndForks(input);
      const ms = performance.now() - started;
      if (json) {
        process.stdout.write(JSON.stringify({ style: style.id, user: input.user, pages: result.pages, sourceNames: result.sourceNames, ms: Math.round(ms) }, null, 2) + '\n');
      } else {
        process.stderr.write(`${result.sourceNames.length} forks over ${result.pages} pages in ${ms.toFixed(0)} ms (style ${style.id})\n`);
      }
      return 0;
    } catch (error) {
      if (api !== undefined && unreachable(error)) {
        throw new UsageError(`rosetta repos: --api ${shown} could not be reached: ${error.message}`);
      }
      if (isWorkflowError(error)) {
        process.stderr.write(`rosetta repos: ${error.name}: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await fake?.close();
    }
  },
};

/** --api as a URL: http or https, a host, nothing else; a bad one is a usage error that shows no password. */
function parseApiUrl(raw: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    const shown = url !== undefined ? redact(url) : JSON.stringify(raw.replace(/\/\/[^/@]*@/, '//***@'));
    throw new UsageError(`rosetta repos: --api got ${shown}; expected an http:// or https:// URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`rosetta repos: --api got ${redact(url)}; credentials in the URL are not accepted (GITHUB_TOKEN carries the token)`);
  }
  return url;
}

/** The URL without its user and password, for messages. */
function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username !== '' || copy.password !== '') {
    copy.username = '***';
    copy.password = '';
  }
  return copy.href;
}

/**
 * Nothing answered at --api (a usage problem, exit 2), as opposed to an API that answered badly: a
 * body over the cap, a trickle past the deadline or a reset mid-answer are workflow errors (exit 1).
 */
function unreachable(error: unknown): error is NetworkError | TimeoutError {
  if (error instanceof TimeoutError) return !error.deadline;
  const code = (error instanceof NetworkError ? (error.cause as { code?: unknown } | undefined) : undefined)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code);
}
