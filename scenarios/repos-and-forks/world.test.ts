// The deterministic world: same seed, same world; GitHub-shaped bodies built on the given base URL;
// forks whose parent and source are other owners' repos that resolve too.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_USER,
  EMPTY_USER,
  EXACT_PAGE_USER,
  SMALL_USER,
  WorldError,
  createWorld,
  mulberry32,
} from './world.js';

const BASE = 'http://127.0.0.1:4567';

describe('createWorld', () => {
  it('has the documented default users', () => {
    expect(createWorld().users()).toEqual([
      { login: DEFAULT_USER, repos: 250, forks: 83 },
      { login: SMALL_USER, repos: 7, forks: 2 },
      { login: EXACT_PAGE_USER, repos: 100, forks: 33 },
      { login: EMPTY_USER, repos: 0, forks: 0 },
    ]);
  });

  it('gives the same world for the same seed and another world for another seed', () => {
    const snapshot = (seed: number): string => {
      const world = createWorld({ seed });
      const listings = world.users().map((user) => world.listRepos(user.login, BASE));
      const details = world.expectedSourceNames(DEFAULT_USER).map((name) => {
        const [owner = '', repo = ''] = name.split('/');
        return world.repo(owner, repo, BASE);
      });
      return JSON.stringify({ listings, details });
    };
    expect(snapshot(7)).toBe(snapshot(7));
    expect(snapshot(7)).not.toBe(snapshot(8));
    expect(createWorld().seed).toBe(1);
  });

  it('lists repos in GitHub default order (full_name ascending) with unique names', () => {
    const repos = createWorld().listRepos(DEFAULT_USER, BASE)!;
    const names = repos.map((repo) => repo.full_name.toLowerCase());
    expect(repos).toHaveLength(250);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(250);
    expect(repos.every((repo) => repo.owner.login === DEFAULT_USER && repo.full_name === `${DEFAULT_USER}/${repo.name}`)).toBe(true);
  });

  it('builds every URL on the base URL it is given', () => {
    const world = createWorld();
    const [first] = world.listRepos(DEFAULT_USER, `${BASE}/`)!;
    expect(first!.url).toBe(`${BASE}/repos/${first!.full_name}`);
    expect(first!.owner.repos_url).toBe(`${BASE}/users/${DEFAULT_USER}/repos`);
    const fork = world.expectedSourceNames(DEFAULT_USER)[0]!.split('/');
    const text = JSON.stringify([world.listRepos(DEFAULT_USER, BASE), world.repo(fork[0]!, fork[1]!, BASE)]);
    expect(text).not.toContain('github.com');
    // Without a base URL the bodies read like the real API's examples.
    const real = world.listRepos(DEFAULT_USER)![0]!;
    expect(real.url).toBe(`https://api.github.com/repos/${real.full_name}`);
    expect(real.html_url).toBe(`https://github.com/${real.full_name}`);
  });

  it('uses GitHub legacy node ids', () => {
    const repo = createWorld().listRepos(SMALL_USER, BASE)![0]!;
    expect(Buffer.from(repo.node_id, 'base64').toString()).toBe(`010:Repository${repo.id}`);
    expect(Buffer.from(repo.owner.node_id, 'base64').toString()).toBe(`04:User${repo.owner.id}`);
  });

  it('gives every fork a parent and a source of other owners, all resolvable', () => {
    const world = createWorld();
    const listing = world.listRepos(DEFAULT_USER, BASE)!;
    const forks = listing.filter((repo) => repo.fork);
    expect(forks).toHaveLength(83);
    expect(world.forkCount(DEFAULT_USER)).toBe(83);
    let forksOfForks = 0;
    for (const item of forks) {
      const full = world.repo(DEFAULT_USER, item.name, BASE)!;
      expect(full.fork).toBe(true);
      const { parent, source } = full;
      expect(source!.owner.login).not.toBe(DEFAULT_USER);
      expect(parent!.owner.login).not.toBe(DEFAULT_USER);
      expect(source!.fork).toBe(false);
      const [sourceOwner, sourceName] = source!.full_name.split('/');
      expect(world.repo(sourceOwner!, sourceName!, BASE)).toMatchObject({ full_name: source!.full_name, fork: false });
      const [parentOwner, parentName] = parent!.full_name.split('/');
      const resolvedParent = world.repo(parentOwner!, parentName!, BASE)!;
      if (parent!.full_name !== source!.full_name) {
        forksOfForks++;
        expect(resolvedParent.fork).toBe(true);
        expect(resolvedParent.source!.full_name).toBe(source!.full_name);
      }
    }
    // The seed gives some forks of forks, so the parent/source distinction is exercised.
    expect(forksOfForks).toBeGreaterThan(0);
    const sources = forks.map((item) => world.repo(DEFAULT_USER, item.name, BASE)!.source!.full_name);
    expect(world.expectedSourceNames(DEFAULT_USER)).toEqual(sources);
  });

  it('gives non-forks neither parent nor source', () => {
    const world = createWorld();
    const plain = world.listRepos(DEFAULT_USER, BASE)!.find((repo) => !repo.fork)!;
    const full = world.repo(DEFAULT_USER, plain.name, BASE)!;
    expect(full.fork).toBe(false);
    expect('parent' in full || 'source' in full).toBe(false);
  });

  it('resolves logins and names case-insensitively, as GitHub does', () => {
    const world = createWorld();
    const first = world.listRepos(DEFAULT_USER, BASE)![0]!;
    expect(world.listRepos(DEFAULT_USER.toUpperCase(), BASE)).toEqual(world.listRepos(DEFAULT_USER, BASE));
    expect(world.repo('OctoCat', first.name.toUpperCase(), BASE)?.full_name).toBe(first.full_name);
  });

  it('knows the empty and exact-page users and nobody else', () => {
    const world = createWorld();
    expect(world.listRepos(EMPTY_USER, BASE)).toEqual([]);
    expect(world.expectedSourceNames(EMPTY_USER)).toEqual([]);
    expect(world.listRepos(EXACT_PAGE_USER, BASE)).toHaveLength(100);
    expect(world.listRepos('no-such-user', BASE)).toBeUndefined();
    expect(world.repo(DEFAULT_USER, 'no-such-repo', BASE)).toBeUndefined();
    expect(() => world.expectedSourceNames('no-such-user')).toThrow(WorldError);
    expect(() => world.forkCount('no-such-user')).toThrow(/no user "no-such-user" in this world; users: octocat/);
  });

  it('honours forkShare and makes enough distinct names for big users', () => {
    const world = createWorld({
      users: [
        { login: 'all-forks', repos: 10, forkShare: 1 },
        { login: 'no-forks', repos: 10, forkShare: 0 },
        { login: 'big', repos: 1_200 },
      ],
    });
    expect(world.forkCount('all-forks')).toBe(10);
    expect(world.forkCount('no-forks')).toBe(0);
    const big = world.listRepos('big', BASE)!;
    expect(new Set(big.map((repo) => repo.name)).size).toBe(1_200);
    expect(world.forkCount('big')).toBe(400);
  });

  it('rejects bad options with a WorldError that names the value', () => {
    expect(() => createWorld({ seed: -1 })).toThrow(WorldError);
    expect(() => createWorld({ users: [{ login: 'bad login', repos: 1 }] })).toThrow(/"bad login": not a GitHub login/);
    expect(() => createWorld({ users: [{ login: 'a', repos: 1 }, { login: 'A', repos: 1 }] })).toThrow(/given twice/);
    expect(() => createWorld({ users: [{ login: 'a', repos: -1 }] })).toThrow(/repos -1 is not accepted/);
    expect(() => createWorld({ users: [{ login: 'a', repos: 1, forkShare: 2 }] })).toThrow(/forkShare 2 is not accepted/);
    expect(() => createWorld({ users: [{ login: 'acme-labs', repos: 1 }] })).toThrow(/reserved/);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 1_000 }, () => a());
    expect(Array.from({ length: 1_000 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(990);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});
