'use strict';
/**
 * The client side of live plans in a real VS Code extension host: the commands that set up the
 * database connection and show plans, and the helper that keeps passwords out of the settings.
 * Runs after extension.test.js (files load in name order), which checks activation from scratch;
 * here the extension is activated directly if it is not yet.
 */
const assert = require('assert');
const Module = require('module');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'query-lens.query-lens';
const REPO = path.resolve(__dirname, '..', '..', '..');
const LIVE_PLAN_COMMANDS = ['queryLens.configureConnection', 'queryLens.reconnect', 'queryLens.refreshSchema', 'queryLens.showPlan', 'queryLens.explainAnalyze', 'queryLens.openPlan'];

/**
 * client/src/connectionUrl.ts as the extension host's Node runs it: bundled with esbuild (a
 * devDependency, which built dist/ already) with the server module it imports, then loaded.
 */
function loadConnectionUrlModule() {
  const esbuild = require(require.resolve('esbuild', { paths: [REPO] }));
  const entry = path.join(REPO, 'client', 'src', 'connectionUrl.ts');
  const bundle = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const loaded = new Module(entry, module);
  loaded.paths = Module._nodeModulePaths(path.dirname(entry));
  loaded._compile(bundle.outputFiles[0].text, entry);
  return loaded.exports;
}

describe('Query Lens live plans in the editor', function () {
  this.timeout(30000);

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
    await extension.activate();
  });

  it('registers Configure Connection, Reconnect, Refresh Schema, Show Query Plan, Explain Analyze and Open Plan; the plan commands are in the palette where queries are', async () => {
    const registered = await vscode.commands.getCommands(true);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID).packageJSON.contributes;
    const contributed = manifest.commands.map((c) => c.command);
    for (const command of LIVE_PLAN_COMMANDS) {
      assert.ok(registered.includes(command), `command ${command} is not registered`);
      assert.ok(contributed.includes(command), `command ${command} is not in package.json contributes.commands`);
    }
    const where = 'editorLangId =~ /^(sql|typescript|typescriptreact|javascript|javascriptreact|python)$/';
    assert.deepStrictEqual(manifest.menus.commandPalette, [
      { command: 'queryLens.showPlan', when: where },
      { command: 'queryLens.explainAnalyze', when: where },
    ]);
  });

  it('splits a connection URL into the password-free URL for the settings, the secret key and the password', () => {
    const { splitConnectionUrl } = loadConnectionUrlModule();
    assert.deepStrictEqual(splitConnectionUrl('postgres://alice:s%40cret@db.example.com:6543/appdb?sslmode=require&password=', {}), {
      url: 'postgres://alice@db.example.com:6543/appdb?sslmode=require',
      secretKey: 'alice@db.example.com:6543/appdb',
      password: 's@cret',
    });
    const user = os.userInfo().username;
    assert.deepStrictEqual(splitConnectionUrl('postgresql://localhost', {}), {
      url: 'postgresql://localhost',
      secretKey: `${user}@localhost:5432/${user}`,
      password: undefined,
    });
    assert.match(splitConnectionUrl('mysql://root@localhost/app', {}).error, /postgres:\/\/ or postgresql:\/\//);
  });
});
