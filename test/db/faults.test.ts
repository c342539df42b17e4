import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI } from '../support/cliRun';
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
    });
    // Password logins for that role only; everything else stays as the recipe set it.
    const hba = path.join(cluster.dataDir, 'pg_hba.conf');
    fs.writeFileSync(hba, `host all app_user 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    cluster.reload();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-faults-'));
    file = path.join(folder, 'q.sql');
    fs.writeFileSync(file, 'SELECT emial FROM accounts;\n');
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
});
