// The deterministic world the fake GitHub serves: users, their repositories, and the upstream
// repositories their forks came from, all generated from one seed, so every style, test and run sees
// the same data. Bodies are typed with GitHub's OpenAPI schemas and rendered for a base URL, so every
// link in them points back at the server that serves them.
import type { components } from '@octokit/openapi-types';
import type { FullRepository, MinimalRepository } from './contract.js';

type Repository = components['schemas']['repository'];
type SimpleUser = components['schemas']['simple-user'];
// The listing's license object is looser than the details' one (`spdx_id` may not be null there):
// a license that satisfies both fits every body.
type License = (NonNullable<components['schemas']['nullable-license-simple']> & NonNullable<MinimalRepository['license']>) | null;

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
export const DEFAULT_BASE_URL = 'https://api.github.com';

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

// ---------------------------------------------------------------------------------------------
// Records: the world as plain data, independent of any base URL.

interface Owner {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Organization';
}

interface RepoRecord {
  readonly id: number;
  readonly owner: Owner;
  readonly name: string;
  readonly fullName: string;
  readonly description: string | null;
  readonly language: string | null;
  readonly license: LicenseKey | null;
  readonly topics: readonly string[];
  readonly homepage: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly pushedAt: string;
  readonly size: number;
  readonly stars: number;
  readonly forksCount: number;
  readonly openIssues: number;
  readonly subscribers: number;
  readonly hasPages: boolean;
  readonly parent: RepoRecord | undefined;
  readonly source: RepoRecord | undefined;
}

const LICENSES = {
  mit: { name: 'MIT License', spdx: 'MIT', id: 13 },
  'apache-2.0': { name: 'Apache License 2.0', spdx: 'Apache-2.0', id: 2 },
  'bsd-3-clause': { name: 'BSD 3-Clause "New" or "Revised" License', spdx: 'BSD-3-Clause', id: 5 },
  'gpl-3.0': { name: 'GNU General Public License v3.0', spdx: 'GPL-3.0', id: 9 },
} as const;
type LicenseKey = keyof typeof LICENSES;
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
function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Rendering: records to GitHub-shaped bodies for one base URL.

interface Hosts {
  /** API root, no trailing slash: every `*_url` that the API serves starts here. */
  readonly api: string;
  /** Web root for `html_url` and clone URLs: github.com for the real API, the server itself otherwise. */
  readonly web: string;
  readonly avatars: string;
  /** Host name used in `git://` and `git@` URLs. */
  readonly gitHost: string;
}

function hostsFor(baseUrl: string): Hosts {
  const api = baseUrl.replace(/\/+$/, '');
  if (api === DEFAULT_BASE_URL) {
    return { api, web: 'https://github.com', avatars: 'https://avatars.githubusercontent.com', gitHost: 'github.com' };
  }
  return { api, web: api, avatars: api, gitHost: new URL(api).host };
}

function owner(record: Owner, hosts: Hosts): SimpleUser {
  const url = `${hosts.api}/users/${record.login}`;
  return {
    login: record.login,
    id: record.id,
    node_id: nodeId(record.type, record.id),
    avatar_url: `${hosts.avatars}/u/${record.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${hosts.web}/${record.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: record.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

// Field groups typed as picks of BOTH schemas that carry them, so a group fits every body it is
// spread into and a misspelt field name fails to compile.
type Both = FullRepository & Repository;
type Identity = Pick<Both, 'id' | 'node_id' | 'name' | 'full_name' | 'private' | 'owner' | 'description' | 'fork'>;
type Urls = Pick<
  Both,
  | 'html_url' | 'url' | 'forks_url' | 'keys_url' | 'collaborators_url' | 'teams_url' | 'hooks_url' | 'issue_events_url'
  | 'events_url' | 'assignees_url' | 'branches_url' | 'tags_url' | 'blobs_url' | 'git_tags_url' | 'git_refs_url'
  | 'trees_url' | 'statuses_url' | 'languages_url' | 'stargazers_url' | 'contributors_url' | 'subscribers_url'
  | 'subscription_url' | 'commits_url' | 'git_commits_url' | 'comments_url' | 'issue_comment_url' | 'contents_url'
  | 'compare_url' | 'merges_url' | 'archive_url' | 'downloads_url' | 'issues_url' | 'pulls_url' | 'milestones_url'
  | 'notifications_url' | 'labels_url' | 'releases_url' | 'deployments_url' | 'git_url' | 'ssh_url' | 'clone_url'
  | 'svn_url' | 'mirror_url'
>;
type Facts = { license: License } & Pick<
  Both,
  | 'created_at' | 'updated_at' | 'pushed_at' | 'homepage' | 'size' | 'stargazers_count' | 'watchers_count' | 'language'
  | 'has_issues' | 'has_projects' | 'has_downloads' | 'has_wiki' | 'has_pages' | 'has_discussions' | 'forks_count'
  | 'archived' | 'disabled' | 'open_issues_count' | 'allow_forking' | 'is_template'
  | 'web_commit_signoff_required' | 'topics' | 'visibility' | 'forks' | 'open_issues' | 'watchers' | 'default_branch'
>;

function identity(record: RepoRecord, hosts: Hosts): Identity {
  return {
    id: record.id,
    node_id: nodeId('Repository', record.id),
    name: record.name,
    full_name: record.fullName,
    private: false,
    owner: owner(record.owner, hosts),
    description: record.description,
    fork: record.source !== undefined,
  };
}

function urls(record: RepoRecord, hosts: Hosts): Urls {
  const api = `${hosts.api}/repos/${record.fullName}`;
  const web = `${hosts.web}/${record.fullName}`;
  return {
    html_url: web,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    git_url: `git://${hosts.gitHost}/${record.fullName}.git`,
    ssh_url: `git@${hosts.gitHost}:${record.fullName}.git`,
    clone_url: `${web}.git`,
    svn_url: web,
    mirror_url: null,
  };
}

function facts(record: RepoRecord, hosts: Hosts): Facts {
  return {
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    pushed_at: record.pushedAt,
    homepage: record.homepage,
    size: record.size,
    stargazers_count: record.stars,
    watchers_count: record.stars,
    language: record.language,
    has_issues: record.source === undefined,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: record.hasPages,
    has_discussions: false,
    forks_count: record.forksCount,
    archived: false,
    disabled: false,
    open_issues_count: record.openIssues,
    license: license(record.license, hosts),
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [...record.topics],
    visibility: 'public',
    forks: record.forksCount,
    open_issues: record.openIssues,
    watchers: record.stars,
    default_branch: 'main',
  };
}

function license(key: LicenseKey | null, hosts: Hosts): License {
  if (key === null) return null;
  const known = LICENSES[key];
  return { key, name: known.name, spdx_id: known.spdx, url: `${hosts.api}/licenses/${key}`, node_id: nodeId('License', known.id) };
}

function listItem(record: RepoRecord, hosts: Hosts): MinimalRepository {
  return { ...identity(record, hosts), ...urls(record, hosts), ...facts(record, hosts) };
}

/** The shape GitHub embeds as a fork's `parent` and `source`. */
function embedded(record: RepoRecord, hosts: Hosts): Repository {
  return { ...identity(record, hosts), ...urls(record, hosts), ...facts(record, hosts) };
}

function fullRepository(record: RepoRecord, hosts: Hosts): FullRepository {
  const body: FullRepository = {
    ...identity(record, hosts),
    ...urls(record, hosts),
    ...facts(record, hosts),
    // GitHub counts the whole fork network from its root: the source's forks.
    network_count: (record.source ?? record).forksCount,
    subscribers_count: record.subscribers,
  };
  if (record.owner.type === 'Organization') body.organization = owner(record.owner, hosts);
  if (record.parent !== undefined && record.source !== undefined) {
    body.parent = embedded(record.parent, hosts);
    body.source = embedded(record.source, hosts);
  }
  return body;
}
