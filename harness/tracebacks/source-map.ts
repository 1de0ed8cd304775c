// Trace text made portable and TypeScript-true: absolute paths become repo-relative (results.json
// must not leak the machine's paths), and any frame still pointing at built JavaScript in `dist/` is
// mapped back to its TypeScript line through the `.js.map` tsc wrote beside it.
// Children run with --enable-source-maps, so the second step is a safety net: a library that
// replaces Error.prepareStackTrace (a debug mode, say) would otherwise leave JavaScript lines behind.
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Rewrites every absolute reference to `root` (path or file URL) as a path relative to it. */
export function relativizePaths(text: string, root: string): string {
  const base = root.replace(/\/+$/, '');
  const url = pathToFileURL(base).href;
  return text.split(`${url}/`).join('').split(`${base}/`).join('');
}

// `dist/styles/x/y.js:12:5`, possibly still a file URL or absolute, inside a frame's location.
const DIST_LOCATION = /((?:file:\/\/)?[^\s()]*?dist\/[^\s():]+\.js):(\d+):(\d+)/g;

/**
 * Maps `dist/**.js:line:col` locations of a (repo-relative) trace to `x.ts:line:col`; locations
 * without a map, or outside every mapping, are left as they are.
 */
export function mapDistLocations(text: string, root: string): string {
  const maps = new Map<string, SourceMap | null>();
  return text.replace(DIST_LOCATION, (whole, file: string, line: string, column: string) => {
    const absolute = file.startsWith('file://') ? new URL(file).pathname : path.resolve(root, file);
    const relativeToRoot = path.relative(root, absolute);
    if (relativeToRoot.startsWith('..') || !relativeToRoot.startsWith(`dist${path.sep}`)) return whole;
    let map = maps.get(absolute);
    if (map === undefined) {
      map = loadMap(absolute);
      maps.set(absolute, map);
    }
    if (map === null) return whole;
    // Stack positions are 1-based; the map's entries are 0-based.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return whole;
    const source = path.resolve(path.dirname(absolute), entry.originalSource.replace(/^file:\/\//, ''));
    return `${path.relative(root, source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** Both steps, in order: what the matrix stores as a row's `trace`. */
export function portableTrace(text: string, root: string): string {
  return mapDistLocations(relativizePaths(text, root), root);
}

function loadMap(jsFile: string): SourceMap | null {
  try {
    const payload = JSON.parse(readFileSync(`${jsFile}.map`, 'utf8')) as SourceMapPayload;
    return new SourceMap(payload);
  } catch {
    // No map beside the file (not built by tsc, or removed): the location stays as printed.
    return null;
  }
}
