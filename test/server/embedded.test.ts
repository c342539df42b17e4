import * as assert from 'assert';
import { CodeAction, Diagnostic, DiagnosticSeverity, TextEdit } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docsLink, freshServerPerTest, rangeOf } from '../support/lspClient';

/** Applies a code action's edits to `text`, as the editor would. */
function applyAction(uri: string, languageId: string, text: string, action: CodeAction): string {
  const edits: TextEdit[] = action.edit?.changes?.[uri] ?? [];
  return TextDocument.applyEdits(TextDocument.create(uri, languageId, 1, text), edits);
}

function summary(diagnostics: Diagnostic[]): [string, DiagnosticSeverity | undefined, Diagnostic['range']][] {
  return diagnostics.map((d) => [String(d.code), d.severity, d.range]);
}

describe('language server over LSP: a client that does not resolve code actions', function () {
  this.timeout(30_000);
  const server = freshServerPerTest({ settings: { debounceMs: 0 }, resolvesCodeActions: false });

  it('gets the fix with its edit', async () => {
    const uri = 'file:///ws/src/one.ts';
    const text = 'export const one = (id: string) => pool.query(`SELECT name FROM users WHERE id = ${id}`);\n';
    const published = await server().open(uri, 'typescript', text);
    const [fix] = await server().codeActions(uri, published.diagnostics[0]);
    assert.deepStrictEqual(fix.data, undefined);
    assert.strictEqual(
      applyAction(uri, 'typescript', text, fix),
      "export const one = (id: string) => pool.query('SELECT name FROM users WHERE id = $1', [id]);\n",
    );
  });
});

describe('language server over LSP: SQL in application code', function () {
  this.timeout(30_000);
  const server = freshServerPerTest();

  /** The code actions for a diagnostic, each resolved as the editor does when one is chosen. */
  async function codeActions(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    const actions = await server().codeActions(uri, diagnostic);
    return Promise.all(actions.map((action) => server().resolved(action)));
  }

  describe('TypeScript', () => {
    const uri = 'file:///ws/src/users.ts';
    const text = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      '',
      'export async function findUser(email: string) {',
      '  const { rows } = await pool.query(`SELECT id, name FROM users WHERE email = ${email}`);',
      '  return rows[0];',
      '}',
      '',
      'export async function broken() {',
      "  return pool.query('SELECT id FROM users\\nWHERE AND id = $1', [1]);",
      '}',
      '',
      "console.log('select a row from the list');",
      '',
    ].join('\n');

    it('reports a syntax error at the exact characters, through the string escape', async () => {
      const published = await server().open(uri, 'typescript', text);
      const error = published.diagnostics.find((d) => d.code === 'syntax-error');
      assert.deepStrictEqual(error, {
        range: rangeOf(text, 'AND'),
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'syntax-error',
        codeDescription: docsLink('syntax-error'),
        message: 'syntax error at or near "AND"',
      });
    });

    it('flags a spliced value on the expression, with a quick fix that passes it as a parameter', async () => {
      const published = await server().open(uri, 'typescript', text);
      assert.deepStrictEqual(summary(published.diagnostics), [
        ['no-sql-concatenation', DiagnosticSeverity.Warning, rangeOf(text, 'email', 3)],
        ['syntax-error', DiagnosticSeverity.Error, rangeOf(text, 'AND')],
      ]);
      const warning = published.diagnostics[0];
      assert.deepStrictEqual(warning.codeDescription, docsLink('no-sql-concatenation'));
      assert.match(warning.message, /^`email` is spliced into the SQL text by a template literal: /);
      const actions = await codeActions(uri, warning);
      assert.deepStrictEqual(
        actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
        [
          ['Pass email as parameter $1 of pool.query', 'quickfix', true],
          ['Ignore no-sql-concatenation for this query', 'quickfix', false],
        ],
      );
      const fixed = applyAction(uri, 'typescript', text, actions[0]);
      assert.ok(fixed.includes("await pool.query('SELECT id, name FROM users WHERE email = $1', [email]);"), fixed);
      // The fixed file has no finding left on that query.
      const after = await server().change(uri, [{ text: fixed }]);
      assert.deepStrictEqual(summary(after.diagnostics).map((d) => d[0]), ['syntax-error']);

      const ignored = applyAction(uri, 'typescript', text, actions[1]);
      assert.ok(ignored.includes('  // query-lens-ignore no-sql-concatenation\n  const { rows } = await pool.query('), ignored);
      const quiet = await server().change(uri, [{ text: ignored }]);
      assert.deepStrictEqual(summary(quiet.diagnostics).map((d) => d[0]), ['syntax-error']);
    });

    it('the fix made on resolve edits the query where it is now, after lines were added above it', async () => {
      await server().open(uri, 'typescript', text);
      // The query's SQL is unchanged, so its findings are reused; the fix must not be.
      const moved = await server().change(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '// users\n// by email\n' }]);
      const movedText = text.replace('\n\nexport async function findUser', '\n// users\n// by email\n\nexport async function findUser');
      const warning = moved.diagnostics.find((d) => d.code === 'no-sql-concatenation')!;
      assert.deepStrictEqual(warning.range, rangeOf(movedText, 'email', 4));
      assert.deepStrictEqual(warning.data, { queryStart: movedText.indexOf('SELECT id, name'), fix: true });
      const [fix] = await codeActions(uri, warning);
      assert.strictEqual(fix.title, 'Pass email as parameter $1 of pool.query');
      assert.strictEqual(
        applyAction(uri, 'typescript', movedText, fix),
        movedText.replace('pool.query(`SELECT id, name FROM users WHERE email = ${email}`)', "pool.query('SELECT id, name FROM users WHERE email = $1', [email])"),
      );
    });

    it('a small fix comes with its edit; a large one (over 8 KB) is resolved, and not when offered for an older version', async () => {
      const published = await server().open(uri, 'typescript', text);
      const [small] = await server().codeActions(uri, published.diagnostics[0]);
      assert.deepStrictEqual([small.data, small.edit?.changes?.[uri]?.length], [undefined, 2]);

      const names = Array.from({ length: 1500 }, (_, i) => `v${i}`);
      const wide = 'export const insert = () => pool.query(`INSERT INTO t VALUES (' + names.map((name) => '${' + name + '}').join(', ') + ')`);\n';
      const wideUri = 'file:///ws/src/wide.ts';
      const opened = await server().open(wideUri, 'typescript', wide);
      const [large] = await server().codeActions(wideUri, opened.diagnostics[0]);
      assert.deepStrictEqual([large.title, large.edit, large.data], ['Pass 1500 values as parameters of pool.query', undefined, { uri: wideUri, version: 1, queryStart: wide.indexOf('INSERT') }]);
      const resolved = await server().resolved(large);
      assert.strictEqual(resolved.edit?.changes?.[wideUri]?.[1].newText, `, [${names.join(', ')}]`);
      // After an edit its offsets no longer hold: resolved, it has no edit.
      await server().change(wideUri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
      assert.deepStrictEqual(await server().resolved(large), large);
    });

    it('finds no query in prose, log messages and comments', async () => {
      const prose = ["// SELECT id FROM users WHERE AND", "console.log('select a row from the list');", "const label = 'Select an option';", "throw new Error('update failed: ' + reason);", ''].join('\n');
      assert.deepStrictEqual((await server().open('file:///ws/src/prose.ts', 'typescript', prose)).diagnostics, []);
    });

    it('reads knex fragments in place: a rule finding lands on the fragment, never on the statement built around it', async () => {
      const source = "export const q = (knex: any, t: string) => knex('users').whereRaw('lower(email) = ?', [t]);\n";
      const published = await server().open('file:///ws/src/knex.ts', 'typescript', source);
      assert.deepStrictEqual(summary(published.diagnostics), [['non-sargable-predicate', DiagnosticSeverity.Warning, rangeOf(source, 'lower(email)')]]);
    });

    it('applies queryLens.rules: off, and a changed severity', async () => {
      const source = "export const all = (pool: any) => pool.query('SELECT * FROM users ORDER BY random()');\n";
      const u = 'file:///ws/src/rules.ts';
      const defaults = await server().open(u, 'typescript', source);
      assert.deepStrictEqual(summary(defaults.diagnostics), [
        ['no-select-star', DiagnosticSeverity.Hint, rangeOf(source, '*')],
        ['no-order-by-random', DiagnosticSeverity.Warning, rangeOf(source, 'random()')],
      ]);
      server().settingsByUri.set(u, { debounceMs: 0, rules: { 'no-select-star': 'off', 'no-order-by-random': 'information' } });
      const next = server().nextDiagnostics(u, (p) => p.diagnostics.length === 1);
      await server().settingsChanged();
      assert.deepStrictEqual(summary((await next).diagnostics), [['no-order-by-random', DiagnosticSeverity.Information, rangeOf(source, 'random()')]]);
    });
    it('flags a query run once per item of a loop, and forgets it when the call leaves the loop', async () => {
      const u = 'file:///ws/src/loop.ts';
      const inLoop = [
        "import { Pool } from 'pg';",
        'const pool = new Pool();',
        'export async function postsOf(users: { id: number }[]) {',
        '  for (const user of users) {',
        "    await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [user.id]);",
        '  }',
        "  users.forEach(() => pool.query('SELECT value FROM settings WHERE name = $1', ['currency']));",
        '}',
        '',
      ].join('\n');
      const published = await server().open(u, 'typescript', inLoop);
      assert.deepStrictEqual(summary(published.diagnostics), [
        ['no-query-in-loop', DiagnosticSeverity.Warning, rangeOf(inLoop, 'SELECT')],
        ['no-query-in-loop', DiagnosticSeverity.Warning, rangeOf(inLoop, 'SELECT', 2)],
      ]);
      assert.strictEqual(
        published.diagnostics[0].message,
        'This query runs for each item of `users` (for…of loop, pool.query): n items cost n round trips, one query each (the N+1 pattern). ' +
          'Read the rows of every item in one query: pass their keys as one array parameter (WHERE author_id = ANY(…)) or join, then group the rows by item in the code.',
      );
      assert.match(published.diagnostics[1].message, /^This query runs for each item of `users` \(forEach callback, pool\.query\) with nothing from the item: .* Run it once before the loop \(or cache its result\)/);
      assert.deepStrictEqual(published.diagnostics[0].codeDescription, docsLink('no-query-in-loop'));

      // The same SQL text, now run once for all the users: the loop's finding must not be reused.
      const once = inLoop
        .replace('  for (const user of users) {\n', '')
        .replace("    await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [user.id]);\n  }\n", "  await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [users[0].id]);\n");
      const after = await server().change(u, [{ text: once }]);
      assert.deepStrictEqual(summary(after.diagnostics), [['no-query-in-loop', DiagnosticSeverity.Warning, rangeOf(once, 'SELECT', 2)]]);
    });
  });

  describe('Python', () => {
    const uri = 'file:///ws/app/users.py';
    const text = [
      'import psycopg',
      '',
      'def find_user(conn, email):',
      '    with conn.cursor() as cur:',
      '        cur.execute(f"SELECT id, name FROM users WHERE email = {email}")',
      '        return cur.fetchone()',
      '',
      'def broken(conn):',
      '    conn.execute("SELECT id FROM users WHERE AND id = %s", (1,))',
      '',
      'def page(conn):',
      '    # query-lens-ignore prefer-keyset-pagination',
      '    conn.execute("SELECT id FROM orders ORDER BY id OFFSET 50000")',
      '',
    ].join('\n');

    it('flags the f-string value and the syntax error at their exact places; honours the ignore comment', async () => {
      const published = await server().open(uri, 'python', text);
      assert.deepStrictEqual(summary(published.diagnostics), [
        ['no-sql-concatenation', DiagnosticSeverity.Warning, rangeOf(text, 'email', 3)],
        ['syntax-error', DiagnosticSeverity.Error, rangeOf(text, 'AND')],
      ]);
    });

    it('flags a query run for each item of a for loop or a comprehension, at the SQL; honours the ignore comment', async () => {
      const u = 'file:///ws/app/loop.py';
      const source = [
        'import psycopg',
        '',
        'def totals(cur, customers):',
        '    for customer in customers:',
        '        cur.execute("SELECT total FROM orders WHERE customer_id = %s", (customer.id,))',
        '    names = [cur.execute("SELECT name FROM users WHERE id = %s", (i,)) for i in ids]',
        '    for line in lines:',
        '        # query-lens-ignore no-query-in-loop',
        '        cur.execute("INSERT INTO order_lines (sku) VALUES (%s)", (line.sku,))',
        '',
      ].join('\n');
      const published = await server().open(u, 'python', source);
      assert.deepStrictEqual(summary(published.diagnostics), [
        ['no-query-in-loop', DiagnosticSeverity.Warning, rangeOf(source, 'SELECT')],
        ['no-query-in-loop', DiagnosticSeverity.Warning, rangeOf(source, 'SELECT', 2)],
      ]);
      assert.match(published.diagnostics[0].message, /^This query runs for each item of `customers` \(for loop, cur\.execute\): .*\(WHERE customer_id = ANY\(…\)\)/);
      assert.match(published.diagnostics[1].message, /^This query runs for each item of `ids` \(list comprehension, cur\.execute\): /);
    });

    it('offers the fix that passes the value as a %s parameter', async () => {
      const published = await server().open(uri, 'python', text);
      const actions = await codeActions(uri, published.diagnostics[0]);
      assert.strictEqual(actions[0].title, 'Pass email as parameter %s of cur.execute');
      const fixed = applyAction(uri, 'python', text, actions[0]);
      assert.ok(fixed.includes('        cur.execute("SELECT id, name FROM users WHERE email = %s", (email,))\n'), fixed);
      assert.strictEqual(actions[1].title, 'Ignore no-sql-concatenation for this query');
      assert.ok(applyAction(uri, 'python', text, actions[1]).includes('        # query-lens-ignore no-sql-concatenation\n        cur.execute(f"'));
    });
  });
});
