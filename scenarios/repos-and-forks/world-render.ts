// Rendering the world's records (world-records.ts) as GitHub-shaped bodies for one base URL, typed
// with GitHub's OpenAPI schemas, so every link in them points back at the server that serves them.
import type { components } from '@octokit/openapi-types';
import type { FullRepository, MinimalRepository } from './contract.js';
import { LICENSES, type LicenseKey, type Owner, type RepoRecord } from './world-records.js';

type Repository = components['schemas']['repository'];
type SimpleUser = components['schemas']['simple-user'];
// The listing's license object is looser than the details' one (`spdx_id` may not be null there):
// a license that satisfies both fits every body.
type License = (NonNullable<components['schemas']['nullable-license-simple']> & NonNullable<MinimalRepository['license']>) | null;

/** The real API's root: bodies rendered for it link to github.com, as api.github.com's do. */
export const DEFAULT_BASE_URL = 'https://api.github.com';

export interface Hosts {
  /** API root, no trailing slash: every `*_url` that the API serves starts here. */
  readonly api: string;
  /** Web root for `html_url` and clone URLs: github.com for the real API, the server itself otherwise. */
  readonly web: string;
  readonly avatars: string;
  /** Host name used in `git://` and `git@` URLs. */
  readonly gitHost: string;
}

export function hostsFor(baseUrl: string): Hosts {
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

export function listItem(record: RepoRecord, hosts: Hosts): MinimalRepository {
  return { ...identity(record, hosts), ...urls(record, hosts), ...facts(record, hosts) };
}

/** The shape GitHub embeds as a fork's `parent` and `source`. */
function embedded(record: RepoRecord, hosts: Hosts): Repository {
  return { ...identity(record, hosts), ...urls(record, hosts), ...facts(record, hosts) };
}

export function fullRepository(record: RepoRecord, hosts: Hosts): FullRepository {
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

function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}
