// The order servers and styles take turns in: shuffled per round from one seed, so no style always
// goes first (right after a process start, or right after the machine was quiet), and a run can be
// replayed with the seed results.json records.
import { seededRandom } from '../stats/bootstrap.js';

/** A fresh seed for a run that was given none: recorded, so the order can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}

/** `items` in an order that depends only on (seed, round): Fisher-Yates with the kit's seeded generator. */
export function shuffled<T>(items: readonly T[], seed: number, round: string): T[] {
  const random = seededRandom((seed ^ hash(round)) >>> 0);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** FNV-1a of a string: distinct rounds get unrelated orders from one seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
