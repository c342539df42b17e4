import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { queryLens } from '../support/cliRun';
import { createTestDatabase } from './database';

/**
 * The idioms of applications that run in production, against a real PostgreSQL with their
 * schema and data: a schema spliced in at run time, a function called through it, a second
 * database's tables, migrations, psycopg2's tuples and intervals, SQL built at run time. No
 * error where the SQL runs; each query planned, or not planned with its reason; every index
 * named is one the planner would use.
 */
const SCHEMA = `
SET default_statistics_target = 10000;
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE SCHEMA worker;
CREATE TABLE worker.jobs (
  id bigint PRIMARY KEY,
  queue text NOT NULL,
  attempts int NOT NULL,
  max_attempts int NOT NULL,
  locked_at timestamptz,
  run_at timestamptz NOT NULL
);
-- Almost no job is locked; one in 200 has used up its attempts.
INSERT INTO worker.jobs
  SELECT g, 'q' || (g % 40), CASE WHEN g % 200 = 0 THEN 5 ELSE g % 5 END, 5,
         CASE WHEN g % 100 = 1 THEN timestamptz '2026-01-01' END, timestamptz '2026-01-01' + g * interval '1 second'
  FROM generate_series(1, 200000) AS g;
CREATE FUNCTION worker.add_job(queue text) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
CREATE SCHEMA tenant_a;
CREATE SCHEMA tenant_b;
CREATE TABLE tenant_a.events (id int PRIMARY KEY);
CREATE TABLE tenant_b.events (id int PRIMARY KEY);
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
-- Every place the application looks up is of one kind, which a partial index serves.
CREATE TABLE worker.places (id bigint PRIMARY KEY, kind text NOT NULL, osm_id bigint NOT NULL);
INSERT INTO worker.places SELECT g, 'N', g * 7 FROM generate_series(1, 100000) AS g;
CREATE INDEX places_node ON worker.places (osm_id) WHERE kind = 'N';
-- Most ways are of one kind, which a partial index serves; one in a hundred is not.
CREATE TABLE worker.ways (id bigint PRIMARY KEY, kind text NOT NULL, osm_id bigint NOT NULL);
INSERT INTO worker.ways SELECT g, CASE WHEN g % 100 = 0 THEN 'R' ELSE 'W' END, g * 7 FROM generate_series(1, 100000) AS g;
CREATE INDEX ways_way ON worker.ways (osm_id) WHERE kind = 'W';
-- A status table holds one row; an outbox is empty on a development database.
CREATE TABLE worker.import_status (last_import timestamptz NOT NULL, indexed boolean NOT NULL);
INSERT INTO worker.import_status VALUES (now(), false);
CREATE TABLE worker.outbox (id bigint PRIMARY KEY, payload text);
ANALYZE;
`;

const FILES: Record<string, string> = {
  'src/jobs.ts': [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export class Jobs {',
    '  constructor(private readonly schema: string) {}',
    '  byQueue(queue: string) {',
    '    return pool.query(`SELECT id FROM ${this.schema}.jobs WHERE queue = $1 AND run_at < now()`, [queue]);',
    '  }',
    '  add(queue: string) {',
    '    return pool.query(`SELECT ${this.schema}.add_job($1)`, [queue]);',
    '  }',
    '  events() {',
    '    return pool.query(`SELECT id FROM ${this.schema}.events WHERE id = $1`, [1]);',
    '  }',
    '  purgeFailed() {',
    '    return pool.query(`DELETE FROM ${this.schema}.jobs WHERE attempts = max_attempts AND locked_at IS NULL`);',
    '  }',
    '}',
    'export const customer = (id: number) => pool.query(\'SELECT email FROM custmers WHERE id = $1\', [id]);',
    "export const ledger = (account: number) => pool.query('SELECT total FROM ledger_entries WHERE account = $1', [account]);",
    'export const dynamic = (sql: string) => pool.query(sql);',
    "export const begin = () => pool.query('BEGIN');",
    '',
  ].join('\n'),
  'src/status.ts': [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const markIndexed = () => pool.query('UPDATE worker.import_status SET indexed = true');",
    "export const handOver = () => pool.query('DELETE FROM worker.outbox');",
    '',
  ].join('\n'),
  'py/worker.py': [
    'import psycopg2',
    '',
    'def stale(cur, ids):',
    '    cur.execute("SELECT id FROM worker.jobs WHERE id IN %s AND run_at < now() - INTERVAL %s", (tuple(ids), "1 day"))',
    '',
    'def is_null(cur, value):',
    '    cur.execute("SELECT %s IS NULL", (value,))',
    '',
  ].join('\n'),
  'migrations/0002_backfill.sql': [
    'UPDATE worker.jobs SET attempts = 0;',
    "SELECT id FROM worker.jobs WHERE queue = 'q7' AND run_at > now();",
    'UPDATE worker.old_jobs SET attempts = 0 WHERE id = 1;',
    '',
  ].join('\n'),
};

describe('application idioms against a real database', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workspace: string;

  before(async () => {
    database = await createTestDatabase('idioms', SCHEMA);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-idioms-'));
    for (const [relative, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.join(workspace, path.dirname(relative)), { recursive: true });
      fs.writeFileSync(path.join(workspace, relative), text);
    }
  });
  after(async () => {
    fs.rmSync(workspace, { recursive: true, force: true });
    await database?.drop();
  });

  it('lists every query with its plan, or why it is not planned, and counts them', async () => {
    const run = await queryLens(workspace, ['queries', '--db', database.url, '--format', 'json', 'src', 'py', 'migrations']);
    assert.strictEqual(run.status, 0, run.stderr);
    const queries: { file: string; line: number; plan: { node: string; cost: number; rows: number } | null; notPlanned?: string }[] = JSON.parse(run.stdout).queries;
    const label = /PostgreSQL 15\.\d+ · ql_test_idioms_\d+/.exec(run.stdout)?.[0];
    assert.deepStrictEqual(
      queries.map((q) => [`${q.file}:${q.line}`, q.plan ? q.plan.node : null, q.notPlanned]),
      [
        ['src/jobs.ts:6', 'Seq Scan on jobs', undefined],
        ['src/jobs.ts:9', 'Result', undefined],
        ['src/jobs.ts:12', null, `schema name spliced at run time (\`this.schema\`), and 2 schemas of ${label} have events (tenant_a, tenant_b)`],
        ['src/jobs.ts:15', 'Delete on jobs', undefined],
        ['src/jobs.ts:18', null, 'relation "custmers" does not exist'],
        ['src/jobs.ts:19', null, `none of its tables (ledger_entries) is in ${label}: it runs against another database`],
        ['src/jobs.ts:20', null, 'its SQL is built at run time (`sql`)'],
        ['src/jobs.ts:21', null, 'transaction control: not a query EXPLAIN plans'],
        ['src/status.ts:3', 'Update on import_status', undefined],
        ['src/status.ts:4', 'Delete on outbox', undefined],
        ['py/worker.py:4', 'Index Scan on jobs', undefined],
        ['py/worker.py:7', 'Result', undefined],
        ['migrations/0002_backfill.sql:1', 'Update on jobs', undefined],
        ['migrations/0002_backfill.sql:2', 'Gather', undefined],
        ['migrations/0002_backfill.sql:3', null, `relation "worker.old_jobs" does not exist in ${label} today; a migration or one-off script runs against the schema of its own time`],
      ],
    );
    // The planner's own figures: the scan of 200,000 jobs costs thousands; the empty outbox nothing.
    for (const query of queries.filter((q) => q.plan)) {
      assert.ok(query.plan!.cost >= 0 && query.plan!.rows >= 0, JSON.stringify(query));
    }
    assert.ok(queries[0].plan!.cost > 1000 && queries[0].plan!.rows > 1000, JSON.stringify(queries[0]));
    assert.deepStrictEqual(queries.find((q) => q.file === 'src/status.ts' && q.line === 4)!.plan, { cost: 0, rows: 0, node: 'Delete on outbox' });
    assert.strictEqual(run.stderr, 'query-lens: 15 queries: 9 planned, 6 not planned (2 built at run time, 2 refused by the database, 1 another database, 1 not a query)\n');
  });

  it('reports no error on SQL that runs, names only indexes the planner would use, gives migrations no advice, and lets a one-row table be updated whole', async () => {
    const run = await queryLens(workspace, ['check', '--db', database.url, 'src', 'py', 'migrations']);
    const lines = run.stdout.trim().split('\n');
    assert.deepStrictEqual(
      lines.map((line) => line.replace(/ \(PostgreSQL 15\.\d+ · ql_test_idioms_\d+\)/, '').replace(/ in PostgreSQL 15\.\d+ · ql_test_idioms_\d+/, ' in <db>').replace(/estimated cost [\d,.]+ → [\d,.]+/, 'estimated cost …')),
      [
        'src/jobs.ts:6:41 warning plan-seq-scan Seq Scan on jobs reads all ~200,000 rows to keep ~5,000 (Filter: (queue = $1) AND (run_at < now())): an index on jobs (queue, run_at) lets PostgreSQL read only those rows (checked with a hypothetical index: estimated cost …).',
        'src/jobs.ts:18:71 error unknown-table Relation "custmers" does not exist. Did you mean customers?',
        'src/jobs.ts:19:56 information not-planned Not planned: none of its tables (ledger_entries) is in <db>: it runs against another database.',
        // The status table holds one row (it is no warning to update it whole); the outbox is
        // empty here, which says nothing of production.
        'src/status.ts:4:43 warning require-where-on-update-delete DELETE without WHERE removes every row of worker.outbox. Add the WHERE clause that picks the rows; to empty the table on purpose, TRUNCATE worker.outbox says so and is faster (it locks the table exclusively and fires no DELETE triggers).',
        'migrations/0002_backfill.sql:3:1 information not-planned Not planned: relation "worker.old_jobs" does not exist in <db> today; a migration or one-off script runs against the schema of its own time.',
      ],
      run.stdout,
    );
    assert.strictEqual(run.status, 1);
  });

  it('says an index is unverified, and why, on a database without HypoPG', async () => {
    const plain = await createTestDatabase('idioms_plain', SCHEMA.replace('CREATE EXTENSION IF NOT EXISTS hypopg;', ''));
    try {
      const run = await queryLens(workspace, ['check', '--db', plain.url, 'src/jobs.ts']);
      const seqScan = run.stdout.split('\n').find((line) => line.includes('plan-seq-scan'));
      assert.match(seqScan ?? '', /an index on jobs \(queue, run_at\) lets PostgreSQL read only those rows \(unverified: PostgreSQL 15\.\d+ · ql_test_idioms_plain_\d+ has no HypoPG; CREATE EXTENSION hypopg there lets Query Lens check that the planner would use it\)\.$/);
      // Unverified, the locked_at index the planner would not use is named too: that is what
      // HypoPG is for.
      assert.ok(run.stdout.includes('src/jobs.ts:15:'), run.stdout);
    } finally {
      await plain.drop();
    }
  });
});

describe('plans as PostgreSQL would run them', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  before(async () => {
    database = await createTestDatabase('custom', SCHEMA);
  });
  after(async () => {
    await database?.drop();
  });

  it('reports nothing of a generic plan that no call runs: each call is planned with its values and uses the partial index', async () => {
    const sql = 'SELECT id FROM worker.places WHERE kind = $1 AND osm_id = $2';
    const run = await queryLens(os.tmpdir(), ['explain', '--db', database.url, sql]);
    // The generic plan cannot prove kind = 'N', so it cannot use the index and scans…
    assert.match(run.stdout, /^Seq Scan on places .*\n  Filter: \(\(kind = \$1\) AND \(osm_id = \$2\)\)\n$/m);
    // …but PostgreSQL plans each call with its values ('N', the only kind), and that plan reads
    // the index: no finding.
    assert.doesNotMatch(run.stdout, /plan-seq-scan/);
    assert.strictEqual(run.status, 0);
  });

  it('reports what a call with a rare value runs into, and says which values', async () => {
    const run = await queryLens(os.tmpdir(), ['explain', '--db', database.url, 'SELECT id FROM worker.ways WHERE kind = $1 AND osm_id = $2']);
    const finding = run.stdout.split('\n').find((line) => line.startsWith('warning plan-seq-scan'));
    assert.match(
      finding ?? run.stdout,
      /^warning plan-seq-scan: Seq Scan on ways reads all ~100,000 rows to keep ~1 \(Filter: \(kind = 'R'::text\) AND \(osm_id = '\d+'::bigint\)\): an index on ways \(osm_id, kind\) lets PostgreSQL read only those rows \(as PostgreSQL plans a call with \$1 = 'R', a rare kind and \$2 = '\d+'\) \(checked with a hypothetical index: estimated cost [\d,.]+ → [\d,.]+\)\.$/,
    );
  });
});
