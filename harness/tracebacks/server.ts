// The matrix's fake GitHub servers: one per worker, warmed up once and reset between pairs, so no
// pair pays for rendering the world's bodies in its time to surface.
import http from 'node:http';
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { startFakeGithub, type FakeGithub } from '../../scenarios/repos-and-forks/fake-github.js';
import { DEFAULT_USER, type World } from '../../scenarios/repos-and-forks/world.js';

/** The worker's server, idle and with zeroed counters; a new one when the last pair left it busy. */
export async function readyServer(server: FakeGithub | undefined, world: World): Promise<FakeGithub> {
  if (server !== undefined) {
    try {
      // The last child is gone, so its sockets close; a server that stays busy is replaced, not trusted.
      await server.idle(1_000);
      server.resetStats();
      return server;
    } catch {
      await server.close();
    }
  }
  const fresh = await startFakeGithub({ world });
  await warmUp(fresh, world);
  return fresh;
}

// Every page and fork body asked for once, so the server has rendered and cached them all before the
// first child runs: otherwise the first pair on a server would pay for the rendering in its time to surface.
async function warmUp(server: FakeGithub, world: World): Promise<void> {
  const listing = world.listRepos(DEFAULT_USER) ?? [];
  const pages = Math.max(1, Math.ceil(listing.length / DEFAULT_INPUT.perPage));
  const urls = [
    ...Array.from({ length: pages }, (_, index) => `${server.url}/users/${DEFAULT_USER}/repos?per_page=${DEFAULT_INPUT.perPage}&page=${index + 1}`),
    ...listing.filter((repo) => repo.fork).map((repo) => `${server.url}/repos/${repo.full_name}`),
  ];
  for (const url of urls) await getOnce(url);
  await server.idle(1_000);
  server.resetStats();
}

/** One GET on its own connection (no keep-alive), so the server is idle as soon as it is answered. */
function getOnce(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        response.resume();
        response.once('end', () => resolve());
        response.once('error', reject);
      })
      .once('error', reject);
  });
}
