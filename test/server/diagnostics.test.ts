import * as assert from 'assert';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsLink, freshServerPerTest, rangeOf } from '../support/lspClient';

describe('language server over LSP: SQL files', function () {
  this.timeout(30_000);
  const server = freshServerPerTest();

  it('reports the ready state with the parser in use, and no "static only" before any query has needed a plan', async () => {
    const status = await server().waitForStatus((s) => s.state === 'ready');
    assert.strictEqual(status.text, 'PostgreSQL');
    assert.match(status.detail, /static analysis with PostgreSQL's parser \(libpg-query\)\. No query has needed a plan yet: the database is opened for the first one\.$/);
    assert.deepStrictEqual(status.database, { mode: 'idle' });
  });

  it('underlines a syntax error at the token PostgreSQL complains about, with its message', async () => {
    const text = "SELECT 1;\n\nSELECT id, name\nFROM users\nWHERE id = 1 AND AND name = 'x';\n";
    const published = await server().open('file:///ws/broken.sql', 'sql', text);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: rangeOf(text, 'AND', 2),
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'syntax-error',
        codeDescription: docsLink('syntax-error'),
        message: 'syntax error at or near "AND"',
      },
    ]);
    assert.strictEqual(published.version, 1);
  });

  it('publishes no diagnostics for valid SQL', async () => {
    const text = 'CREATE TABLE t (id int PRIMARY KEY, body text);\nINSERT INTO t VALUES (1, $$a;b$$);\nSELECT * FROM t WHERE id = $1;\n';
    assert.deepStrictEqual((await server().open('file:///ws/valid.sql', 'sql', text)).diagnostics, []);
  });

  it('follows incremental edits: fixing, breaking and moving statements', async () => {
    const uri = 'file:///ws/edit.sql';
    const text = 'SELECT 1;\nSELECT a FROM t WHERE AND;\nSELECT 3;\n';
    const opened = await server().open(uri, 'sql', text);
    assert.deepStrictEqual(opened.diagnostics.map((d) => d.range), [rangeOf(text, 'AND')]);

    // Fix line 2 by replacing "WHERE AND" with "WHERE b".
    const fix = rangeOf(text, 'WHERE AND');
    const fixed = await server().change(uri, [{ range: fix, text: 'WHERE b' }]);
    assert.deepStrictEqual(fixed.diagnostics, []);

    // Insert a broken statement on a new first line: the error is there, nothing else moves in.
    const broken = await server().change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'SELEC 0;\n' }]);
    assert.deepStrictEqual(
      broken.diagnostics.map((d) => [d.range, d.message]),
      [[{ start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, 'syntax error at or near "SELEC"']],
    );

    // A full-text change replaces everything.
    const replaced = await server().change(uri, [{ text: 'SELECT FROM WHERE;' }]);
    assert.deepStrictEqual(replaced.diagnostics.map((d) => [d.range, d.message]), [
      [rangeOf('SELECT FROM WHERE;', 'WHERE'), 'syntax error at or near "WHERE"'],
    ]);
  });

  it('clears the diagnostics of a closed document', async () => {
    const uri = 'file:///ws/closed.sql';
    await server().open(uri, 'sql', 'SELECT FROM WHERE;');
    const cleared = await server().close(uri);
    assert.deepStrictEqual(cleared.diagnostics, []);
  });

  it('pulls settings per document: dialect and enable', async () => {
    const mysqlUri = 'file:///ws/mysql/app.sql';
    const disabledUri = 'file:///ws/off/app.sql';
    server().settingsByUri.set(mysqlUri, { dialect: 'mysql', debounceMs: 0 });
    server().settingsByUri.set(disabledUri, { enable: false });
    const text = 'SELECT `id` FROM users WHERE name = ?;\nSELECT a FROM t WHERE AND b;\n';
    const mysql = await server().open(mysqlUri, 'sql', text);
    assert.deepStrictEqual(
      mysql.diagnostics.map((d) => [d.severity, d.code, d.range]),
      [[DiagnosticSeverity.Information, 'not-analysed', rangeOf(text, 'b')]],
    );
    assert.deepStrictEqual((await server().open(disabledUri, 'sql', 'SELECT FROM WHERE;')).diagnostics, []);
    assert.ok(server().configurationRequests.some((r) => r.items.some((i) => i.scopeUri === mysqlUri && i.section === 'queryLens')));
  });

  it('re-analyses open documents with the new settings when they change', async () => {
    const uri = 'file:///ws/switch.sql';
    const text = 'SELECT `id` FROM users;\n';
    // In PostgreSQL a backtick is not a token: a syntax error.
    const asPostgres = await server().open(uri, 'sql', text);
    assert.deepStrictEqual(asPostgres.diagnostics.map((d) => d.code), ['syntax-error']);
    server().settingsByUri.set(uri, { dialect: 'mysql' });
    const next = server().nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await server().settingsChanged();
    assert.deepStrictEqual((await next).diagnostics, []);
    await server().waitForStatus((s) => s.text === 'MySQL · static only');
  });

  it('takes a host-language string that does not parse as SQL for text, not for a broken query', async () => {
    const published = await server().open('file:///ws/app.ts', 'typescript', 'const q = "SELECT FROM WHERE";\n');
    assert.deepStrictEqual(published.diagnostics, []);
  });
});
