import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { ReconnectRequest } from '../../server/src/protocol';
import { TestLspClient } from '../support/lspClient';
import { withClient } from './database';

/**
 * The database going down mid-session: a throwaway cluster of its own (the shared server is
 * not stopped under other suites), started with the shared recipe, stopped and started again.
 */
const RECIPE = path.resolve(process.env.QUERY_LENS_SHARED ?? path.resolve(__dirname, '../../../../shared'), 'recipes/pg-start.sh');
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PORT = 55400 + (process.pid % 50);
const DATA = `/tmp/query-lens-outage-${process.pid}`;

function startCluster(fresh: boolean): void {
  if (fresh) {
    execFileSync('sh', [RECIPE], { env: { ...process.env, PGTMP_DIR: DATA, PGTMP_PORT: String(PORT) }, stdio: 'pipe' });
  } else {
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', DATA, '-l', `${DATA}/server.log`, '-w', '-o', `-p ${PORT} -k ${DATA} -c listen_addresses=127.0.0.1`, 'start'], { stdio: 'pipe' });
  }
}

function stopCluster(): void {
  execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', DATA, '-m', 'fast', '-w', 'stop'], { stdio: 'pipe' });
}

const unknownColumn = (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => d.code === 'unknown-column');

describe('a database of its own: refused logins and an outage mid-session', function () {
  this.timeout(90_000);
  const url = `postgres://postgres@127.0.0.1:${PORT}/postgres`;
  let client: TestLspClient | undefined;

  before(async () => {
    assert.ok(fs.existsSync(RECIPE), `the throwaway-cluster recipe is missing: ${RECIPE} (set QUERY_LENS_SHARED)`);
    startCluster(true);
    await withClient(url, (c) => c.query('CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL)'));
  });
  after(async () => {
    await client?.stop();
    try {
      stopCluster();
    } catch {
      // already stopped by a failed test
    }
    fs.rmSync(DATA, { recursive: true, force: true });
  });

  it('asks the client for a password the login needs, and says in one line when the login is refused', async () => {
    await withClient(url, (c) => c.query("CREATE ROLE app_user LOGIN PASSWORD 's3cret pass'"));
    // Password logins for that role only; everything else stays as the recipe set it.
    const hba = path.join(DATA, 'pg_hba.conf');
    fs.writeFileSync(hba, `host all app_user 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', DATA, 'reload'], { stdio: 'pipe' });

    const appUrl = `postgres://app_user@127.0.0.1:${PORT}/postgres`;
    client = await TestLspClient.start({ settings: { debounceMs: 0, connection: appUrl } });
    const uri = 'file:///ws/login.sql';
    await client.open(uri, 'sql', 'SELECT 1 FROM pg_class;\n');
    const missing = await client.waitForStatus((s) => s.database?.reason !== undefined);
    assert.strictEqual(missing.text, 'static only — password required for user "app_user" and none is stored (Query Lens: Configure Connection), in PGPASSWORD or in ~/.pgpass');
    const key = `app_user@127.0.0.1:${PORT}/postgres`;
    assert.deepStrictEqual(client.passwordRequests, [key]);

    client.secrets.set(key, 'wrong');
    await client.connection.sendRequest(ReconnectRequest.type);
    const refused = await client.waitForStatus((s) => s.database?.reason?.startsWith('password authentication') === true);
    assert.strictEqual(refused.text, 'static only — password authentication failed for user "app_user"');

    // "Configure Connection" stored the right password: Reconnect finds it.
    client.secrets.set(key, 's3cret pass');
    await client.connection.sendRequest(ReconnectRequest.type);
    const connected = await client.waitForStatus((s) => s.database?.mode === 'connected');
    assert.match(connected.text, /^PostgreSQL 15\.\d+ · postgres$/);
    assert.ok(!JSON.stringify([client.statuses, client.logs]).includes('s3cret'), 'the password is never logged');
    await client.stop();

    // Without a stored secret, ~/.pgpass (here PGPASSFILE) is read as libpq reads it.
    const pgpass = path.join(DATA, '..', `query-lens-pgpass-${process.pid}`);
    fs.writeFileSync(pgpass, `# test\n127.0.0.1:${PORT}:*:app_user:s3cret pass\n`, { mode: 0o600 });
    try {
      client = await TestLspClient.start({ settings: { debounceMs: 0, connection: appUrl }, env: { PGPASSFILE: pgpass } });
      await client.open(uri, 'sql', 'SELECT 1 FROM pg_class;\n');
      const viaPgpass = await client.waitForStatus((s) => s.database?.mode === 'connected' || s.database?.reason !== undefined);
      assert.strictEqual(viaPgpass.database?.mode, 'connected', viaPgpass.text);
    } finally {
      fs.rmSync(pgpass, { force: true });
      await client.stop();
      client = undefined;
    }
  });

  it('keeps static diagnostics, says why in the status, and plans again after reconnecting', async () => {
    client = await TestLspClient.start({ settings: { debounceMs: 0, connection: url } });
    const uri = 'file:///ws/accounts.sql';
    const text = 'SELECT emial FROM accounts;\nSELECT * FROM accounts WHERE id = 1 AND AND;\n';
    await client.open(uri, 'sql', text);
    const planned = await client.diagnosticsWhere(uri, unknownColumn);
    assert.deepStrictEqual(planned.diagnostics.map((d) => d.code), ['unknown-column', 'syntax-error']);
    assert.ok(client.statuses.some((s) => s.database?.mode === 'connected'));

    stopCluster();
    // An edit after the outage: static analysis answers, plans are gone, the status says why.
    const edited = await client.change(uri, [{ text: text.replace('emial', 'emails') }]);
    const codes = edited.diagnostics.map((d) => d.code);
    assert.ok(codes.includes('syntax-error'), `static diagnostics still published: ${JSON.stringify(codes)}`);
    const down = await client.waitForStatus((s) => s.database?.mode === 'static' && s.text.startsWith('static only — '));
    assert.match(down.text, new RegExp(`^static only — (connection refused at 127\\.0\\.0\\.1:${PORT}|the database at 127\\.0\\.0\\.1:${PORT} is shutting down or starting up|connection to 127\\.0\\.0\\.1:${PORT} was lost)$`));
    const withoutPlans = await client.diagnosticsWhere(uri, (p) => !p.diagnostics.some((d) => d.code === 'unknown-column'));
    assert.deepStrictEqual(withoutPlans.diagnostics.map((d) => d.code), ['syntax-error']);

    startCluster(false);
    await client.connection.sendRequest(ReconnectRequest.type);
    const back = await client.diagnosticsWhere(uri, unknownColumn);
    assert.deepStrictEqual(back.diagnostics.map((d) => [d.code, d.message.split(' (')[0]]), [
      ['unknown-column', 'Column "emails" does not exist'],
      ['syntax-error', 'syntax error at or near "AND"'],
    ]);
    assert.strictEqual(client.statuses.at(-1)?.database?.mode, 'connected');
  });
});
