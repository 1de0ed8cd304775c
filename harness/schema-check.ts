// The checks results.json must pass on the way in (harness/schema.ts parseResults): each names the
// first thing that is wrong. They read unknown data, so they need none of the schema's types.

export const SCHEMA_VERSION = 1;

/** The checks of one results object; a runtime matrix's runtimes are each checked the same way. */
export function checkResults(data: unknown, fail: (message: string) => never): void {
  if (!isRecord(data)) return fail('expected a JSON object at the top level');
  if (data.schemaVersion !== SCHEMA_VERSION) {
    return fail(`schemaVersion is ${JSON.stringify(data.schemaVersion)}; this kit reads version ${SCHEMA_VERSION}`);
  }
  if (data.tool !== 'async-rosetta') fail('tool is not "async-rosetta"');
  if (typeof data.createdAt !== 'string') fail('createdAt is missing');
  if (typeof data.durationMs !== 'number') fail('durationMs is missing');
  if (!isRecord(data.environment)) fail('environment is missing');
  const env = data.environment;
  for (const key of ['node', 'v8', 'platform', 'cpuModel'] as const) {
    if (typeof env[key] !== 'string') fail(`environment.${key} is missing`);
  }
  if (typeof env.cores !== 'number') fail('environment.cores is missing');
  if (typeof env.pinned !== 'boolean') fail('environment.pinned is missing');
  if (!isRecord(data.config)) fail('config is missing');
  checkConfig(data.config, fail);
  if (!Array.isArray(data.metrics)) return fail('metrics is missing');
  data.metrics.forEach((metric: unknown, index) => {
    const where = `metrics[${index}]`;
    if (!isRecord(metric)) return fail(`${where} is not an object`);
    for (const key of ['id', 'name', 'scenario', 'style', 'unit'] as const) {
      if (typeof metric[key] !== 'string') fail(`${where}.${key} is missing`);
    }
    if (metric.direction !== 'higher' && metric.direction !== 'lower') fail(`${where}.direction must be "higher" or "lower"`);
    if (metric.kind !== 'absolute' && metric.kind !== 'ratio') fail(`${where}.kind must be "absolute" or "ratio"`);
    if (!isRecord(metric.params)) fail(`${where}.params is missing`);
    if (!Array.isArray(metric.samples) || !metric.samples.every((s) => typeof s === 'number')) {
      fail(`${where}.samples must be an array of numbers`);
    }
    if (
      metric.runs !== undefined &&
      (!Array.isArray(metric.runs) ||
        metric.runs.length !== (metric.samples as unknown[]).length ||
        !metric.runs.every((run) => Number.isInteger(run) && (run as number) >= 0))
    ) {
      fail(`${where}.runs must be one whole run number (0 or more) per sample`);
    }
    if (typeof metric.median !== 'number') fail(`${where}.median is missing`);
    if (!Array.isArray(metric.ci95) || metric.ci95.length !== 2 || !metric.ci95.every((bound) => typeof bound === 'number')) {
      fail(`${where}.ci95 must be [low, high]`);
    }
    return undefined;
  });
  checkRows(data.failures, 'failures', { what: 'string', reason: 'string', message: 'string' }, fail);
  if (data.tracebacks !== undefined) {
    if (!isRecord(data.tracebacks)) fail('tracebacks must be an object');
    const tracebacks = data.tracebacks;
    checkRows(tracebacks.cases, 'tracebacks.cases', { id: 'string', description: 'string', expectedError: 'string' }, fail);
    checkRows(tracebacks.totals, 'tracebacks.totals', { style: 'string', score: 'number' }, fail);
    checkRows(
      tracebacks.rows,
      'tracebacks.rows',
      { style: 'string', case: 'string', outcome: 'string', trace: 'string', score: 'number', chain: 'array' },
      fail,
    );
    if (tracebacks.aids !== undefined) {
      checkRows(tracebacks.aids, 'tracebacks.aids', { variant: 'string', style: 'string', aid: 'string', how: 'string', why: 'string', packages: 'array' }, fail);
    }
  }
  if (data.difficulty !== undefined) {
    checkRows(
      data.difficulty,
      'difficulty',
      { style: 'string', scenario: 'string', file: 'string', tokens: 'number', tokenRatio: 'number', lines: 'number', maxNesting: 'number', cyclomatic: 'number' },
      fail,
    );
  }
  if (data.sources !== undefined) {
    checkRows(data.sources, 'sources', { style: 'string', scenario: 'string', path: 'string', text: 'string' }, fail);
  }
  if (data.memoryAttribution !== undefined) checkAttributions(data.memoryAttribution, fail);
  if (data.runtimes !== undefined) {
    if (!Array.isArray(data.runtimes)) return fail('runtimes must be an array');
    data.runtimes.forEach((runtime: unknown, index) => checkResults(runtime, (message) => fail(`runtimes[${index}]: ${message}`)));
  }
  return undefined;
}

/** The config fields the renderers read by name: optional (older files lack them); when present, of their type. */
function checkConfig(config: Record<string, unknown>, fail: (message: string) => never): void {
  const rows = config.referenceRows;
  if (rows !== undefined && (!Array.isArray(rows) || !rows.every((row) => typeof row === 'string'))) fail('config.referenceRows must be an array of strings');
  const aids = config.aids;
  if (aids !== undefined && (!Array.isArray(aids) || !aids.every((row) => typeof row === 'string'))) fail('config.aids must be an array of strings');
  const client = config.loadClient;
  if (client !== undefined && client !== 'native' && client !== 'node') fail('config.loadClient must be "native" or "node"');
}

/** memoryAttribution: optional (older files lack it); when present, every row and entry complete. */
function checkAttributions(rows: unknown, fail: (message: string) => never): void {
  const numbers = ['units', 'snapshotBytesPerConnection', 'nativeBytesPerConnection', 'measuredBytesPerConnection'] as const;
  const fields = { style: 'string', scenario: 'string', unit: 'string', entries: 'array', ...Object.fromEntries(numbers.map((key) => [key, 'number'])) } as const;
  checkRows(rows, 'memoryAttribution', fields, fail);
  (rows as { entries: unknown }[]).forEach((row, index) =>
    checkRows(row.entries, `memoryAttribution[${index}].entries`, { name: 'string', countPerConnection: 'number', bytesPerConnection: 'number' }, fail),
  );
}

/** Every row of an array field is an object whose named fields have the named types. */
function checkRows(
  rows: unknown,
  where: string,
  fields: Readonly<Record<string, 'string' | 'number' | 'array'>>,
  fail: (message: string) => never,
): void {
  if (!Array.isArray(rows)) fail(`${where} must be an array`);
  (rows as unknown[]).forEach((row, index) => {
    if (!isRecord(row)) fail(`${where}[${index}] is not an object`);
    for (const [key, kind] of Object.entries(fields)) {
      const value = row[key];
      const ok = kind === 'array' ? Array.isArray(value) : typeof value === kind && !(kind === 'number' && Number.isNaN(value));
      if (!ok) fail(`${where}[${index}].${key} must be ${kind === 'array' ? 'an array' : `a ${kind}`}`);
    }
  });
}

/** The path of the first number that is not finite, walking without recursion (a file may nest deep). */
export function firstNonFinite(data: unknown): { path: string; value: number; text: string } | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: data, path: '(top level)' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'number' && !Number.isFinite(value)) return { path, value, text: value > 0 ? 'too large' : 'too small' };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path === '(top level)' ? '' : path}[${i}]` });
    } else if (isRecord(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] ?? '';
        stack.push({ value: value[key], path: path === '(top level)' ? key : `${path}.${key}` });
      }
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
