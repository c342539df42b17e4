import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTestDatabase, SHOP_SCHEMA, withClient } from './database';
import { queryLens, type Run } from '../support/cliRun';

describe('query-lens CLI with a database', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;
  let label: string;

  before(async () => {
    database = await createTestDatabase('cli', SHOP_SCHEMA);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-db-'));
    // The label the CLI gives this database, read once: no test changes the server or the database.
    const run = await queryLens(workspace, ['explain', '--db', database.url, 'SELECT 1']);
    label = run.stdout.split('\n')[0].replace(/^-- /, '');
    assert.match(label, new RegExp(`^PostgreSQL 15\\.\\d+ · ${database.name}$`));
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  it('explain prints the plan and its insights as text', async () => {
    const run = await queryLens(workspace, ['explain', '--db', database.url, 'SELECT id, total FROM orders WHERE customer_id = 42']);
    assert.deepStrictEqual(run, {
      status: 0,
      stdout: [
        `-- ${label}`,
        'Seq Scan on orders  (cost=0.00..1986.00 rows=5 width=12)',
        '  Filter: (customer_id = 42)',
        'warning plan-seq-scan: Seq Scan on orders reads all ~100,000 rows to keep ~5 (Filter: customer_id = 42): an index on orders (customer_id) lets PostgreSQL read only those rows (checked with a hypothetical index: estimated cost 1,986 → 22.9).',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('explain --format json gives EXPLAIN’s own JSON, with parameters planned generically', async () => {
    const run = await queryLens(workspace, ['explain', '--db', database.url, '--format', 'json', 'SELECT * FROM customers WHERE id = $1']);
    assert.strictEqual(run.status, 0, run.stderr);
    const output = JSON.parse(run.stdout);
    assert.strictEqual(output.database, label);
    assert.strictEqual(output.plans.length, 1);
    assert.strictEqual(output.plans[0].sql, 'SELECT * FROM customers WHERE id = $1');
    assert.deepStrictEqual(
      [output.plans[0].plan[0].Plan['Node Type'], output.plans[0].plan[0].Plan['Index Name'], output.plans[0].plan[0].Plan['Index Cond']],
      ['Index Scan', 'customers_pkey', '(id = $1)'],
    );
    assert.deepStrictEqual(output.plans[0].insights, []);
    assert.deepStrictEqual(output.diagnostics, []);
    // One statement: the plan report's nodes and tips at the top, as `explain --plan` prints them.
    const nodes = [
      {
        id: 0,
        parent: null,
        type: 'Index Scan',
        relation: 'customers',
        index: 'customers_pkey',
        estimatedRows: 1,
        actualRows: null,
        loops: null,
        totalCost: output.plans[0].plan[0].Plan['Total Cost'],
        exclusiveMs: null,
        inclusiveMs: null,
      },
    ];
    assert.deepStrictEqual([output.nodes, output.tips], [nodes, []]);
    assert.deepStrictEqual([output.plans[0].nodes, output.plans[0].tips], [nodes, []]);
  });

  it('explain reads the SQL from stdin with -, and reports what the database rejects (exit 1)', async () => {
    const run = await queryLens(workspace, ['explain', '--db', database.url, '-'], 'SELECT emial FROM customers');
    assert.deepStrictEqual(run, {
      status: 1,
      stdout: `-- ${label}\n<sql>:1:8 error unknown-column Column "emial" does not exist (${label}). Perhaps you meant to reference the column "customers.email".\n`,
      stderr: '',
    });
  });

  /** Writes `lines` as `name` in the workspace and runs `check --db` on it, as JSON. */
  async function checkWithDatabase(name: string, lines: string[]): Promise<{ run: Run; diagnostics: { line: number; severity: string; code: string; message: string }[] }> {
    fs.writeFileSync(path.join(workspace, name), lines.join('\n'));
    const run = await queryLens(workspace, ['check', '--db', database.url, '--format', 'json', name]);
    return { run, diagnostics: JSON.parse(run.stdout).diagnostics };
  }

  it('check --db adds plan diagnostics to the static ones', async () => {
    fs.writeFileSync(path.join(workspace, 'report.sql'), "SELECT id FROM orders WHERE status = 'paid' AND total > 400;\nSELECT * FROM customers ORDER BY random() LIMIT 1;\n");
    const run = await queryLens(workspace, ['check', '--db', database.url, '--format', 'json', 'report.sql']);
    assert.strictEqual(run.status, 0, run.stderr);
    const codes = JSON.parse(run.stdout).diagnostics.map((d: { line: number; column: number; severity: string; code: string }) => `${d.line}:${d.column} ${d.severity} ${d.code}`);
    assert.deepStrictEqual(codes, ['1:16 warning plan-seq-scan', '2:34 warning no-order-by-random']);
  });

  it('check --db: a column missing today is an error in application code, and not planned in a background update, which runs against a migration under way', async () => {
    const { run, diagnostics } = await checkWithDatabase('jobs.py', [
      'async def _background_copy_total2(store, progress):',
      '    def process(txn):',
      '        txn.execute("UPDATE orders SET total2 = total WHERE id > %s", (progress,))',
      '',
      'def total_of(txn, order_id):',
      '    txn.execute("SELECT total2 FROM orders WHERE id = %s", (order_id,))',
      '',
      'def port_batch(txn, last):',
      '    txn.execute("SELECT rowid, total FROM orders WHERE rowid > %s", (last,))',
      '',
    ]);
    const found = diagnostics.map((d) => `${d.line} ${d.severity} ${d.code} ${d.message.replace(/ \(PostgreSQL[^)]*\)| in PostgreSQL 15\.\d+ · \S+/g, '')}`);
    assert.deepStrictEqual(found, [
      '3 information not-planned Not planned: column "total2" of relation "orders" does not exist today; a migration or one-off script runs against the schema of its own time.',
      '6 error unknown-column Column "total2" does not exist. Perhaps you meant to reference the column "orders.total".',
      // SQLite's row id: SQL for SQLite, not an unknown column of PostgreSQL's.
      `9 information not-planned Not planned: rowid is SQLite's row id, which PostgreSQL tables do not have: this is SQL for SQLite, not checked`,
    ]);
    assert.strictEqual(run.status, 1);
  });

  it('check --db says a schema fact once: where the schema is declared outside migrations, else at the newest migration', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-facts-'));
    try {
      const key = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n';
      fs.mkdirSync(path.join(project, 'migrations'));
      fs.writeFileSync(path.join(project, 'migrations', '001_orders.sql'), key);
      fs.writeFileSync(path.join(project, 'migrations', '002_again.sql'), key);
      const facts = async () => {
        const run = await queryLens(project, ['check', '--db', database.url, '--format', 'json', '.']);
        assert.strictEqual(run.status, 0, run.stderr);
        return JSON.parse(run.stdout).diagnostics.map((d: { file: string; line: number; code: string }) => `${d.file}:${d.line} ${d.code}`);
      };
      assert.deepStrictEqual(await facts(), ['migrations/002_again.sql:1 unindexed-foreign-key']);
      fs.mkdirSync(path.join(project, 'sql'));
      fs.writeFileSync(path.join(project, 'sql', 'tables.sql'), key);
      assert.deepStrictEqual(await facts(), ['sql/tables.sql:1 unindexed-foreign-key']);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('check --db: an UPDATE or DELETE without WHERE on a table that holds one row at most is its point', async () => {
    await withClient(database.url, (c) =>
      c.query(`CREATE TABLE version_lock (lock char(1) NOT NULL DEFAULT 'X' UNIQUE, version integer NOT NULL, CHECK (lock = 'X'));
               CREATE TABLE app_settings (theme text); CREATE UNIQUE INDEX app_settings_one ON app_settings ((true));
               CREATE TABLE lock_history (lock char(1) UNIQUE, version integer)`),
    );
    try {
      const { run, diagnostics } = await checkWithDatabase('upgrade.py', ['def upgrade(cur, version):', '    cur.execute("DELETE FROM version_lock")', '    cur.execute("UPDATE app_settings SET theme = %s", (version,))', '    cur.execute("DELETE FROM lock_history")', '']);
      assert.strictEqual(run.status, 0, run.stderr);
      // A unique column without a CHECK that holds it to one value may hold many rows.
      assert.deepStrictEqual(diagnostics.map((d) => `${d.line} ${d.code}`), ['4 require-where-on-update-delete']);
    } finally {
      await withClient(database.url, (c) => c.query('DROP TABLE version_lock, app_settings, lock_history'));
    }
  });

  it('explain says when the plan leaves out row-level security, as a superuser\'s does', async () => {
    await withClient(database.url, (c) =>
      c.query(`CREATE TABLE tenant_rows (id integer PRIMARY KEY, tenant text NOT NULL, owner integer NOT NULL);
               INSERT INTO tenant_rows SELECT g, 't' || (g % 20), g FROM generate_series(1, 20000) AS g;
               ANALYZE tenant_rows;
               ALTER TABLE tenant_rows ENABLE ROW LEVEL SECURITY;
               CREATE POLICY tenant_only ON tenant_rows USING (tenant = current_setting('app.tenant', true))`),
    );
    try {
      const run = await queryLens(workspace, ['explain', '--db', database.url, 'SELECT id FROM tenant_rows WHERE owner = $1']);
      const finding = run.stdout.split('\n').find((line) => line.startsWith('warning plan-seq-scan'));
      assert.ok(finding, run.stdout);
      assert.ok(
        finding.endsWith(" (Planned as postgres, which bypasses the row-level security of tenant_rows: the application's role also filters by its policies, so its plan may differ.)"),
        finding,
      );
    } finally {
      await withClient(database.url, (c) => c.query('DROP TABLE tenant_rows'));
    }
  });

  it('check --db: a table the code creates as it runs (a temporary one) is not another database\'s', async () => {
    const { run, diagnostics } = await checkWithDatabase('purge.py', [
      'def purge(txn, room_id):',
      '    txn.execute("CREATE TEMPORARY TABLE events_to_purge (event_id TEXT NOT NULL)")',
      '    txn.execute("SELECT event_id FROM events_to_purge")',
      '    txn.execute("SELECT id FROM purge_log WHERE room = %s", (room_id,))',
      '',
    ]);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(
      diagnostics.map((d) => `${d.line} ${d.message.replace(/PostgreSQL 15\.\d+ · \w+/, 'the database')}`),
      [
        '3 Not planned: events_to_purge is made by this file as it runs (CREATE TABLE in its code), not a table of the database.',
        '4 Not planned: none of its tables (purge_log) is in the database: it runs against another database.',
      ],
    );
  });

  it('says in one line why it cannot plan when the database is down (exit 2)', async () => {
    fs.writeFileSync(path.join(workspace, 'one.sql'), 'SELECT 1;\n');
    const check = await queryLens(workspace, ['check', '--db', 'postgres://postgres@127.0.0.1:1/nowhere', 'one.sql']);
    assert.deepStrictEqual(check, { status: 2, stdout: '', stderr: 'query-lens: cannot plan: connection refused at 127.0.0.1:1\n' });
    const explain = await queryLens(workspace, ['explain', '--db', 'postgres://postgres@127.0.0.1:1/nowhere', 'SELECT 1']);
    assert.deepStrictEqual(explain, { status: 2, stdout: '', stderr: 'query-lens: cannot plan: connection refused at 127.0.0.1:1\n' });
  });

  it('check --db embedded builds a database from the project schema, with nothing to set up', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-embedded-'));
    try {
      fs.mkdirSync(path.join(project, 'db'));
      fs.writeFileSync(path.join(project, 'db', 'schema.sql'), 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n');
      fs.writeFileSync(path.join(project, 'queries.sql'), "SELECT id FROM accounts WHERE email = 'a@b.c';\nSELECT emial FROM accounts;\n");
      // The data directory goes to ~/.cache/query-lens: here, a HOME of the test's own.
      const run = await queryLens(project, ['check', '--db', 'embedded', '--format', 'json', '.'], undefined, { HOME: project });
      assert.strictEqual(run.status, 1, run.stderr);
      const diagnostics = JSON.parse(run.stdout).diagnostics.map((d: { file: string; line: number; column: number; severity: string; code: string; message: string }) => [
        `${d.file}:${d.line}:${d.column}`,
        d.severity,
        d.code,
        d.message,
      ]);
      assert.deepStrictEqual(diagnostics, [
        [
          'queries.sql:1:16',
          'information',
          'plan-seq-scan',
          "Seq Scan on accounts reads the whole table to keep ~6 rows (Filter: email = 'a@b.c'::text): an index on accounts (email) lets PostgreSQL read only those rows (checked on the embedded database, whose tables are empty: estimated cost 25 → 13.7, both estimates).",
        ],
        [
          'queries.sql:2:8',
          'error',
          'unknown-column',
          'Column "emial" does not exist (embedded database, schema from db/schema.sql). Perhaps you meant to reference the column "accounts.email".',
        ],
      ]);
      assert.ok(fs.readdirSync(path.join(project, '.cache', 'query-lens', 'embedded')).length > 0);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('--schema builds the embedded database from other files than the defaults, for check and explain', async function () {
    this.timeout(120_000); // three builds of the embedded database
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-schema-'));
    try {
      // The default glob finds an outdated db/schema.sql; the real schema is elsewhere.
      const files: Record<string, string> = {
        'db/schema.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
        'sql/tables.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n',
        'sql/indexes.sql': 'CREATE INDEX accounts_email ON accounts (email);\n',
        'reports/views.sql': 'CREATE VIEW account_emails AS SELECT id, email FROM accounts;\n',
        'queries.sql': "SELECT id FROM accounts WHERE email = 'a@b.c';\nSELECT email FROM account_emails WHERE id = 1;\n",
      };
      for (const [relative, text] of Object.entries(files)) {
        fs.mkdirSync(path.join(project, path.dirname(relative)), { recursive: true });
        fs.writeFileSync(path.join(project, relative), text);
      }
      const home = { HOME: project };
      const codes = (run: Run): string[] => JSON.parse(run.stdout).diagnostics.map((d: { line: number; code: string; message: string }) => `${d.line} ${d.code} ${d.message.split(' (')[0]}`);

      const defaults = await queryLens(project, ['check', '--db', 'embedded', '--format', 'json', 'queries.sql'], undefined, home);
      // A query none of whose tables the database has is another database's: not planned, not an error.
      assert.deepStrictEqual(
        [defaults.status, codes(defaults), defaults.stderr],
        [1, ['1 unknown-column Column "email" does not exist', '2 not-planned Not planned: none of its tables'], 'query-lens: 2 queries: 0 planned, 2 not planned (1 another database, 1 refused by the database)\n'],
      );

      // Comma-separated, with a {a,b} glob whose comma is not a separator: the index serves the filter.
      const listed = await queryLens(project, ['check', '--db', 'embedded', '--format', 'json', '--schema', 'sql/{tables,indexes}.sql, reports/*.sql', 'queries.sql'], undefined, home);
      assert.deepStrictEqual([listed.status, codes(listed), listed.stderr], [0, [], 'query-lens: 2 queries: 2 planned, 0 not planned\n']);

      // Repeated: without the index, the filter reads the whole table.
      const repeated = await queryLens(project, ['check', '--db', 'embedded', '--format', 'json', '--schema', 'sql/tables.sql', '--schema=reports/*.sql', 'queries.sql'], undefined, home);
      assert.deepStrictEqual([repeated.status, codes(repeated)], [0, ['1 plan-seq-scan Seq Scan on accounts reads the whole table to keep ~6 rows']]);

      // The same files as the comma-separated list: its data directory is reopened.
      const explained = await queryLens(project, ['explain', '--db', 'embedded', '--schema', 'sql/{tables,indexes}.sql', '--schema', 'reports/*.sql', "SELECT id FROM accounts WHERE email = 'x'"], undefined, home);
      assert.deepStrictEqual(explained, {
        status: 0,
        stdout: [
          '-- embedded (schema from 3 files) (its tables are empty: costs are not the real ones)',
          'Bitmap Heap Scan on accounts  (cost=4.20..13.67 rows=6 width=8)',
          "  Recheck Cond: (email = 'x'::text)",
          '  ->  Bitmap Index Scan on accounts_email  (cost=0.00..4.20 rows=6 width=0)',
          "        Index Cond: (email = 'x'::text)",
          '',
        ].join('\n'),
        stderr: '',
      });
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('explain says what it cannot plan: DDL, and a syntax error (exit 1)', async () => {
    const ddl = await queryLens(workspace, ['explain', '--db', database.url, 'CREATE TABLE t (id int)']);
    assert.deepStrictEqual(ddl, { status: 2, stdout: '', stderr: 'query-lens: nothing to explain: EXPLAIN plans SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES statements\n' });
    const broken = await queryLens(workspace, ['explain', '--db', database.url, 'SELECT FROM WHERE']);
    assert.deepStrictEqual(broken, { status: 1, stdout: '<sql>:1:13 error syntax-error syntax error at or near "WHERE"\n', stderr: '' });
  });
});

describe("query-lens CLI with the project's .vscode/settings.json", function () {
  this.timeout(60_000);
  let shop: Awaited<ReturnType<typeof createTestDatabase>>;
  let analytics: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;

  before(async () => {
    shop = await createTestDatabase('cli_settings_shop', SHOP_SCHEMA);
    analytics = await createTestDatabase(
      'cli_settings_analytics',
      'CREATE TABLE page_views (id bigint PRIMARY KEY, path text NOT NULL); INSERT INTO page_views SELECT g, \'/p\' || (g % 500) FROM generate_series(1, 20000) g; ANALYZE page_views;',
    );
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-settings-'));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    // As VS Code writes it: comments and a trailing comma.
    fs.writeFileSync(
      path.join(workspace, '.vscode', 'settings.json'),
      `{\n  // the reporting service has its own database\n  "queryLens.connections": { "analytics/**": "${analytics.url}" },\n  "editor.tabSize": 2,\n}\n`,
    );
    fs.mkdirSync(path.join(workspace, 'app'));
    fs.mkdirSync(path.join(workspace, 'analytics'));
    fs.writeFileSync(path.join(workspace, 'app', 'orders.sql'), 'SELECT id, total FROM orders WHERE id = 7;\n');
    fs.writeFileSync(path.join(workspace, 'analytics', 'views.sql'), "SELECT count(*) FROM page_views WHERE path = '/p1';\n");
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await shop?.drop();
    await analytics?.drop();
  });

  const planOf = (run: Run) => (JSON.parse(run.stdout).queries as { file: string; plan: { node: string } | null; notPlanned?: string }[]).map((q) => [q.file, q.plan?.node ?? null, q.notPlanned ?? null]);

  it('plans the files queryLens.connections maps to another database against that database', async () => {
    const run = await queryLens(workspace, ['queries', '--db', shop.url, '--format', 'json', 'app', 'analytics']);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(planOf(run), [
      ['app/orders.sql', 'Index Scan on orders', null],
      ['analytics/views.sql', 'Aggregate', null],
    ]);
    assert.strictEqual(run.stderr, 'query-lens: settings from .vscode/settings.json: queryLens.connections\nquery-lens: 2 queries: 2 planned, 0 not planned\n');
  });

  it('--settings none leaves the file aside: the other database’s table is then not planned, never an error', async () => {
    const run = await queryLens(workspace, ['queries', '--db', shop.url, '--format', 'json', '--settings', 'none', 'app', 'analytics']);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(planOf({ ...run, stdout: run.stdout.replace(/PostgreSQL 15\.\d+/g, 'PostgreSQL 15.x') }), [
      ['app/orders.sql', 'Index Scan on orders', null],
      ['analytics/views.sql', null, `none of its tables (page_views) is in PostgreSQL 15.x · ${shop.name}: it runs against another database`],
    ]);
    const check = await queryLens(workspace, ['check', '--db', shop.url, '--settings', 'none', 'app', 'analytics']);
    assert.strictEqual(check.status, 0, check.stdout + check.stderr);
  });

  it('says in one line when a mapped database cannot be reached, or a named settings file is missing (exit 2)', async () => {
    const settings = path.join(workspace, 'unreachable.json');
    fs.writeFileSync(settings, '{ "queryLens.connections": { "analytics/": "postgres://postgres@127.0.0.1:1/nowhere" } }');
    const run = await queryLens(workspace, ['check', '--db', shop.url, '--settings', 'unreachable.json', 'app', 'analytics']);
    assert.strictEqual(run.status, 2);
    assert.match(run.stderr, /^query-lens: settings from unreachable\.json: queryLens\.connections\nquery-lens: cannot plan: analytics\/ \(queryLens\.connections\): [^\n]+\n$/);
    const missing = await queryLens(workspace, ['check', '--settings', 'nope.json', 'app']);
    assert.deepStrictEqual([missing.status, missing.stderr], [2, `query-lens: cannot read the settings file ${path.join(workspace, 'nope.json')}: no such file\n`]);
  });
});
