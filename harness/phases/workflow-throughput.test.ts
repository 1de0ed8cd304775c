// The workflow throughput phase on real children (needs the build, dist/): the runner's loop can be
// paused and resumed so that one runner at a time drives the fake server, and the phase turns a
// style and the in-pair reference about, giving each sample its paired ratio. Also its pure parts:
// the ideal wall-time bound of a workflow and the forks per page the children serve.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { HELD_USER } from '../child/world.js';
import { Progress } from '../progress.js';
import { spawnChild, type Child } from '../processes/children.js';
import { liveChildren } from '../processes/watch.js';
import { buildMetrics, Collector } from '../results.js';
import { planConfig, sleep, type PhaseContext } from './common.js';
import { forksPerPage, idealWallMs, workflowThroughputPhase } from './workflow-throughput.js';

const children: Child[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop(500)));
  expect(liveChildren()).toEqual([]);
});

const served = async (fake: Child): Promise<number> => (await fake.request<{ served: number }>('stats')).served;

describe('the workflow runner child', () => {
  it('pauses once its workflows in flight have ended, sends nothing while paused, and resumes', async () => {
    const fake = spawnChild({ entry: 'fake-github', label: 'fake-github[test]', deadlineMs: 30_000 });
    const runner = spawnChild({ entry: 'workflow', label: 'workflow[callbacks]', args: ['callbacks'], deadlineMs: 30_000 });
    children.push(fake, runner);
    const { url } = await fake.request<{ url: string }>('start', { latencyMs: 0, hold: false });
    const started = await runner.request<{ t: number }>('loop-start', { apiUrl: url, user: DEFAULT_USER, concurrent: 4 });
    await sleep(200);

    const paused = await runner.request<{ t: number }>('loop-pause');
    const atPause = await served(fake);
    expect(atPause, 'requests served before the pause').toBeGreaterThan(0);
    await sleep(200);
    expect(await served(fake), 'requests served while paused').toBe(atPause);
    await expect(runner.request('loop-pause')).rejects.toThrow('the workflow loop is paused already');
    // Every workflow it ran is counted: none was cut off by the pause.
    const { completed } = await runner.request<{ completed: number }>('window', { from: started.t, to: paused.t + 1 });
    expect(completed).toBeGreaterThan(0);
    const pages = forksPerPage(DEFAULT_USER, DEFAULT_INPUT.perPage);
    const perWorkflow = pages.length + pages.reduce((sum, forks) => sum + forks, 0);
    expect(atPause % perWorkflow, `requests of whole workflows only (${perWorkflow} each)`).toBe(0);
    expect(atPause / perWorkflow).toBeGreaterThanOrEqual(completed);

    await runner.request('loop-resume');
    await expect(runner.request('loop-resume')).rejects.toThrow('the workflow loop is not paused');
    await sleep(200);
    expect(await served(fake), 'requests served after the resume').toBeGreaterThan(atPause);
    await runner.request('loop-stop', {}, 15_000);
    await expect(runner.request('loop-pause')).rejects.toThrow('no workflow loop is running');
  }, 30_000);
});

describe('workflow throughput', () => {
  it('takes turns in rounds and gives each sample its ratio to the reference runner of the same round', async () => {
    const collector = new Collector();
    const quick = planConfig({ scenarios: ['repos-and-forks'], styles: ['callbacks', 'promise-chains'], quick: true, seed: 3, out: '/nonexistent' });
    // Shorter than a quick run's (the suite's time is CI's): the minimum of rounds, short turns.
    const workflow = {
      ...quick.workflow,
      warmup: { ...quick.workflow.warmup, minMs: 250, maxMs: 500 },
      turn: { settleMs: 30, windowMs: 100, pairs: 2 },
      rounds: { minRounds: 3, maxRounds: 3 },
    };
    const context: PhaseContext = {
      config: { ...quick, workflow },
      collector,
      progress: new Progress({ stream: { write: () => true } as unknown as NodeJS.WritableStream, tty: false }),
      signal: new AbortController().signal,
      cpus: undefined,
      deadline: performance.now(),
    };
    await workflowThroughputPhase.run(context);
    expect(collector.failures).toEqual([]);

    const throughput = collector.samples.filter((sample) => sample.name === 'workflow.throughput');
    expect(new Set(throughput.map((sample) => sample.style))).toEqual(new Set(['callbacks', 'promise-chains']));
    // Three rounds, one sample each per style unless its turn was dropped (and said so).
    for (const style of ['callbacks', 'promise-chains']) {
      const mine = throughput.filter((sample) => sample.style === style);
      expect(mine.length + Number(mine[0]?.extra?.droppedTurns ?? 0)).toBeGreaterThanOrEqual(3);
      expect(mine[0]?.extra?.stoppedBy).toBe('rounds');
    }
    for (const sample of throughput) {
      expect(sample.value).toBeGreaterThan(0);
      // Two Node styles against a callbacks runner: within what they can differ by.
      expect(sample.pairedRatio).toBeGreaterThan(0.2);
      expect(sample.pairedRatio).toBeLessThan(5);
    }
    for (const sample of collector.samples.filter((s) => s.name === 'workflow.cpu_ms_per_workflow')) {
      expect(sample.pairedRatio).toBeGreaterThan(0.2);
      expect(sample.pairedRatio).toBeLessThan(5);
    }
    const metrics = buildMetrics(collector.samples);
    for (const name of ['workflow.throughput.ratio', 'workflow.cpu_ms_per_workflow.ratio']) {
      const twins = metrics.filter((metric) => metric.name === name);
      expect(twins.map((metric) => [metric.style, metric.extra?.paired]).sort(), name).toEqual([
        ['callbacks', true],
        ['promise-chains', true],
      ]);
    }
    // The wall time at latency, once per style, against the ideal bound.
    expect(collector.samples.filter((s) => s.name === 'workflow.bound_ratio').map((s) => s.style).sort()).toEqual(['callbacks', 'promise-chains']);
    // Every recorded turn is in results.json's turns, for the variance analysis.
    expect(collector.turns.filter((t) => t.phase === 'workflow').length).toBe(throughput.length);
  }, 120_000);
});

describe('idealWallMs', () => {
  it('is the pages alone when there are no forks', () => {
    expect(idealWallMs([0, 0, 0], 8, 20)).toBe(60);
  });

  it('starts forks as soon as their page arrives and fills every slot', () => {
    // 16 forks on page 1 (arrives at 20): two rounds of 8 → 60; page 2 at 40 adds nothing.
    expect(idealWallMs([16, 0], 8, 20)).toBe(60);
    // 9 forks, page at 10: eight run 10-20, the ninth 20-30.
    expect(idealWallMs([9], 8, 10)).toBe(30);
  });

  it('waits for a late page: forks on the last page cannot start before it', () => {
    expect(idealWallMs([0, 0, 1], 8, 20)).toBe(80);
  });

  it('beats the pages-then-forks bound when forks overlap the later pages', () => {
    const pages = forksPerPage(DEFAULT_USER, 100);
    expect(pages).toHaveLength(3);
    const forks = pages.reduce((sum, n) => sum + n, 0);
    expect(forks).toBe(83);
    const pagesThenForks = (pages.length + Math.ceil(forks / 8)) * 20;
    expect(idealWallMs(pages, 8, 20)).toBeLessThan(pagesThenForks);
    expect(idealWallMs(pages, 8, 20)).toBeGreaterThanOrEqual(20 + Math.ceil(forks / 8) * 20);
  });

  it('serves the held user on one page without forks', () => {
    expect(forksPerPage(HELD_USER, 100)).toEqual([0]);
  });
});
