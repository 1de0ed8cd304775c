// The world both workflow children build from the same seed: the default users plus one user whose
// listing is a single page without forks, for the in-flight memory run (its held listing request is
// the only suspension point, and releasing it ends the workflow without further requests).
import { createWorld, DEFAULT_USERS, type World } from '../../scenarios/repos-and-forks/world.js';

export const HELD_USER = 'held-hal';

export function benchWorld(): World {
  return createWorld({ users: [...DEFAULT_USERS, { login: HELD_USER, repos: 10, forkShare: 0 }] });
}
