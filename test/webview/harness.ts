/// <reference lib="dom" />
/**
 * The webview tier's host: serves the page planViewerHtml builds (with its CSP) and the real
 * bundles from dist/media, and opens it in headless Chromium with a stub `acquireVsCodeApi` that
 * records what the app posts and keeps its state in sessionStorage (so it survives a reload, as
 * VS Code's does). The stub is the webview host, not the app under test.
 *
 * Chromium is Debian's /usr/bin/chromium, driven by the playwright-core that scripts/e2e-setup.sh
 * installs outside the repo (E2E_PLAYWRIGHT_CORE, or its default cache folder).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { planViewerHtml } from '../../client/src/planViewerHtml';
import type { PlanViewer } from '../../server/src/protocol';

export const REPO = path.resolve(__dirname, '../../..');
export const SHOTS = path.join(REPO, 'test/webview/shots');
export const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ';

/* eslint-disable @typescript-eslint/no-explicit-any -- playwright-core is loaded from outside the repo, without its types. */
export type Page = any;

/** Debian's Chromium, which scripts/e2e-setup.sh installs. */
const CHROMIUM = '/usr/bin/chromium';

function playwrightCorePath(): string {
  const candidates = [
    process.env.E2E_PLAYWRIGHT_CORE,
    path.join(process.env.QUERY_LENS_E2E_CACHE ?? path.join(os.homedir(), '.cache/query-lens-e2e'), 'playwright-core-1.65.1/node_modules/playwright-core'),
  ].filter((candidate): candidate is string => !!candidate);
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, 'package.json')));
  if (!found) {
    throw new Error(`playwright-core not found (looked in ${candidates.join(', ')}): run scripts/e2e-setup.sh`);
  }
  return found;
}

/** VS Code's Dark Modern and Light Modern values for the variables the viewer uses. */
const THEMES: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-panel-border': '#2b2b2b', '--vscode-editorWidget-background': '#202020', '--vscode-editorWidget-border': '#454545',
    '--vscode-focusBorder': '#0078d4', '--vscode-charts-red': '#f14c4c', '--vscode-charts-orange': '#d18616',
    '--vscode-charts-yellow': '#cca700', '--vscode-charts-green': '#89d185', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
    '--vscode-editor-findMatchHighlightBackground': '#ea5c0055', '--vscode-textCodeBlock-background': '#2b2b2b',
    '--vscode-badge-foreground': '#000000', '--vscode-inputValidation-warningBackground': '#352a05', '--vscode-inputValidation-warningBorder': '#b89500',
  },
  light: {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-panel-border': '#e5e5e5', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-focusBorder': '#005fb8', '--vscode-charts-red': '#e51400', '--vscode-charts-orange': '#d18616',
    '--vscode-charts-yellow': '#bf8803', '--vscode-charts-green': '#388a34', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece',
    '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece',
    '--vscode-editor-findMatchHighlightBackground': '#ea5c0055', '--vscode-textCodeBlock-background': '#f8f8f8',
    '--vscode-badge-foreground': '#ffffff', '--vscode-inputValidation-warningBackground': '#f6f5d2', '--vscode-inputValidation-warningBorder': '#b89500',
  },
};

export interface Harness {
  page: Page;
  url: string;
  /** CSP violations, page errors and console errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Starts the server and the browser and opens the page (state cleared), with the dark theme. */
export async function openHarness(): Promise<Harness> {
  // Found before the server listens: an open server would keep mocha waiting for ever after the
  // error, and the tier would hang instead of failing in one line.
  const { chromium } = require(playwrightCorePath());
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run scripts/e2e-setup.sh`);
  }
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = `http://${request.headers.host}`;
    if (url.pathname === '/favicon.ico') {
      // Chromium asks for it on its own; a VS Code webview never does.
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(planViewerHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/dist/media/planViewer.js`, styleUri: `${origin}/dist/media/planViewer.css` }));
      return;
    }
    const file = path.join(REPO, path.normalize(url.pathname));
    if (!url.pathname.startsWith('/dist/media/') || !fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
    response.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  await context.addInitScript(() => {
    const w = window as any;
    w.__posted = [];
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (event) => w.__csp.push(`${event.violatedDirective} ${event.blockedURI}`));
    let acquired = false;
    w.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (message: unknown) => w.__posted.push(JSON.parse(JSON.stringify(message))),
        getState: () => JSON.parse(sessionStorage.getItem('planViewerState') ?? 'null') ?? undefined,
        setState: (state: unknown) => sessionStorage.setItem('planViewerState', JSON.stringify(state)),
      };
    };
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message: any) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error: Error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response: any) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  await setTheme(page, 'dark');
  return {
    page,
    url,
    problems,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sets the theme as VS Code does: the variables on <html>, the kind as a class on <body>. */
export async function setTheme(page: Page, theme: 'dark' | 'light'): Promise<void> {
  await page.evaluate(([variables, kind]: [Record<string, string>, string]) => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.body.classList.remove('vscode-dark', 'vscode-light');
    document.body.classList.add(`vscode-${kind}`);
  }, [THEMES[theme], theme]);
}

/** Posts a message to the app as the extension would (webview.postMessage). */
export async function send(page: Page, message: PlanViewer.ToWebview): Promise<void> {
  await page.evaluate((m: unknown) => window.postMessage(m, '*'), message);
}

/** What the app has posted so far. */
export async function posted(page: Page): Promise<PlanViewer.FromWebview[]> {
  return page.evaluate(() => (window as any).__posted);
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).__csp);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
