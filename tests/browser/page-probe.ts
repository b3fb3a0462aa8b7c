import type { Page } from 'playwright-core';

/** What one live-run card showed after a render that changed it. */
export interface CardSample {
  runId: string;
  /** Date.now() in the page: the same clock as the test's, both run on this machine */
  t: number;
  /** the progress bar's aria-valuenow */
  value: number;
  /** "Stage i/n · label" */
  stage: string;
  /** the step counter inside the stage, when shown */
  step: number | null;
  status: string | null;
}

// Plain JavaScript, run in the page before its own scripts: a MutationObserver
// callback runs once per batch of DOM changes, so each sample is one render.
const probeScript = `(() => {
  const samples = [];
  const last = new Map();
  window.__cardSamples = samples;
  const record = () => {
    for (const card of document.querySelectorAll('li.run-card[data-run-id]')) {
      const bar = card.querySelector('[role="progressbar"]');
      if (!bar) continue;
      const runId = card.getAttribute('data-run-id');
      const value = Number(bar.getAttribute('aria-valuenow'));
      const stage = card.querySelector('.analysis-progress__stage')?.textContent ?? '';
      const details = card.querySelector('.analysis-progress__details')?.textContent ?? '';
      const stepText = /step ([0-9][^/]*)\\//.exec(details)?.[1]?.replace(/[^0-9]/g, '') ?? '';
      const step = stepText === '' ? null : Number(stepText);
      const status = card.getAttribute('data-status');
      const key = [value, stage, step, status].join('|');
      if (last.get(runId) === key) continue;
      last.set(runId, key);
      samples.push({ runId, t: Date.now(), value, stage, step, status });
    }
  };
  const start = () => {
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    record();
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();`;

/** Records every rendered change of every live-run card, from the page's first script on. */
export async function installCardProbe(page: Page): Promise<void> {
  await page.addInitScript({ content: probeScript });
}

export async function cardSamples(page: Page, runId: string): Promise<CardSample[]> {
  const all = await page.evaluate(() => (window as unknown as { __cardSamples: CardSample[] }).__cardSamples);
  return all.filter((sample) => sample.runId === runId);
}

/**
 * How often the bar's value and the step counter changed per second between
 * `from` and `to` (ms since the epoch), e.g. a run's first and last received event.
 */
export function renderRates(samples: CardSample[], from: number, to: number) {
  const inWindow = samples.filter((sample) => sample.t >= from && sample.t <= to + 50);
  const seconds = (to - from) / 1000;
  let valueChanges = 0;
  let stepChanges = 0;
  for (let i = 1; i < inWindow.length; i++) {
    const previous = inWindow[i - 1]!;
    const current = inWindow[i]!;
    if (current.value !== previous.value) valueChanges++;
    if (current.step !== previous.step || current.stage !== previous.stage) stepChanges++;
  }
  return {
    seconds: Number(seconds.toFixed(2)),
    renders: inWindow.length,
    valueChanges,
    stepChanges,
    valueChangesPerSecond: seconds > 0 ? Number((valueChanges / seconds).toFixed(1)) : null,
    stepChangesPerSecond: seconds > 0 ? Number((stepChanges / seconds).toFixed(1)) : null,
  };
}

export interface ReceivedEvent {
  /** Date.now() in the test process when the frame arrived */
  at: number;
  runId: string;
  type: string;
}

/** Progress events as they arrive on the page's WebSocket (what the server sent, before any rendering). */
export function recordReceivedEvents(page: Page): ReceivedEvent[] {
  const events: ReceivedEvent[] = [];
  page.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      // tracked(id, event) under superjson: { result: { data: { json: { id, data: event } } } }
      let message: { result?: { data?: { json?: { data?: { runId?: unknown; type?: unknown } } } } };
      try {
        message = JSON.parse(payload) as typeof message;
      } catch {
        return;
      }
      const event = message.result?.data?.json?.data;
      if (typeof event?.runId === 'string' && typeof event.type === 'string') {
        events.push({ at: Date.now(), runId: event.runId, type: event.type });
      }
    });
  });
  return events;
}

/** Events per second of one run, between its first `stage` event and its last event. */
export function receivedRate(events: ReceivedEvent[], runId: string) {
  const own = events.filter((event) => event.runId === runId);
  const first = own.find((event) => event.type === 'stage');
  const last = own.at(-1);
  const from = first?.at ?? 0;
  const to = last?.at ?? 0;
  const seconds = (to - from) / 1000;
  const counted = own.filter((event) => event.at >= from);
  const progress = counted.filter((event) => event.type === 'progress').length;
  return {
    from,
    to,
    seconds: Number(seconds.toFixed(2)),
    events: counted.length,
    progressEvents: progress,
    eventsPerSecond: seconds > 0 ? Number((counted.length / seconds).toFixed(1)) : null,
    types: [...new Set(own.map((event) => event.type))],
  };
}
