'use strict';
/**
 * Runs the editor suite (./suite/index.js) in VS Code desktop through @vscode/test-electron:
 *
 *   npm run bundle && node test/editor/runTest.js
 *
 * NOT run by `npm run test:editor`, and it cannot run on the project's build machines: test-electron
 * downloads VS Code from update.code.visualstudio.com, which those machines cannot reach (and no
 * Electron build installs there). There the same suite runs inside code-server instead:
 * test/e2e/run.sh -> test/e2e/editor.e2e.js (extensionTestsPath payload). Use this file on a
 * machine that can download VS Code (a developer laptop, a CI runner with internet); on Linux
 * without a display, run it under xvfb-run.
 *
 * Environment: VSCODE_VERSION (default 'stable'; the suite's mocha 12 needs an extension host Node
 * >= 20.19, i.e. a VS Code on Electron with Node 22).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');

async function main() {
  const extensionDevelopmentPath = path.resolve(__dirname, '..', '..');
  const extensionTestsPath = path.resolve(__dirname, 'suite', 'index.js');
  if (!fs.existsSync(path.join(extensionDevelopmentPath, 'dist', 'client.js'))) {
    throw new Error('dist/client.js is missing: run `npm run bundle` (or `npm run build`) first');
  }
  // A fresh, empty workspace folder (the suite writes its .sql documents there) and profile.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-editor-'));
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions; the one under development still loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
      ],
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`editor tests failed: ${error && error.message ? error.message : error}`);
  process.exit(1);
});
