import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { describe, expect, it } from 'vitest';
import { chainRec } from './chain-rec.js';

describe('chainRec', () => {
  it('loops on Right(Left(next)) and ends with the b of Right(Right(b))', async () => {
    const seen: number[] = [];
    const result = await chainRec(0, (n: number) => {
      seen.push(n);
      return TE.right(n < 3 ? E.left(n + 1) : E.right(`done at ${n}`));
    })();
    expect(result).toEqual(E.right('done at 3'));
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('a Left ends the loop with that Left and runs no further turn', async () => {
    const seen: number[] = [];
    const result = await chainRec(0, (n: number) => {
      seen.push(n);
      return n === 2 ? TE.left(`failed at ${n}`) : TE.right(E.left(n + 1));
    })();
    expect(result).toEqual(E.left('failed at 2'));
    expect(seen).toEqual([0, 1, 2]);
  });

  it('runs a hundred thousand turns without growing the stack', async () => {
    const result = await chainRec(0, (n: number) => TE.right(n < 100_000 ? E.left(n + 1) : E.right(n)))();
    expect(result).toEqual(E.right(100_000));
  });
});
