import * as assert from 'assert';
import { Diagnostic, DiagnosticSeverity, PublishDiagnosticsNotification, TextEdit } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docsLink, freshServerPerTest, positionOf } from '../support/lspClient';

/**
 * Documents with thousands of findings: what a publish carries stays small (a fix's edit is made
 * when it is chosen, through `codeAction/resolve`) and bounded (the first 1,000 findings and a
 * note of the rest), and the server keeps serving.
 */
describe('language server over LSP: documents with thousands of findings', function () {
  this.timeout(60_000);
  const server = freshServerPerTest();

  const HOLES = 2000;
  const names = Array.from({ length: HOLES }, (_, i) => `v${i}`);
  const call = 'await pool.query(`INSERT INTO t VALUES (' + names.map((name) => '${' + name + '}').join(', ') + ')`);';
  const text = ["import { Pool } from 'pg';", 'const pool = new Pool();', 'export async function insert() {', `  ${call}`, '}', ''].join('\n');
  const uri = 'file:///ws/src/wide.ts';

  it(`a template with ${HOLES.toLocaleString('en-US')} holes: a small publish of the first 1,000 findings and a note of the rest; the fix resolves to the exact edit`, async () => {
    // The size of the publish as it crosses the wire, measured on the message itself.
    const published = await server().open(uri, 'typescript', text);
    const size = JSON.stringify({ method: PublishDiagnosticsNotification.method, params: published }).length;
    assert.ok(size < 2 * 1024 * 1024, `the publish is ${size} characters`);
    const diagnostics = published.diagnostics;
    assert.strictEqual(diagnostics.length, 1001);
    const queryStart = text.indexOf('INSERT');
    diagnostics.slice(0, 1000).forEach((d, i) => {
      assert.deepStrictEqual([d.code, d.range, d.data], ['no-sql-concatenation', rangeOfName(i), { queryStart, fix: true }]);
    });
    assert.deepStrictEqual(diagnostics[1000], {
      range: { start: rangeOfName(1000).start, end: rangeOfName(1000).start },
      severity: DiagnosticSeverity.Information,
      source: 'query-lens',
      code: 'too-many-findings',
      codeDescription: docsLink('too-many-findings'),
      message:
        'Query Lens shows the first 1,000 findings of this document; 1,000 more from here on are left out. ' +
        'Fix or silence those above (queryLens.rules, query-lens-ignore), or run the query-lens CLI on the file to list them all.',
    });

    // The fix is offered without its edit, which is made when it is chosen.
    const warning: Diagnostic = diagnostics[500];
    const actions = await server().codeActions(uri, warning);
    assert.deepStrictEqual(
      actions.map((a) => [a.title, a.isPreferred ?? false, a.edit === undefined, a.data]),
      [
        ['Pass 2000 values as parameters of pool.query', true, true, { uri, version: 1, queryStart }],
        ['Ignore no-sql-concatenation for this query', false, false, undefined],
      ],
    );
    const fix = await server().resolved(actions[0]);
    // The template literal, backticks included, becomes a string; the values follow it.
    const start = queryStart - 1;
    const end = text.indexOf('`)', queryStart) + 1;
    const sql = "'INSERT INTO t VALUES (" + names.map((_, i) => `$${i + 1}`).join(', ') + ")'";
    assert.deepStrictEqual(fix.edit?.changes?.[uri], [
      { range: { start: positionOf(text, start), end: positionOf(text, end) }, newText: sql },
      { range: { start: positionOf(text, end), end: positionOf(text, end) }, newText: `, [${names.join(', ')}]` },
    ]);
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'typescript', 1, text), fix.edit!.changes![uri] as TextEdit[]);
    const after = await server().change(uri, [{ text: fixed }]);
    assert.deepStrictEqual(after.diagnostics, []);
    assert.ok(!server().exited, 'the server is still running');
  });

  it('a template with 8,000 holes (a RangeError when each diagnostic carried the fix): published, small, and the server serves the next document', async () => {
    const many = Array.from({ length: 8000 }, (_, i) => '${w' + i + '}').join(', ');
    const source = `export const insert = () => pool.query(\`INSERT INTO t VALUES (${many})\`);\n`;
    const published = await server().open('file:///ws/src/wider.ts', 'typescript', source);
    assert.ok(JSON.stringify(published).length < 2 * 1024 * 1024);
    assert.deepStrictEqual(
      [published.diagnostics.length, published.diagnostics[1000].code, published.diagnostics[1000].message],
      [
        1001,
        'too-many-findings',
        'Query Lens shows the first 1,000 findings of this document; 7,000 more from here on are left out. ' +
          'Fix or silence those above (queryLens.rules, query-lens-ignore), or run the query-lens CLI on the file to list them all.',
      ],
    );
    const next = await server().open('file:///ws/src/next.sql', 'sql', 'SELECT FROM WHERE;');
    assert.deepStrictEqual(next.diagnostics.map((d) => d.message), ['syntax error at or near "WHERE"']);
  });

  /** The range of the name in the `i`-th hole. */
  function rangeOfName(i: number): Diagnostic['range'] {
    const at = text.indexOf('${' + names[i] + '}') + 2;
    return { start: positionOf(text, at), end: positionOf(text, at + names[i].length) };
  }

  it('the 1,000 findings shown are the first in the document; a file with fewer shows them all', async () => {
    const statements = Array.from({ length: 1000 }, (_, i) => `SELEC ${i};`).join('\n') + '\n';
    const full = await server().open('file:///ws/src/typos.sql', 'sql', statements);
    assert.strictEqual(full.diagnostics.length, 1000);
    assert.ok(full.diagnostics.every((d) => d.code === 'syntax-error'));
    const more = await server().change('file:///ws/src/typos.sql', [{ text: statements + 'SELEC u;\nSELEC w;\n' }]);
    assert.deepStrictEqual(
      more.diagnostics.slice(998).map((d) => [d.code, d.range]),
      [
        ['syntax-error', { start: { line: 998, character: 0 }, end: { line: 998, character: 5 } }],
        ['syntax-error', { start: { line: 999, character: 0 }, end: { line: 999, character: 5 } }],
        ['too-many-findings', { start: { line: 1000, character: 0 }, end: { line: 1000, character: 0 } }],
      ],
    );
    assert.match(more.diagnostics[1000].message, /^Query Lens shows the first 1,000 findings of this document; 2 more from here on are left out\./);
  });
});
