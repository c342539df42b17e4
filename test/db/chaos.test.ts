import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { ReconnectRequest } from '../../server/src/protocol';
import { CLI } from '../support/cliRun';
import { TestLspClient } from '../support/lspClient';
import { withClient } from './database';
import { ThrowawayCluster } from './throwawayCluster';

/**
 * The database stopping while thousands of plans are in flight: the language server stays up
 * (an outage is a status, static analysis goes on) and the CLI says so in one line, exit 2.
 */
const SCHEMA = `
CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);
-- Immutable, so the planner evaluates it while planning: each plan takes a few milliseconds,
-- which keeps planning going long enough to stop the database in the middle of it.
CREATE FUNCTION slow_fold(integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.003); RETURN $1; END $$;
`;

/**
 * The one line an immediate stop gives, depending on where each session was: dropped mid-query,
 * reset, told of the shutdown, or (a retry already under way) refused.
 */
const LOST = (port: number) =>
  `(connection to 127\\.0\\.0\\.1:${port} was lost|connection reset by 127\\.0\\.0\\.1:${port}|the database at 127\\.0\\.0\\.1:${port} is shutting down or starting up|connection refused at 127\\.0\\.0\\.1:${port})`;

/** ~2,000 queries that each take a moment to plan, one the database refuses, one syntax error. */
function manyQueries(count: number): string {
  const lines = ['SELECT emial FROM accounts;', 'SELECT * FROM accounts WHERE id = 1 AND AND;'];
  for (let i = 1; i <= count; i++) {
    lines.push(`SELECT email FROM accounts WHERE id = slow_fold(${i});`);
  }
  return lines.join('\n') + '\n';
}

/** Resolves once Query Lens has a statement running in the cluster: planning is under way. */
async function planningUnderWay(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const running = await withClient(url, (c) =>
      c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'query-lens' AND state = 'active' AND query LIKE '%slow_fold%'"),
    ).catch(() => undefined);
    if (running && running.rows[0].n > 0) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('Query Lens never started planning');
}

describe('the database stopping while thousands of plans run', function () {
  this.timeout(120_000);
  const cluster = new ThrowawayCluster(55450 + (process.pid % 50), 'chaos');
  const url = cluster.url();
  let client: TestLspClient | undefined;
  let folder: string;

  before(async () => {
    cluster.create();
    await withClient(url, (c) => c.query(SCHEMA));
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-chaos-'));
  });
  after(async () => {
    await client?.stop();
    cluster.destroy();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('language server: stays up, says the database is unreachable, keeps static diagnostics, plans again after Reconnect', async () => {
    client = await TestLspClient.start({ settings: { debounceMs: 0, connection: url } });
    const uri = 'file:///ws/many.sql';
    const opened = client.open(uri, 'sql', manyQueries(2000));
    await planningUnderWay(url);
    cluster.stop('immediate');

    const down = await client.waitForStatus((s) => s.database?.mode === 'static' && s.database.reason !== undefined, 20_000);
    assert.match(down.text, new RegExp(`^static only — ${LOST(cluster.port)}$`));
    const staticOnly = await opened;
    assert.deepStrictEqual(staticOnly.diagnostics.map((d) => d.code), ['syntax-error']);
    // Still answering: an edit gets its static diagnostics.
    const edited = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '-- edited\n' }]);
    assert.ok(edited.diagnostics.some((d) => d.code === 'syntax-error'), JSON.stringify(edited.diagnostics.map((d) => d.code)));
    assert.strictEqual(client.exited, false, `the server died: ${client.stderr}`);
    assert.ok(!client.stderr.includes('Unhandled'), client.stderr);

    cluster.start();
    await client.connection.sendRequest(ReconnectRequest.type);
    const back = await client.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'unknown-column'), 60_000);
    assert.deepStrictEqual(back.diagnostics.map((d) => d.code), ['unknown-column', 'syntax-error']);
    assert.strictEqual(client.statuses.at(-1)?.database?.mode, 'connected');
    assert.strictEqual(client.exited, false);
  });

  for (const mode of ['immediate', 'fast'] as const) {
    it(`CLI: check --db exits 2 with one line, no stack, when the database stops mid-run (pg_ctl -m ${mode})`, async () => {
      if (!(await withClient(url, () => Promise.resolve(true)).catch(() => false))) {
        cluster.start();
      }
      const file = path.join(folder, 'many.sql');
      fs.writeFileSync(file, manyQueries(3000));
      const child = spawn(process.execPath, [CLI, 'check', '--db', url, file], { cwd: folder });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const status = new Promise<number | null>((resolve) => child.on('close', resolve));
      await planningUnderWay(url);
      cluster.stop(mode);
      assert.strictEqual(await status, 2, stderr);
      assert.strictEqual(stdout, '');
      assert.match(stderr, new RegExp(`^query-lens: cannot plan: ${LOST(cluster.port)}\\n$`));
    });
  }
});
