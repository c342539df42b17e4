'use strict';
/**
 * Entry point of the editor test suite (the module named by `extensionTestsPath`). VS Code loads it
 * inside a real extension host, with the extension under test loaded from
 * `extensionDevelopmentPath` (the repo root, i.e. the built dist/client.js), and calls run(): the
 * returned promise resolving means every test passed, rejecting means a failure. VS Code then exits
 * with 0 or 1 (under code-server: it calls the page's window.codeAutomationExit with that code).
 *
 * Two runners use it:
 *   - test/e2e/run.sh -> test/e2e/editor.e2e.js (code-server in headless Chromium; runs here)
 *   - test/editor/runTest.js (@vscode/test-electron; needs to download VS Code)
 *
 * Plain CommonJS, no build step. Mocha comes from the repo's node_modules. Mocha 12 is an ES module
 * package, loaded here through require(esm): the extension host's Node must be >= 20.19 (code-server
 * runs it on the machine's Node 20.20; VS Code desktop releases on Electron with Node 22 also do).
 *
 * If QUERY_LENS_E2E_RESULTS names a file, one JSON object per finished test is written there
 * ({ title, state: 'passed'|'failed', error?, ms }), so the outer runner can print one line per check.
 */
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const REPO = path.resolve(__dirname, '..', '..', '..');

async function loadMocha() {
  const entry = require.resolve('mocha', { paths: [REPO] });
  let mod;
  try {
    mod = require(entry);
  } catch (error) {
    // Older Node without require(esm): fall back to a dynamic import.
    mod = await import(pathToFileURL(entry).href);
  }
  return mod.Mocha || mod.default || mod;
}

function results() {
  const file = process.env.QUERY_LENS_E2E_RESULTS;
  if (!file) {
    return () => {};
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  return (entry) => fs.appendFileSync(file, JSON.stringify(entry) + '\n');
}

exports.run = async function run() {
  const Mocha = await loadMocha();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec' });
  const record = results();

  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(__dirname, f));
  for (const f of files) {
    mocha.addFile(f);
  }

  await new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run((failures) => {
        if (failures > 0) {
          reject(new Error(`${failures} editor test(s) failed`));
        } else {
          resolve();
        }
      });
    } catch (error) {
      reject(error);
      return;
    }
    runner.on('pass', (test) => {
      console.log(`[query-lens-suite] PASS ${test.fullTitle()}`);
      record({ title: test.fullTitle(), state: 'passed', ms: test.duration });
    });
    runner.on('fail', (test, error) => {
      const message = String((error && (error.stack || error.message)) || error);
      console.log(`[query-lens-suite] FAIL ${test.fullTitle()}: ${message}`);
      record({ title: test.fullTitle(), state: 'failed', error: message, ms: test.duration });
    });
  });
};
