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

describe('the database going down mid-session', function () {
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
