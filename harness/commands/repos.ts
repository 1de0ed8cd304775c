// `rosetta repos`: runs the repos-and-forks workflow in one style and prints the source repos.
// Without --api it starts the embedded fake GitHub server on loopback and stops it afterwards.
import { DEFAULT_INPUT, NetworkError, TimeoutError, isWorkflowError, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { findStyle, styleIds } from '../../styles/registry.js';
import { UsageError, flagBoolean, flagNumber, flagString, helpText, parseArgs, type FlagSpecs } from '../args.js';
import type { Command } from '../cli.js';

const FLAGS: FlagSpecs = {
  style: { kind: 'string', help: 'the style to run', metavar: 'ID' },
  user: { kind: 'string', help: `GitHub login whose repos are listed (default ${DEFAULT_USER})`, metavar: 'LOGIN' },
  api: { kind: 'string', help: 'API base URL, e.g. https://api.github.com (default: an embedded fake server)', metavar: 'URL' },
  concurrency: { kind: 'int', min: 1, max: 1000, help: `fork requests in flight at most (default ${DEFAULT_INPUT.concurrency})`, metavar: 'N' },
  'timeout-ms': { kind: 'int', min: 1, max: 600_000, help: `per-request silence before TimeoutError (default ${DEFAULT_INPUT.timeoutMs})`, metavar: 'MS' },
  latency: { kind: 'int', min: 0, max: 60_000, help: 'latency of the embedded fake server in ms (default 0)', metavar: 'MS' },
  json: { kind: 'boolean', help: 'print one JSON object instead of one name a line' },
};

export const command: Command = {
  summary: 'run the repos-and-forks workflow in one style and print each fork\'s source repo',
  help: helpText(
    'rosetta repos --style <id> [--user LOGIN] [--api URL] [--concurrency N] [--json]',
    'Lists the user\'s repos page by page, fetches every fork\'s details with bounded concurrency and prints\n' +
      'the source repo of each fork, in listing order. A token is read from GITHUB_TOKEN only.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('repos', argv, FLAGS);
    const id = flagString(args, 'style');
    if (id === undefined) throw new UsageError(`rosetta repos: --style is required; accepted: ${styleIds().join(', ')}`);
    const style = findStyle(id);
    if (style === undefined) throw new UsageError(`rosetta repos: --style got ${JSON.stringify(id)}; accepted: ${styleIds().join(', ')}`);
    const api = flagString(args, 'api');
    if (api !== undefined && !/^https?:\/\/[^/]+/.test(api)) {
      throw new UsageError(`rosetta repos: --api got ${JSON.stringify(api)}; expected an http:// or https:// URL`);
    }
    if (api !== undefined && args.flags.has('latency')) {
      throw new UsageError('rosetta repos: --latency applies to the embedded fake server only; drop it or drop --api');
    }
    const fake = api === undefined ? await startFakeGithub({ latency: flagNumber(args, 'latency') ?? 0 }) : undefined;
    const json = flagBoolean(args, 'json');
    const token = process.env.GITHUB_TOKEN;
    const input: ReposAndForksInput = {
      apiUrl: api ?? fake?.url ?? '',
      user: flagString(args, 'user') ?? DEFAULT_USER,
      concurrency: flagNumber(args, 'concurrency') ?? DEFAULT_INPUT.concurrency,
      perPage: DEFAULT_INPUT.perPage,
      timeoutMs: flagNumber(args, 'timeout-ms') ?? DEFAULT_INPUT.timeoutMs,
      ...(token !== undefined && token !== '' ? { token } : {}),
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
      if (api !== undefined && (error instanceof NetworkError || error instanceof TimeoutError)) {
        throw new UsageError(`rosetta repos: --api ${api} could not be reached: ${error.message}`);
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
