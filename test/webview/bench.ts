/// <reference lib="dom" />
/**
 * `npm run bench:viewer`: how long the plan viewer takes to draw a generated plan of 500 (and
 * 2,000) nodes in headless Chromium, measured in the page with performance.now(): the view alone
 * (the app's own figure), the whole `show` (header, tips, details, view), and from posting the
 * message to the second animation frame after it (style, layout and paint included). Each figure
 * is the median of 7 runs on a fresh page; "unfolded" draws every node (no default folding).
 */
import type { PlanViewer } from '../../server/src/protocol';
import { generatedReport, ordersShow } from './fixtures';
import { openHarness, type Page } from './harness';

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(page: Page, url: string, message: PlanViewer.ShowMessage, unfolded: boolean): Promise<{ view: number; show: number; frame: number; cards: number }> {
  await page.evaluate(() => sessionStorage.clear());
  if (unfolded) {
    // A saved state for this plan with no folds: the app restores it and draws every node.
    await page.evaluate((state: PlanViewer.State) => sessionStorage.setItem('planViewerState', JSON.stringify(state)),
      { show: message, metric: 'time', view: 'tree', collapsed: [], search: '', zoom: 1 } satisfies PlanViewer.State);
    const started = Date.now();
    await page.goto(url);
    await page.waitForSelector('.node');
    const figures = await page.evaluate(() => ({ view: Number(document.body.dataset.renderMs), show: Number(document.body.dataset.showMs), cards: document.querySelectorAll('.node').length }));
    return { ...figures, frame: Date.now() - started };
  }
  await page.goto(url);
  return page.evaluate((m: PlanViewer.ShowMessage) => new Promise((resolve) => {
    const started = performance.now();
    window.postMessage(m, '*');
    // The message is handled in a task of its own; two frames later it has been laid out and painted.
    setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve({
      view: Number(document.body.dataset.renderMs),
      show: Number(document.body.dataset.showMs),
      frame: performance.now() - started,
      cards: document.querySelectorAll('.node').length,
    }))));
  }), message);
}

async function main(): Promise<void> {
  const harness = await openHarness();
  try {
    for (const size of [500, 2000]) {
      const message: PlanViewer.ShowMessage = { ...ordersShow(), report: generatedReport(size), sourceRanges: undefined };
      for (const unfolded of [false, true]) {
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await measure(harness.page, harness.url, message, unfolded));
        const view = median(runs.map((run) => run.view));
        const show = median(runs.map((run) => run.show));
        const frame = median(runs.map((run) => run.frame));
        const what = unfolded ? 'unfolded, page load to drawn (wall clock)' : 'to painted frame';
        console.log(`${size} nodes${unfolded ? ' unfolded' : ', default folds'} (${runs[0].cards} cards): view ${view.toFixed(1)} ms, whole show ${show.toFixed(1)} ms, ${what} ${frame.toFixed(1)} ms`);
      }
    }
    if (harness.problems.length > 0) throw new Error(harness.problems.join('\n'));
  } finally {
    await harness.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
