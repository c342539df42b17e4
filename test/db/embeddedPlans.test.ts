import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';

/**
 * The embedded default over LSP: no database configured, a workspace with migrations, and the
 * server plans against PGlite built from them (in a storage folder of the test's own).
 */
describe('plans from the embedded database built from the workspace schema, over LSP', function () {
  this.timeout(120_000);
  let workspace: string;
  let storage: string;
  let client: TestLspClient | undefined;

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-embedded-ws-'));
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-embedded-storage-'));
    fs.mkdirSync(path.join(workspace, 'migrations'));
    fs.writeFileSync(path.join(workspace, 'migrations', '001_customers.sql'), 'CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n');
    fs.writeFileSync(path.join(workspace, 'migrations', '002_orders.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total_cents integer NOT NULL);\n');
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('does not start the embedded database for a file of CREATE INDEX statements alone', async () => {
    client = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, initializationOptions: { storagePath: storage } });
    const uri = pathToFileURL(path.join(workspace, 'indexes.sql')).href;
    await client.open(uri, 'sql', 'CREATE INDEX orders_total ON orders (total_cents);\n');
    await client.waitForLog((line) => line === `[plans] ${uri}: CREATE INDEX statements only; no database is connected, and the embedded one is not started for them (it cannot say how indexes are used).`);
    assert.deepStrictEqual(client.statuses.filter((s) => s.database?.mode === 'embedded' || s.database?.mode === 'connecting'), []);
    assert.deepStrictEqual(fs.readdirSync(storage), []);
    await client.stop();
    client = undefined;
  });

  it('says it is embedded, with empty tables, and reports unknown columns and seq scans in a .ts file', async () => {
    client = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, initializationOptions: { storagePath: storage } });
    const text = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      "export const byCustomer = (id: number) => pool.query('SELECT id, total FROM orders WHERE customer_id = $1', [id]);",
      "export const paid = (id: number) => pool.query('SELECT id, total_cents FROM orders WHERE customer_id = $1', [id]);",
      '',
    ].join('\n');
    const uri = pathToFileURL(path.join(workspace, 'orders.ts')).href;
    await client.open(uri, 'typescript', text);
    const published = await client.diagnosticsWhere(uri, (p: PublishDiagnosticsParams) => p.diagnostics.length >= 2, 60_000);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: rangeOf(text, 'total', 1),
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'unknown-column',
        codeDescription: docsLink('unknown-column'),
        message: 'Column "total" does not exist (embedded database, schema from migrations/). Did you mean total_cents?',
      },
      {
        range: rangeOf(text, 'orders', 2),
        severity: DiagnosticSeverity.Information,
        source: 'query-lens',
        code: 'plan-seq-scan',
        codeDescription: docsLink('plan-seq-scan'),
        message:
          'Seq Scan on orders reads the whole table to keep ~8 rows (Filter: customer_id = $1): an index on orders (customer_id) lets PostgreSQL read only those rows (checked on the embedded database, whose tables are empty: estimated cost 31.3 → 14.4, both estimates).',
        data: { queryStart: text.indexOf("SELECT id, total_cents") },
      },
    ]);
    const status = client.statuses.at(-1)!;
    assert.strictEqual(status.text, 'embedded (schema from migrations/)');
    // What the status bar showed from the start: never "static only" before the first plan, and
    // that this first start builds the database (a new storage folder).
    const shown = client.statuses.map((s) => s.text).filter((text, i, all) => text !== all[i - 1]);
    assert.deepStrictEqual(shown, ['PostgreSQL', 'building embedded (schema from migrations/)…', 'embedded (schema from migrations/)']);
    assert.match(status.detail, /Plans from an embedded PostgreSQL 18\.\d+ built from 2 file\(s\) in migrations\/ \(built in \d+ ms\)\. Its tables are empty: plans show their shape, not real costs\./);
    const lenses = await client.codeLenses(uri);
    assert.deepStrictEqual(lenses.map((lens) => lens.command?.title), ['cost 31.3 · Seq Scan on orders (est. 8 rows) · empty tables', 'Show plan']);

    // A migration that adds the index, saved: the embedded database is rebuilt from the new
    // schema, and the query is planned again with the index.
    const migration = path.join(workspace, 'migrations', '003_orders_customer.sql');
    const migrationText = 'CREATE INDEX orders_customer_id ON orders (customer_id);\n';
    fs.writeFileSync(migration, migrationText);
    const migrationUri = pathToFileURL(migration).href;
    await client.open(migrationUri, 'sql', migrationText);
    await client.save(migrationUri);
    const rebuilt = await client.diagnosticsWhere(uri, (p: PublishDiagnosticsParams) => !p.diagnostics.some((d) => d.code === 'plan-seq-scan'), 60_000);
    assert.deepStrictEqual(rebuilt.diagnostics.map((d) => d.code), ['unknown-column']);
    assert.match(client.statuses.at(-1)!.detail, /built from 3 file\(s\) in migrations\//);
  });
});

/**
 * A workspace whose schema no default glob finds, with a statement that can never load: the
 * embedded database is built from the .sql file that creates tables, and the status tooltip lists
 * what did not load, where it is, with PostgreSQL's message.
 */
describe('the embedded database built from a schema in a place of its own, over LSP', function () {
  this.timeout(120_000);
  let workspace: string;
  let storage: string;
  let client: TestLspClient | undefined;
  const schema = [
    'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);',
    '-- Nobody creates ledger: this view never loads.',
    'CREATE VIEW ledger_totals AS',
    '    SELECT account_id, sum(amount) FROM ledger GROUP BY account_id;',
    '',
  ].join('\n');

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-embedded-admin-'));
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-embedded-admin-storage-'));
    fs.mkdirSync(path.join(workspace, 'admin', 'sql'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'admin', 'sql', 'create_tables.sql'), schema);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('says where the schema came from, and lists the statement that did not load with its file, line and column', async () => {
    client = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, initializationOptions: { storagePath: storage } });
    const uri = pathToFileURL(path.join(workspace, 'accounts.sql')).href;
    const text = 'SELECT id FROM accounts WHERE email = $1;\n';
    await client.open(uri, 'sql', text);
    const status = await client.waitForStatus((s) => s.database?.mode === 'embedded', 60_000);
    assert.strictEqual(status.text, 'embedded (schema from admin/sql/create_tables.sql)');
    const detail = status.detail.slice(status.detail.indexOf('Plans from')).replace(/\(built in \d+ ms\)/, '(built in … ms)').replace(/PostgreSQL 18\.\d+/, 'PostgreSQL 18.x');
    const where = `admin/sql/create_tables.sql:4:${schema.split('\n')[3].indexOf('ledger GROUP') + 1}`;
    assert.strictEqual(
      detail,
      [
        'Plans from an embedded PostgreSQL 18.x built from 1 file(s) in admin/sql/create_tables.sql (built in … ms).' +
          " No file matches queryLens.schemaFiles: this is the workspace's .sql file that creates tables. Its tables are empty: plans show their shape, not real costs.",
        '1 schema statement(s) did not load:',
        `${where}: relation "ledger" does not exist`,
      ].join('\n'),
    );
    await client.waitForLog((line) => line === `[embedded] ${where}: relation "ledger" does not exist (not loaded)`);
    // The rest loaded: the query is planned against accounts.
    const planned = await client.diagnosticsWhere(uri, (p: PublishDiagnosticsParams) => p.diagnostics.length > 0, 60_000);
    assert.deepStrictEqual(planned.diagnostics.map((d) => [d.code, d.message.split(':')[0]]), [['plan-seq-scan', 'Seq Scan on accounts reads the whole table to keep ~6 rows (Filter']]);
  });
});
