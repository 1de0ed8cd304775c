// The micro suites by style id, loaded on demand so a child imports only its own style's code
// (and, for coroutines, only that style starts the kit's loop).
import type { MicroSuite } from '../scenarios/micro/contract.js';

const SUITES: Readonly<Record<string, () => Promise<{ suite: MicroSuite }>>> = {
  callbacks: () => import('./callbacks/micro.js'),
  'promise-chains': () => import('./promise-chains/micro.js'),
  coroutines: () => import('./coroutines/micro.js'),
  'async-await': () => import('./async-await/micro.js'),
  rxjs: () => import('./rxjs/micro.js'),
  'fp-ts': () => import('./fp-ts/micro.js'),
  effect: () => import('./effect/micro.js'),
};

export function hasMicroSuite(style: string): boolean {
  return style in SUITES;
}

export async function loadMicroSuite(style: string): Promise<MicroSuite> {
  const load = SUITES[style];
  if (load === undefined) throw new Error(`no micro suite for ${JSON.stringify(style)}; known: ${Object.keys(SUITES).join(', ')}`);
  return (await load()).suite;
}
