import * as assert from 'assert';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';
import { createTestDatabase } from './database';

/**
 * queryLens.connections: the files of a folder run their queries against another database than
 * the workspace's own. Each query is planned against its own database; against the other one,
 * none of its tables would exist.
 */
describe('queryLens.connections, over LSP', function () {
  this.timeout(60_000);
  let app: Awaited<ReturnType<typeof createTestDatabase>>;
  let analytics: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: TestLspClient | undefined;

  before(async () => {
    app = await createTestDatabase('connections_app', 'CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);');
    analytics = await createTestDatabase('connections_analytics', 'CREATE TABLE ledger (id int PRIMARY KEY, account int NOT NULL, amount numeric NOT NULL);');
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  after(async () => {
    await app?.drop();
    await analytics?.drop();
  });

  it("plans each file's queries against the database its folder is mapped to", async () => {
    server = await TestLspClient.start({
      rootUri: 'file:///ws',
      settings: { debounceMs: 0, connection: app.url, connections: { 'analytics/**': analytics.url } },
    });
    const report = 'SELECT sum(amount) FROM ledger WHERE account = 1;\n';
    const accounts = 'SELECT email FROM accounts WHERE id = 1;\n';
    await server.open('file:///ws/analytics/report.sql', 'sql', report);
    await server.open('file:///ws/app.sql', 'sql', accounts);
    await server.open('file:///ws/report.sql', 'sql', report);
    for (const uri of ['file:///ws/analytics/report.sql', 'file:///ws/app.sql', 'file:///ws/report.sql']) {
      await server.waitForLog((line) => line.startsWith(`[plans] ${uri}:`));
    }
    // The mapped folder's query has its plan from the analytics database, and no finding.
    const mapped = await server.codeLenses('file:///ws/analytics/report.sql');
    assert.match(mapped[0]?.command?.title ?? '', /^cost [\d.,]+ · Seq Scan on ledger/);
    assert.deepStrictEqual(server.allPublished('file:///ws/analytics/report.sql').at(-1)!.diagnostics, []);
    // The workspace's own database plans the rest.
    assert.match((await server.codeLenses('file:///ws/app.sql'))[0]?.command?.title ?? '', /^cost [\d.,]+ · Index Scan on accounts/);
    // The same query outside the folder runs against the workspace's database, which has none of
    // its tables: another database's query, not planned, and no error.
    const unmapped = server.allPublished('file:///ws/report.sql').at(-1)!.diagnostics;
    assert.deepStrictEqual(
      unmapped.map((d) => ({ ...d, message: d.message.replace(/PostgreSQL 15\.\d+ · \w+/, '<db>') })),
      [
        {
          range: rangeOf(report, 'SELECT'),
          severity: DiagnosticSeverity.Information,
          source: 'query-lens',
          code: 'not-planned',
          codeDescription: docsLink('not-planned'),
          message: 'Not planned: none of its tables (ledger) is in <db>: it runs against another database.',
        },
      ],
    );
  });

  it('gives a migration of the workspace no advice, and the same statement elsewhere its warning', async () => {
    server = await TestLspClient.start({ rootUri: 'file:///ws', settings: { debounceMs: 0, connection: app.url } });
    const backfill = "UPDATE accounts SET email = lower(email);\n";
    const migration = await server.open('file:///ws/db/migrations/0002_lowercase.sql', 'sql', backfill);
    assert.deepStrictEqual(migration.diagnostics, []);
    const script = await server.open('file:///ws/app/lowercase.sql', 'sql', backfill);
    assert.deepStrictEqual(script.diagnostics.map((d) => d.code), ['require-where-on-update-delete']);
  });
});
