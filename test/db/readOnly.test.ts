import * as assert from 'assert';
import { PlanRequest } from '../../server/src/protocol';
import { TestLspClient } from '../support/lspClient';
import { createTestDatabase, withClient } from './database';

/**
 * EXPLAIN runs nothing, but the planner evaluates IMMUTABLE functions while planning, and those
 * can reach the session: turn its read-only default off, take advisory locks. Each plan runs in
 * a transaction of its own that is rolled back, and the session is left as found.
 */
const SCHEMA = `
CREATE TABLE t (id integer PRIMARY KEY, note text NOT NULL);
INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) AS g;
CREATE SEQUENCE s;
-- Folded while planning: turns off the read-only default for the rest of the session.
CREATE FUNCTION evil() RETURNS integer IMMUTABLE LANGUAGE sql AS $$ SELECT 1 FROM set_config('default_transaction_read_only', 'off', false) $$;
-- Folded while planning: a session-level advisory lock, which a rollback does not release.
CREATE FUNCTION evil_lock(bigint) RETURNS integer IMMUTABLE LANGUAGE sql AS $$ SELECT 1 FROM pg_advisory_lock($1) $$;
-- Folded while planning: writes (advances a sequence) unless the transaction is read-only.
CREATE FUNCTION bump() RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN nextval('s'); END $$;
-- Folded while planning: what the session's read-only default is at that moment.
CREATE FUNCTION read_only_default() RETURNS text IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN current_setting('default_transaction_read_only'); END $$;
-- Folded while planning: whether the statement runs in a transaction block begun before it
-- (BEGIN READ ONLY), read from the session's own row in pg_stat_activity.
CREATE FUNCTION transaction_block() RETURNS text IMMUTABLE LANGUAGE plpgsql AS $$
  BEGIN RETURN (SELECT CASE WHEN xact_start < query_start THEN 'own transaction' ELSE 'none' END FROM pg_stat_activity WHERE pid = pg_backend_pid()); END $$;
`;

const PROBE = 'SELECT id FROM t WHERE note = read_only_default();';
const IN_TRANSACTION = 'SELECT id FROM t WHERE note = transaction_block();';
const IN_TRANSACTION_PREPARED = 'SELECT id FROM t WHERE note = transaction_block() AND id = $1;';

describe('planning runs nothing the user wrote beyond what EXPLAIN and PREPARE do', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  before(async () => {
    database = await createTestDatabase('read_only', SCHEMA);
  });
  after(() => database.drop());

  it('a folded function that turns off read-only or takes an advisory lock leaves no trace: rows, sequence, locks and session settings as they were', async () => {
    const lines: string[] = [];
    // Many of them first, so that every pooled session has folded evil() before the rest.
    for (let i = 1; i <= 40; i++) lines.push(`SELECT evil() + ${i};`);
    for (let i = 1; i <= 8; i++) lines.push(`SELECT evil_lock(${i});`);
    lines.push('DELETE FROM t;', "SELECT nextval('s');", 'UPDATE t SET note = evil()::text;');
    for (let i = 1; i <= 8; i++) lines.push(`SELECT bump() + ${i};`);
    lines.push(PROBE, IN_TRANSACTION, IN_TRANSACTION_PREPARED, 'SELECT nosuch FROM t;');
    const text = lines.join('\n') + '\n';

    const client = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url } });
    try {
      const uri = 'file:///ws/evil.sql';
      await client.open(uri, 'sql', text);
      const planned = await client.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'unknown-column'), 30_000);
      // nextval() in a read-only transaction is refused while planning: that is the database's answer.
      const bumps = planned.diagnostics.filter((d) => d.range.start.line >= 51 && d.range.start.line <= 58);
      assert.deepStrictEqual(
        bumps.map((d) => [d.range.start.line, d.code, d.message.split(' (')[0]]),
        Array.from({ length: 8 }, (_, i) => [51 + i, 'database-error', 'Cannot execute nextval() in a read-only transaction']),
      );

      const probe = await client.connection.sendRequest(PlanRequest.type, { uri, queryStart: text.indexOf(PROBE) });
      assert.match(probe?.text ?? '', /Filter: \(note = 'on'::text\)/, probe?.text);
      // EXPLAIN, and PREPARE with EXPLAIN EXECUTE, each inside a transaction of its own.
      for (const sql of [IN_TRANSACTION, IN_TRANSACTION_PREPARED]) {
        const plan = await client.connection.sendRequest(PlanRequest.type, { uri, queryStart: text.indexOf(sql) });
        assert.match(plan?.text ?? '', /Filter: \(note = 'own transaction'::text\)/, `${sql}\n${plan?.text}`);
      }

      await withClient(database.url, async (c) => {
        assert.strictEqual((await c.query('SELECT count(*)::int AS n FROM t')).rows[0].n, 100);
        assert.strictEqual((await c.query("SELECT count(*)::int AS n FROM t WHERE note LIKE 'row %'")).rows[0].n, 100);
        assert.deepStrictEqual((await c.query('SELECT last_value::int, is_called FROM s')).rows[0], { last_value: 1, is_called: false });
        const sessions = await c.query(
          `SELECT a.state, (SELECT count(*)::int FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory') AS advisory_locks
             FROM pg_stat_activity a WHERE a.application_name = 'query-lens' AND a.datname = current_database()`,
        );
        assert.ok(sessions.rows.length >= 1, 'the server keeps its sessions open');
        // Idle (not idle in a transaction), and holding no advisory lock.
        assert.deepStrictEqual(new Set(sessions.rows.map((row) => `${row.state} ${row.advisory_locks}`)), new Set(['idle 0']));
      });
    } finally {
      await client.stop();
    }
  });
});
