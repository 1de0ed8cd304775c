// The fault cases of the traceback matrix, in ONE table: what breaks, which request breaks, the
// error every style must surface, and the logical path of steps a good trace shows.
// A case targets a request by what it is (page n, or the nth fork in listing order), not by arrival
// order at the server: with several sockets, the 5th request started may arrive 6th.
import type { WorkflowErrorName } from '../../scenarios/repos-and-forks/contract.js';
import type { FaultAction, FaultRule } from '../../scenarios/repos-and-forks/faults.js';
import type { World } from '../../scenarios/repos-and-forks/world.js';

/** The step names of scenarios/repos-and-forks/SPEC.md that a logical path can name. */
export type StepName =
  | 'reposAndForks'
  | 'sendReposRequest'
  | 'readRepos'
  | 'sendForkedRepoRequests'
  | 'readForkedRepoRequests'
  | 'printSourceNames'
  | 'cleanup';

/** The request a fault hits: a listing page, or the nth fork of the listing (1-based). */
export type FaultTarget = { readonly kind: 'page'; readonly page: number } | { readonly kind: 'fork'; readonly nth: number };

export interface FaultCase {
  readonly id: string;
  readonly description: string;
  readonly target: FaultTarget;
  readonly action: FaultAction;
  readonly expectedError: WorkflowErrorName;
  /** For an ApiError: the status the error must carry in its message. */
  readonly status?: number;
  /** Outermost first, e.g. reposAndForks -> sendForkedRepoRequests -> readForkedRepoRequests. */
  readonly path: readonly StepName[];
  /** Per-request silence for this case; only `hang` needs it small, to keep the matrix fast. */
  readonly timeoutMs: number;
}

/** Timeout for the cases that do not wait on it: long enough never to fire on loopback. */
export const DEFAULT_CASE_TIMEOUT_MS = 5_000;
/** `hang`: small, so the case takes a third of a second, yet far above loopback latency. */
export const HANG_TIMEOUT_MS = 300;

const FORKS = ['reposAndForks', 'sendForkedRepoRequests'] as const;
const PAGES = ['reposAndForks', 'sendReposRequest', 'readRepos'] as const;

export const FAULT_CASES: readonly FaultCase[] = [
  {
    id: 'http-500',
    description: "the 3rd fork's details answer 500",
    target: { kind: 'fork', nth: 3 },
    action: { kind: 'status', status: 500 },
    expectedError: 'ApiError',
    status: 500,
    path: [...FORKS, 'readForkedRepoRequests'],
    timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
  },
  {
    id: 'malformed-json',
    description: "page 2's body is truncated JSON",
    target: { kind: 'page', page: 2 },
    action: { kind: 'truncated' },
    expectedError: 'ParseError',
    path: PAGES,
    timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
  },
  {
    id: 'reset',
    description: "the 5th fork request's connection is reset",
    target: { kind: 'fork', nth: 5 },
    action: { kind: 'reset' },
    expectedError: 'NetworkError',
    path: FORKS,
    timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
  },
  {
    id: 'missing-field',
    description: 'the 2nd fork comes without `source`: a plain TypeError in user code, wrapped as ParseError',
    target: { kind: 'fork', nth: 2 },
    action: { kind: 'missing-source' },
    expectedError: 'ParseError',
    path: [...FORKS, 'readForkedRepoRequests'],
    timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
  },
  {
    id: 'hang',
    description: `the 6th fork request is never answered: the ${HANG_TIMEOUT_MS} ms request timeout must fire`,
    target: { kind: 'fork', nth: 6 },
    action: { kind: 'hang' },
    expectedError: 'TimeoutError',
    path: FORKS,
    timeoutMs: HANG_TIMEOUT_MS,
  },
  {
    id: 'rate-limit',
    description: 'page 1 answers 403 with x-ratelimit-remaining: 0',
    target: { kind: 'page', page: 1 },
    action: { kind: 'rate-limit' },
    expectedError: 'ApiError',
    status: 403,
    path: PAGES,
    timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
  },
];

export function findCase(id: string): FaultCase | undefined {
  return FAULT_CASES.find((faultCase) => faultCase.id === id);
}

export function caseIds(): string[] {
  return FAULT_CASES.map((faultCase) => faultCase.id);
}

/** The server-side rule: an exact path (a glob with no wildcard), so exactly the targeted request fails. */
export function faultRuleFor(faultCase: FaultCase, world: World, user: string): FaultRule {
  const { target } = faultCase;
  if (target.kind === 'page') return { path: `/users/${user}/repos`, page: target.page, action: faultCase.action };
  return { path: `/repos/${forkName(world, user, target.nth)}`, action: faultCase.action };
}

/** What the faulty request's URL looks like: origin and path, plus the page for a listing page. */
export interface TargetUrl {
  readonly origin: string;
  readonly pathname: string;
  readonly page?: number;
}

export function targetUrl(faultCase: FaultCase, world: World, user: string, apiUrl: string): TargetUrl {
  const origin = new URL(apiUrl).origin;
  const { target } = faultCase;
  if (target.kind === 'page') return { origin, pathname: `/users/${user}/repos`, page: target.page };
  return { origin, pathname: `/repos/${forkName(world, user, target.nth)}` };
}

function forkName(world: World, user: string, nth: number): string {
  const forks = (world.listRepos(user) ?? []).filter((repo) => repo.fork);
  const fork = forks[nth - 1];
  if (fork === undefined) throw new RangeError(`user ${user} has ${forks.length} forks; a fault case asked for fork ${nth}`);
  return fork.full_name;
}

/** `a -> b -> c`, as the report prints a path. */
export function formatPath(path: readonly StepName[]): string {
  return path.join(' -> ');
}
