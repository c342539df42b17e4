/**
 * The embedded PostgreSQL: PGlite in its own process (the bundled dist/embeddedDb.js, built by
 * `npm test` before the suites run), loaded with a schema from a workspace made here, spoken to
 * with `pg` like any PostgreSQL. Nothing is mocked.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { spawnSync } from 'child_process';
import { EmbeddedDatabase, pruneDataDirectories, startEmbeddedDatabase } from '../../server/src/db/embedded/embeddedDatabase';
import { isProcessAlive, pruneInitialisedDirectories } from '../../server/src/db/embedded/processMessages';
import { classifySchemaStatement, createdExtension, mayLoadAfterOthers } from '../../server/src/db/embedded/schemaStatements';
import { findWorkspaceSchema, WorkspaceSchema } from '../../server/src/db/embedded/workspaceSchema';
import { DEFAULT_SCHEMA_FILES } from '../../server/src/settings';

const PROCESS_SCRIPT = path.resolve(__dirname, '../../../dist/embeddedDb.js');

const FIRST_MIGRATION = `-- Customers and their orders.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE customers (
    id     bigint PRIMARY KEY,
    email  text NOT NULL
);
CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id)
);
CREATE INDEX customers_email_trgm ON customers USING gin (email gin_trgm_ops);
INSERT INTO customers VALUES (1, 'a@example.com');
`;

const SECOND_MIGRATION = `BEGIN;
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'pending';
CREATE INDEX orders_customer_id ON orders (customer_id);
-- The next statement fails (a typo); the ones after it still load.
CREATE VIEW paid_orders AS
    SELECT id, /* 💶 */ totl_cents FROM orders WHERE status = 'paid';
GRANT SELECT ON orders TO reporting;
COMMIT;
`;

/** 1-based line and column (UTF-16) of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not found`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

async function withClient<T>(db: EmbeddedDatabase, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host: db.host, port: db.port, user: db.user, database: db.database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function exitReason(db: EmbeddedDatabase): Promise<string> {
  return new Promise((resolve) => db.onExit(resolve));
}

describe('embedded PostgreSQL (PGlite in its own process)', function () {
  this.timeout(60_000);
  let workspace: string;
  let storageDir: string;
  let schema: WorkspaceSchema;
  let firstStartupMs: number;
  const lines: string[] = [];
  const start = (options: { schema?: WorkspaceSchema; idleMs?: number; unresponsiveMs?: number } = {}): Promise<EmbeddedDatabase> =>
    startEmbeddedDatabase({
      schema: options.schema ?? schema,
      storageDir,
      idleMs: options.idleMs ?? 60_000,
      unresponsiveMs: options.unresponsiveMs,
      log: (line) => lines.push(line),
      processScript: PROCESS_SCRIPT,
    });
  const secondPath = (): string => path.join(workspace, 'migrations', '002_order_status.sql');

  before(async function () {
    assert.ok(fs.existsSync(PROCESS_SCRIPT), `${PROCESS_SCRIPT} is missing: run \`node scripts/bundle.mjs\` (npm test does) first`);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-ws-'));
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-storage-'));
    fs.mkdirSync(path.join(workspace, 'migrations'));
    fs.writeFileSync(path.join(workspace, 'migrations', '001_customers.sql'), FIRST_MIGRATION);
    fs.writeFileSync(secondPath(), SECOND_MIGRATION);
    fs.writeFileSync(path.join(workspace, 'migrations', 'README.md'), 'not SQL');
    fs.mkdirSync(path.join(workspace, 'node_modules', 'dep', 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'node_modules', 'dep', 'migrations', '001_other.sql'), 'CREATE TABLE other (id int);');
    schema = (await findWorkspaceSchema(workspace, DEFAULT_SCHEMA_FILES))!;
  });

  after(function () {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  it('finds the migrations in order, never under node_modules, and hashes them', async function () {
    assert.deepStrictEqual(schema.files, [path.join(workspace, 'migrations', '001_customers.sql'), secondPath()]);
    assert.strictEqual(schema.label, 'migrations/');
    assert.match(schema.hash, /^[0-9a-f]{64}$/);
    assert.strictEqual((await findWorkspaceSchema(workspace, ['**/*.sql']))!.files.length, 2);
    // A glob that matches nothing: the .sql files that create tables instead; in a migrations
    // folder, the whole chain (the ALTER one too).
    const fallback = await findWorkspaceSchema(workspace, ['db/schema.sql']);
    assert.deepStrictEqual([fallback?.foundBy, fallback?.files], ['createTable', [path.join(workspace, 'migrations', '001_customers.sql'), secondPath()]]);

    // Version numbers by value (Flyway's V2 before V10), names by code unit, one file labelled by its path.
    const numbered = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-numbered-'));
    try {
      fs.mkdirSync(path.join(numbered, 'db', 'migrations', 'nested'), { recursive: true });
      for (const name of ['V10__c.sql', 'V2__b.sql', 'V1__a.sql', 'nested/V3__d.sql']) {
        fs.writeFileSync(path.join(numbered, 'db', 'migrations', name), 'SELECT 1;');
      }
      const found = (await findWorkspaceSchema(numbered, DEFAULT_SCHEMA_FILES))!;
      assert.deepStrictEqual(
        found.files.map((file) => path.relative(numbered, file).split(path.sep).join('/')),
        ['db/migrations/V1__a.sql', 'db/migrations/V2__b.sql', 'db/migrations/V10__c.sql', 'db/migrations/nested/V3__d.sql'],
      );
      assert.strictEqual(found.label, 'db/migrations/');
      assert.strictEqual((await findWorkspaceSchema(numbered, ['db/migrations/V2__b.sql']))!.label, 'db/migrations/V2__b.sql');
    } finally {
      fs.rmSync(numbered, { recursive: true, force: true });
    }
  });

  it('skips data, transaction control and statistics, and reads CREATE EXTENSION', function () {
    assert.deepStrictEqual(
      ["INSERT INTO t VALUES (1)", 'COPY t FROM stdin', 'TRUNCATE t', 'WITH x AS (SELECT 1) DELETE FROM t', 'BEGIN', 'COMMIT', 'ANALYZE t', 'SET ROLE app', 'CREATE DATABASE x'].map(
        (sql) => classifySchemaStatement(sql),
      ),
      [
        { run: false, reason: 'data' },
        { run: false, reason: 'data' },
        { run: false, reason: 'data' },
        { run: false, reason: 'data' },
        { run: false, reason: 'transaction control' },
        { run: false, reason: 'transaction control' },
        { run: false, reason: 'maintenance' },
        { run: false, reason: 'session role' },
        { run: false, reason: 'cluster-wide' },
      ],
    );
    assert.deepStrictEqual(classifySchemaStatement("SELECT pg_catalog.set_config('search_path', '', false)"), { run: true });
    assert.deepStrictEqual(classifySchemaStatement('CREATE TABLE t (id int)'), { run: true });
    assert.strictEqual(createdExtension('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"'), 'uuid-ossp');
    assert.strictEqual(createdExtension('create extension Pg_Trgm with schema public'), 'pg_trgm');
    assert.strictEqual(createdExtension('CREATE TABLE t (id int)'), undefined);
  });

  it('tries again a statement that wants what is not created yet, never a DROP', function () {
    assert.deepStrictEqual(
      ['42P01', '42704', '3F000', '42883', '42703'].map((code) => mayLoadAfterOthers('CREATE VIEW v AS SELECT x FROM t', code)),
      [true, true, true, true, true],
    );
    assert.deepStrictEqual(
      [
        mayLoadAfterOthers('CREATE TABLE t (id int)', '42P07'), // already exists
        mayLoadAfterOthers('CREATE VIEW v AS SELECT', '42601'), // syntax error
        mayLoadAfterOthers('CREATE TABLE t (id int)', undefined),
        mayLoadAfterOthers('DROP TABLE t', '42P01'),
        mayLoadAfterOthers('/* old */ drop view v', '42P01'),
      ],
      [false, false, false, false, false],
    );
  });

  it('builds the database from the schema, reports the failing statement where it is, and explains queries over pg', async function () {
    const db = await start();
    try {
      assert.strictEqual(db.reopened, false);
      assert.strictEqual(db.label, 'embedded (schema from migrations/)');
      assert.strictEqual(db.host, '127.0.0.1');
      assert.match(db.serverVersion, /^1[7-9]\.\d+$/);
      assert.ok(isProcessAlive(db.pid));
      firstStartupMs = db.startupMs;
      assert.deepStrictEqual(db.schemaProblems, [
        { file: secondPath(), ...positionOf(SECOND_MIGRATION, 'totl_cents'), message: 'column "totl_cents" does not exist', code: '42703' },
      ]);

      await withClient(db, async (client) => {
        await client.query('SET default_transaction_read_only = on');
        await client.query('SET statement_timeout = 2000');
        const plan = await client.query({ text: 'EXPLAIN (FORMAT JSON) SELECT * FROM orders WHERE customer_id = 1', queryMode: 'extended' });
        assert.match(JSON.stringify(plan.rows[0]['QUERY PLAN']), /"Relation Name":"orders"/);
        const generic = await client.query({ text: 'EXPLAIN (GENERIC_PLAN, FORMAT JSON) SELECT * FROM orders WHERE customer_id = $1' });
        assert.match(JSON.stringify(generic.rows[0]['QUERY PLAN']), /"Relation Name":"orders"/);

        // The second migration's ALTER applied, its GRANT's role was made, the INSERT skipped.
        const columns = await client.query({ text: "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position", queryMode: 'extended' });
        assert.deepStrictEqual(columns.rows.map((row) => row.column_name), ['id', 'customer_id', 'status']);
        const grants = await client.query({ text: "SELECT grantee FROM information_schema.role_table_grants WHERE table_name = 'orders' AND grantee = 'reporting'", queryMode: 'extended' });
        assert.deepStrictEqual(grants.rows, [{ grantee: 'reporting' }]);
        const customers = await client.query({ text: 'SELECT count(*)::int AS n FROM customers', queryMode: 'extended' });
        assert.deepStrictEqual(customers.rows, [{ n: 0 }]);

        await assert.rejects(client.query({ text: 'EXPLAIN (FORMAT JSON) SELECT totl_cents FROM orders', queryMode: 'extended' }), (error: { code?: string; position?: string }) => {
          assert.strictEqual(error.code, '42703');
          assert.strictEqual(error.position, String('EXPLAIN (FORMAT JSON) SELECT '.length + 1));
          return true;
        });
        await assert.rejects(client.query({ text: 'SELECT 1; SELECT 2', queryMode: 'extended' }), /cannot insert multiple commands into a prepared statement/);
        await assert.rejects(client.query({ text: 'CREATE TABLE t (id int)', queryMode: 'extended' }), /read-only transaction/);
      });
    } finally {
      const exited = exitReason(db);
      await db.close();
      assert.strictEqual(await exited, 'closed');
    }
    assert.strictEqual(isProcessAlive(db.pid), false);
    assert.deepStrictEqual(fs.readdirSync(path.join(storageDir, 'embedded')), [schema.hash]);
  });

  it('reopens the data directory of the same schema, faster, with the same problems', async function () {
    const db = await start();
    try {
      assert.strictEqual(db.reopened, true);
      assert.ok(db.startupMs < firstStartupMs, `reopening took ${db.startupMs} ms, building ${firstStartupMs} ms`);
      assert.deepStrictEqual(
        db.schemaProblems.map((problem) => [problem.file, problem.line, problem.column]),
        [[secondPath(), positionOf(SECOND_MIGRATION, 'totl_cents').line, positionOf(SECOND_MIGRATION, 'totl_cents').column]],
      );
      // pg_trgm's bundle is loaded again on reopening: its operator class can use the index.
      const plan = await withClient(db, async (client) => {
        await client.query('SET enable_seqscan = off');
        return client.query({ text: "EXPLAIN (FORMAT JSON) SELECT id FROM customers WHERE email % 'someone@example.com'", queryMode: 'extended' });
      });
      assert.match(JSON.stringify(plan.rows[0]['QUERY PLAN']), /"Index Name":"customers_email_trgm"/);
    } finally {
      await db.close();
    }
  });

  it('builds a private directory when another process serves the same one, and removes it after', async function () {
    const first = await start();
    const second = await start();
    try {
      assert.strictEqual(first.reopened, true);
      assert.strictEqual(second.reopened, false);
      assert.notStrictEqual(second.port, first.port);
      const privateDirs = fs.readdirSync(path.join(storageDir, 'embedded')).filter((name) => name.includes('.private-'));
      assert.strictEqual(privateDirs.length, 1);
      const tables = await withClient(second, (client) => client.query({ text: "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'", queryMode: 'extended' }));
      assert.deepStrictEqual(tables.rows, [{ n: 2 }]);
    } finally {
      await second.close();
      await first.close();
    }
    assert.deepStrictEqual(fs.readdirSync(path.join(storageDir, 'embedded')), [schema.hash]);
  });

  it('reports a crash, and reopens the directory the crash left', async function () {
    const db = await start();
    const exited = exitReason(db);
    process.kill(db.pid, 'SIGKILL');
    assert.strictEqual(await exited, 'crashed: killed by SIGKILL');
    // The lock of the dead process is taken over; PostgreSQL recovers its data directory.
    const again = await start();
    try {
      assert.strictEqual(again.reopened, true);
      const rows = await withClient(again, (client) => client.query({ text: 'SELECT count(*)::int AS n FROM orders', queryMode: 'extended' }));
      assert.deepStrictEqual(rows.rows, [{ n: 0 }]);
    } finally {
      await again.close();
    }
  });

  it('kills the process when a statement keeps it from answering (PGlite ignores statement_timeout)', async function () {
    const db = await start({ unresponsiveMs: 1000 });
    const exited = exitReason(db);
    const client = new Client({ host: db.host, port: db.port, user: db.user, database: db.database });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('SET statement_timeout = 200');
    const sleeping = client.query({ text: 'SELECT pg_sleep(30)', queryMode: 'extended' }).then(
      () => 'answered',
      () => 'connection lost',
    );
    assert.strictEqual(await exited, 'unresponsive: no answer for 1 s');
    assert.strictEqual(await sleeping, 'connection lost');
    assert.strictEqual(isProcessAlive(db.pid), false);
  });

  it('stops when idle, not while touched', async function () {
    const db = await start({ idleMs: 400 });
    let reason: string | undefined;
    db.onExit((why) => (reason = why));
    const touching = setInterval(() => db.touch(), 100);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    clearInterval(touching);
    assert.strictEqual(reason, undefined);
    const lastTouch = Date.now();
    assert.strictEqual(await exitReason(db), 'idle');
    assert.ok(Date.now() - lastTouch >= 300, `stopped ${Date.now() - lastTouch} ms after the last touch`);
    assert.strictEqual(isProcessAlive(db.pid), false);
  });

  it('gives a changed schema a new hash and a data directory of its own', async function () {
    fs.writeFileSync(path.join(workspace, 'migrations', '003_customers_name.sql'), 'ALTER TABLE customers ADD COLUMN name text;\n');
    const changed = (await findWorkspaceSchema(workspace, DEFAULT_SCHEMA_FILES))!;
    assert.notStrictEqual(changed.hash, schema.hash);
    const db = await start({ schema: changed });
    try {
      assert.strictEqual(db.reopened, false);
      const columns = await withClient(db, (client) =>
        client.query({ text: "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position", queryMode: 'extended' }),
      );
      assert.deepStrictEqual(columns.rows.map((row) => row.column_name), ['id', 'email', 'name']);
    } finally {
      await db.close();
    }
    assert.deepStrictEqual(fs.readdirSync(path.join(storageDir, 'embedded')).sort(), [schema.hash, changed.hash].sort());
  });

  it('starts every build from a copy of one initialised data directory, kept beside the data directories', function () {
    // Three builds so far (the first, the private one, the changed schema): initdb ran once.
    assert.strictEqual(lines.filter((line) => line.startsWith('initialised a data directory in ')).length, 1, lines.join('\n'));
    assert.strictEqual(lines.filter((line) => line.startsWith('opened a copy of the initialised data directory in ')).length, 3, lines.join('\n'));
    assert.deepStrictEqual(
      fs.readdirSync(path.join(storageDir, 'embedded-initdb')).map((name) => /^[0-9a-f]{16}$/.test(name)),
      [true],
    );
  });

  describe('schema files whose names do not follow the order they were written in', function () {
    // `a_views.sql` sorts first but needs the schema, type and table of `z_tables.sql`; one view
    // needs another defined after it; `m_lines.sql` has a foreign key to a table made later.
    const VIEWS = `SET search_path = app;
CREATE VIEW big_open_orders AS SELECT * FROM open_orders WHERE total_cents > 100000;
CREATE VIEW open_orders AS
    SELECT id, total_cents FROM orders WHERE status <> 'done'::order_status;
`;
    const LINES = `CREATE TABLE app.order_lines (
    order_id  bigint NOT NULL REFERENCES app.orders (id),
    sku       text NOT NULL
);
CREATE INDEX order_lines_order_id ON app.order_lines (order_id);
`;
    const TABLES = `CREATE SCHEMA app;
CREATE TYPE app.order_status AS ENUM ('new', 'paid', 'done');
CREATE TABLE app.orders (
    id           bigint PRIMARY KEY,
    status       app.order_status NOT NULL,
    total_cents  integer NOT NULL
);
`;
    // Nobody creates `ledger`: tried again after the rest, then reported where PostgreSQL points.
    const REPORTS = `CREATE VIEW app.orders_per_day AS SELECT count(*) FROM app.orders;
CREATE VIEW app.ledger_totals AS
    SELECT account, sum(amount) FROM app.ledger GROUP BY account;
`;
    let project: string;
    let projectStorage: string;

    before(() => {
      project = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-order-'));
      projectStorage = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-order-storage-'));
      fs.mkdirSync(path.join(project, 'schema'));
      fs.writeFileSync(path.join(project, 'schema', 'a_views.sql'), VIEWS);
      fs.writeFileSync(path.join(project, 'schema', 'm_lines.sql'), LINES);
      fs.writeFileSync(path.join(project, 'schema', 'z_tables.sql'), TABLES);
    });
    after(() => {
      fs.rmSync(project, { recursive: true, force: true });
      fs.rmSync(projectStorage, { recursive: true, force: true });
    });

    const startOn = async (globs: string[]): Promise<EmbeddedDatabase> =>
      startEmbeddedDatabase({
        schema: (await findWorkspaceSchema(project, globs))!,
        storageDir: projectStorage,
        idleMs: 60_000,
        log: (line) => lines.push(line),
        processScript: PROCESS_SCRIPT,
      });

    it('loads them completely, each statement in the session its file set up', async function () {
      lines.length = 0;
      const db = await startOn(['schema/*.sql']);
      try {
        assert.deepStrictEqual(db.schemaProblems, []);
        const relations = await withClient(db, (client) =>
          client.query({ text: "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' AND c.relkind IN ('r', 'v', 'i') ORDER BY 1", queryMode: 'extended' }),
        );
        assert.deepStrictEqual(relations.rows, [
          { relname: 'big_open_orders', relkind: 'v' },
          { relname: 'open_orders', relkind: 'v' },
          { relname: 'order_lines', relkind: 'r' },
          { relname: 'order_lines_order_id', relkind: 'i' },
          { relname: 'orders', relkind: 'r' },
          { relname: 'orders_pkey', relkind: 'i' },
        ]);
        const foreignKeys = await withClient(db, (client) =>
          client.query({ text: "SELECT conrelid::regclass::text AS on_table, confrelid::regclass::text AS references FROM pg_constraint WHERE contype = 'f'", queryMode: 'extended' }),
        );
        assert.deepStrictEqual(foreignKeys.rows, [{ on_table: 'app.order_lines', references: 'app.orders' }]);
      } finally {
        await db.close();
      }
      assert.ok(lines.includes('loaded schema/a_views.sql: 3 statement(s), 2 to try again after the rest'), lines.join('\n'));
      assert.ok(lines.includes('tried again 4 statement(s) that needed what a later one creates, in 2 round(s): 4 loaded'), lines.join('\n'));
    });

    it('reports a statement that never loads with its file, line and column, and loads the rest', async function () {
      fs.writeFileSync(path.join(project, 'schema', 'b_reports.sql'), REPORTS);
      try {
        const db = await startOn(['schema/*.sql']);
        try {
          assert.deepStrictEqual(db.schemaProblems, [
            {
              file: path.join(project, 'schema', 'b_reports.sql'),
              ...positionOf(REPORTS, 'app.ledger GROUP'),
              message: 'relation "app.ledger" does not exist',
              code: '42P01',
            },
          ]);
          const views = await withClient(db, (client) => client.query({ text: "SELECT viewname FROM pg_views WHERE schemaname = 'app' ORDER BY 1", queryMode: 'extended' }));
          assert.deepStrictEqual(views.rows.map((row) => row.viewname), ['big_open_orders', 'open_orders', 'orders_per_day']);
        } finally {
          await db.close();
        }
      } finally {
        fs.rmSync(path.join(project, 'schema', 'b_reports.sql'));
      }
    });
  });

  it('removes what dead processes left and all but the newest data directories, never one in use', async function () {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-prune-'));
    try {
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
      const hash = (n: number): string => String(n).repeat(64);
      for (let n = 1; n <= 5; n++) {
        fs.mkdirSync(path.join(base, hash(n)));
        const info = path.join(base, hash(n), 'query-lens-build.json');
        fs.writeFileSync(info, '{}');
        fs.utimesSync(info, new Date(n * 1000_000), new Date(n * 1000_000));
      }
      fs.writeFileSync(path.join(base, `${hash(1)}.lock`), String(process.pid)); // in use: kept though oldest
      fs.writeFileSync(path.join(base, `${hash(2)}.lock`), String(deadPid));
      fs.mkdirSync(path.join(base, `${hash(6)}.tmp-${deadPid}-1`));
      fs.mkdirSync(path.join(base, `${hash(7)}.tmp-${process.pid}-1`));
      fs.mkdirSync(path.join(base, `${hash(8)}.private-${deadPid}-1`));
      fs.mkdirSync(path.join(base, 'unrelated'));
      const removed = await pruneDataDirectories(base, hash(3));
      assert.deepStrictEqual(removed.sort(), [hash(2), `${hash(2)}.lock`, `${hash(6)}.tmp-${deadPid}-1`, `${hash(8)}.private-${deadPid}-1`].sort());
      assert.deepStrictEqual(fs.readdirSync(base).sort(), [hash(1), `${hash(1)}.lock`, hash(3), hash(4), hash(5), `${hash(7)}.tmp-${process.pid}-1`, 'unrelated'].sort());
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it("removes other PGlites' initialised data directories and what dead processes left making one, never a live one's", function () {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-embedded-initdb-'));
    try {
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
      const [current, older] = ['0123456789abcdef', 'fedcba9876543210'];
      for (const name of [current, older, `${current}.tmp-${deadPid}-1`, `${older}.tmp-${process.pid}-1`, 'unrelated']) {
        fs.mkdirSync(path.join(base, name));
      }
      assert.deepStrictEqual(pruneInitialisedDirectories(base, current).sort(), [older, `${current}.tmp-${deadPid}-1`].sort());
      assert.deepStrictEqual(fs.readdirSync(base).sort(), [current, `${older}.tmp-${process.pid}-1`, 'unrelated'].sort());
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
