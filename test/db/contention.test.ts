import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { queryLens } from '../support/cliRun';
import { TestLspClient } from '../support/lspClient';
import { createTestDatabase } from './database';

/**
 * A healthy database under load: far more queries than connections, or a table another session
 * holds locked. Waiting for a turn is not a connection timeout, and a lock is the query's
 * reason not to be planned, not the database's failure.
 */
const SCHEMA = `
CREATE TABLE ledger (id integer PRIMARY KEY, amount integer NOT NULL);
CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);
`;

const LOCKED_REASON = 'a table it reads is locked by another session (canceling statement due to lock timeout); it is planned again on the next change';

/** 40 queries on the locked table, 40 on the other one (the first refers to a column it lacks). */
function lockedAndFree(): string {
  const lines = ['SELECT emial FROM accounts;'];
  for (let i = 1; i <= 40; i++) lines.push(`SELECT amount FROM ledger WHERE id = ${i};`);
  for (let i = 2; i <= 40; i++) lines.push(`SELECT email FROM accounts WHERE id = ${i};`);
  return lines.join('\n') + '\n';
}

describe('a healthy database under contention', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let holder: Client | undefined;
  let folder: string;

  before(async () => {
    database = await createTestDatabase('contention', SCHEMA);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-contention-'));
  });
  after(async () => {
    await holder?.end();
    await database.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Another session takes ACCESS EXCLUSIVE on ledger and keeps its transaction open. */
  async function lockLedger(): Promise<void> {
    holder = new Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE');
  }
  async function unlockLedger(): Promise<void> {
    await holder?.query('ROLLBACK');
    await holder?.end();
    holder = undefined;
  }

  it('editor: the other table is planned, the locked one not planned with that reason, the status stays connected', async () => {
    await lockLedger();
    const client = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url } });
    try {
      const uri = 'file:///ws/ledger.sql';
      await client.open(uri, 'sql', lockedAndFree());
      const planned = await client.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'unknown-column'), 60_000);
      const notPlanned = planned.diagnostics.filter((d) => d.code === 'not-planned');
      assert.strictEqual(notPlanned.length, 40);
      assert.deepStrictEqual(new Set(notPlanned.map((d) => [d.severity, d.message].join(' '))), new Set([`3 Not planned: ${LOCKED_REASON}.`]));
      assert.deepStrictEqual(new Set(notPlanned.map((d) => d.range.start.line)), new Set(Array.from({ length: 40 }, (_, i) => i + 1)));
      assert.deepStrictEqual(planned.diagnostics.filter((d) => d.code !== 'not-planned').map((d) => [d.code, d.range.start.line]), [['unknown-column', 0]]);
      const lenses = await client.codeLenses(uri);
      const titles = lenses.map((lens) => lens.command?.title ?? '');
      assert.strictEqual(titles.filter((t) => t === `not planned: ${LOCKED_REASON}`).length, 40);
      // Every query on accounts has its plan (the first is refused: no lens of a plan).
      assert.strictEqual(titles.filter((t) => t === 'cost 8.17 · Index Scan on accounts (est. 1 row)').length, 39, JSON.stringify(titles));
      const moods = client.statuses.map((s) => s.database?.mode);
      assert.deepStrictEqual([...new Set(moods)], ['idle', 'connecting', 'connected'], JSON.stringify(client.statuses.map((s) => s.text)));
    } finally {
      await client.stop();
      await unlockLedger();
    }
  });

  it('CLI: 40 queries on a locked table are accounted as locked, the others planned, exit as without the lock', async () => {
    const file = path.join(folder, 'ledger.sql');
    fs.writeFileSync(file, lockedAndFree());
    await lockLedger();
    try {
      const run = await queryLens(folder, ['queries', '--db', database.url, file]);
      assert.strictEqual(run.stderr, 'query-lens: 80 queries: 39 planned, 41 not planned (40 table locked, 1 refused by the database)\n');
      assert.strictEqual(run.status, 0);
    } finally {
      await unlockLedger();
    }
  });

  it('CLI: 15,000 queries on four connections are all planned (waiting for a turn is no connection timeout)', async () => {
    const file = path.join(folder, 'many.sql');
    const lines: string[] = [];
    for (let i = 1; i <= 15_000; i++) lines.push(`SELECT email FROM accounts WHERE id = ${i};`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const run = await queryLens(folder, ['check', '--db', database.url, file]);
    assert.strictEqual(run.stderr.split('\n')[0], 'query-lens: 15,000 queries: 15,000 planned, 0 not planned');
    assert.strictEqual(run.status, 0);
  });
});
