import * as assert from 'assert';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';

/**
 * Bad input: the server answers each with at most one clear diagnostic, in bounded time, and
 * keeps serving the next document.
 */
describe('language server over LSP: bad input', function () {
  this.timeout(60_000);
  let client: TestLspClient;

  before(async () => {
    client = await TestLspClient.start();
  });
  afterEach(async () => {
    // Whatever the previous document was, the server still answers a normal one.
    const text = 'SELECT FROM WHERE;';
    const published = await client.open(`file:///ws/after-${Date.now()}.sql`, 'sql', text);
    assert.deepStrictEqual(published.diagnostics.map((d) => d.message), ['syntax error at or near "WHERE"']);
    assert.ok(!client.exited, 'the server is still running');
  });
  after(async () => {
    await client.stop();
  });

  it('a leading byte order mark: no part of the SQL; ranges count it, as the editor holds the text', async () => {
    const text = '\uFEFFSELECT 1;\nSELEC 2;';
    const published = await client.open('file:///ws/bom.sql', 'sql', text);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } },
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'syntax-error',
        codeDescription: docsLink('syntax-error'),
        message: 'syntax error at or near "SELEC"',
      },
    ]);
    // An error in the first statement is at its characters, one past the mark.
    const first = await client.open('file:///ws/bom-first.sql', 'sql', '\uFEFFSELECT FROM WHERE;');
    assert.deepStrictEqual(first.diagnostics.map((d) => [d.range, d.message]), [[{ start: { line: 0, character: 13 }, end: { line: 0, character: 18 } }, 'syntax error at or near "WHERE"']]);
    // TypeScript's and Python's parsers skip the mark themselves; the SQL in their strings is where it is.
    for (const [name, languageId, source] of [
      ['bom.ts', 'typescript', '\uFEFFpool.query("SELECT FROM WHERE");\n'],
      ['bom.py', 'python', '\uFEFFcur.execute("SELECT FROM WHERE")\n'],
    ]) {
      const published = await client.open(`file:///ws/${name}`, languageId, source);
      assert.deepStrictEqual(published.diagnostics.map((d) => [d.range, d.message]), [[rangeOf(source, 'WHERE'), 'syntax error at or near "WHERE"']], name);
    }
  });

  it('a binary file: one note that it is not analysed', async () => {
    const text = 'PK\u0003\u0004\u0000\u0000\u0008\u0000' + '\ufffd'.repeat(200) + 'SELECT FROM;';
    const published = await client.open('file:///ws/archive.sql', 'sql', text);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: 'query-lens',
        code: 'file-not-analysed',
        codeDescription: docsLink('file-not-analysed'),
        message: 'Not analysed: this file holds NUL characters, so it is binary, not SQL text.',
      },
    ]);
  });

  it('a 50 MB file: one note with its size and the setting to raise', async () => {
    const text = "INSERT INTO t VALUES (1, 'some text to fill the file');\n".repeat(Math.ceil((50 * 1024 * 1024) / 56));
    const published = await client.open('file:///ws/huge.sql', 'sql', text);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [['file-not-analysed', DiagnosticSeverity.Information, 'Not analysed: this file is 50.0 MB, over queryLens.maxFileSizeKb (5.0 MB). Raise the setting to analyse it.']],
    );
  });

  it('a 100,000-character line: analysed, error found at its exact column', async () => {
    const columns = Array.from({ length: 15_000 }, (_, i) => `c${i}`).join(', ');
    const text = `SELECT ${columns} FROM t WHERE AND;\n`;
    assert.ok(text.length > 100_000);
    const published = await client.open('file:///ws/long-line.sql', 'sql', text);
    assert.deepStrictEqual(published.diagnostics.map((d) => d.range), [rangeOf(text, 'AND')]);
  });

  it('an unterminated quote: the error is at the opening quote, the statements before are fine', async () => {
    const text = "SELECT 1;\nSELECT 'abc FROM t;\nSELECT 2;\n";
    const published = await client.open('file:///ws/quote.sql', 'sql', text);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.range, d.message]),
      // PostgreSQL quotes the rest of the input; the message keeps its first line.
      [[rangeOf(text, "'abc"), `unterminated quoted string at or near "'abc FROM t;…"`]],
    );
  });

  it('an unterminated dollar quote: the same', async () => {
    const text = 'SELECT 1;\nDO $body$ BEGIN PERFORM 1; END;\nSELECT 2;\n';
    const published = await client.open('file:///ws/dollar.sql', 'sql', text);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.range, d.code]),
      [[rangeOf(text, '$body$'), 'syntax-error']],
    );
    assert.match(published.diagnostics[0].message, /^unterminated dollar-quoted string at or near "\$body\$ BEGIN/);
  });

  it('deeply nested parentheses: PostgreSQL\'s own limit, reported on the statement', async () => {
    const text = 'SELECT ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + ';\nSELECT 2;\n';
    const published = await client.open('file:///ws/nested.sql', 'sql', text);
    assert.strictEqual(published.diagnostics.length, 1);
    assert.strictEqual(published.diagnostics[0].severity, DiagnosticSeverity.Error);
    assert.match(published.diagnostics[0].message, /memory exhausted at or near "\("/);
  });

  it('text with invalid surrogates and control characters does not break positions', async () => {
    const text = 'SELECT \ud800 FROM t;\nSELECT a FROM t WHERE AND;\n\u001b[0m';
    const published = await client.open('file:///ws/garbage.sql', 'sql', text);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.range, d.message]),
      [
        [rangeOf(text, 'AND'), 'syntax error at or near "AND"'],
        [rangeOf(text, '\u001b'), 'syntax error at or near "\u001b"'],
      ],
    );
  });
});
