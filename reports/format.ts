// How every renderer writes a number, a unit, a parameter set and a style: one place, so the HTML
// page, the Markdown comment and the charts never disagree on "1.9 KiB" versus "1,936 bytes".
// Also the order and colour of the styles, which every chart and table shares.
import type { Results } from '../harness/schema.js';
import { STYLE_IDS } from '../styles/adapter.js';

/** The Node echo reference server: shown beside the styles, never ranked among them. */
export const BASELINE = 'baseline';

/** The minimal C epoll echo server: the machine's ceiling, a reference row when the run had a C compiler. */
export const CEILING = 'c-epoll';

/** The echo reference rows the kit knows by name, in report order: the Node baseline first, then the servers not written in Node. */
export const KNOWN_REFERENCES: readonly string[] = [BASELINE, CEILING, 'uvloop', 'asyncio', 'asyncio-streams'];

/**
 * The rows of a run that are references, not styles: shown in the echo tables and charts, never
 * ranked, coloured best or worst, counted or put in a headline. The run lists them in
 * `config.referenceRows`; a file written before that field has the baseline alone.
 */
export function referenceRows(results: Pick<Results, 'config'>): ReadonlySet<string> {
  const listed = results.config.referenceRows;
  const rows = Array.isArray(listed) ? listed.filter((row): row is string => typeof row === 'string') : [];
  // The debug-aid variants a run measured beside their styles (`config.aids`) are shown, never ranked.
  const aids = Array.isArray(results.config.aids) ? results.config.aids.filter((row): row is string => typeof row === 'string') : [];
  // The baseline is the reference every ratio divides by: a reference whatever the list says.
  return new Set([BASELINE, ...rows, ...aids]);
}

/** The echo load client the run measured capacity with, as the header names it; undefined in a file that does not say. */
export function loadClientText(results: Pick<Results, 'config'>): string | undefined {
  const client = results.config.loadClient;
  return client === 'native' ? 'native (C)' : client === 'node' ? 'node' : undefined;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// One formatter each, made once: `toLocaleString` builds a new one per call, and a report formats
// tens of thousands of numbers.
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SMALL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** Three significant digits below 1000, whole numbers with thousands separators above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return WHOLE.format(Math.round(value));
  if (abs === 0) return '0';
  return SMALL.format(Number(value.toPrecision(3)));
}

/** Binary prefixes, as memory is counted: 1936 -> "1.89 KiB". */
export function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${formatNumber(scaled)} ${units[unit] ?? 'B'}`;
}

/** A value with its unit, e.g. `12,345 req/s`, `1.89 KiB`, `0.93× baseline`, `120 µs`. */
export function formatValue(value: number, unit: string): string {
  if (isByteUnit(unit)) return formatBytes(value);
  // Ratio twins carry `x <reference>` (`x baseline`, `x callbacks`, `x ideal`).
  const ratio = /^(?:x|×|ratio)(?:\s+(.*))?$/.exec(unit);
  if (ratio !== null) return ratio[1] === undefined ? formatFactor(value) : `${formatFactor(value)} ${ratio[1]}`;
  const shown = displayUnit(unit);
  return shown === '' ? formatNumber(value) : `${formatNumber(value)} ${shown}`;
}

/** The harness writes ASCII units (`us`, `us/req`); a reader expects `µs`. */
export function displayUnit(unit: string): string {
  return unit.replace(/^us\b/, 'µs');
}

/** A value without its unit, for a table whose row names the unit; bytes keep their prefix, ratios their ×. */
export function formatBare(value: number, unit: string): string {
  if (isByteUnit(unit)) return formatBytes(value);
  if (/^(?:x|×|ratio)(?:\s|$)/.test(unit)) return formatFactor(value);
  return formatNumber(value);
}

/** The 95% interval as its two bounds, without the unit; empty when both are equal (a single sample). */
export function formatInterval(interval: readonly [number, number], unit: string): string {
  const [low, high] = interval;
  if (low === high) return '';
  return `${formatBare(low, unit)} – ${formatBare(high, unit)}`;
}

/** R² of a fit with the harness's four decimals, so 0.9996 does not read as a perfect 1.000. */
/**
 * A timed figure's precision as its rounds left it: the relative half-width of its 95% interval and
 * what stopped the rounds (the target precision, the budget, or the cap of rounds); undefined for a
 * figure not taken in rounds.
 */
export function precisionNote(extra: Readonly<Record<string, string | number | boolean>> | undefined, interval: readonly [number, number]): string | undefined {
  const stoppedBy = extra?.stoppedBy;
  if (typeof stoppedBy !== 'string') return undefined;
  const [low, high] = interval;
  const half = low > 0 && high >= low ? Math.sqrt(high / low) - 1 : Number.NaN;
  const reached = Number.isFinite(half) ? `±${(half * 100).toFixed(1)}%` : '±?';
  const by = stoppedBy === 'precision' ? 'target reached' : stoppedBy === 'budget' ? 'budget spent' : 'rounds capped';
  return `${reached} (${by})`;
}

export function formatR2(r2: number): string {
  return r2.toFixed(4);
}

/** A factor against the best, e.g. `1.00×`, `2.4×`, `13×`. */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return '–';
  if (factor >= 10) return `${factor.toFixed(0)}×`;
  if (factor >= 2) return `${factor.toFixed(1)}×`;
  return `${factor.toFixed(2)}×`;
}

/** `bytes`, `bytes/conn`, `bytes/workflow`, `B`: anything counted in bytes, shown with binary prefixes. */
export function isByteUnit(unit: string): boolean {
  return unit === 'B' || /^bytes\b/.test(unit);
}

/** Milliseconds as a person reads a run's length: `850 ms`, `42 s`, `12 min 5 s`, `1 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// The parameters the harness writes, in the order a reader wants them and with their own words.
const PARAM_ORDER = ['size', 'connections', 'latencyMs', 'concurrent', 'maxConnections', 'messageBytes', 'maxInflight'];

export function paramLabel(key: string, value: string | number | boolean): string {
  if (typeof value === 'number') {
    switch (key) {
      case 'size':
        return formatBytes(value);
      case 'connections':
        return `${formatNumber(value)} conn`;
      case 'latencyMs':
        return `${formatNumber(value)} ms latency`;
      case 'concurrent':
        return `${formatNumber(value)} concurrent`;
      case 'maxConnections':
        return `up to ${formatNumber(value)} conn`;
      case 'messageBytes':
        return `after a ${formatBytes(value)} echo`;
      case 'maxInflight':
        return `up to ${formatNumber(value)} in flight`;
    }
  }
  return `${key}=${String(value)}`;
}

/** `1 KiB · 10 conn`: the parameters of one measurement, in a stable order. */
export function formatParams(params: Readonly<Record<string, string | number | boolean>>): string {
  return sortedParamKeys(params)
    .map((key) => paramLabel(key, params[key] ?? ''))
    .join(' · ');
}

export function sortedParamKeys(params: Readonly<Record<string, unknown>>): string[] {
  const rank = (key: string): number => {
    const index = PARAM_ORDER.indexOf(key);
    return index === -1 ? PARAM_ORDER.length : index;
  };
  return Object.keys(params).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Orders two parameter sets key by key, numbers numerically, so `size=1024` comes before `size=10240`. */
export function compareParams(
  a: Readonly<Record<string, string | number | boolean>>,
  b: Readonly<Record<string, string | number | boolean>>,
): number {
  const keys = sortedParamKeys({ ...a, ...b });
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

/** A configuration value on one line: lists comma-separated, objects as `key=value` pairs. */
export function configValue(value: unknown): string {
  if (typeof value === 'string') return value;
  // An empty list is something the run did not do (no debug-aid variants), not a blank.
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => configValue(item)).join(', ');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, item]) => `${key}=${Array.isArray(item) ? item.map((x) => configValue(x)).join(',') : configValue(item)}`)
      .join('  ');
  }
  return String(value);
}

// ------------------------------------------------------------------------------------------------
// Styles: the registry's order (most manual to most abstract), the baseline first as the reference,
// each debug-aid variant (`callbacks+trace`) right after its plain style, and anything unknown after, as it came.

const KNOWN_ORDER: readonly string[] = [...KNOWN_REFERENCES, ...STYLE_IDS];

export function orderStyles(styles: Iterable<string>): string[] {
  const unique = [...new Set(styles)];
  const rank = (style: string): [number, number] => {
    const plus = style.indexOf('+');
    const base = plus === -1 ? style : style.slice(0, plus);
    const index = KNOWN_ORDER.indexOf(base);
    const position = index === -1 ? KNOWN_ORDER.length + unique.indexOf(base === style || !unique.includes(base) ? style : base) : index;
    // The plain style first, then its variants in the order they came.
    return [position, plus === -1 ? -1 : unique.indexOf(style)];
  };
  return unique.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1];
  });
}

// Tableau 10, minus its grey, which belongs to the references alone.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
// Neutral greys and grey-blues for the reference rows: told apart, never mistaken for a style.
const NEUTRALS = ['#bdbdbd', '#d9d2c5', '#5d6670', '#9e9a91'];
const FIXED: Readonly<Record<string, string>> = {
  [BASELINE]: '#8c8c8c',
  [CEILING]: '#3f3f3f',
  uvloop: '#6b7785',
  asyncio: '#a3acb9',
  'asyncio-streams': '#c2b8a3',
  callbacks: '#4e79a7',
  'promise-chains': '#f28e2b',
  coroutines: '#e15759',
  'coroutines+debug': '#ff9da7',
  'async-await': '#59a14f',
  rxjs: '#b07aa1',
  'fp-ts': '#76b7b2',
  effect: '#9c755f',
};

/**
 * The colour of each style, the same in every chart of a report. A reference row the kit does not
 * know by name (`references`) gets a neutral colour, never one of the styles' palette.
 */
export function styleColours(styles: readonly string[], references: ReadonlySet<string> = new Set(KNOWN_REFERENCES)): Map<string, string> {
  const free = PALETTE.filter((colour) => !Object.values(FIXED).includes(colour));
  const neutral = NEUTRALS.filter((colour) => !Object.values(FIXED).includes(colour));
  let next = 0;
  let nextNeutral = 0;
  return new Map(
    styles.map((style) => {
      const fixed = FIXED[style];
      if (fixed !== undefined) return [style, fixed];
      if (references.has(style)) return [style, neutral[nextNeutral++ % Math.max(1, neutral.length)] ?? '#bdbdbd'];
      const colour = free[next % Math.max(1, free.length)] ?? '#9c755f';
      next++;
      return [style, colour];
    }),
  );
}

// ------------------------------------------------------------------------------------------------
// The heat scale of the factor tables: 0 is the best cell, 1 the worst, interpolated in RGB between
// three stops (green, pale yellow, red) that stay readable under dark text.

const HEAT_STOPS: readonly (readonly [number, number, number])[] = [
  [198, 239, 206],
  [255, 243, 196],
  [248, 196, 188],
];

export function heatColour(heat: number): string {
  const t = Math.min(1, Math.max(0, heat)) * (HEAT_STOPS.length - 1);
  const index = Math.min(HEAT_STOPS.length - 2, Math.floor(t));
  const from = HEAT_STOPS[index] ?? [255, 255, 255];
  const to = HEAT_STOPS[index + 1] ?? from;
  const mix = (i: 0 | 1 | 2): string =>
    Math.round(from[i] + (to[i] - from[i]) * (t - index))
      .toString(16)
      .padStart(2, '0');
  return `#${mix(0)}${mix(1)}${mix(2)}`;
}

/** `NAME=value ...` in name order, or what a results file written before the children's environment was recorded says. */
export function childEnvText(env: Readonly<Record<string, string>> | undefined): string {
  if (env === undefined) return 'not recorded';
  const entries = Object.entries(env).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name}=${value}`).join(' ');
}
