/// <reference lib="dom" />
/**
 * The webview tier: the plan viewer app (dist/media/planViewer.js) in headless Chromium, under the
 * CSP the real page carries, fed `show` messages as the extension would send them. Screenshots in
 * the light and dark themes go to test/webview/shots/.
 */
import * as assert from 'assert';
import type { PlanViewer } from '../../server/src/protocol';
import { planReport } from '../../server/src/plan/planReport';
import { pev2Plan } from '../support/pev2Plans';
import { planFromExplainJson } from '../../server/src/plan/planModel';
import { fixtureJson } from '../unit/plan/fixtures';
import { ORDERS_SQL, generatedReport, ordersReportBefore, ordersShow } from './fixtures';
import { type Harness, type Page, cspViolations, openHarness, posted, screenshot, send, setTheme } from './harness';

describe('plan viewer (webview, Chromium)', function () {
  this.timeout(30000);
  let harness: Harness;
  let page: Page;

  before(async () => {
    harness = await openHarness();
    page = harness.page;
  });
  after(async () => {
    await harness?.close();
  });

  /** A fresh page with no saved state, showing `message`. */
  async function show(message: PlanViewer.ShowMessage): Promise<void> {
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await setTheme(page, 'dark');
    await send(page, message);
    await page.waitForSelector('.node');
  }

  async function lastPosted(): Promise<PlanViewer.FromWebview | undefined> {
    const all = await posted(page);
    return all[all.length - 1];
  }

  it('posts ready on load, then draws a card per node with its figures', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    assert.deepStrictEqual(await posted(page), [{ type: 'ready' }]);
    await send(page, ordersShow());
    await page.waitForSelector('.node');
    assert.strictEqual(await page.locator('.card.node').count(), 7);
    const orders = page.locator('.card[data-id="4"]');
    assert.strictEqual(await orders.locator('.type').textContent(), 'Seq Scan');
    assert.strictEqual(await orders.locator('.relation').textContent(), 'public.orders o');
    assert.strictEqual(await orders.locator('.rows').textContent(), 'rows 5,000 of 500 est. ×10 under');
    assert.strictEqual(await orders.locator('.cost').textContent(), 'cost 2,000 · own 2,000');
    assert.strictEqual(await orders.locator('.time').textContent(), '80.0 ms · own 80.0 ms');
    assert.strictEqual(await orders.locator('.buffers').textContent(), 'buffers hit 100 · read 1,900');
    assert.strictEqual(await page.locator('.title').textContent(), 'reports.sql:12');
    assert.strictEqual(await page.locator('.card[data-id="2"] .type').textContent(), 'HashAggregate', 'the label, not the bare node type');
  });

  it('marks the hot path: from the root, the child with the most inclusive time', async () => {
    await show(ordersShow());
    const hot = await page.locator('.card.hot').evaluateAll((cards: HTMLElement[]) => cards.map((card) => Number(card.dataset.id)));
    assert.deepStrictEqual(hot, [0, 1, 2, 3, 4]);
  });

  it('lists the tips with their messages and badges their nodes', async () => {
    await show(ordersShow());
    const messages = await page.locator('.tips .tip-message').allTextContents();
    assert.deepStrictEqual(messages, ordersShow().report.tips.map((tip) => tip.message));
    assert.strictEqual(await page.locator('.card[data-id="4"] .badge').textContent(), '⚠ 1');
    assert.strictEqual(await page.locator('.card[data-id="1"] .badge').count(), 0);
    const verdicts = await page.locator('.tips .verdict').allTextContents();
    assert.deepStrictEqual(verdicts, ['verified with HypoPG, est. cost 2,500 → 310', 'unverified: no HypoPG in this database']);
  });

  it('Create index posts the tip’s statement', async () => {
    await show(ordersShow());
    await page.locator('.tips .tip[data-node="4"] .create-index').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'createIndex', tipNode: 4, statement: 'CREATE INDEX ON public.orders (status);' });
    await page.locator('.tips .tip[data-node="6"] .create-index').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'createIndex', tipNode: 6, statement: 'CREATE INDEX ON customers (id);' });
    assert.strictEqual(await page.locator('.tips .tip[data-tip="row-misestimate"] .create-index').count(), 0);
  });

  it('clicking a node posts selectNode, shows its details and highlights its SQL', async () => {
    await show(ordersShow());
    await page.locator('.card[data-id="4"]').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'selectNode', id: 4 });
    assert.strictEqual(await page.locator('mark.sql-range').textContent(), 'orders o');
    assert.strictEqual(await page.locator('pre.sql').textContent(), ORDERS_SQL);
    assert.strictEqual(await page.locator('.detail-title').textContent(), 'Seq Scan on orders o');
    const details = await page.locator('.detail-table tr').evaluateAll((rows: HTMLElement[]) => rows.map((row) => row.textContent));
    assert.ok(details.includes('Rows Removed by Filter95000'), details.join(' | '));
    assert.ok(details.includes("Filter(status = 'paid'::text)"), details.join(' | '));
    assert.strictEqual(await page.locator('.card[data-id="4"]').getAttribute('aria-selected'), 'true');
    await page.locator('.card[data-id="3"]').click();
    assert.strictEqual(await page.locator('mark.sql-range').textContent(), 'JOIN orders o ON o.customer_id = c.id');
    await page.locator('.card[data-id="1"]').click();
    assert.strictEqual(await page.locator('mark.sql-range').count(), 0, 'the Sort has no source range');
  });

  it('switching the metric moves the emphasis (own time: orders; buffers: customers)', async () => {
    await show(ordersShow());
    const weights = (): Promise<Record<string, string>> => page.locator('.card.node').evaluateAll((cards: HTMLElement[]) =>
      Object.fromEntries(cards.map((card) => [card.dataset.id, card.dataset.weight])));
    assert.strictEqual(await page.locator('select.metric').inputValue(), 'time');
    const byTime = await weights();
    assert.strictEqual(byTime['4'], '1.000');
    assert.strictEqual(byTime['6'], '0.100');
    await page.locator('select.metric').selectOption('buffers');
    const byBuffers = await weights();
    assert.strictEqual(byBuffers['6'], '1.000');
    assert.strictEqual(byBuffers['4'], (2000 / 5080).toFixed(3));
    const barWidth = await page.locator('.card[data-id="4"] .bar-fill').evaluate((fill: HTMLElement) => fill.style.width);
    assert.strictEqual(barWidth, `${((2000 / 5080) * 100).toFixed(1)}%`);
  });

  it('folds and unfolds a subtree', async () => {
    await show(ordersShow());
    await page.locator('.card[data-id="3"] .fold').click();
    assert.strictEqual(await page.locator('.card.node').count(), 4);
    assert.strictEqual(await page.locator('.card[data-id="3"] .fold').textContent(), '+ 3');
    assert.strictEqual(await page.locator('.card[data-id="3"]').getAttribute('aria-expanded'), 'false');
    await page.locator('.card[data-id="3"] .fold').click();
    assert.strictEqual(await page.locator('.card.node').count(), 7);
  });

  it('search highlights the matching nodes and dims the rest', async () => {
    await show(ordersShow());
    await page.locator('input.search').fill('customers');
    const matches = await page.locator('.card.match').evaluateAll((cards: HTMLElement[]) => cards.map((card) => Number(card.dataset.id)));
    assert.deepStrictEqual(matches, [6]);
    assert.strictEqual(await page.locator('.card.dim').count(), 6);
    assert.strictEqual(await page.locator('.search-count').textContent(), '1 found');
  });

  it('zooms with the buttons and ctrl+wheel', async () => {
    await show(ordersShow());
    const scale = (): Promise<string> => page.locator('.canvas').evaluate((canvas: HTMLElement) => /scale\(([^)]+)\)/.exec(canvas.style.transform)![1]);
    assert.strictEqual(await scale(), '1');
    await page.locator('.zoom button[title="Zoom in"]').click();
    assert.strictEqual(await scale(), '1.25');
    await page.locator('.viewport').hover({ position: { x: 300, y: 300 } });
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, 300);
    await page.keyboard.up('Control');
    assert.strictEqual(Number(await scale()).toFixed(4), (1.25 * Math.exp(-1)).toFixed(4));
  });

  it('the icicle gives each node a width proportional to its inclusive time; a click selects', async () => {
    await show(ordersShow());
    await page.locator('.tab[data-view="icicle"]').click();
    const widths: Record<string, number> = await page.locator('.cell').evaluateAll((cells: HTMLElement[]) =>
      Object.fromEntries(cells.map((cell) => [cell.dataset.id, cell.getBoundingClientRect().width])));
    const report = ordersShow().report;
    for (const node of report.nodes) {
      const expected = (widths['0'] * node.inclusiveMs!) / report.nodes[0].inclusiveMs!;
      assert.ok(Math.abs(widths[String(node.id)] - expected) < 0.5, `node ${node.id}: ${widths[String(node.id)]} px, expected ${expected}`);
    }
    await page.locator('.cell[data-id="6"]').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'selectNode', id: 6 });
    assert.strictEqual(await page.locator('mark.sql-range').textContent(), 'customers c');
  });

  it('compare pairs the nodes with the previous plan and shows the cost and time differences', async () => {
    await show(ordersShow({ previous: { report: ordersReportBefore(), sql: ORDERS_SQL } }));
    await page.locator('.tab[data-view="compare"]').click();
    assert.strictEqual(await page.locator('.compare-total').textContent(), 'Total cost 3,500 → 2,500 (−1,000 (−29%)) · execution 190.0 ms → 120.0 ms (−70.0 ms (−37%))');
    const row = page.locator('.compare-row[data-id="4"] td');
    assert.deepStrictEqual(await row.allTextContents(), ['Seq Scan on orders', '3,000', '2,000', '−1,000 (−33%)', '150.0 ms', '80.0 ms', '−70.0 ms (−47%)']);
    assert.strictEqual(await page.locator('.compare-row[data-id="3"] .status').textContent(), 'was Merge Join');
    assert.strictEqual(await page.locator('.compare-row.gone, .compare-row.new').count(), 0);
  });

  it('compare without a previous plan offers to choose one', async () => {
    await show(ordersShow());
    await page.locator('.tab[data-view="compare"]').click();
    await page.locator('.compare-empty button').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'compare' });
  });

  it('the raw tab shows the JSON and the text, and copy and save post messages', async () => {
    await show(ordersShow());
    await page.locator('.tab[data-view="raw"]').click();
    assert.strictEqual(await page.locator('pre.raw.json').textContent(), JSON.stringify(ordersShow().json, null, 2));
    assert.strictEqual(await page.locator('pre.raw.text').textContent(), ordersShow().text);
    await page.locator('button[data-copy="text"]').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'copy', text: ordersShow().text });
    await page.locator('button[data-save="json"]').click();
    assert.deepStrictEqual(await lastPosted(), { type: 'save', format: 'json' });
    await page.locator('.actions button', { hasText: 'EXPLAIN ANALYZE' }).click();
    assert.deepStrictEqual(await lastPosted(), { type: 'explainAnalyze' });
  });

  it('shows the stale banner while the query is re-planned', async () => {
    await show(ordersShow({ stale: true }));
    assert.strictEqual(await page.locator('.banner').isVisible(), true);
    assert.strictEqual(await page.locator('.banner').textContent(), 'The query changed; re-planning…');
    await send(page, { type: 'stale', stale: false });
    assert.strictEqual(await page.locator('.banner').isVisible(), false);
  });

  it('arrow keys move the focus between nodes; Enter selects', async () => {
    await show(ordersShow());
    const focused = (): Promise<string | undefined> => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id);
    assert.strictEqual(await page.locator('.card[tabindex="0"]').count(), 1, 'one tab stop in the tree');
    await page.locator('.tab[data-view="raw"]').focus();
    // Tab order: the tabs, the metric, the search, the zoom buttons, then the tree's one stop.
    for (let i = 0; i < 20 && (await focused()) === undefined; i++) await page.keyboard.press('Tab');
    assert.strictEqual(await focused(), '0');
    await page.keyboard.press('ArrowDown');
    assert.strictEqual(await focused(), '1');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.strictEqual(await focused(), '4');
    await page.keyboard.press('ArrowRight');
    assert.strictEqual(await focused(), '5');
    await page.keyboard.press('ArrowUp');
    assert.strictEqual(await focused(), '3');
    await page.keyboard.press('Enter');
    assert.deepStrictEqual(await lastPosted(), { type: 'selectNode', id: 3 });
    await page.keyboard.press(' ');
    assert.strictEqual(await page.locator('.card.node').count(), 4, 'Space folds');
    assert.strictEqual(await focused(), '3');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notStrictEqual(outline, 'none', 'the focused card shows its focus');
  });

  it('restores metric, view, folds and selection after a reload, from setState alone', async () => {
    await show(ordersShow());
    await page.locator('select.metric').selectOption('cost');
    await page.locator('.card[data-id="5"] .fold').click();
    await page.locator('.card[data-id="4"]').click();
    await page.reload();
    await page.waitForSelector('.node');
    assert.strictEqual(await page.locator('select.metric').inputValue(), 'cost');
    assert.strictEqual(await page.locator('.card.node').count(), 6);
    assert.strictEqual(await page.locator('.card[data-id="5"]').getAttribute('aria-expanded'), 'false');
    assert.strictEqual(await page.locator('.card.selected').getAttribute('data-id'), '4');
    assert.strictEqual(await page.locator('mark.sql-range').textContent(), 'orders o');
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('planViewerState')!));
    assert.deepStrictEqual({ metric: state.metric, view: state.view, collapsed: state.collapsed, selected: state.selected }, { metric: 'cost', view: 'tree', collapsed: [5], selected: 4 });
    assert.deepStrictEqual(await posted(page), [{ type: 'ready' }], 'a restored page still asks for the current plan');
  });

  it('a 500-node plan opens folded below the hot path and renders within a second', async () => {
    await show({ ...ordersShow(), report: generatedReport(500), sourceRanges: undefined });
    const cards = await page.locator('.card.node').count();
    const renderMs = Number(await page.evaluate(() => document.body.dataset.renderMs));
    assert.ok(cards < 120, `${cards} cards drawn`);
    assert.ok(cards > 10, `${cards} cards drawn`);
    assert.ok(renderMs < 1000, `render took ${renderMs} ms`);
    await page.locator('.zoom button', { hasText: 'Fit' }).click();
  });

  describe('real plans from the pev2 corpus, through planReport', () => {
    const real = (file: string): PlanViewer.ShowMessage => {
      const report = planReport(pev2Plan(file));
      return { type: 'show', report, sql: 'SELECT …', database: 'pev2 corpus', title: file, json: null, text: '' };
    };

    it('draws 21-io-timings/11-text.plan: every node, a known card, the tips with their messages', async () => {
      const show11 = real('21-io-timings/11-text.plan');
      await show(show11);
      assert.strictEqual(await page.locator('.card.node').count(), 20);
      const scan = page.locator('.card[data-id="19"]');
      assert.strictEqual(await scan.locator('.type').textContent(), 'Index Scan');
      assert.strictEqual(await scan.locator('.relation').textContent(), 'events_event using events_event_pkey');
      assert.strictEqual(await page.locator('.card[data-id="10"] .badge').textContent(), '⚠ 2');
      assert.deepStrictEqual(await page.locator('.tips .tip-message').allTextContents(), show11.report.tips.map((tip) => tip.message));
      assert.match(show11.report.tips[show11.report.tips.length - 1].message, /^Index Scan on events_event read 1 row per loop/);
      await page.locator('.card[data-id="19"]').click();
      assert.deepStrictEqual(await lastPosted(), { type: 'selectNode', id: 19 });
      const tipOnNode = await page.locator('.details .tip-message').allTextContents();
      assert.deepStrictEqual(tipOnNode, [show11.report.tips.find((tip) => tip.node === 19)!.message]);
      await screenshot(page, 'real-tree-dark');
    });

    it('draws a plan whose scan runs a SubPlan for each row: the subplan-per-row tip on the scan, with the NOT EXISTS rewrite', async () => {
      const plan = planFromExplainJson(fixtureJson('subplan-not-in'));
      const message: PlanViewer.ShowMessage = { type: 'show', report: planReport(plan), sql: 'SELECT id FROM customers c WHERE id NOT IN (SELECT customer_id FROM orders WHERE amount > 10)', database: 'PostgreSQL 15', title: 'subplan-not-in', json: null, text: '' };
      await show(message);
      await page.locator('.card[data-id="0"]').click();
      assert.deepStrictEqual(await page.locator('.details .tip-message').allTextContents(), [
        'Seq Scan on customers runs SubPlan 1 (Seq Scan on orders) again for each of its rows: ~430,098,964 of the cost by the estimates, ~16,078 a run. ' +
          "Write NOT EXISTS in place of NOT IN (an anti-join, planned once), or raise work_mem so that the subquery's rows fit and it is hashed.",
      ]);
      await screenshot(page, 'subplan-per-row');
    });

    it('its icicle widths follow inclusive time', async () => {
      const show11 = real('21-io-timings/11-text.plan');
      await show(show11);
      await page.locator('.tab[data-view="icicle"]').click();
      const widths: Record<string, number> = await page.locator('.cell').evaluateAll((cells: HTMLElement[]) =>
        Object.fromEntries(cells.map((cell) => [cell.dataset.id, cell.getBoundingClientRect().width])));
      const root = show11.report.nodes[0].inclusiveMs!;
      assert.strictEqual(Object.keys(widths).length, 20);
      for (const node of show11.report.nodes) {
        const expected = (widths['0'] * node.inclusiveMs!) / root;
        assert.ok(Math.abs(widths[String(node.id)] - expected) < 0.5, `node ${node.id}: ${widths[String(node.id)]} px, expected ${expected}`);
      }
    });

    it('compares two runs of one query (12-line-wrapped-plans/06 then 07)', async () => {
      const after = real('12-line-wrapped-plans/07-plan');
      after.previous = { report: planReport(pev2Plan('12-line-wrapped-plans/06-plan')), sql: after.sql };
      await show(after);
      await page.locator('.tab[data-view="compare"]').click();
      assert.strictEqual(await page.locator('.compare-row').count(), 13);
      assert.strictEqual(await page.locator('.compare-row.same').count(), 13, 'the same plan shape: every node paired with its own type');
      assert.deepStrictEqual(await page.locator('.compare-row[data-id="4"] td').allTextContents(),
        ['Parallel Seq Scan on pgbench_accounts_2', '7,035', '7,035', '=', '515.6 ms', '474.6 ms', '−41.1 ms (−8%)']);
    });
  });

  it('takes screenshots in the dark and light themes', async () => {
    for (const theme of ['dark', 'light'] as const) {
      await show(ordersShow({ previous: { report: ordersReportBefore(), sql: ORDERS_SQL } }));
      await setTheme(page, theme);
      await page.locator('.card[data-id="4"]').click();
      await screenshot(page, `tree-${theme}`);
      await page.locator('.tab[data-view="icicle"]').click();
      await screenshot(page, `icicle-${theme}`);
      await page.locator('.tab[data-view="compare"]').click();
      await screenshot(page, `compare-${theme}`);
    }
    await show({ ...ordersShow(), report: generatedReport(500), sourceRanges: undefined, stale: true });
    await screenshot(page, 'large-dark');
  });

  it('ran without CSP violations, page errors or console errors', async () => {
    assert.deepStrictEqual(await cspViolations(page), []);
    assert.deepStrictEqual(harness.problems, []);
  });

  it('the CSP is in force: an inline style attribute is refused (the check above can fail)', async () => {
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<div id="csp-probe" style="color: red">probe</div>');
    });
    const colour = await page.locator('#csp-probe').evaluate((probe: HTMLElement) => getComputedStyle(probe).color);
    assert.notStrictEqual(colour, 'rgb(255, 0, 0)');
    const violations = await cspViolations(page);
    assert.strictEqual(violations.length, 1, violations.join(', '));
    assert.match(violations[0], /^style-src-attr /);
  });
});
