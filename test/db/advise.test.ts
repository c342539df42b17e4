import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTestDatabase, SHOP_SCHEMA, withClient } from './database';
import { queryLens } from '../support/cliRun';

/** Indexes a tired schema collects: a twin, a prefix of a longer one, and one backing a constraint. */
const REDUNDANT_INDEXES = `
CREATE INDEX orders_total_idx ON orders (total);
CREATE INDEX orders_total_again ON orders (total);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
CREATE UNIQUE INDEX customers_id_twin ON customers (id);
`;

describe('query-lens advise', function () {
  this.timeout(90_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;

  before(async () => {
    database = await createTestDatabase('advise', SHOP_SCHEMA + REDUNDANT_INDEXES);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-advise-'));
    fs.mkdirSync(path.join(workspace, 'app'));
    fs.writeFileSync(
      path.join(workspace, 'app', 'orders.sql'),
      [
        '-- name: orders_of_customer',
        'SELECT id, total FROM orders WHERE customer_id = $1;',
        '',
        '-- name: recent_orders_of_customer',
        'SELECT id, total FROM orders WHERE customer_id = $1 AND created_at > $2;',
        '',
        '-- name: order_by_id',
        'SELECT id, total FROM orders WHERE id = $1;',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(workspace, 'app', 'customers.sql'), 'SELECT id, name FROM customers WHERE email = $1;\n');
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  it('proposes one composite index for the queries that one serves, proven together with HypoPG, and the indexes to drop (exit 1)', async () => {
    const run = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', 'app']);
    assert.strictEqual(run.status, 1, run.stderr);
    const advice = JSON.parse(run.stdout) as { indexes: { statement: string; table: string; columns: string[]; queries: { file: string; line: number; costBefore: number; costAfter: number }[]; verified: string }[]; drop: unknown[] };
    assert.deepStrictEqual(
      advice.indexes.map((index) => [index.statement, index.table, index.columns, index.verified, index.queries.map((q) => `${q.file}:${q.line}`)]),
      [
        ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email)', 'customers', ['email'], 'hypopg', ['app/customers.sql:1']],
        [
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at)',
          'orders',
          ['customer_id', 'created_at'],
          'hypopg',
          ['app/orders.sql:2', 'app/orders.sql:5'],
        ],
      ],
    );
    for (const query of advice.indexes.flatMap((index) => index.queries)) {
      assert.ok(query.costAfter <= query.costBefore / 2, JSON.stringify(query));
    }
    assert.deepStrictEqual(advice.drop, [
      { statement: 'DROP INDEX CONCURRENTLY IF EXISTS public.customers_id_twin', reason: 'duplicate of customers_pkey' },
      { statement: 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx', reason: 'prefix of orders_status_created_idx (status, created_at)' },
      { statement: 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_total_idx', reason: 'duplicate of orders_total_again' },
    ]);
    assert.match(run.stderr, /^query-lens: 4 queries: 4 planned, 0 not planned\n$/);
  });

  it('writes the advice as a SQL script to review, each index with the queries it serves and their costs', async () => {
    const run = await queryLens(workspace, ['advise', '--db', database.url, 'app/customers.sql']);
    assert.strictEqual(run.status, 1, run.stderr);
    const costs = /estimated cost ([\d,.]+) → ([\d,.]+)/.exec(run.stdout);
    assert.ok(costs, run.stdout);
    assert.strictEqual(
      run.stdout,
      [
        '-- customers: serves 1 query, checked with HypoPG',
        `--   app/customers.sql:1  estimated cost ${costs[1]} → ${costs[2]}`,
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email);',
        '',
        '-- The database as a whole, not only the queries given: foreign keys without an index, indexes to drop.',
        '',
        '-- orders: foreign key orders_customer_id_fkey to customers: no index leads with (customer_id), so each delete or key update in customers reads all ~100,000 rows of orders',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);',
        '',
        '-- duplicate of customers_pkey',
        'DROP INDEX CONCURRENTLY IF EXISTS public.customers_id_twin;',
        '',
        '-- prefix of orders_status_created_idx (status, created_at)',
        'DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;',
        '',
        '-- duplicate of orders_total_again',
        'DROP INDEX CONCURRENTLY IF EXISTS public.orders_total_idx;',
        '',
      ].join('\n'),
    );
  });

  it('suggests only indexes that lower the cost by queryLens.indexMinGainPercent', async () => {
    // customers_email_idx takes the lookup from ~427 to ~8: a 98% gain, short of 99%.
    const settings = path.join(workspace, 'strict.json');
    fs.writeFileSync(settings, '{ "queryLens.indexMinGainPercent": 99 }');
    const strict = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', '--settings', 'strict.json', 'app/customers.sql']);
    const withQueries = (run: typeof strict) => (JSON.parse(run.stdout).indexes as { statement: string; queries: unknown[] }[]).filter((index) => index.queries.length > 0).map((index) => index.statement);
    assert.deepStrictEqual(withQueries(strict), []);
    fs.writeFileSync(settings, '{ "queryLens.indexMinGainPercent": 97 }');
    const lenient = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', '--settings', 'strict.json', 'app/customers.sql']);
    assert.deepStrictEqual(withQueries(lenient), ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email)']);
  });

  it('once the indexes exist, has nothing to suggest (exit 0), and never changed the database itself', async () => {
    await withClient(database.url, async (client) => {
      await client.query('CREATE INDEX customers_email_idx ON customers (email)');
      await client.query('CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at)');
      await client.query('DROP INDEX customers_id_twin, orders_total_idx, orders_status_idx');
    });
    const run = await queryLens(workspace, ['advise', '--db', database.url, 'app']);
    assert.deepStrictEqual([run.status, run.stdout], [0, '-- No index to add or drop: every query that was planned is served by the indexes there are.\n']);
    const hypothetical = await withClient(database.url, (client) => client.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%btree%' OR relname LIKE 'query_lens%'"));
    assert.strictEqual(hypothetical.rows[0].n, 0);
  });
});

describe('query-lens advise: the index each kind of query needs', function () {
  this.timeout(90_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;
  const EVENTS = `
CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL);
INSERT INTO events SELECT g, jsonb_build_object('type', 'type' || (g % 400), 'n', g) FROM generate_series(1, 100000) AS g;
ANALYZE events;
-- A job queue: one job in a hundred waits, the rest are done.
CREATE TABLE jobs (id bigint PRIMARY KEY, state text NOT NULL, queue text NOT NULL, run_at timestamptz NOT NULL);
INSERT INTO jobs SELECT g, CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'done' END, 'q' || (g % 50), timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, 200000) AS g;
ANALYZE jobs;
-- A hundred stores, two thousand sales each; wide rows (a note) the sums never read.
CREATE TABLE sales (id bigint PRIMARY KEY, store_id integer NOT NULL, sold_at timestamptz NOT NULL, amount numeric(10, 2) NOT NULL, note text NOT NULL);
INSERT INTO sales SELECT g, g % 100, timestamptz '2026-01-01' + g * interval '1 minute', g % 300, repeat('x', 80) FROM generate_series(1, 200000) AS g;`;

  before(async () => {
    database = await createTestDatabase('advise_kinds', SHOP_SCHEMA + EVENTS);
    // The visibility map an index-only scan relies on is written by VACUUM (never in a transaction).
    await withClient(database.url, (client) => client.query('VACUUM ANALYZE sales'));
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-advise-kinds-'));
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  const adviseOn = async (sql: string) => {
    fs.writeFileSync(path.join(workspace, 'query.sql'), `${sql}\n`);
    const run = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', 'query.sql']);
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    // The foreign key orders.customer_id has no index of its own: that suggestion is tested above.
    return (JSON.parse(run.stdout).indexes as { statement: string; columns: string[]; verified: string; reason?: string }[]).filter((index) => index.reason === undefined).map((index) => [index.statement, index.columns, index.verified]);
  };

  it('equality columns, then the ORDER BY columns of a LIMIT, read backwards for a DESC order', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at)', ['customer_id', 'created_at'], 'hypopg'],
    ]);
  });

  it('equality columns most selective first, by pg_stats, whatever order the query wrote them in', async () => {
    assert.deepStrictEqual(await adviseOn("SELECT id FROM orders WHERE status = 'paid' AND customer_id = 42;"), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_status_idx ON public.orders (customer_id, status)', ['customer_id', 'status'], 'hypopg'],
    ]);
  });

  it('DESC written only where directions are mixed', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT id FROM orders WHERE customer_id = $1 ORDER BY total DESC, created_at LIMIT 5;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_total_created_at_idx ON public.orders (customer_id, total DESC, created_at)', ['customer_id', 'total DESC', 'created_at'], 'hypopg'],
    ]);
  });

  it('an expression key for a function of a column, and for a JSON field', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT id FROM customers WHERE lower(email) = $1;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_lower_email_idx ON public.customers ((lower(email)))', ['lower(email)'], 'hypopg'],
    ]);
    assert.deepStrictEqual(await adviseOn("SELECT id FROM events WHERE payload->>'type' = 'type7';"), [
      ["CREATE INDEX CONCURRENTLY IF NOT EXISTS events_payload_type_idx ON public.events ((payload ->> 'type'::text))", ["payload ->> 'type'::text"], 'hypopg'],
    ]);
  });

  it('a partial index where a literal picks a few rows of a column of few values', async () => {
    assert.deepStrictEqual(await adviseOn("SELECT id FROM jobs WHERE state = 'pending' ORDER BY run_at LIMIT 10;"), [
      ["CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_run_at_idx ON public.jobs (run_at) WHERE state = 'pending'::text", ['run_at'], 'hypopg'],
    ]);
    // Fifty queues: a partial index per queue is no remedy, a composite one is.
    assert.deepStrictEqual(await adviseOn("SELECT id FROM jobs WHERE queue = 'q7' ORDER BY run_at LIMIT 10;"), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_queue_run_at_idx ON public.jobs (queue, run_at)', ['queue', 'run_at'], 'hypopg'],
    ]);
  });

  it('INCLUDE columns where an index-only scan then answers the query, over many rows', async () => {
    // Alone, an index on store_id saves 45% (bitmap scan of 2,000 rows over the heap): under the
    // 50% asked; holding the two columns read, it answers from the index alone.
    assert.deepStrictEqual(await adviseOn('SELECT sold_at, amount FROM sales WHERE store_id = $1;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS sales_store_id_sold_at_amount_idx ON public.sales (store_id) INCLUDE (sold_at, amount)', ['store_id'], 'hypopg'],
    ]);
    // The whole row is read: no index holds it, and the plain one does not gain enough.
    assert.deepStrictEqual(await adviseOn('SELECT * FROM sales WHERE store_id = $1;'), []);
    // A few rows: the heap visits an INCLUDE would save are a handful; the plain index it is.
    assert.deepStrictEqual(await adviseOn('SELECT store_id, amount FROM sales WHERE sold_at = $1;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS sales_sold_at_idx ON public.sales (sold_at)', ['sold_at'], 'hypopg'],
    ]);
  });

  it('an index per branch of an OR, proven together (a BitmapOr reads both), and only the missing one beside the primary key', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT id FROM customers WHERE email = $1 OR name = $2;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email)', ['email'], 'hypopg'],
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_name_idx ON public.customers (name)', ['name'], 'hypopg'],
    ]);
    assert.deepStrictEqual(await adviseOn('SELECT name FROM customers WHERE email = $1 OR id = $2;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_idx ON public.customers (email)', ['email'], 'hypopg'],
    ]);
    const run = await queryLens(workspace, ['check', '--db', database.url, 'query.sql']);
    assert.match(run.stdout, /^query\.sql:1:18 warning plan-seq-scan Seq Scan on customers reads all ~20,000 rows to keep ~2 \(Filter: \(email = \$1\) OR \(id = \$2\)\): an index on customers \(email\), beside the existing one for the other side of the OR, lets PostgreSQL combine them \(a BitmapOr\) and read only those rows \(checked with a hypothetical index: estimated cost [\d,.]+ → [\d,.]+\)\.\n$/);
  });

  it('join keys on the probed side of a hash join that keeps a few of its rows (the foreign key of a lookup)', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = $1;'), [
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id)', ['customer_id'], 'hypopg'],
    ]);
    // Every order of the paid ones is joined: no index finds a tenth of the table, none is asked for.
    assert.deepStrictEqual(await adviseOn("SELECT o.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id > 100;"), []);
  });

  it('no index for a primary-key lookup, a leading wildcard, or a column one value fills', async () => {
    assert.deepStrictEqual(await adviseOn('SELECT total FROM orders WHERE id = $1;'), []);
    assert.deepStrictEqual(await adviseOn("SELECT id FROM customers WHERE email LIKE '%@example.com';"), []);
    // 90% of orders are 'open': an index would be read for nine rows in ten.
    assert.deepStrictEqual(await adviseOn("SELECT id FROM orders WHERE status = 'open';"), []);
  });
});

describe('redundant-index on the CREATE INDEX statements of a file', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;

  before(async () => {
    database = await createTestDatabase('redundant', SHOP_SCHEMA + REDUNDANT_INDEXES);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-redundant-'));
    fs.mkdirSync(path.join(workspace, 'migrations'));
    fs.writeFileSync(
      path.join(workspace, 'migrations', '0002_indexes.sql'),
      [
        'CREATE INDEX orders_total_idx ON orders (total);',
        'CREATE INDEX orders_total_again ON orders (total);',
        'CREATE INDEX orders_status_idx ON orders (status);',
        'CREATE INDEX orders_status_created_idx ON orders (status, created_at);',
        'CREATE UNIQUE INDEX customers_id_twin ON customers (id);',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  it('says which index makes each redundant one so, at its name, with the DROP to write; the one kept says nothing', async () => {
    const run = await queryLens(workspace, ['check', '--db', database.url, '--format', 'json', 'migrations']);
    assert.strictEqual(run.status, 0, run.stderr);
    const findings = (JSON.parse(run.stdout).diagnostics as { line: number; column: number; endColumn: number; severity: string; code: string; message: string }[]).filter((d) => d.code === 'redundant-index');
    assert.deepStrictEqual(
      findings.map((d) => [d.line, d.column, d.endColumn, d.severity, d.message.replace(/ \(\S+ takes [\d.]+ [kM]B\)/, '')]),
      [
        [1, 14, 30, 'information', 'orders_total_idx duplicates orders_total_again: the same keys, method and predicate, while both are written on every change to orders. Drop it, in a migration of its own: DROP INDEX CONCURRENTLY IF EXISTS public.orders_total_idx;'],
        [3, 14, 31, 'information', 'orders_status_idx is a prefix of orders_status_created_idx (status, created_at): a b-tree is read by any leading part of its keys, so every query orders_status_idx serves, orders_status_created_idx serves too, while both are written on every change to orders. Drop it, in a migration of its own: DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;'],
        [5, 21, 38, 'information', 'customers_id_twin duplicates customers_pkey: the same keys, method and predicate, while both are written on every change to customers. Drop it, in a migration of its own: DROP INDEX CONCURRENTLY IF EXISTS public.customers_id_twin;'],
      ],
    );
  });
});

describe('query-lens advise: a table written far more than it is read', function () {
  this.timeout(90_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;

  before(async () => {
    database = await createTestDatabase(
      'write_heavy',
      `CREATE EXTENSION IF NOT EXISTS hypopg;
       CREATE TABLE audit_log (id bigint PRIMARY KEY, k integer NOT NULL, n integer NOT NULL, note text NOT NULL);
       INSERT INTO audit_log SELECT g, (g * 7919) % 100000, 0, repeat('x', 40) FROM generate_series(1, 100000) g;
       ANALYZE audit_log;`,
    );
    // Counting starts now: the load above is not the workload.
    await withClient(database.url, (c) => c.query('SELECT pg_stat_reset()'));
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-write-heavy-'));
    // An index halves this query's cost (2,387 → ~900-1,200): enough on most tables.
    fs.writeFileSync(path.join(workspace, 'report.sql'), 'SELECT id FROM audit_log WHERE k < 500;\n');
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  const suggested = async () => {
    const run = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', 'report.sql']);
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    return (JSON.parse(run.stdout).indexes as { statement: string }[]).map((index) => index.statement);
  };

  it('suggests an index that halves a query’s cost, until the table is written ten times more than it is read', async () => {
    assert.deepStrictEqual(await suggested(), ['CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_k_idx ON public.audit_log (k)']);
    // 300,000 rows updated by 3 scans: every index there is paid for on each of those writes.
    await withClient(database.url, async (c) => {
      for (let i = 0; i < 3; i++) await c.query('UPDATE audit_log SET n = n + 1');
    });
    const counted = await withClient(database.url, async (c) => (await c.query("SELECT n_tup_upd::int AS writes FROM pg_stat_user_tables WHERE relname = 'audit_log'")).rows[0].writes);
    assert.strictEqual(counted, 300_000);
    assert.deepStrictEqual(await suggested(), []);
  });
});

describe('query-lens advise: a partitioned table', function () {
  this.timeout(90_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;
  before(async () => {
    database = await createTestDatabase(
      'advise_partitioned',
      `CREATE TABLE queues (name text PRIMARY KEY);
       INSERT INTO queues SELECT 'q' || g FROM generate_series(1, 100) AS g;
       CREATE TABLE jobs (id bigint, queue text NOT NULL, dead_letter text REFERENCES queues (name), PRIMARY KEY (queue, id)) PARTITION BY LIST (queue);
       CREATE TABLE jobs_q1 PARTITION OF jobs FOR VALUES IN ('q1');
       CREATE TABLE jobs_rest PARTITION OF jobs DEFAULT;
       INSERT INTO jobs SELECT g, CASE WHEN g % 2 = 0 THEN 'q1' ELSE 'q2' END, CASE WHEN g % 100 = 0 THEN 'q3' END FROM generate_series(1, 50000) AS g;
       ANALYZE jobs; ANALYZE queues;`,
    );
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-advise-partitioned-'));
    fs.writeFileSync(path.join(workspace, 'queues.sql'), "SELECT name FROM queues WHERE name = 'q1';\n");
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  it("indexes the foreign key once, on the parent, without CONCURRENTLY, which PostgreSQL refuses for a partitioned table", async () => {
    const run = await queryLens(workspace, ['advise', '--db', database.url, '--format', 'json', 'queues.sql']);
    assert.strictEqual(run.status, 1, run.stderr);
    const advice = JSON.parse(run.stdout) as { indexes: { statement: string; reason?: string }[] };
    assert.deepStrictEqual(advice.indexes.map((index) => index.statement), ['CREATE INDEX IF NOT EXISTS jobs_dead_letter_idx ON public.jobs (dead_letter)']);
    // …and the statement runs as written.
    await withClient(database.url, (client) => client.query(advice.indexes[0].statement));
  });
});
