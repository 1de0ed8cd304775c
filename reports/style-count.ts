// How a report counts the styles it shows, in words: from the run's own list of styles
// (results.json config.styles), never a number written into a template. The threads row is a style
// of its own kind, blocking code on threads, so it is named beside the count of async styles.
import type { Results } from '../harness/schema.js';
import { referenceRows } from './format.js';

/** The one style that is not an async style: blocking code, a thread per connection. */
export const BLOCKING_STYLE = 'threads';

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** The styles the run measured: its config's list, or, for a file without one, every style its figures name. */
export function runStyles(results: Results): string[] {
  const references = referenceRows(results);
  const listed = results.config.styles;
  // A reference row is never counted as a style, even where a run lists it among them.
  if (Array.isArray(listed) && listed.every((style): style is string => typeof style === 'string')) return [...new Set(listed)].filter((style) => !references.has(style));
  const named = [...results.metrics.map((m) => m.style), ...(results.difficulty ?? []).map((row) => row.style)];
  // The reference rows are references, and a variant (`callbacks+trace`) a style with a debug aid on, not a style.
  return [...new Set(named)].filter((style) => !references.has(style) && !style.includes('+'));
}

/** `seven async styles and threads`, `six async styles`, `threads`; `async styles` when the file names none. */
export function stylesInWords(results: Results): string {
  const styles = runStyles(results);
  const async = styles.filter((style) => style !== BLOCKING_STYLE);
  const count = async.length === 0 ? '' : `${WORDS[async.length] ?? String(async.length)} async style${async.length === 1 ? '' : 's'}`;
  if (!styles.includes(BLOCKING_STYLE)) return count === '' ? 'async styles' : count;
  return count === '' ? BLOCKING_STYLE : `${count} and ${BLOCKING_STYLE}`;
}
