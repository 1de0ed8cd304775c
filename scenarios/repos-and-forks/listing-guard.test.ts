// The listing guard: which URLs name the same page (pageKey), and when the next page of a listing
// may not be read (unreadPage): a page read before, at any distance, or a page past the cap. What each
// style makes of its error is in the conformance suite (test/conformance/repos-and-forks.test.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT, LinkHeaderError } from './contract.js';
import { pageKey, unreadPage } from './listing-guard.js';

const PAGE_1 = 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=1';
const PAGE_2 = 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=2';
const PAGE_3 = 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=3';

/** The LinkHeaderError `unreadPage` throws, or a failure when it answers instead. */
function refusal(next: string, pages: readonly string[], maxPages?: number): LinkHeaderError {
  try {
    unreadPage(next, pages, maxPages);
  } catch (error) {
    expect(error).toBeInstanceOf(LinkHeaderError);
    return error as LinkHeaderError;
  }
  throw new Error(`expected unreadPage to refuse ${next}`);
}

describe('pageKey', () => {
  it.each([
    ['the query in another order', 'http://127.0.0.1:4000/users/octocat/repos?page=1&per_page=100'],
    ['upper-case scheme and host', 'HTTP://127.0.0.1:4000/users/octocat/repos?per_page=100&page=1'],
    ['a fragment', 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=1#top'],
    ['dot segments', 'http://127.0.0.1:4000/users/x/../octocat/./repos?page=1&per_page=100'],
    ['credentials', 'http://someone:secret@127.0.0.1:4000/users/octocat/repos?per_page=100&page=1'],
    ['a %-escaped parameter name', 'http://127.0.0.1:4000/users/octocat/repos?page=1&per%5Fpage=100'],
  ])('gives the same key to a URL with %s', (_, url) => {
    expect(pageKey(url)).toBe(pageKey(PAGE_1));
  });

  it('drops the default port of http and https, and keeps any other', () => {
    expect(pageKey('http://api.example:80/repos?a=1')).toBe(pageKey('http://api.example/repos?a=1'));
    expect(pageKey('https://Api.Example:443/repos?a=1')).toBe(pageKey('https://api.example/repos?a=1'));
    expect(pageKey('https://api.example:80/repos?a=1')).not.toBe(pageKey('https://api.example/repos?a=1'));
    expect(pageKey('http://api.example:8080/repos?a=1')).not.toBe(pageKey('http://api.example/repos?a=1'));
  });

  it('reads as the URL, its parameters sorted by name', () => {
    expect(pageKey('https://API.github.com:443/users/octocat/repos?page=2&per_page=100#x')).toBe(
      'https://api.github.com/users/octocat/repos?page=2&per_page=100',
    );
    expect(pageKey('http://127.0.0.1:4000/users/octocat/repos?')).toBe('http://127.0.0.1:4000/users/octocat/repos');
    expect(pageKey('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000/');
  });

  it.each([
    ['another page', PAGE_2],
    ['another scheme', 'https://127.0.0.1:4000/users/octocat/repos?per_page=100&page=1'],
    ['another host', 'http://localhost:4000/users/octocat/repos?per_page=100&page=1'],
    ['another port', 'http://127.0.0.1:4001/users/octocat/repos?per_page=100&page=1'],
    ['a path in another case', 'http://127.0.0.1:4000/users/Octocat/repos?per_page=100&page=1'],
    ['a trailing slash', 'http://127.0.0.1:4000/users/octocat/repos/?per_page=100&page=1'],
    ['a parameter more', 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=1&sort=created'],
    ['a value written otherwise', 'http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=01'],
  ])('tells apart a URL with %s', (_, url) => {
    expect(pageKey(url)).not.toBe(pageKey(PAGE_1));
  });

  it('keeps the order of parameters of the same name, which a server may read as a list', () => {
    expect(pageKey('http://h/p?a=1&b=0&a=2')).toBe(pageKey('http://h/p?b=0&a=1&a=2'));
    expect(pageKey('http://h/p?a=1&a=2')).not.toBe(pageKey('http://h/p?a=2&a=1'));
  });

  it('is its own key for text that is not an http(s) URL', () => {
    expect(pageKey('not a url')).toBe('not a url');
    expect(pageKey('ftp://h/p?b=1&a=2')).toBe('ftp://h/p?b=1&a=2');
  });
});

describe('unreadPage', () => {
  it('answers undefined on the last page, and a page not read yet as it came', () => {
    expect(unreadPage(undefined, [pageKey(PAGE_1)])).toBeUndefined();
    expect(unreadPage(PAGE_2, [pageKey(PAGE_1)])).toBe(PAGE_2);
    expect(unreadPage(PAGE_3, [pageKey(PAGE_1), pageKey(PAGE_2)])).toBe(PAGE_3);
  });

  it.each([
    [1, [PAGE_1], PAGE_1.replace('per_page=100&page=1', 'page=1&per_page=100'), 'is page 1 of this listing again, after 1 page: a cycle of 1 page that would be read for ever'],
    [1, [PAGE_1, PAGE_2], PAGE_2, 'is page 2 of this listing again, after 2 pages: a cycle of 1 page that would be read for ever'],
    [2, [PAGE_1, PAGE_2], PAGE_1, 'is page 1 of this listing again, after 2 pages: a cycle of 2 pages that would be read for ever'],
    [3, [PAGE_1, PAGE_2, PAGE_3], PAGE_1, 'is page 1 of this listing again, after 3 pages: a cycle of 3 pages that would be read for ever'],
    [2, [PAGE_1, PAGE_2, PAGE_3], PAGE_2, 'is page 2 of this listing again, after 3 pages: a cycle of 2 pages that would be read for ever'],
  ])('refuses a cycle of %i page(s), naming the page that repeats and the pages read', (_, read, next, problem) => {
    const error = refusal(next, read.map(pageKey));
    expect(error.target).toBe(next);
    expect(error.message).toBe(`link rel="next" <${next}> ${problem}`);
  });

  it('refuses a page read before however its URL is written', () => {
    const next = 'HTTP://127.0.0.1:4000/users/octocat/repos?page=1&per_page=100#again';
    expect(refusal(next, [pageKey(PAGE_1), pageKey(PAGE_2)]).message).toContain('is page 1 of this listing again');
  });

  it('stops at maxPages: the page past the cap is refused, the last one within it is read', () => {
    const two = [pageKey(PAGE_1), pageKey(PAGE_2)];
    expect(refusal(PAGE_3, two, 2).message).toBe(`link rel="next" <${PAGE_3}> would be page 3 of this listing, past its cap of 2 pages (maxPages)`);
    expect(unreadPage(PAGE_3, two, 3)).toBe(PAGE_3);
    // The last page within the cap names no next page: the listing ends there.
    expect(unreadPage(undefined, two, 2)).toBeUndefined();
  });

  it('caps a listing at DEFAULT_INPUT.maxPages (1,000) when no cap is given', () => {
    expect(DEFAULT_INPUT.maxPages).toBe(1_000);
    const page = (n: number): string => `http://127.0.0.1:4000/users/octocat/repos?per_page=100&page=${n}`;
    const read = Array.from({ length: 999 }, (_, index) => pageKey(page(index + 1)));
    expect(unreadPage(page(1_000), read)).toBe(page(1_000));
    read.push(pageKey(page(1_000)));
    expect(refusal(page(1_001), read).message).toContain('would be page 1001 of this listing, past its cap of 1000 pages (maxPages)');
  });

  it('names a cycle before the cap: it says more about the server', () => {
    expect(refusal(PAGE_1, [pageKey(PAGE_1), pageKey(PAGE_2)], 2).message).toContain('a cycle of 2 pages');
  });
});
