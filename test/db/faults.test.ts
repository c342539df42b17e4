import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI } from '../support/cliRun';
import { TestLspClient } from '../support/lspClient';
import { withClient } from './database';
import { ThrowawayCluster } from './throwawayCluster';

/** The bundled CLI with a kill timer: `killed` says the timer, not the CLI, ended it. */
function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, killAfterMs = 15_000): Promise<{ status: number | null; stdout: string; stderr: string; killed: boolean; ms: number }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== 'DATABASE_URL' && !name.startsWith('PG')) clean[name] = value;
  }
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, killed, ms: Date.now() - started });
    });
  });
}

describe('connection faults, on a database of its own', function () {
  this.timeout(60_000);
  const cluster = new ThrowawayCluster(55500 + (process.pid % 50), 'faults');
  let folder: string;
  let file: string;
  /** A password file no test writes to: the CLI must not find one in the developer's home. */
  let noPgpass: NodeJS.ProcessEnv;

  before(async () => {
    cluster.create();
    await withClient(cluster.url(), async (c) => {
      await c.query("CREATE ROLE app_user LOGIN PASSWORD 'S3cret-pass'");
      await c.query('CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL)');
      await c.query('GRANT SELECT ON accounts TO app_user');
      await c.query('CREATE DATABASE ledger_db');
    });
    await withClient(cluster.url('ledger_db'), (c) => c.query('CREATE TABLE ledger (id integer PRIMARY KEY, amount integer NOT NULL)'));
    // Password logins for that role only; everything else stays as the recipe set it.
    const hba = path.join(cluster.dataDir, 'pg_hba.conf');
    fs.writeFileSync(hba, `host all app_user 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    cluster.reload();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-faults-'));
    file = path.join(folder, 'q.sql');
    fs.writeFileSync(file, 'SELECT emial FROM accounts;\n');
    fs.writeFileSync(path.join(folder, 'ledger.sql'), 'SELECT amont FROM ledger;\n');
    noPgpass = { PGPASSFILE: path.join(folder, 'no-such-pgpass') };
  });
  after(() => {
    cluster.destroy();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('a server that wants a password the CLI does not have: one line and exit 2 at once, not after authentication_timeout', async () => {
    const run = await runCli(folder, ['check', '--db', cluster.url('postgres', 'app_user'), file], noPgpass);
    assert.strictEqual(run.killed, false, `still running after 15 s: ${run.stderr}`);
    assert.strictEqual(run.status, 2);
    assert.strictEqual(run.stdout, '');
    assert.strictEqual(run.stderr, 'query-lens: cannot plan: password required for user "app_user" and none is stored (Query Lens: Configure Connection), in PGPASSWORD or in ~/.pgpass\n');
    // authentication_timeout is a minute: a CLI that waits for the server to hang up takes that long.
    assert.ok(run.ms < 5000, `took ${run.ms} ms`);
  });

  it("reads libpq's URL parameters: ?host=, ?port=, ?user= and ?dbname= override the parts before them", async () => {
    const viaQuery = await runCli(folder, ['explain', '--db', 'postgres:///postgres?host=127.0.0.1&port=5432&user=postgres', 'SELECT 1']);
    assert.strictEqual(viaQuery.status, 0, viaQuery.stderr);
    assert.match(viaQuery.stdout, /^-- PostgreSQL 15\.\d+ · postgres\n/);

    // The URL names the shared server (5432), which has no `ledger`: ?port= and ?dbname= decide.
    const overridden = await runCli(folder, ['check', '--db', `postgres://postgres@127.0.0.1:5432/postgres?port=${cluster.port}&dbname=ledger_db`, 'ledger.sql']);
    assert.match(overridden.stdout, /^ledger\.sql:1:8 error unknown-column Column "amont" does not exist \(PostgreSQL 15\.\d+ · ledger_db\)\. Perhaps you meant to reference the column "ledger\.amount"\.\n$/);
    assert.strictEqual(overridden.status, 1, overridden.stderr);
  });

  it('says which part of a malformed --db is wrong, in one line that never holds the password', async () => {
    const cases: [string, string][] = [
      ['postgress://user:S3cret@127.0.0.1/db', 'query-lens: --db must start with postgres:// or postgresql://, not postgress://\n'],
      ['postgres://user:S3cret@127.0.0.1:99999/db', 'query-lens: --db is not a valid URL (expected postgres://user@host:5432/database)\n'],
      ['user:S3cret@127.0.0.1/db', 'query-lens: --db is not a valid URL (expected postgres://user@host:5432/database)\n'],
      ['postgres://user:S3cret%zz@127.0.0.1/db', 'query-lens: --db: the password is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)\n'],
      ['postgres://us%er:S3cret@127.0.0.1/db', 'query-lens: --db: the user name is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)\n'],
      ['postgres://user:S3cret@127.0.0.1/d%b', 'query-lens: --db: the database name is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)\n'],
      ['postgres://127.0.0.1/db?password=S3cret%', 'query-lens: --db: the value of the password parameter is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)\n'],
      ['postgres://user:S3cret@127.0.0.1:1/db', 'query-lens: cannot plan: connection refused at 127.0.0.1:1\n'],
      ['postgres://user:S3cret@no-such-host.invalid/db', 'query-lens: cannot plan: host not found: no-such-host.invalid\n'],
    ];
    for (const [url, line] of cases) {
      const run = await runCli(folder, ['check', '--db', url, 'q.sql']);
      assert.deepStrictEqual([run.status, run.stdout, run.stderr], [2, '', line], url);
      assert.ok(!run.stderr.includes('S3cret'), url);
    }
  });

  it('language server: the status and the log never hold the password of a connection that fails', async () => {
    for (const [url, text] of [
      ['postgress://user:S3cret@127.0.0.1/db', 'static only — queryLens.connection must start with postgres:// or postgresql://, not postgress://'],
      ['postgres://user:S3cret%@127.0.0.1/db', 'static only — queryLens.connection: the password is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)'],
      ['postgres://user:S3cret@127.0.0.1:1/db', 'static only — connection refused at 127.0.0.1:1'],
      [`postgres://app_user:S3cret-wrong@127.0.0.1:${cluster.port}/postgres`, 'static only — password authentication failed for user "app_user"'],
    ]) {
      const client = await TestLspClient.start({ settings: { debounceMs: 0, connection: url } });
      try {
        await client.open('file:///ws/q.sql', 'sql', 'SELECT 1 FROM pg_class;\n');
        const failed = await client.waitForStatus((s) => s.database?.reason !== undefined);
        assert.strictEqual(failed.text, text);
        assert.ok(!JSON.stringify([client.statuses, client.logs, client.stderr]).includes('S3cret'), url);
      } finally {
        await client.stop();
      }
    }
  });
});
