// `rosetta memory --explain <style>`: what one style keeps alive per idle echo connection and per
// in-flight workflow, from two heap snapshots of its real server (or workflow runner) after GC, at 0
// and N units, diffed by the name V8 gives each node (harness/phases/memory-explain.ts). The same
// attribution `rosetta run` records in results.json's memoryAttribution.
import type { MemoryAttribution } from '../../harness/schema.js';
import { styleIds } from '../../styles/registry.js';
import { UsageError, flagBoolean, flagNumber, flagString, helpText, parseArgs, rejectPositionals, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { availableCores } from '../../harness/env.js';
import { canPin } from '../../harness/processes/probes.js';
import { killAllChildren } from '../../harness/processes/watch.js';
import { Progress } from '../../harness/progress.js';
import { Collector } from '../../harness/results.js';
import { measure, planConfig, type PhaseContext } from '../../harness/phases/common.js';
import { explainEcho, explainWorkflow, unitsFor, type ExplainScenario } from '../../harness/phases/memory-explain.js';

const BASELINE = 'baseline';
const SCENARIOS: readonly ExplainScenario[] = ['echo', 'repos-and-forks'];
const USAGE = 'rosetta memory --explain <style|baseline> [--connections N] [--scenario echo|repos-and-forks] [--top N] [--json]';
const DEFAULT_UNITS = planConfig({ scenarios: [], styles: [], quick: false, out: '' }).memoryExplain.units;

function specs(): FlagSpecs {
  return {
    explain: { kind: 'string', choices: [...styleIds(), BASELINE], help: 'the style to explain (baseline: echo only)', metavar: 'STYLE' },
    connections: {
      kind: 'int',
      min: 1,
      max: 10_000,
      help: `idle connections (and in-flight workflows) held at the second snapshot (default ${DEFAULT_UNITS}; threads: at most its own sweep's 200)`,
      metavar: 'N',
    },
    scenario: { kind: 'string', choices: SCENARIOS, help: 'only this scenario (default: both; the baseline has echo only)', metavar: 'NAME' },
    top: { kind: 'int', min: 1, max: 100, help: 'entries printed per table (default 10)', metavar: 'N' },
    json: { kind: 'boolean', help: 'print the attributions as JSON (results.json memoryAttribution entries)' },
  };
}

export const command: Command = {
  summary: 'explain a style\'s memory per connection and per in-flight workflow from heap snapshots',
  get help(): string {
    return helpText(
      USAGE,
      'Starts the style\'s echo server (and its workflow runner against a fake GitHub that holds every answer) in\n' +
        'fresh children, as the memory phases do, and writes a V8 heap snapshot after GC with 0 and with N idle\n' +
        'connections (or N workflows suspended on their first request). The two are diffed by the name V8 gives\n' +
        'each node (Socket, TCP, (closure) name, system / Context, Promise, ...) and divided by N: count and bytes\n' +
        'per unit of each, their total, and heapUsed + external read at the same two points. Needs the build.\n' +
        'Exit code 1 when a measurement failed.',
      specs(),
    );
  },
  async run(argv) {
    const args = parseArgs('memory', argv, specs());
    rejectPositionals('memory', args, USAGE);
    const style = flagString(args, 'explain');
    if (style === undefined) throw new UsageError(`rosetta memory: --explain is required; accepted: ${[...styleIds(), BASELINE].join(', ')}; usage: ${USAGE}`);
    const asked = flagString(args, 'scenario') as ExplainScenario | undefined;
    if (style === BASELINE && asked === 'repos-and-forks') {
      throw new UsageError('rosetta memory: --explain baseline has no repos-and-forks workflow; accepted with it: --scenario echo');
    }
    const scenarios = asked !== undefined ? [asked] : style === BASELINE ? (['echo'] as const) : SCENARIOS;
    const units = flagNumber(args, 'connections') ?? DEFAULT_UNITS;
    const top = flagNumber(args, 'top') ?? 10;

    const controller = new AbortController();
    const interrupt = (signal: NodeJS.Signals): void => {
      controller.abort();
      void killAllChildren().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const collector = new Collector();
    const progress = new Progress({ stream: process.stderr });
    const context: PhaseContext = {
      config: planConfig({ scenarios: [], styles: [style], quick: false, out: '' }),
      collector,
      progress,
      signal: controller.signal,
      cpus: canPin(availableCores()) ? { measured: 0, load: 1 } : undefined,
    };
    try {
      for (const scenario of scenarios) {
        const held = unitsFor(style, scenario, units).units;
        progress.note(`${style}, ${scenario}: heap snapshots at 0 and ${held} ${scenario === 'echo' ? 'idle connections' : 'in-flight workflows'}...`);
        const explain = scenario === 'echo' ? explainEcho : explainWorkflow;
        await measure(context, `memory.explain.${scenario} style=${style}`, async (track) => {
          collector.explain(await explain({ style, units, cpus: context.cpus }, track));
        });
      }
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    if (flagBoolean(args, 'json')) process.stdout.write(JSON.stringify(collector.attributions, null, 2) + '\n');
    else process.stdout.write(collector.attributions.map((attribution) => attributionTable(attribution, top)).join('\n\n') + '\n');
    for (const failure of collector.failures) {
      process.stderr.write(`rosetta memory: ${failure.what}: ${failure.reason}: ${failure.message}\n${failure.stderrTail}\n`);
    }
    return collector.failures.length > 0 ? 1 : 0;
  },
};

/** The attribution as a text table: the top entries, their sum, the snapshot's total and the measured figure. */
export function attributionTable(attribution: MemoryAttribution, top: number): string {
  const entries = attribution.entries.slice(0, top);
  const total = attribution.snapshotBytesPerConnection;
  const share = (bytes: number): string => (total > 0 ? `${((100 * bytes) / total).toFixed(1)}%` : '-');
  const bytes = (value: number): string => value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const rows: string[][] = entries.map((entry) => [entry.name, entry.countPerConnection.toFixed(2), bytes(entry.bytesPerConnection), share(entry.bytesPerConnection)]);
  const sum = entries.reduce((acc, entry) => acc + entry.bytesPerConnection, 0);
  const per = attribution.unit;
  const footer: string[][] = [
    [`top ${entries.length}`, '', bytes(sum), share(sum)],
    ['every node of the snapshot diff', '', bytes(total), share(total)],
    ['  of which Node\'s C++ objects (Node / ...)', '', bytes(attribution.nativeBytesPerConnection), share(attribution.nativeBytesPerConnection)],
    ['  the rest: V8 heap and ArrayBuffer stores', '', bytes(total - attribution.nativeBytesPerConnection), share(total - attribution.nativeBytesPerConnection)],
    ['heapUsed + external at the same two points', '', bytes(attribution.measuredBytesPerConnection), ''],
    ...(attribution.slopeBytesPerConnection !== undefined ? [['memory phase slope (heapUsed + external)', '', bytes(attribution.slopeBytesPerConnection), '']] : []),
  ];
  const header = ['name (as V8 names it)', `count/${per === 'idle connection' ? 'conn' : 'workflow'}`, 'bytes', 'share'];
  const all = [header, ...rows, ...footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string => row.map((text, i) => (i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    `${attribution.style}, ${attribution.scenario}: what one ${per} keeps alive (heap snapshots after GC at 0 and ${attribution.units}, diffed, divided by ${attribution.units})`,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    ...footer.map(line),
  ].join('\n');
}
