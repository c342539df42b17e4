'use strict';
/**
 * Query Lens in a real VS Code extension host, through the public vscode API only: activation,
 * diagnostics published by the language server (dist/server.js), and the contributed commands.
 * Loaded by ./index.js (mocha, bdd). Documents are real .sql files written into the first workspace
 * folder (or the OS temp folder when the window has none).
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'query-lens.query-lens';
const WAIT_MS = 15000;

const folder =
  (vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0] && vscode.workspace.workspaceFolders[0].uri.scheme === 'file'
    ? vscode.workspace.workspaceFolders[0].uri.fsPath
    : fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-editor-')));
const stamp = `${process.pid}-${Date.now()}`;

function writeSql(name, text, extension = '.sql') {
  const file = path.join(folder, `${name}-${stamp}${extension}`);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

async function open(uri) {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

function codeValue(code) {
  return code !== null && typeof code === 'object' ? code.value : code;
}

function describe_(diagnostics) {
  return JSON.stringify(
    diagnostics.map((d) => ({
      severity: vscode.DiagnosticSeverity[d.severity],
      source: d.source,
      code: codeValue(d.code),
      message: d.message,
      start: `${d.range.start.line}:${d.range.start.character}`,
    })),
  );
}

/** Resolves with the document's diagnostics once `predicate` holds for them; polls on onDidChangeDiagnostics. */
function waitForDiagnostics(uri, predicate, what, timeoutMs = WAIT_MS) {
  return new Promise((resolve, reject) => {
    let subscription;
    let timer;
    const finish = () => {
      if (subscription) subscription.dispose();
      clearTimeout(timer);
    };
    const check = () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (predicate(diagnostics)) {
        finish();
        resolve(diagnostics);
        return true;
      }
      return false;
    };
    subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((u) => u.toString() === uri.toString())) check();
    });
    if (check()) return;
    timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics now: ${describe_(vscode.languages.getDiagnostics(uri))}`));
    }, timeoutMs);
  });
}

/** Resolves on the next diagnostics change that names `uri` (the server published for it). */
function nextDiagnosticsChange(uri, what, timeoutMs = WAIT_MS) {
  let subscription;
  let timer;
  const promise = new Promise((resolve, reject) => {
    subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((u) => u.toString() === uri.toString())) {
        subscription.dispose();
        clearTimeout(timer);
        resolve(vscode.languages.getDiagnostics(uri));
      }
    });
    timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
  return promise;
}

/**
 * The quick fixes VS Code gathers at a range, with their edits. While TypeScript's own language service starts
 * in a fresh window, VS Code may cancel the whole request ("Canceled"); ask again then.
 */
async function codeActionsAt(uri, range, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      // The server makes a fix's edit on `codeAction/resolve`; the last argument has VS Code resolve them.
      return await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value, 10);
    } catch (error) {
      if (attempt >= attempts || !/Canceled/.test(String(error && error.message))) throw error;
    }
  }
}

async function waitUntil(condition, what, timeoutMs = WAIT_MS) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function assertSyntaxError(diagnostics, character) {
  const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  assert.strictEqual(errors.length, 1, `expected exactly one Error diagnostic, got ${describe_(diagnostics)}`);
  const [d] = errors;
  const actual = { source: d.source, code: codeValue(d.code), message: d.message, line: d.range.start.line, character: d.range.start.character };
  const expected = { source: 'query-lens', code: 'syntax-error', message: 'syntax error at or near "AND"', line: 0, character };
  assert.deepStrictEqual(actual, expected, `diagnostic ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`);
}

describe('Query Lens in the editor', function () {
  this.timeout(WAIT_MS + 10000);

  const BROKEN = 'SELECT 1 FROM t WHERE AND;';
  const VALID = 'SELECT 1 FROM t WHERE a = 1;';

  it('activates when a .sql document is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
    assert.strictEqual(extension.isActive, false, 'already active before any SQL document was opened');
    const document = await open(writeSql('activation', 'SELECT 1;\n'));
    assert.strictEqual(document.languageId, 'sql');
    await waitUntil(() => extension.isActive, `${EXTENSION_ID} to activate`);
  });

  it('registers queryLens.showOutput and queryLens.restartServer', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['queryLens.showOutput', 'queryLens.restartServer']) {
      assert.ok(commands.includes(command), `command ${command} is not registered`);
    }
  });

  it('reports a syntax error as one Error diagnostic at the AND', async () => {
    const uri = writeSql('broken', BROKEN + '\n');
    await open(uri);
    const diagnostics = await waitForDiagnostics(
      uri,
      (ds) => ds.some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      'an Error diagnostic',
    );
    assertSyntaxError(diagnostics, BROKEN.indexOf('AND'));
  });

  it('publishes zero diagnostics for a valid document', async () => {
    const uri = writeSql('valid', VALID + '\n');
    const published = nextDiagnosticsChange(uri, 'the server to publish diagnostics for the valid document');
    await open(uri);
    await published;
    const diagnostics = vscode.languages.getDiagnostics(uri);
    assert.strictEqual(diagnostics.length, 0, `expected none, got ${describe_(diagnostics)}`);
  });

  it('clears the diagnostic when the error is fixed in the editor', async () => {
    const uri = writeSql('fixed', BROKEN + '\n');
    const document = await open(uri);
    await waitForDiagnostics(uri, (ds) => ds.length > 0, 'the syntax error');
    const start = BROKEN.indexOf('AND');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, start, 0, start + 3), 'a = 1');
    assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit failed');
    assert.strictEqual(document.lineAt(0).text, VALID);
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'the diagnostics to clear after the fix');
  });

  it('offers the parameterisation quick fix for SQL in TypeScript, and applying it clears the warning', async () => {
    const source = "export const find = (pool: any, email: string) => pool.query(`SELECT id FROM users WHERE email = ${email}`);\n";
    const uri = writeSql('app', source, '.ts');
    const document = await open(uri);
    const diagnostics = await waitForDiagnostics(uri, (ds) => ds.some((d) => codeValue(d.code) === 'no-sql-concatenation'), 'the no-sql-concatenation warning');
    const warning = diagnostics.find((d) => codeValue(d.code) === 'no-sql-concatenation');
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(document.getText(warning.range), 'email');
    const actions = await codeActionsAt(uri, warning.range);
    const titles = actions.map((a) => a.title);
    const fix = actions.find((a) => a.title === 'Pass email as parameter $1 of pool.query');
    assert.ok(fix, `no parameterisation fix among ${JSON.stringify(titles)}`);
    assert.ok(titles.includes('Ignore no-sql-concatenation for this query'), JSON.stringify(titles));
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit failed');
    assert.ok(document.getText().includes("pool.query('SELECT id FROM users WHERE email = $1', [email])"), document.getText());
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeValue(d.code) === 'no-sql-concatenation'), 'the warning to go after the fix');
  });
});
