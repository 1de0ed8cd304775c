// The listing guard: whether the next page of a listing may be read, so that every listing ends.
// A `link` that names a page this listing has already read would be followed for ever, however
// promptly each page arrives: that is a cycle, caught here whatever its length (page 2 -> page 1 ->
// page 2 ...). A server can also mint a new URL for every page (page=01, page=001, ...), which no
// comparison catches; the cap on the number of pages ends that. Pure, like the rest of the shared
// parsing: the pages read are the style's own state, and every style's readRepos calls `unreadPage`
// in its guarded block, so a LinkHeaderError from here becomes that style's ParseError.
import { DEFAULT_INPUT, LinkHeaderError } from './contract.js';

/**
 * The key that names one page: the URL with its scheme and host lower-cased, a default port (80 for
 * http, 443 for https) dropped, dot segments resolved, the query's parameters sorted by name
 * (parameters of the same name keep their order) and the fragment (never sent) and any credentials
 * dropped. Two URLs with the same key ask the server for the same page. Text that is not an http(s)
 * URL is its own key.
 */
export function pageKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  const query = new URLSearchParams(parsed.search);
  query.sort();
  const search = query.toString();
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${search === '' ? '' : `?${search}`}`;
}

/**
 * `next` (the `rel="next"` URL of the page just read; undefined on the last page) when this listing
 * may read it. `pages` holds the `pageKey` of every page of the listing read so far, in the order
 * read, the page that carried `next` last. Throws a LinkHeaderError when `next` is one of those pages
 * (a cycle), or when the listing already holds `maxPages` pages.
 */
export function unreadPage(
  next: string | undefined, pages: readonly string[], maxPages: number = DEFAULT_INPUT.maxPages,
): string | undefined {
  if (next === undefined) return undefined;
  const seen = pages.indexOf(pageKey(next));
  if (seen !== -1) {
    const length = pages.length - seen;
    throw new LinkHeaderError(
      next,
      `is page ${seen + 1} of this listing again, after ${pagesOf(pages.length)}: ` +
        `a cycle of ${pagesOf(length)} that would be read for ever`,
    );
  }
  if (pages.length >= maxPages) {
    throw new LinkHeaderError(
      next,
      `would be page ${pages.length + 1} of this listing, past its cap of ${maxPages} pages (maxPages)`,
    );
  }
  return next;
}

function pagesOf(count: number): string {
  return `${count} page${count === 1 ? '' : 's'}`;
}
