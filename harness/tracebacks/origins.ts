// Where each fault starts in a style's source: a `// @fault-origin: <case>[, <case>]` comment marks the
// line that creates the error. A marker alone on its line points at the next line of code; a marker
// trailing code points at its own line. One line may be the origin of several cases (a shared
// `send` creates both the NetworkError of `reset` and the TimeoutError of `hang`).

export class FaultOriginError extends Error {
  override readonly name = 'FaultOriginError';
}

const MARKER = /\/\/\s*@fault-origin:\s*(.+?)\s*$/;

/** Case id -> 1-based line of the origin. A case marked twice is an error: the distance would be ambiguous. */
export function findFaultOrigins(source: string, file = '<source>'): ReadonlyMap<string, number> {
  const lines = source.split('\n');
  const origins = new Map<string, number>();
  lines.forEach((text, index) => {
    const match = MARKER.exec(text);
    if (match === null) return;
    const cases = (match[1] ?? '').split(/[\s,]+/).filter((id) => id !== '');
    const standalone = text.trimStart().startsWith('//');
    const line = standalone ? nextCodeLine(lines, index) : index + 1;
    if (line === undefined) throw new FaultOriginError(`${file}:${index + 1}: @fault-origin marker with no code after it`);
    for (const id of cases) {
      const previous = origins.get(id);
      if (previous !== undefined) {
        throw new FaultOriginError(`${file}:${index + 1}: @fault-origin ${id} is already marked at line ${previous}`);
      }
      origins.set(id, line);
    }
  });
  return origins;
}

/**
 * Lines between the origin and the nearest of `lines` (frames of the same file); null when the
 * file has no frame in the trace or the case has no origin.
 */
export function originDistance(origin: number | undefined, lines: readonly number[]): number | null {
  if (origin === undefined || lines.length === 0) return null;
  return Math.min(...lines.map((line) => Math.abs(line - origin)));
}

// The first line after `index` that is neither blank nor a `//` comment (1-based).
function nextCodeLine(lines: readonly string[], index: number): number | undefined {
  for (let i = index + 1; i < lines.length; i++) {
    const text = (lines[i] ?? '').trim();
    if (text !== '' && !text.startsWith('//')) return i + 1;
  }
  return undefined;
}
