// index.html in a real browser: Debian's headless Chromium (never a downloaded one), driven by
// playwright-core, opens the report rendered from the fixture as a file, with every request that is
// not that file refused and recorded. Every section is laid out, every chart has a box, nothing is
// logged as an error, the style checkboxes work without script, and screenshots are kept in
// reports/latest/screenshots/ for a person to look at. No Chromium: skipped, except on CI (fails).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECTIONS } from './html.js';
import { renderReport } from './render.js';
import { parseResults } from '../harness/schema.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(import.meta.dirname, 'latest', 'screenshots');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'results.fixture.json');
const onCi = process.env.CI === 'true';
const present = existsSync(CHROMIUM);
if (!present && !onCi) console.warn(`reports/browser.test.ts: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.runIf(!present && onCi)('index.html in Chromium, on CI', () => {
  it(`needs Chromium at ${CHROMIUM}`, () => {
    expect.fail(`CI=true and ${CHROMIUM} does not exist: install it (apt-get install -y chromium); the browser test may not be skipped on CI`);
  });
});

describe.skipIf(!present)(`index.html in Chromium${present ? '' : ` (skipped: no ${CHROMIUM}; apt-get install -y chromium)`}`, () => {
  let dir = '';
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  const refused: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rosetta-browser-test-'));
    await renderReport(parseResults(readFileSync(FIXTURE, 'utf8'), FIXTURE), dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    // The page must need nothing but itself: anything else is refused, and remembered.
    const href = pathToFileURL(join(dir, 'index.html')).href;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === href) return route.continue();
      refused.push(url);
      return route.abort();
    });
    await page.goto(href, { waitUntil: 'load' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('lays out every section with a box of its own', async () => {
    for (const [id] of SECTIONS) {
      const box = await page.locator(`section#${id}`).boundingBox();
      expect(box, `#${id}`).not.toBeNull();
      expect(box?.height ?? 0, `#${id} height`).toBeGreaterThan(20);
      expect(box?.width ?? 0, `#${id} width`).toBeGreaterThan(300);
    }
  });

  it('draws every chart with a non-zero box', async () => {
    const charts = page.locator('figure.chart > svg');
    expect(await charts.count()).toBe(13);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
      expect(box?.height ?? 0).toBeGreaterThan(100);
    }
  });

  it('logs no error and asks for nothing outside the file', () => {
    expect(consoleErrors).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('hides a style’s column when its checkbox is cleared, with no script on the page', async () => {
    expect(await page.locator('script').count()).toBe(0);
    const column = page.locator('#sbs-repos-and-forks td.c-rxjs').first();
    expect(await column.isVisible()).toBe(true);
    await page.locator('label[for="sbs-repos-and-forks-rxjs"]').click();
    expect(await column.isVisible()).toBe(false);
    // Only that style, only that scenario.
    expect(await page.locator('#sbs-repos-and-forks td.c-fp-ts').first().isVisible()).toBe(true);
    await page.locator('label[for="sbs-repos-and-forks-rxjs"]').click();
    expect(await column.isVisible()).toBe(true);
  });

  it('saves screenshots of the page for a person to look at', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots: string[] = [];
    // A tall viewport, and the page scrolled by its own anchors: each shot is the top 1,800 px of
    // a section, below the sticky navigation, enough to read it and small enough to open.
    await page.setViewportSize({ width: 1440, height: 1800 });
    const href = page.url().replace(/#.*$/, '');
    const shoot = async (name: string, id?: string): Promise<void> => {
      const path = join(SCREENSHOTS, `${name}.png`);
      if (id === undefined) {
        // A fresh load, not a key press: the page may be mid smooth-scroll from an earlier anchor.
        await page.goto(href);
        await page.screenshot({ path });
      } else {
        await page.goto(`${href}#${id}`);
        const box = await page.locator(`section#${id}`).boundingBox();
        if (box === null) throw new Error(`#${id} has no box`);
        await page.screenshot({ path, clip: { x: 0, y: box.y, width: 1440, height: Math.min(box.height, 1800 - box.y) } });
      }
      shots.push(path);
    };
    await shoot('top');
    await shoot('two-axes', 'two-axes');
    await shoot('throughput', 'throughput');
    await shoot('results-table', 'results-table');
    await shoot('side-by-side', 'side-by-side');
    await shoot('tracebacks', 'tracebacks');
    // A blank 1440 x 1800 page compresses to about 12 KB; every section here draws far more.
    for (const path of shots) expect(statSync(path).size, path).toBeGreaterThan(40_000);
  }, 60_000);
});
