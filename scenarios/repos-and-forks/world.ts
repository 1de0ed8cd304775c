// The deterministic world the fake GitHub serves: users, their repositories, and the upstream
// repositories their forks came from, all generated from one seed, so every style, test and run sees
// the same data. This file generates the records (world-records.ts); world-render.ts renders them as
// GitHub's bodies for a base URL.
import type { FullRepository, MinimalRepository } from './contract.js';
import type { LicenseKey, Owner, RepoRecord } from './world-records.js';
import { DEFAULT_BASE_URL, fullRepository, hostsFor, listItem } from './world-render.js';

export { DEFAULT_BASE_URL };

/** The user the workflow lists by default: 250 repos (3 pages of 100), 83 of them forks. */
export const DEFAULT_USER = 'octocat';
/** 7 repos, 2 forks: one page whatever the page size, so no `link` header. */
export const SMALL_USER = 'tiny-tim';
/** Exactly 100 repos, 33 forks: one full page at `per_page=100`, the page-boundary case. */
export const EXACT_PAGE_USER = 'exactly-100';
/** An existing user with no repositories: `[]`, not 404. */
export const EMPTY_USER = 'no-repos';

export const DEFAULT_SEED = 1;
/** A third of a user's repos are forks unless the user says otherwise (rounded to the nearest whole). */
export const DEFAULT_FORK_SHARE = 1 / 3;
/** Bodies rendered without a base URL point at the real API, as GitHub's own examples do. */

export interface WorldUserOptions {
  readonly login: string;
  readonly repos: number;
  /** Share of `repos` that are forks, from 0 to 1; the count is `Math.round(repos * forkShare)`. */
  readonly forkShare?: number;
}

export const DEFAULT_USERS: readonly WorldUserOptions[] = [
  { login: DEFAULT_USER, repos: 250 },
  { login: SMALL_USER, repos: 7 },
  { login: EXACT_PAGE_USER, repos: 100 },
  { login: EMPTY_USER, repos: 0 },
];

// Forks come from these owners; they are world owners too (their repos resolve and list), but not
// configurable users, so a configured login may not take one of these names.
const UPSTREAM_ORGS = ['acme-labs', 'bluefin-works', 'cobalt-systems', 'driftwood-io', 'ember-collective', 'fjord-foundation'];
// Some forks are forks of forks: their `parent` belongs to one of these users, their `source` to an org.
const MIDDLE_USERS = ['relay-ravi', 'mirror-mika', 'branchy-bo', 'forkful-fiona'];

export interface CreateWorldOptions {
  /** A whole number from 0 to 2^32-1; default DEFAULT_SEED. */
  readonly seed?: number;
  /** Replaces DEFAULT_USERS; to add a user, pass `[...DEFAULT_USERS, user]`. */
  readonly users?: readonly WorldUserOptions[];
}

export interface WorldUser {
  readonly login: string;
  readonly repos: number;
  readonly forks: number;
}

export interface World {
  readonly seed: number;
  /** The configured users, in the order given (upstream owners are not listed here). */
  readonly users: () => readonly WorldUser[];
  /** `GET /users/{login}/repos` in GitHub's default order (`sort=full_name`, ascending); undefined for an unknown owner. */
  readonly listRepos: (login: string, baseUrl?: string) => MinimalRepository[] | undefined;
  /** `GET /repos/{owner}/{name}` for any repo of the world: users' repos, forks, parents and sources. */
  readonly repo: (owner: string, name: string, baseUrl?: string) => FullRepository | undefined;
  /** What the workflow must print for `login`: each fork's `source.full_name`, in listing order. */
  readonly expectedSourceNames: (login: string) => string[];
  readonly forkCount: (login: string) => number;
}

/** A bad world option, or a question about a user the world does not have. */
export class WorldError extends Error {
  override readonly name = 'WorldError';
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; the same seed always yields the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LICENSE_CHOICES: readonly (LicenseKey | null)[] = ['mit', 'mit', 'apache-2.0', 'bsd-3-clause', 'gpl-3.0', null];
const LANGUAGES: readonly (string | null)[] = ['TypeScript', 'JavaScript', 'Go', 'Rust', 'Python', 'C', 'Ruby', null];
const ADJECTIVES = [
  'amber', 'brisk', 'calm', 'dusty', 'eager', 'fuzzy', 'gentle', 'hollow', 'icy', 'jolly',
  'keen', 'lucky', 'mellow', 'nimble', 'odd', 'plain', 'quiet', 'rapid', 'silver', 'tidy',
];
const NOUNS = [
  'anchor', 'beacon', 'canyon', 'dynamo', 'engine', 'falcon', 'garden', 'harbor', 'island', 'jigsaw',
  'kettle', 'lantern', 'meadow', 'nebula', 'orchard', 'parser', 'quartz', 'rocket', 'sprocket', 'tunnel',
  'utensil', 'valley', 'walrus', 'yonder', 'zephyr',
];
const TOPICS = ['cli', 'http', 'async', 'parser', 'benchmark', 'library', 'tooling', 'education'];

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const EPOCH_2010 = Date.UTC(2010, 0, 1) / 1000;
const EPOCH_2016 = Date.UTC(2016, 0, 1) / 1000;
const EPOCH_2024 = Date.UTC(2024, 0, 1) / 1000;
const YEAR = 365 * 24 * 3600;

export function createWorld(options: CreateWorldOptions = {}): World {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new WorldError(`world seed ${seed} is not accepted; expected a whole number from 0 to ${0xffff_ffff}`);
  }
  const configured = validateUsers(options.users ?? DEFAULT_USERS);
  const random = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const shuffled = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };

  const owners = new Map<string, Owner>();
  const repos = new Map<string, RepoRecord>();
  const listings = new Map<string, RepoRecord[]>();
  let nextOwnerId = int(1_000, 50_000);
  let nextRepoId = int(10_000_000, 20_000_000);

  const ownerNamed = (login: string, type: Owner['type']): Owner => {
    const known = owners.get(login.toLowerCase());
    if (known !== undefined) return known;
    nextOwnerId += int(1, 90_000);
    const created: Owner = { login, id: nextOwnerId, type };
    owners.set(login.toLowerCase(), created);
    listings.set(login.toLowerCase(), []);
    return created;
  };

  const add = (
    owned: Owner,
    name: string,
    createdBetween: readonly [number, number],
    lineage: { parent: RepoRecord; source: RepoRecord } | undefined,
  ): RepoRecord => {
    nextRepoId += int(1, 5_000);
    const created = int(createdBetween[0], createdBetween[1]);
    const updated = Math.min(created + int(0, 2 * YEAR), EPOCH_2024 + YEAR / 2);
    const upstream = lineage?.source;
    const language = upstream?.language ?? pick(LANGUAGES);
    const record: RepoRecord = {
      id: nextRepoId,
      owner: owned,
      name,
      fullName: `${owned.login}/${name}`,
      // A fork keeps its upstream's description, language and license, as GitHub copies them.
      description: upstream !== undefined ? upstream.description : random() < 0.1 ? null : describeRepo(name, language),
      language,
      license: upstream !== undefined ? upstream.license : pick(LICENSE_CHOICES),
      topics: upstream !== undefined ? [] : shuffled(TOPICS).slice(0, int(0, 3)),
      homepage: random() < 0.2 ? `https://${name}.example.org` : null,
      createdAt: isoSeconds(created),
      updatedAt: isoSeconds(updated),
      pushedAt: isoSeconds(Math.max(created, updated - int(0, 86_400))),
      size: int(8, 40_000),
      stars: upstream !== undefined ? int(0, 3) : owned.type === 'Organization' ? int(50, 20_000) : int(0, 200),
      forksCount: upstream !== undefined ? 0 : owned.type === 'Organization' ? int(5, 2_000) : int(0, 20),
      openIssues: int(0, 40),
      subscribers: int(0, 60),
      hasPages: random() < 0.15,
      parent: lineage?.parent,
      source: lineage?.source,
    };
    repos.set(record.fullName.toLowerCase(), record);
    listings.get(owned.login.toLowerCase())?.push(record);
    return record;
  };

  const sourceFor = (name: string): RepoRecord => {
    const org = ownerNamed(pick(UPSTREAM_ORGS), 'Organization');
    return repos.get(`${org.login}/${name}`.toLowerCase()) ?? add(org, name, [EPOCH_2010, EPOCH_2016 - 1], undefined);
  };

  // A fork's parent is its source, or sometimes a middle user's fork of that same source. A middle
  // fork already taken by another source falls back to the direct fork, so lineages stay consistent.
  const parentFor = (name: string, source: RepoRecord): RepoRecord => {
    if (random() >= 0.25) return source;
    const middle = ownerNamed(pick(MIDDLE_USERS), 'User');
    const existing = repos.get(`${middle.login}/${name}`.toLowerCase());
    if (existing !== undefined) return existing.source === source ? existing : source;
    return add(middle, name, [EPOCH_2016, EPOCH_2016 + YEAR], { parent: source, source });
  };

  const summaries: WorldUser[] = [];
  for (const user of configured) {
    const owned = ownerNamed(user.login, 'User');
    const forks = Math.round(user.repos * (user.forkShare ?? DEFAULT_FORK_SHARE));
    const names = repoNames(shuffled(ADJECTIVES.flatMap((adjective) => NOUNS.map((noun) => `${adjective}-${noun}`))), user.repos);
    // Listing order is by name, so the fork positions are drawn over the sorted names.
    const forkAt = new Set(shuffled(names.map((_, index) => index)).slice(0, forks));
    names.forEach((name, index) => {
      if (!forkAt.has(index)) {
        add(owned, name, [EPOCH_2016, EPOCH_2024 - 1], undefined);
        return;
      }
      const source = sourceFor(name);
      add(owned, name, [EPOCH_2016 + YEAR, EPOCH_2024 - 1], { parent: parentFor(name, source), source });
    });
    summaries.push({ login: user.login, repos: user.repos, forks });
  }
  for (const listing of listings.values()) listing.sort((a, b) => compareNames(a.name, b.name));

  const listingOf = (login: string): RepoRecord[] => {
    const listing = listings.get(login.toLowerCase());
    if (listing === undefined) {
      throw new WorldError(`no user ${JSON.stringify(login)} in this world; users: ${summaries.map((u) => u.login).join(', ')}`);
    }
    return listing;
  };

  return {
    seed,
    users: () => summaries,
    listRepos(login, baseUrl = DEFAULT_BASE_URL) {
      const hosts = hostsFor(baseUrl);
      return listings.get(login.toLowerCase())?.map((record) => listItem(record, hosts));
    },
    repo(ownerLogin, name, baseUrl = DEFAULT_BASE_URL) {
      const record = repos.get(`${ownerLogin}/${name}`.toLowerCase());
      return record === undefined ? undefined : fullRepository(record, hostsFor(baseUrl));
    },
    expectedSourceNames: (login) =>
      listingOf(login).flatMap((record) => (record.source === undefined ? [] : [record.source.fullName])),
    forkCount: (login) => listingOf(login).filter((record) => record.source !== undefined).length,
  };
}

function validateUsers(users: readonly WorldUserOptions[]): readonly WorldUserOptions[] {
  const seen = new Set<string>();
  const reserved = new Set([...UPSTREAM_ORGS, ...MIDDLE_USERS]);
  for (const user of users) {
    const what = `world user ${JSON.stringify(user.login)}`;
    if (!GITHUB_LOGIN.test(user.login)) {
      throw new WorldError(`${what}: not a GitHub login; expected 1-39 letters, digits or single inner hyphens`);
    }
    if (reserved.has(user.login.toLowerCase())) {
      throw new WorldError(`${what}: the world's upstream owners use that login; reserved: ${[...reserved].join(', ')}`);
    }
    if (seen.has(user.login.toLowerCase())) throw new WorldError(`${what}: given twice (logins are case-insensitive)`);
    seen.add(user.login.toLowerCase());
    if (!Number.isInteger(user.repos) || user.repos < 0) {
      throw new WorldError(`${what}: repos ${user.repos} is not accepted; expected a whole number from 0 up`);
    }
    const share = user.forkShare;
    if (share !== undefined && !(share >= 0 && share <= 1)) {
      throw new WorldError(`${what}: forkShare ${share} is not accepted; expected a number from 0 to 1`);
    }
  }
  return users;
}

/** Distinct names, as many as asked: the shuffled word pairs, then the same pairs with `-2`, `-3`, ... */
function repoNames(pairs: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const round = Math.floor(index / pairs.length);
    const pair = pairs[index % pairs.length] ?? 'repo';
    return round === 0 ? pair : `${pair}-${round + 1}`;
  }).sort(compareNames);
}

function compareNames(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function describeRepo(name: string, language: string | null): string {
  const words = name.replace(/-\d+$/, '').split('-').join(' ');
  const article = /^[aeiou]/.test(words) ? 'An' : 'A';
  return language === null ? `${article} ${words}, kept for reference` : `${article} ${words} written in ${language}`;
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GitHub's legacy global node ids: base64 of `0<length of type>:<Type><id>`, e.g. `04:User1`, `010:Repository7`. */
