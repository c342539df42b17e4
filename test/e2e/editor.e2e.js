'use strict';
/**
 * Query Lens in a real VS Code workbench: code-server 4.100.3 (VS Code 1.100.3) driven through
 * Debian's /usr/bin/chromium with playwright-core. Started by test/e2e/run.sh, which installs the
 * tools, packages the .vsix, starts two code-server instances and passes everything in E2E_* vars.
 *
 * Part A, the packaged extension as a user gets it (instance A, fixture workspace):
 *   the .vsix (packaged by run.sh) installs with `code-server --install-extension`; broken.sql gets an error squiggle and
 *   a Problems row 'syntax error at or near "AND"' query-lens(syntax-error) [Ln 4, Col 39]; the status
 *   bar has a "Query Lens" item; valid.sql ends with no error once the server has re-analysed it.
 * Part B, the vscode-API suite (instance B, empty workspace): test/editor/suite/index.js runs in the
 *   extension host with extensionDevelopmentPath = the repo (dist/client.js); the workbench reports
 *   the suite's exit code through window.codeAutomationExit, the suite one line per test through
 *   $QUERY_LENS_E2E_RESULTS.
 *
 * Prints one line per check and finally `N passed, M failed`; exits 0 only if nothing failed.
 * Screenshots go to $E2E_SHOTS.
 */
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`editor.e2e.js: ${name} is not set (run this through test/e2e/run.sh)`);
    process.exit(2);
  }
  return value;
}
const REPO = env('E2E_REPO');
const SCRATCH = env('E2E_SCRATCH');
const SHOTS = env('E2E_SHOTS');
const CODE_SERVER = env('E2E_CODE_SERVER');
const VSIX = env('E2E_VSIX');
const A = { port: env('E2E_A_PORT'), dir: env('E2E_A_DIR'), ws: env('E2E_A_WS'), plansWs: env('E2E_A_PLANS_WS') };
const B = { port: env('E2E_B_PORT'), dir: env('E2E_B_DIR'), ws: env('E2E_B_WS') };
const RESULTS = process.env.QUERY_LENS_E2E_RESULTS || path.join(B.dir, 'results.jsonl');
const { chromium } = require(env('E2E_PLAYWRIGHT_CORE'));

const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const EXTENSION_ID = `${PKG.publisher}.${PKG.name}`;
const SYNTAX_MESSAGE = 'syntax error at or near "AND"';

const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);
const checks = [];
function report(name, ok, detail, ms) {
  checks.push({ name, ok });
  const time = ms === undefined ? '' : ` (${secs(ms)}s)`;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${time}${detail ? ` -- ${detail}` : ''}`);
}
const firstLine = (error) => String((error && error.message) || error).split('\n')[0];

const shots = [];
async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  try {
    await page.screenshot({ path: file });
    shots.push(file);
  } catch (error) {
    console.log(`(screenshot ${name} not taken: ${firstLine(error)})`);
  }
}

async function launch(name) {
  const profile = fs.mkdtempSync(path.join(SCRATCH, `chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(SHOTS, `browser-console-${name}.log`));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
  return { context, page, close: async () => { await context.close().catch(() => {}); consoleLog.end(); } };
}

/**
 * Runs named steps in order. After a failed step marked critical (the others cannot run without
 * it) the rest are reported as failed, not run; other failures do not stop the part.
 */
async function steps(getPage, part, list) {
  let failed = null;
  for (const [name, fn, critical] of list) {
    if (failed) {
      report(name, false, `not run: an earlier step failed ("${failed}")`);
      continue;
    }
    const start = Date.now();
    try {
      report(name, true, await fn(), Date.now() - start);
    } catch (error) {
      report(name, false, firstLine(error), Date.now() - start);
      if (critical) failed = name;
      const page = getPage();
      if (page) await shot(page, `99-${part}-failure-${name.split(' ')[0]}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers (selectors checked against VS Code 1.100 web)
const EDITOR = '.part.editor .monaco-editor';

async function quickOpen(page, file) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: file }).waitFor();
  await page.locator(`${EDITOR} .view-lines`).first().waitFor();
}

/**
 * Puts the cursor at `line`:`col` (1-based) of the active editor through Quick Open's `:` mode
 * (the browser keeps Ctrl+G for itself), and waits until the status bar says the cursor is there:
 * an Enter pressed before Quick Open has switched to its line mode goes nowhere (A14 failed so once).
 */
async function goToLineColumn(page, line, col) {
  const input = page.locator('.quick-input-widget input');
  const cursor = page.locator('.part.statusbar .statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first();
  const want = new RegExp(`^Ln ${line}, Col ${col}\\b`);
  for (let attempt = 1; ; attempt++) {
    try {
      // Quick Open can close again before it is typed in (focus taken by a notification, or the
      // language server's edit of the file): each attempt starts over, none waits 30 s.
      await page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`:${line}:${col}`, { timeout: 5000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first().waitFor({ timeout: 5000 }).catch(() => undefined);
      await page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => page.keyboard.press('Escape'));
      await waitFor(page, `the cursor at Ln ${line}, Col ${col}`, async () => want.test((await cursor.innerText().catch(() => '')).trim()), 3000);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** The walkthrough's titles and the ones checked off, once "Welcome: Open Walkthrough..." has shown it. */
async function openWalkthrough(page) {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Query Lens' }).first();
  await pick.waitFor({ timeout: 20000 });
  await pick.click();
  await page.locator('.getting-started-step', { hasText: 'Open the plan viewer' }).first().waitFor({ timeout: 20000 });
  return walkthroughState(page);
}

async function walkthroughState(page) {
  const trimmed = (texts) => texts.map((t) => t.trim()).filter(Boolean);
  const titles = trimmed(await page.locator('.getting-started-step .step-title').allInnerTexts());
  const done = trimmed(await page.locator('.getting-started-step', { has: page.locator('.codicon.complete') }).locator('.step-title').allInnerTexts());
  return { titles, done };
}

const WALKTHROUGH_STEPS = ['Choose where plans come from', 'Open a query', 'Read the CodeLens', 'Apply a quick fix', 'Open the plan viewer'];

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/**
 * The plan viewer's page: VS Code puts a webview in an iframe (`iframe.webview`) that loads the
 * extension's HTML in another (`#active-frame`).
 */
function planViewer(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** The markers-panel rows (marker rows only, not file rows) as plain objects. */
async function problemRows(page) {
  // The panel is a tree: a file row, then its markers. Each marker row gets its file's name.
  return page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => {
    let group = '';
    const markers = [];
    for (const row of rows) {
      const text = (sel) => (row.querySelector(sel) ? row.querySelector(sel).textContent.trim() : '');
      if (!row.querySelector('.marker-message')) {
        group = text('.label-name') || row.textContent.trim();
        continue;
      }
      markers.push({
        message: text('.marker-message'),
        source: text('.marker-source'),
        code: text('.marker-code'),
        line: text('.marker-line'),
        severity: (row.querySelector('.marker-icon') || { className: '' }).className.replace('marker-icon', '').trim(),
        file: group,
      });
    }
    return markers;
  });
}

async function problemsBadge(page) {
  const tab = page.locator('.part.panel .composite-bar .action-item', { has: page.locator('.action-label', { hasText: /^Problems$/ }) });
  const badge = tab.locator('.badge-content');
  if (!(await badge.isVisible().catch(() => false))) return 0;
  return Number((await badge.innerText()).trim()) || 0;
}

async function waitFor(page, what, condition, timeoutMs = 20000) {
  const start = Date.now();
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${secs(timeoutMs)}s waiting for ${what}`);
    await page.waitForTimeout(100); // polling interval, not a fixed delay
  }
}

// ---------------------------------------------------------------------------------------------
async function partA() {
  const csArgs = ['--config', path.join(A.dir, 'config.yaml'), '--user-data-dir', path.join(A.dir, 'ud'),
    '--extensions-dir', path.join(A.dir, 'exts')];
  let browser;
  let page;
  const list = [];

  list.push(['A1 the .vsix installs with code-server --install-extension', async () => {
    const out = execFileSync(CODE_SERVER, [...csArgs, '--install-extension', VSIX], { encoding: 'utf8', stdio: 'pipe' });
    if (!/successfully installed/.test(out)) throw new Error(`unexpected output: ${out.trim()}`);
    const listed = execFileSync(CODE_SERVER, [...csArgs, '--list-extensions', '--show-versions'], { encoding: 'utf8' });
    const want = `${EXTENSION_ID}@${PKG.version}`;
    if (!listed.split('\n').includes(want)) throw new Error(`--list-extensions shows ${JSON.stringify(listed.trim())}, not ${want}`);
    return want;
  }, true]);

  list.push(['A2 the workbench opens the fixture workspace', async () => {
    browser = await launch('a');
    page = browser.page;
    await page.goto(`http://127.0.0.1:${A.port}/?folder=${encodeURI(A.ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    for (const file of ['broken.sql', 'valid.sql', 'app.ts', 'app.py']) {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).waitFor({ timeout: 60000 });
    }
    await shot(page, '01-workbench');
    return 'explorer lists broken.sql, valid.sql, app.ts and app.py';
  }, true]);

  list.push(['A3 broken.sql (opened with Quick Open) gets an error squiggle', async () => {
    await quickOpen(page, 'broken.sql');
    await page.locator(`${EDITOR} .squiggly-error`).first().waitFor({ timeout: 30000 });
    const n = await page.locator(`${EDITOR} .squiggly-error`).count();
    await shot(page, '02-broken-squiggle');
    if (n !== 1) throw new Error(`${n} .squiggly-error decorations (one syntax error in the file)`);
    // Under the second AND of line 4: the squiggle's box spans that token's text on screen.
    const squiggle = await page.locator(`${EDITOR} .squiggly-error`).first().boundingBox();
    const line4 = page.locator(`${EDITOR} .view-line`).filter({ hasText: 'AND AND' }).first();
    const tokenBox = await line4.evaluate((line) => {
      const text = line.textContent.replace(/\u00a0/g, ' ');
      const at = text.indexOf('AND AND') + 4;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (seen + node.length > at) {
          const range = document.createRange();
          range.setStart(node, at - seen);
          range.setEnd(node, at - seen + 3);
          const r = range.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
        seen += node.length;
      }
      return null;
    });
    if (!squiggle || !tokenBox || Math.abs(squiggle.x - tokenBox.x) > 2 || Math.abs(squiggle.width - tokenBox.width) > 2 || Math.abs(squiggle.y - tokenBox.y) > tokenBox.height) {
      throw new Error(`the squiggle ${JSON.stringify(squiggle)} is not under the second AND ${JSON.stringify(tokenBox)}`);
    }
    return 'one .squiggly-error decoration, under the second AND of line 4';
  }]);

  list.push([`A4 the Problems panel lists '${SYNTAX_MESSAGE}' query-lens(syntax-error) at Ln 4, Col 39`, async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor();
    const rows = await waitFor(page, 'the Problems row', async () => {
      const all = await problemRows(page);
      return all.some((r) => r.message === SYNTAX_MESSAGE) ? all : null;
    });
    await shot(page, '03-problems');
    const row = rows.find((r) => r.message === SYNTAX_MESSAGE);
    const problems = [];
    const expect = { source: 'query-lens', code: 'syntax-error', severity: 'error', line: '[Ln 4, Col 39]' };
    for (const [key, want] of Object.entries(expect)) {
      if (row[key] !== want) problems.push(`${key} ${JSON.stringify(row[key])} (expected ${JSON.stringify(want)})`);
    }
    if (rows.length !== 1) problems.push(`${rows.length} rows: ${JSON.stringify(rows)}`);
    if (problems.length) throw new Error(`row found but: ${problems.join(', ')}`);
    return `${row.message} ${row.source}(${row.code}) ${row.line}`;
  }]);

  list.push(['A5 the status bar shows, on its right, that plans are off here and why (no database, no schema)', async () => {
    const item = page.locator('.part.statusbar .right-items .statusbar-item', { hasText: 'Query Lens' }).first();
    await item.waitFor({ timeout: 20000 });
    const want = 'Query Lens: static only — no database configured, and no schema file found (queryLens.schemaFiles) nor any .sql file that creates a table';
    await waitFor(page, 'the status after the first plan attempt', async () => (await item.innerText()).replace(/\s+/g, ' ').trim() === want).catch(async (error) => {
      throw new Error(`${error.message}; the item says ${JSON.stringify((await item.innerText()).replace(/\s+/g, ' ').trim())}`);
    });
    const text = (await item.innerText()).replace(/\s+/g, ' ').trim();
    await page.locator('.part.statusbar').screenshot({ path: path.join(SHOTS, '04-statusbar.png') });
    shots.push(path.join(SHOTS, '04-statusbar.png'));
    return JSON.stringify(text);
  }]);

  list.push(['A6 valid.sql has no error squiggle once the server has analysed it', async () => {
    // Readiness without sleeping: make the server prove it is analysing valid.sql (type an error,
    // wait for its Problems row), then delete it and wait for the server's re-analysis of
    // the saved, valid text to bring the Problems count back to what it was (broken.sql's 1).
    if (!(await page.locator('.markers-panel').isVisible())) {
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel').waitFor();
    }
    await quickOpen(page, 'valid.sql');
    const before = await problemsBadge(page);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('SELEC 1;');
    await page.keyboard.press('Escape');
    await waitFor(page, 'a Problems row for the typed error', async () =>
      (await problemRows(page)).some((r) => r.message === 'syntax error at or near "SELEC"'));
    await page.locator(`${EDITOR} .squiggly-error`).first().waitFor();
    const during = await problemsBadge(page);
    await shot(page, '05-valid-with-typed-error');
    // Back to the valid text, whatever the workbench did meanwhile (Revert File from the palette
    // once left the text in place: the file had been saved with it): delete the typed line and
    // save, then wait on the editor's state.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Delete');
    await waitFor(page, 'the typed text to be gone from the editor', async () =>
      !(await page.locator(`${EDITOR} .view-lines`).first().innerText()).includes('SELEC 1;'));
    await page.keyboard.press('Control+S');
    await waitFor(page, 'the typed error to go once the line is deleted', async () =>
      !(await problemRows(page)).some((r) => r.message.includes('SELEC')) && (await problemsBadge(page)) === before);
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
    const squiggles = await page.locator(`${EDITOR} .squiggly-error`).count();
    const rows = await problemRows(page);
    await shot(page, '06-valid-clean');
    const stray = rows.filter((r) => r.message !== SYNTAX_MESSAGE);
    if (squiggles !== 0) throw new Error(`${squiggles} .squiggly-error decoration(s) in valid.sql`);
    if (stray.length) throw new Error(`unexpected Problems rows: ${JSON.stringify(stray)}`);
    return `Problems count ${before} -> ${during} (typed error) -> ${await problemsBadge(page)} after deleting it; 0 squiggles`;
  }]);

  /** `[Ln L, Col C]` of the first occurrence of `needle` (plus `shift` characters) in a fixture. */
  const placeOf = (file, needle, shift = 0) => {
    const text = fs.readFileSync(path.join(A.ws, file), 'utf8');
    const at = text.indexOf(needle) + shift;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    return { line, col, label: `[Ln ${line}, Col ${col}]` };
  };

  /** `placeOf` in another workspace folder. */
  const placeIn = (ws, file, needle, shift = 0) => {
    const text = fs.readFileSync(path.join(ws, file), 'utf8');
    const at = text.indexOf(needle) + shift;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    return { line, col, label: `[Ln ${line}, Col ${col}]` };
  };

  /** Opens a fixture and waits until the Problems panel lists exactly the expected Query Lens rows for it. */
  const expectProblemsIn = async (ws, file, expected, shotName) => {
    if (!(await page.locator('.markers-panel').isVisible())) {
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel').waitFor();
    }
    return expectProblems(file, expected, shotName);
  };

  /** Opens a fixture and waits until the Problems panel lists exactly the expected Query Lens rows for it. */
  const expectProblems = async (file, expected, shotName) => {
    await quickOpen(page, file);
    let seen = [];
    const rows = await waitFor(page, `the Problems rows of ${file}`, async () => {
      seen = await problemRows(page);
      // TypeScript's own checker adds its findings (no 'pg' types here): only ours count.
      const ours = seen.filter((r) => r.file.includes(file) && r.source === 'query-lens');
      return expected.every((e) => ours.some((r) => r.code === e.code && r.line === e.line && r.severity.includes(e.severity))) ? ours : null;
    }, 20000).catch((error) => {
      throw new Error(`${error.message}; rows: ${JSON.stringify(seen)}`);
    });
    for (const severity of new Set(expected.map((e) => e.severity))) {
      await page.locator(`${EDITOR} .squiggly-${severity}`).first().waitFor();
    }
    await shot(page, shotName);
    if (rows.length !== expected.length) throw new Error(`${rows.length} rows for ${file}: ${JSON.stringify(rows)}`);
    return rows.map((r) => `${r.severity} ${r.source}(${r.code}) ${r.line}`).join('; ');
  };

  list.push(['A7 app.ts: the spliced value is a warning on `email`, the SQL syntax error an error on its token, the query in a loop a warning on its SELECT', async () =>
    expectProblems('app.ts', [
      { code: 'no-sql-concatenation', severity: 'warning', line: placeOf('app.ts', '${email}', 2).label },
      { code: 'syntax-error', severity: 'error', line: placeOf('app.ts', 'AND AND', 4).label },
      { code: 'no-query-in-loop', severity: 'warning', line: placeOf('app.ts', "query('SELECT id, total FROM orders WHERE customer_id = $1', [customerId]", 7).label },
    ], '09-app-ts')]);

  list.push(['A8 app.py: the same for an f-string, a %s query and a query in a for loop', async () =>
    expectProblems('app.py', [
      { code: 'no-sql-concatenation', severity: 'warning', line: placeOf('app.py', '{email}', 1).label },
      { code: 'syntax-error', severity: 'error', line: placeOf('app.py', 'AND AND', 4).label },
      { code: 'no-query-in-loop', severity: 'warning', line: placeOf('app.py', 'execute("SELECT id, total FROM orders WHERE customer_id = %s", (customer.id', 9).label },
    ], '10-app-py')]);

  list.push(['A9 the light bulb on `email` in app.ts offers the fix first; Enter applies it (email becomes $1) and the warning goes', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'app.ts' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'app.ts' }).waitFor();
    const at = placeOf('app.ts', '${email}', 2);
    // Go to line:column through Quick Open's `:` mode (the browser keeps Ctrl+G for itself).
    await goToLineColumn(page, at.line, at.col + 2); // inside the underlined `email`
    const title = 'Pass email as parameter $1 of pool.query';
    const item = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    // The light bulb appears once the editor has asked for the code actions at the cursor.
    const bulb = page.locator(`${EDITOR} .lightBulbWidget`).first();
    await bulb.waitFor({ timeout: 20000 });
    await bulb.click();
    await item.waitFor({ timeout: 20000 }).catch(async (error) => {
      const rows = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
      throw new Error(`${error.message.split('\n')[0]}; the menu lists ${JSON.stringify(rows)}`);
    });
    await shot(page, '11-quick-fix-menu');
    // The fix is the preferred action, first in the menu and focused: Enter applies it.
    const focused = page.locator('.action-widget .monaco-list-row.focused', { hasText: title });
    await focused.waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    const fixedLine = "const { rows } = await pool.query('SELECT id, name FROM users WHERE email = $1', [email]);";
    await waitFor(page, 'the fixed call in the editor', async () =>
      (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ').includes(fixedLine));
    await waitFor(page, 'the warning to go', async () => {
      const rows = (await problemRows(page)).filter((r) => r.file.includes('app.ts') && r.source === 'query-lens');
      return rows.length === 2 && rows.map((r) => r.code).sort().join(' ') === 'no-query-in-loop syntax-error';
    });
    await shot(page, '12-quick-fix-applied');
    return `${title} → ${fixedLine}`;
  }]);

  list.push(['A10 a workspace with schema.sql: plans from the embedded database, named in the status bar', async () => {
    await page.goto(`http://127.0.0.1:${A.port}/?folder=${encodeURI(A.plansWs)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'orders.sql' }).waitFor({ timeout: 60000 });
    await quickOpen(page, 'orders.sql');
    // Not "starting embedded (schema from schema.sql)…": the started state.
    const item = page.locator('.part.statusbar .statusbar-item', { hasText: /Query Lens: embedded \(schema from schema\.sql\)$/ }).first();
    // The first start builds the embedded database (about 3 s here).
    await item.waitFor({ timeout: 60000 });
    const text = (await item.innerText()).replace(/\s+/g, ' ').trim();
    await page.locator('.part.statusbar').screenshot({ path: path.join(SHOTS, '13-statusbar-embedded.png') });
    shots.push(path.join(SHOTS, '13-statusbar-embedded.png'));
    return JSON.stringify(text);
  }, true]);

  list.push(['A11 orders.sql: the unknown column is an error and the seq scan information, in the Problems panel', async () =>
    expectProblemsIn(A.plansWs, 'orders.sql', [
      { code: 'plan-seq-scan', severity: 'info', line: placeIn(A.plansWs, 'orders.sql', 'orders WHERE customer_id').label },
      // The whole qualified name PostgreSQL means, from the `o`.
      { code: 'unknown-column', severity: 'error', line: placeIn(A.plansWs, 'orders.sql', 'o.total_cent').label },
    ], '14-plans-problems')]);

  list.push(['A12 a CodeLens above each planned query; "Show plan" opens the plan beside the editor', async () => {
    const lens = page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Seq Scan on orders' }).first();
    await lens.waitFor({ timeout: 20000 });
    const title = (await lens.innerText()).trim();
    if (!/^cost [\d.,]+ · Seq Scan on orders \(est\. \d+ rows\) · empty tables$/.test(title)) throw new Error(`lens title ${JSON.stringify(title)}`);
    await shot(page, '15-codelens');
    await page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Show plan' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'Plan · orders.sql:2' }).waitFor({ timeout: 20000 });
    const viewer = planViewer(page);
    const card = viewer.locator('.card', { hasText: 'Seq Scan' }).filter({ hasText: 'orders' }).first();
    await card.waitFor({ timeout: 20000 });
    await shot(page, '16-show-plan');
    return `${title}; the plan viewer shows a card "${(await card.locator('.type').innerText()).trim()}" on orders`;
  }]);

  list.push(['A22 after a window reload the CodeLens comes back, from the embedded database reopened from its storage (the time is reported)', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    const reloadedAt = Date.now();
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    const workbenchMs = Date.now() - reloadedAt;
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().waitFor({ timeout: 60000 });
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    const lens = page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Seq Scan on orders' }).first();
    await lens.waitFor({ timeout: 60000 });
    const lensMs = Date.now() - reloadedAt;
    await page.locator('.part.statusbar .statusbar-item', { hasText: /Query Lens: embedded \(schema from schema\.sql\)$/ }).first().waitFor({ timeout: 10000 });
    await shot(page, '16b-reloaded');
    if ((await page.locator('.markers-panel').isVisible()) === false) await page.keyboard.press('Control+Shift+M');
    return `workbench back in ${secs(workbenchMs)} s, the CodeLens in ${secs(lensMs)} s after Reload Window`;
  }]);

  list.push(["A19 hover over a table's name shows its columns and indexes, and its finding's docs link opens the page rendered in a Markdown preview", async () => {
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    const at = placeIn(A.plansWs, 'orders.sql', 'orders WHERE customer_id');
    await goToLineColumn(page, at.line, at.col + 2);
    // Show Hover (Ctrl+K Ctrl+I): the schema's help and the seq scan's finding, in one widget. The
    // finding comes with the plan, which a loaded machine makes later than the hover: asked again
    // until both are in it (a hover shows the diagnostics of its moment).
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'public.orders' }).first();
    await waitFor(page, 'a hover with the table and its plan-seq-scan finding', async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      if (!(await hover.waitFor({ timeout: 3000 }).then(() => true, () => false))) return false;
      return (await hover.locator('a.code-link', { hasText: 'plan-seq-scan' }).count()) > 0;
    });
    const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
    const expected = ['public.orders', 'id', 'bigint not null', 'customer_id', 'total_cents', 'integer not null', 'orders_pkey', 'UNIQUE USING btree (id)'];
    const missing = expected.filter((part) => !text.includes(part));
    if (missing.length) throw new Error(`the hover lacks ${JSON.stringify(missing)}: ${JSON.stringify(text)}`);
    const columns = await hover.locator('table tbody tr').allInnerTexts();
    const rows = columns.map((row) => row.replace(/\s+/g, ' ').trim());
    if (JSON.stringify(rows) !== JSON.stringify(['id bigint not null', 'customer_id bigint not null', 'total_cents integer not null'])) throw new Error(`column rows ${JSON.stringify(rows)}`);
    await shot(page, '15b-hover-table');
    // The finding's code is a link to its page: rendered (a Markdown preview), not the source.
    await hover.locator('a.code-link', { hasText: 'plan-seq-scan' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'Preview plan-seq-scan.md' }).waitFor({ timeout: 20000 });
    // The preview is a webview: its page is a frame, in which the Markdown is rendered as HTML.
    await waitFor(page, 'the rendered heading in the preview', async () => {
      for (const frame of page.frames()) {
        const headings = await frame.locator('h1').allInnerTexts().catch(() => []);
        if (headings.some((h) => h.trim() === 'plan-seq-scan')) return true;
      }
      return false;
    });
    await shot(page, '15c-docs-preview');
    await page.keyboard.press('Escape');
    return `hover: ${rows.join('; ')}; the plan-seq-scan link opened "Preview plan-seq-scan.md" with its heading rendered`;
  }]);

  list.push(['A20 completion after `o.` offers the columns of orders, from the embedded database', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('SELECT  FROM orders o;');
    const line = fs.readFileSync(path.join(A.plansWs, 'orders.sql'), 'utf8').split('\n').length + 1;
    await goToLineColumn(page, line, 'SELECT '.length + 1);
    await page.keyboard.type('o.');
    const suggest = page.locator('.suggest-widget.visible .monaco-list-row');
    await suggest.first().waitFor({ timeout: 20000 });
    const labels = (await suggest.locator('.label-name').allInnerTexts()).map((label) => label.trim());
    await shot(page, '15d-completion');
    await page.keyboard.press('Escape');
    // Back to the file as it was: delete the typed line and save.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+S');
    await waitFor(page, 'orders.sql saved without the typed line', async () => !fs.readFileSync(path.join(A.plansWs, 'orders.sql'), 'utf8').includes('FROM orders o;'));
    if (JSON.stringify(labels.slice(0, 3)) !== JSON.stringify(['id', 'customer_id', 'total_cents'])) throw new Error(`suggested ${JSON.stringify(labels)}`);
    return `after "o.": ${labels.join(', ')}`;
  }]);

  /**
   * The index quick fix as a user takes it: the cursor on `needle` in `file`, the light bulb, the
   * "Create index on orders (<column>) — est. cost …" item, Enter; the migration opens and is
   * saved, and the embedded database rebuilt from it has the index, so `file`'s seq scan goes.
   * Returns the item's title and the migration's name.
   */
  const createIndexFromLightBulb = async (file, needle, column) => {
    const text = fs.readFileSync(path.join(A.plansWs, file), 'utf8');
    const at = text.indexOf(needle);
    const before = text.slice(0, at);
    await goToLineColumn(page, before.split('\n').length, at - before.lastIndexOf('\n') + 2); // inside the underlined table
    const bulb = page.locator(`${EDITOR} .lightBulbWidget`).first();
    await bulb.waitFor({ timeout: 30000 });
    await bulb.click();
    const title = new RegExp(`^Create index on orders \\(${column}\\) — est\\. cost [\\d.,]+ → [\\d.,]+ \\(embedded database\\)$`);
    const item = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    await item.waitFor({ timeout: 20000 }).catch(async (error) => {
      const rows = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
      throw new Error(`${error.message.split('\n')[0]}; the menu lists ${JSON.stringify(rows)}`);
    });
    const offered = (await item.innerText()).trim();
    return { offered, apply: async () => {
      await page.locator('.action-widget .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      const name = `orders_${column}_idx`;
      await page.locator('.tabs-container .tab.active', { hasText: new RegExp(`_add_${name}\\.sql`) }).waitFor({ timeout: 20000 });
      await waitFor(page, 'the CREATE INDEX in the migration', async () =>
        (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ').includes(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON public.orders (${column});`));
      await page.keyboard.press('Control+S');
      const written = fs.readdirSync(path.join(A.plansWs, 'migrations')).sort().filter((migration) => new RegExp(`^\\d{14}_add_${name}\\.sql$`).test(migration));
      if (written.length !== 1) throw new Error(`migrations/: ${JSON.stringify(fs.readdirSync(path.join(A.plansWs, 'migrations')))}`);
      // Saving a schema file rebuilds the embedded database with it: the index is there, the scan goes.
      await waitFor(page, `the seq-scan finding on ${file} to go`, async () => {
        const rows = (await problemRows(page)).filter((r) => r.file.includes(file) && r.source === 'query-lens');
        return !rows.some((r) => r.code === 'plan-seq-scan');
      }, 60000);
      return written[0];
    } };
  };

  list.push(['A17 the walkthrough "Get started with Query Lens" opens from the palette, five steps, none checked off yet in this new profile', async () => {
    const { titles, done } = await openWalkthrough(page);
    if (JSON.stringify(titles) !== JSON.stringify(WALKTHROUGH_STEPS)) throw new Error(`steps ${JSON.stringify(titles)}`);
    if (done.length !== 0) throw new Error(`already checked off: ${JSON.stringify(done)}`);
    await shot(page, '27-walkthrough');
    // The checks that follow do what its steps ask; A18 and A24 look at what they checked off.
    const tab = page.locator('.tabs-container .tab', { hasText: 'Walkthrough: Query Lens' }).first();
    await tab.locator('.tab-actions .codicon-close').click();
    await tab.waitFor({ state: 'detached', timeout: 10000 });
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().waitFor({ timeout: 10000 });
    return `steps: ${titles.join(' → ')}`;
  }]);

  list.push(['A14 the seq scan\'s light bulb offers "Create index on orders (customer_id)" with the planner\'s costs; Enter writes the migration and opens it; saved, the embedded database has the index and the finding goes', async () => {
    // The plan of A12 is open beside it: the query's own tab, in the first group.
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    const fix = await createIndexFromLightBulb('orders.sql', 'orders WHERE customer_id', 'customer_id');
    await shot(page, '19-create-index-menu');
    // No migrations in this workspace: a timestamped SQL file in migrations/, opened for review.
    const written = await fix.apply();
    if (fs.readdirSync(path.join(A.plansWs, 'migrations')).length !== 1) throw new Error('more than one migration');
    await shot(page, '21-index-applied');
    const left = (await problemRows(page)).filter((r) => r.file.includes('orders.sql') && r.source === 'query-lens').map((r) => r.code);
    if (left.join() !== 'unknown-column') throw new Error(`orders.sql still has ${JSON.stringify(left)}`);
    return `${fix.offered} → migrations/${written}; after saving it, orders.sql has no plan-seq-scan`;
  }]);

  list.push(['A15 the same in TypeScript: on the query in orders.ts, "Create index on orders (total_cents)" writes the next migration; saved, the finding goes', async () => {
    await quickOpen(page, 'orders.ts');
    const fix = await createIndexFromLightBulb('orders.ts', 'orders WHERE total_cents', 'total_cents');
    const written = await fix.apply();
    if (fs.readdirSync(path.join(A.plansWs, 'migrations')).length !== 2) throw new Error('not the second migration');
    const left = (await problemRows(page)).filter((r) => r.file.includes('orders.ts') && r.source === 'query-lens');
    if (left.length !== 0) throw new Error(`orders.ts still has ${JSON.stringify(left)}`);
    await shot(page, '22-index-applied-ts');
    return `${fix.offered} → migrations/${written}; after saving it, orders.ts has no plan-seq-scan`;
  }]);

  list.push(['A16 the plan viewer on a TypeScript query: Show Query Plan at the cursor opens its nodes and the verified index tip; an edit of the query re-plans it; Create index on the tip writes the migration', async () => {
    await quickOpen(page, 'customers.ts');
    const at = placeIn(A.plansWs, 'customers.ts', 'customers WHERE email');
    await goToLineColumn(page, at.line, at.col + 2);
    // The query is planned once the embedded database has it: its CodeLens says so.
    await page.locator(`${EDITOR} .codelens-decoration a`, { hasText: 'Seq Scan on customers' }).first().waitFor({ timeout: 30000 });
    await runCommand(page, 'Query Lens: Show Query Plan');
    await page.locator('.tabs-container .tab', { hasText: `Plan · customers.ts:${at.line}` }).waitFor({ timeout: 20000 });
    const viewer = planViewer(page);
    await viewer.locator('.card', { hasText: 'Seq Scan' }).filter({ hasText: 'customers' }).first().waitFor({ timeout: 20000 });
    const tip = viewer.locator('.tip[data-tip="seq-scan-index"]').first();
    await tip.waitFor({ timeout: 20000 });
    const verdict = (await tip.locator('.verdict').innerText()).trim();
    if (!/^verified with the embedded database, est\. cost [\d.,]+ → [\d.,]+$/.test(verdict)) throw new Error(`tip verdict ${JSON.stringify(verdict)}`);
    const statement = (await tip.locator('.statement').innerText()).trim();
    if (statement !== 'CREATE INDEX ON public.customers (email)') throw new Error(`tip statement ${JSON.stringify(statement)}`);
    await shot(page, '23-plan-viewer-ts');
    // Edit the query in its editor (the panel kept the editor's focus): the panel follows it.
    await page.locator('.tabs-container .tab', { hasText: 'customers.ts' }).first().click();
    const idAt = placeIn(A.plansWs, 'customers.ts', 'id FROM customers');
    await goToLineColumn(page, idAt.line, idAt.col + 2); // just after `id`
    await page.keyboard.type(', email');
    await waitFor(page, 'the panel to show the edited query', async () =>
      (await viewer.locator('.sql-pane').innerText().catch(() => '')).includes('SELECT id, email FROM customers'), 30000);
    await shot(page, '24-plan-viewer-edited');
    // A click on the scan's card selects, in the query's editor, the table it reads (the panel
    // keeps the focus, so the selection shows as the editor's selection highlight).
    if ((await page.locator(`${EDITOR} .selected-text`).count()) !== 0) throw new Error('a selection before the click');
    await viewer.locator('.card', { hasText: 'Seq Scan' }).filter({ hasText: 'customers' }).first().click();
    await page.locator(`${EDITOR} .selected-text`).first().waitFor({ timeout: 10000 });
    // Create index on the tip: the light bulb's own quick fix writes the migration and opens it.
    const before = fs.readdirSync(path.join(A.plansWs, 'migrations')).length;
    await viewer.locator('.tip[data-tip="seq-scan-index"] .create-index').first().click();
    // The migration opens with the focus (beside the panel): saved, it is on disk as written.
    await page.locator('.tabs-container .tab.active', { hasText: /_add_customers_email_idx\.sql/ }).waitFor({ timeout: 20000 });
    await page.keyboard.press('Control+S');
    const migrations = path.join(A.plansWs, 'migrations');
    let written = [];
    await waitFor(page, 'the saved migration with its CREATE INDEX', async () => {
      written = fs.readdirSync(migrations).sort().filter((name) => /^\d{14}_add_customers_email_idx\.sql$/.test(name));
      return written.length === 1 && fs.readFileSync(path.join(migrations, written[0]), 'utf8').includes('\nCREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email);\n');
    });
    if (fs.readdirSync(migrations).length !== before + 1) throw new Error(`migrations/: ${JSON.stringify(fs.readdirSync(migrations))}`);
    await shot(page, '25-plan-viewer-create-index');
    return `tip "${statement}" (${verdict}); edited query re-planned in the panel; Create index → migrations/${written[0]}`;
  }]);

  list.push(['A23 the unknown column\'s light bulb offers "Change to total_cents" first (PostgreSQL\'s hint), which keeps the qualifier; applied, the error goes', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    const at = placeIn(A.plansWs, 'orders.sql', 'o.total_cent');
    // The squiggle spans `o.total_cent`, the qualifier too.
    await goToLineColumn(page, at.line, at.col + 3);
    const bulb = page.locator(`${EDITOR} .lightBulbWidget`).first();
    await bulb.waitFor({ timeout: 20000 });
    await bulb.click();
    const title = 'Change to total_cents';
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: title }).first().waitFor({ timeout: 20000 }).catch(async (error) => {
      const rows = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
      throw new Error(`${error.message.split('\n')[0]}; the menu lists ${JSON.stringify(rows)}`);
    });
    await shot(page, '26-change-to-menu');
    await page.keyboard.press('Enter');
    const fixedLine = 'SELECT o.id, o.total_cents FROM orders o WHERE o.id = 1;';
    await waitFor(page, 'the changed name in the editor', async () =>
      (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ').includes(fixedLine));
    await waitFor(page, 'the unknown-column error to go', async () =>
      !(await problemRows(page)).some((r) => r.file.includes('orders.sql') && r.code === 'unknown-column'));
    await page.keyboard.press('Control+S');
    await shot(page, '26b-change-to-applied');
    return `${title} → ${fixedLine}`;
  }]);

  list.push(['A18 the walkthrough\'s buttons: "Show Query Plan" plans the query editor used last; "Open a File with Queries" lists the files with queries, opens one and checks "Open a query" off; the quick fix (A14) and Show Query Plan (A16) had checked theirs', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'customers.ts' }).first().click();
    const before = await openWalkthrough(page);
    // A14's quick fix and A16's Show Query Plan (the CodeLens's and the plan viewer's step), done
    // since A17 opened the walkthrough.
    if (JSON.stringify(before.done) !== JSON.stringify(WALKTHROUGH_STEPS.slice(2))) throw new Error(`checked off before its buttons: ${JSON.stringify(before.done)}`);
    const steps = page.locator('.getting-started-step');
    // The last step's button: the plan of the query in the editor beside the walkthrough.
    const step = steps.filter({ hasText: 'Open the plan viewer' }).first();
    await step.click();
    // The query editor used last is customers.ts, not the index migration visible beside: the
    // plan viewer (open since A16) is brought to the front with its plan, and nothing says "no plan".
    await step.locator('a, button', { hasText: 'Show Query Plan' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: /^Plan · customers\.ts:\d+/ }).first().waitFor({ timeout: 20000 });
    const toasts = await page.locator('.notifications-toasts').allInnerTexts();
    if (toasts.some((toast) => toast.includes('no plan for a query here'))) throw new Error(`Show Query Plan said: ${JSON.stringify(toasts)}`);
    // "Open a query": a query's editor was active before the walkthrough service started, which
    // VS Code takes as seen for the session, so the step is checked off by its button. That lists
    // the files with queries (schema.sql and the index migrations are not application queries)
    // and opens the one picked at its first query.
    const openStep = steps.filter({ hasText: 'Open a query' }).first();
    await openStep.click();
    await openStep.locator('a, button', { hasText: 'Open a File with Queries' }).first().click();
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 20000 }).catch(async (error) => {
      throw new Error(`no list of files (${error.message.split('\n')[0]}); notifications: ${JSON.stringify(await page.locator('.notifications-toasts').allInnerTexts())}`);
    });
    const listed = await rows.evaluateAll((elements) =>
      elements.map((row) => `${row.querySelector('.label-name')?.textContent ?? ''} · ${row.querySelector('.label-description')?.textContent ?? ''}`),
    );
    const expectedFiles = ['customers.ts · 1 query', 'orders.sql · 2 queries', 'orders.ts · 1 query'];
    if (JSON.stringify(listed) !== JSON.stringify(expectedFiles)) throw new Error(`files with queries: ${JSON.stringify(listed)}`);
    await shot(page, '28a-files-with-queries');
    await rows.filter({ hasText: 'orders.ts' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'orders.ts' }).first().waitFor({ timeout: 20000 });
    const cursor = page.locator('.part.statusbar .statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first();
    await waitFor(page, 'the cursor on the first query of orders.ts', async () => /^Ln 8, Col 1\b/.test((await cursor.innerText().catch(() => '')).trim()));
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough: Query Lens' }).first().click();
    await openStep.locator('.codicon.complete').first().waitFor({ timeout: 20000 });
    const { done } = await walkthroughState(page);
    await shot(page, '28-walkthrough-step-done');
    if (JSON.stringify(done) !== JSON.stringify(WALKTHROUGH_STEPS.slice(1))) throw new Error(`checked off: ${JSON.stringify(done)}`);
    return `"Show Query Plan" opened the plan of customers.ts; "Open a File with Queries" listed ${JSON.stringify(listed)} and opened orders.ts at its query; checked off: ${JSON.stringify(done)}`;
  }]);

  list.push(['A13 Configure Connection: the URL goes to the workspace settings without its password, and plans come from that database', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'orders.sql' }).first().click();
    await runCommand(page, 'Query Lens: Configure Connection');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('postgres://postgres:e2e-secret@127.0.0.1:5432/postgres');
    await shot(page, '17-configure-connection');
    await page.keyboard.press('Enter');
    // Asked where the URL goes, with what committing the workspace's settings would share.
    const workspaceItem = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Workspace settings' }).first();
    await workspaceItem.waitFor({ timeout: 10000 });
    const offered = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
    if (offered.length !== 2 || !offered[0].includes('Often committed') || !offered[1].startsWith('User settings')) throw new Error(`offered ${JSON.stringify(offered)}`);
    await shot(page, '17b-connection-where');
    await workspaceItem.click();
    const item = page.locator('.part.statusbar .statusbar-item', { hasText: /Query Lens: PostgreSQL \d+\.\d+ · postgres$/ }).first();
    await item.waitFor({ timeout: 30000 });
    const settingsFile = path.join(A.plansWs, '.vscode', 'settings.json');
    const written = fs.readFileSync(settingsFile, 'utf8');
    if (!written.includes('"queryLens.connection": "postgres://postgres@127.0.0.1:5432/postgres"')) throw new Error(`settings.json: ${written}`);
    if (written.includes('e2e-secret')) throw new Error('the password reached settings.json');
    // None of the shop's tables is in that database: its queries run against another one, which
    // is no error in them. Each says so, as information, and none is an unknown-table error.
    await waitFor(page, 'not-planned rows from the configured database', async () => {
      const rows = await problemRows(page);
      return rows.filter((r) => r.code === 'not-planned' && r.message.includes('none of its tables (orders) is in PostgreSQL') && r.message.includes('· postgres: it runs against another database')).length === 3 && !rows.some((r) => r.code === 'unknown-table');
    });
    await shot(page, '18-connected');
    // Reconnect says it is under way and how it ended, in the status bar.
    await runCommand(page, 'Query Lens: Reconnect to Database');
    const done = page.locator('.part.statusbar .statusbar-item', { hasText: /Query Lens: reconnecting done — PostgreSQL \d+\.\d+ · postgres/ }).first();
    await done.waitFor({ timeout: 20000 });
    // The output channel's own lines carry the time of day.
    await runCommand(page, 'Query Lens: Show Output');
    const outputText = page.locator('.part.panel .output .view-lines, .part.panel .output-view .view-lines').first();
    await waitFor(page, "timestamped lines in the output channel, the client's and the server's", async () => {
      const text = (await outputText.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      return /\[\d\d:\d\d:\d\d\.\d{3}\] \[status\] /.test(text) && /\[\d\d:\d\d:\d\d\.\d{3}\] \[plans\] /.test(text);
    });
    await shot(page, '18b-output-timestamps');
    // Restart Server: the old server's clean exit is logged as such, not as an error, and the
    // status comes back to the database without a "static only" on the way.
    await runCommand(page, 'Query Lens: Restart Server');
    await waitFor(page, 'the clean exit in the output channel', async () =>
      (await outputText.innerText().catch(() => '')).replace(/\u00a0/g, ' ').includes('The server process ended normally (exit code 0).'));
    await item.waitFor({ timeout: 30000 });
    const afterRestart = (await outputText.innerText()).replace(/\u00a0/g, ' ');
    if (/\[Error/.test(afterRestart)) throw new Error(`an error line in the output: ${JSON.stringify(afterRestart.split('\n').filter((l) => l.includes('[Error')))}`);
    await shot(page, '18c-restarted');
    return `${(await item.innerText()).replace(/\s+/g, ' ').trim()}; settings.json holds the URL without the password; Reconnect ends with "${(await done.innerText()).trim()}"; Restart Server logs a clean exit`;
  }]);

  list.push(['A21 the Settings UI edits queryLens.connection in a text box (the URL A13 wrote) and queryLens.connections as a table', async () => {
    await runCommand(page, 'Preferences: Open Workspace Settings');
    await page.locator('.settings-editor').waitFor({ timeout: 20000 });
    // The search box has the focus when the editor opens.
    await page.keyboard.type('queryLens.connection');
    const row = page.locator('.settings-editor .setting-item-contents').filter({ has: page.locator('.setting-item-label', { hasText: /^Connection$/ }) }).first();
    await row.waitFor({ timeout: 20000 });
    const box = row.locator('.setting-item-control input, .setting-item-control textarea').first();
    await box.waitFor({ timeout: 10000 });
    const value = await box.inputValue();
    if (value !== 'postgres://postgres@127.0.0.1:5432/postgres') throw new Error(`the text box holds ${JSON.stringify(value)}`);
    if ((await row.locator('a', { hasText: 'Edit in settings.json' }).count()) !== 0) throw new Error('queryLens.connection is settings.json only');
    const table = page.locator('.settings-editor .setting-item-contents').filter({ has: page.locator('.setting-item-label', { hasText: /^Connections$/ }) }).first();
    await table.locator('.setting-list-widget, .setting-list-object-widget').first().waitFor({ timeout: 10000 });
    await shot(page, '29-settings-ui-connection');
    return `the Connection text box holds ${value}; Connections is a table`;
  }]);

  list.push(['A24 the walkthrough run end to end: after Configure Connection (A13), every one of its five steps is checked off', async () => {
    const { done } = await openWalkthrough(page);
    await shot(page, '30-walkthrough-all-done');
    if (JSON.stringify(done) !== JSON.stringify(WALKTHROUGH_STEPS)) throw new Error(`checked off: ${JSON.stringify(done)}`);
    return `checked off: ${done.join(' → ')}`;
  }]);

  try {
    await steps(() => page, 'a', list);
  } finally {
    if (browser) await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------
async function partB() {
  const remote = (p) => `vscode-remote://127.0.0.1:${B.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(REPO)],
    ['extensionTestsPath', remote(path.join(REPO, 'test', 'editor', 'suite', 'index.js'))],
  ];
  const url = `http://127.0.0.1:${B.port}/?folder=${encodeURI(B.ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  fs.rmSync(RESULTS, { force: true });
  const browser = await launch('b');
  const { page } = browser;
  const start = Date.now();
  let code;
  try {
    let done;
    const exited = new Promise((resolve) => (done = resolve));
    await page.exposeFunction('codeAutomationExit', (c) => done(c));
    // One picture while the extension host is still up (after the exit it is gone, and with it
    // the status bar item and the diagnostics): when the suite reports its syntax-error test.
    let pictured = false;
    page.on('console', (m) => {
      if (!pictured && /\[query-lens-suite\] \w+ .*syntax error/.test(m.text())) {
        pictured = true;
        shot(page, '07-suite-running');
      }
    });
    await page.goto(url);
    code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 90000))]);
    await shot(page, '08-suite-finished');
  } catch (error) {
    code = `error: ${firstLine(error)}`;
  } finally {
    await browser.close();
  }
  const ms = Date.now() - start;

  const lines = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  for (const r of lines) {
    report(`B  ${r.title}`, r.state === 'passed', r.state === 'passed' ? '' : firstLine(r.error), r.ms);
  }
  const exitOk = code === 0 && lines.length > 0;
  const why = code === 0 ? (lines.length ? '' : `but no per-test results in ${RESULTS}`) : `exit code ${code}`;
  report('B  the editor suite exits 0 in the extension host (codeAutomationExit)', exitOk,
    exitOk ? `${lines.length} tests` : `${why}; see ${path.join(SHOTS, 'browser-console-b.log')}`, ms);
}

// ---------------------------------------------------------------------------------------------
(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const guard = setTimeout(() => {
    report('the whole run finishes within 240 s', false, 'giving up');
    const passed = checks.filter((c) => c.ok).length;
    console.log(`${passed} passed, ${checks.length - passed} failed`);
    process.exit(1);
  }, 240000);
  try {
    await partA();
  } catch (error) {
    report('A  part A ran to the end', false, firstLine(error));
  }
  try {
    await partB();
  } catch (error) {
    report('B  part B ran to the end', false, firstLine(error));
  }
  clearTimeout(guard);
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  console.log(`screenshots (${secs(Date.now() - t0)}s): ${[...new Set(shots)].map((f) => path.relative(REPO, f)).join(' ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
