import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeAnalysisClient, createAnalysisClient } from '../../client/index.ts';
import { ensureWebBuild } from '../../scripts/build-web.ts';
import { launchChromium } from './browser.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';
import { cardSamples, installCardProbe, receivedRate, recordReceivedEvents, renderRates } from './page-probe.ts';

const outputDir = fileURLToPath(new URL('../output', import.meta.url));

/** small enough to finish in a few seconds, big enough for many progress events */
const quickRun = { layers: '6', neuronsPerLayer: '128', samples: '5000' };

let browser: Browser;

/** expect.poll with room for a busy machine (its default gives up after 1 s) */
function poll<T>(read: () => Promise<T> | T, timeoutMs = 15_000) {
  return expect.poll(read, { timeout: timeoutMs, interval: 100 });
}

beforeAll(async () => {
  await ensureWebBuild({ log: () => {} });
  browser = await launchChromium();
  mkdirSync(outputDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Page errors and console errors (a CSP violation is one), collected for the end of a test. */
function watchForErrors(page: Page, ignore: RegExp | null = null): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !(ignore && ignore.test(message.text()))) {
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
}

async function fillForm(page: Page, values: Record<string, string>) {
  const labels: Record<string, string> = { layers: 'Layers', neuronsPerLayer: 'Neurons per layer', samples: 'Samples' };
  for (const [name, value] of Object.entries(values)) {
    await page.getByLabel(labels[name] ?? name, { exact: true }).fill(value);
  }
}

/** The focused element's accessible-name source: aria-label, else its text. */
function focused(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    return element.getAttribute('aria-label') ?? element.textContent;
  });
}

/** Submits the start form and returns the new run's card (located by the id the page announces). */
async function startRun(page: Page): Promise<{ runId: string; card: Locator }> {
  const announcement = page.locator('form.start-form [role="status"]');
  const before = await announcement.textContent();
  await page.getByRole('button', { name: 'Start run' }).click();
  const started = /^Run ([0-9a-f]{6}) started\.$/;
  await poll(
    async () => (await announcement.textContent()) !== before && started.test((await announcement.textContent()) ?? ''),
  ).toBe(true);
  const shortId = started.exec((await announcement.textContent()) ?? '')![1]!;
  const card = page.locator(`li.run-card[data-run-id$="${shortId}"]`);
  const runId = (await card.getAttribute('data-run-id'))!;
  return { runId, card };
}

describe('demo page, single-user mode', () => {
  let server: DemoServer;
  let context: BrowserContext;
  beforeAll(async () => {
    server = await startDemoServer();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('starts a run and follows it live, cancels another, and finds both in the history after a reload', async () => {
    const page = await context.newPage();
    const errors = watchForErrors(page);
    await installCardProbe(page);
    const received = recordReceivedEvents(page);
    await page.goto(server.url);
    await poll(() => page.getByRole('heading', { name: 'Analysis runs' }).isVisible()).toBe(true);
    await poll(() => page.getByText('Nothing is running.').isVisible()).toBe(true);

    // defaults come from the analysis' input schema
    expect(await page.getByLabel('Layers', { exact: true }).inputValue()).toBe('6');
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('42');

    await fillForm(page, quickRun);
    const first = await startRun(page);
    const firstBar = first.card.getByRole('progressbar');

    // a second, default-sized run (much longer), to cancel once it is running
    await page.getByRole('button', { name: 'Reset to defaults' }).click();
    const second = await startRun(page);
    expect(second.runId).not.toBe(first.runId);

    await poll(async () => Number(await firstBar.getAttribute('aria-valuenow')), 30_000).toBeGreaterThanOrEqual(15);
    await page.screenshot({ path: path.join(outputDir, 'demo-page-mid-run.png'), fullPage: true });

    await poll(() => second.card.getAttribute('data-status'), 20_000).toBe('running');
    await second.card.getByRole('button', { name: /^Cancel Run / }).click();
    // the pressed button stays focusable while the cancel is under way (which can be over already)…
    expect(await focused(page)).toMatch(/^(Cancel|Details of) Run /);
    await poll(() => second.card.getAttribute('data-status'), 15_000).toBe('cancelled');
    // …and when the run ends and Cancel goes away, focus moves to Details instead of falling to <body>
    expect(await focused(page)).toBe(`Details of Run ${second.runId.slice(-6)}`);
    expect(await second.card.textContent()).toContain('Cancelled: cancelled from the demo page');
    expect(await second.card.getByRole('button', { name: /^Cancel Run / }).count()).toBe(0);

    await poll(() => first.card.getAttribute('data-status'), 40_000).toBe('completed');
    expect(await firstBar.getAttribute('aria-valuenow')).toBe('100');

    const samples = await cardSamples(page, first.runId);
    const values = samples.map((sample) => sample.value);
    // the bar rose in many renders and never went back
    expect(new Set(values).size).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(values[0]).toBeLessThan(50);
    // the stage label moved forward through the stages, from the first to the last
    const stages = [...new Set(samples.map((sample) => sample.stage).filter((stage) => stage.startsWith('Stage ')))];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toBe('Stage 1/4 · Generate activations');
    expect(stages.at(-1)).toBe('Stage 4/4 · Per-layer summary');
    const indices = stages.map((stage) => Number(/Stage (\d+)\//.exec(stage)![1]));
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(await first.card.locator('.stage-timeline li[data-status="completed"]').count()).toBe(4);

    const { from, to, ...sent } = receivedRate(received, first.runId);
    expect(sent.types).toContain('progress');
    const rendered = renderRates(samples, from, to);
    const report = { run: first.runId, input: quickRun, received: sent, rendered, stages };
    writeFileSync(path.join(outputDir, 'demo-page-progress.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      `[demo page] one run's progress, rendered: ${JSON.stringify(rendered)}; received: ${JSON.stringify(sent)}`,
    );

    // the completed run's result, per layer
    await first.card.getByRole('button', { name: /^Details of Run / }).click();
    const details = page.locator('section.details-panel');
    await poll(() => details.locator('.layer-table tbody tr').count()).toBe(6);
    expect(await details.textContent()).toMatch(/768 neurons, 5,000 samples: \d+ dead neurons/);
    expect(await focused(page)).toMatch(/^Run #/);
    // Escape closes the panel and gives focus back to the button that opened it
    await page.keyboard.press('Escape');
    await poll(() => details.count()).toBe(0);
    expect(await focused(page)).toBe(`Details of Run ${first.runId.slice(-6)}`);
    // Dismiss takes its card, and so its own focus, away: the list's heading gets it
    await second.card.getByRole('button', { name: /^Dismiss Run / }).click();
    await poll(() => second.card.count()).toBe(0);
    expect(await focused(page)).toBe('Live runs');

    // after a reload only the history knows them
    await page.reload();
    const history = page.locator('table.history-table');
    const firstRow = history.locator(`tr[data-run-id="${first.runId}"]`);
    const secondRow = history.locator(`tr[data-run-id="${second.runId}"]`);
    await poll(() => firstRow.getAttribute('data-status')).toBe('completed');
    expect(await secondRow.getAttribute('data-status')).toBe('cancelled');
    expect(await page.locator('li.run-card').count()).toBe(0);

    // the status filter asks the server for cancelled runs only
    await page.getByRole('checkbox', { name: 'cancelled' }).check();
    await poll(() => firstRow.count()).toBe(0);
    expect(await secondRow.count()).toBe(1);

    // more cancelled runs than fit on a page, through the API (default-sized, so each is still going when cancelled)
    const client = createAnalysisClient({ url: server.url, WebSocket });
    const extra: string[] = [];
    for (let i = 0; i < 11; i++) {
      const run = await client.analysis.start.mutate({
        kind: 'neuron-activation-stats',
        input: {},
      });
      await client.analysis.cancel.mutate({ runId: run.id, reason: 'paging' });
      extra.push(run.id);
    }
    const cancelled = [second.runId, ...extra];
    const cancelledIds = async () =>
      (await client.analysis.history.query({ status: ['cancelled'], limit: 100 })).items.map((run) => run.id);
    // running ones take a moment to stop; queued ones are cancelled at once
    await poll(async () => (await cancelledIds()).sort(), 15_000).toEqual([...cancelled].sort());
    closeAnalysisClient(client);

    const rows = history.locator('tbody tr');
    // one look at the table (row locators taken one by one would wait for rows a re-render removed)
    const rowIds = () => rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-run-id')));
    const newestFirst = [...cancelled].reverse();
    await poll(rowIds, 15_000).toEqual(newestFirst.slice(0, 10));
    await page.getByRole('button', { name: 'Older →' }).click();
    await poll(rowIds).toEqual(newestFirst.slice(10));
    expect(await page.getByRole('navigation', { name: 'History pages' }).textContent()).toContain('Page 2');
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await poll(rowIds).toEqual(newestFirst.slice(0, 10));
    // on the first page Newer is unavailable but keeps the focus it had
    expect(await page.getByRole('button', { name: '← Newer' }).isDisabled()).toBe(true);
    expect(await focused(page)).toBe('← Newer');

    // "Show all" removes itself: focus goes to the history's heading
    await page.getByRole('button', { name: 'Show all' }).click();
    expect(await focused(page)).toBe('History');
    await poll(() => history.locator('caption').textContent()).toBe('Runs, newest first, page 1');

    expect(errors).toEqual([]);
  }, 90_000);

  it('says when the history cannot be loaded (not "nothing is running"), recovers on Retry, stays put when Older fails', async () => {
    const page = await context.newPage();
    const errors = watchForErrors(page, /Failed to load resource/);
    const historyCalls = (url: URL) => url.pathname.includes('analysis.history');
    await page.route(historyCalls, (route) => route.abort());
    await page.goto(server.url);
    const live = page.getByRole('region', { name: 'Live runs' });
    // after the query client's retries
    await poll(() => live.getByRole('alert').textContent()).toContain('Could not look for running analyses');
    expect(await live.getByText('Nothing is running.').count()).toBe(0);
    await poll(() => page.getByRole('region', { name: 'History' }).getByRole('alert').textContent()).toContain(
      'Could not load the history',
    );

    await page.unroute(historyCalls);
    await live.getByRole('button', { name: 'Retry' }).click();
    await poll(() => live.getByText('Nothing is running.').isVisible()).toBe(true);
    expect(await live.getByRole('alert').count()).toBe(0);

    // more runs than fit on a page (the test above leaves some; tiny ones top them up)
    const client = createAnalysisClient({ url: server.url, WebSocket });
    const existing = (await client.analysis.history.query({ limit: 11 })).items.length;
    for (let i = existing; i < 11; i++) {
      await client.analysis.start.mutate({
        kind: 'neuron-activation-stats',
        input: { layers: 1, neuronsPerLayer: 8, samples: 100 },
      });
    }
    closeAnalysisClient(client);
    const history = page.getByRole('region', { name: 'History' });
    const older = history.getByRole('button', { name: 'Older →' });
    await poll(() => older.isEnabled()).toBe(true);

    // an "Older" that fails stays on page 1 and says why
    await page.route(historyCalls, (route) => route.abort());
    await older.click();
    await poll(() => history.getByRole('alert').textContent()).toContain('Could not load older runs');
    expect(await history.getByRole('navigation').textContent()).toContain('Page 1');
    expect(await history.locator('tbody tr').count()).toBe(10);
    expect(errors).toEqual([]);
  }, 45_000);
});

describe('demo page with API_TOKENS', () => {
  const token = 'browser-test-token-0123456789';
  let server: DemoServer;
  let context: BrowserContext;
  beforeAll(async () => {
    server = await startDemoServer({ API_TOKENS: `alice:${token}` });
    context = await browser.newContext();
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('asks for a token, refuses a wrong one and works with the right one', async () => {
    const page = await context.newPage();
    // refused calls show up as failed requests in the console; everything else must be clean
    const errors = watchForErrors(page, /401|Unauthorized|WebSocket/i);
    await page.goto(server.url);
    const tokenField = page.getByLabel('API token', { exact: true });
    await poll(() => tokenField.isVisible()).toBe(true);

    await tokenField.fill('not-the-token');
    await page.getByRole('button', { name: 'Continue' }).click();
    await poll(() => page.getByRole('alert').textContent()).toContain('The server refused that token');

    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Continue' }).click();
    await poll(() => page.getByRole('button', { name: 'Start run' }).isVisible()).toBe(true);

    await fillForm(page, { layers: '1', neuronsPerLayer: '8', samples: '100' });
    const { runId, card } = await startRun(page);
    await poll(() => card.getAttribute('data-status'), 20_000).toBe('completed');

    // the token is kept for this tab's session
    await page.reload();
    await poll(() => page.locator(`table.history-table tr[data-run-id="${runId}"]`).getAttribute('data-status')).toBe(
      'completed',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await poll(() => page.getByLabel('API token', { exact: true }).isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(errors).toEqual([]);
  }, 45_000);
});
