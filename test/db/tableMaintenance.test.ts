import * as assert from 'assert';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';
import { createTestDatabase, withClient } from './database';

/**
 * plan-table-maintenance: the upkeep counts of the tables a plan reads. Autovacuum is off for
 * these tables, so the counts stay as the test leaves them.
 */
describe('table upkeep in plan findings, over LSP', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: TestLspClient | undefined;

  before(async () => {
    database = await createTestDatabase(
      'upkeep',
      `CREATE TABLE readings (id integer PRIMARY KEY, sensor integer NOT NULL, value float8 NOT NULL) WITH (autovacuum_enabled = off);
       CREATE TABLE sensors (id integer PRIMARY KEY, name text NOT NULL) WITH (autovacuum_enabled = off);
       CREATE TABLE fresh (id integer PRIMARY KEY, note text NOT NULL) WITH (autovacuum_enabled = off);
       CREATE TABLE visits (id integer PRIMARY KEY, user_id integer NOT NULL, page text NOT NULL, token text NOT NULL);
       INSERT INTO visits SELECT g, g % 100, '/p' || g % 30, md5(g::text) FROM generate_series(1, 5000) AS g;
       CREATE INDEX visits_page_idx ON visits (page);
       CREATE INDEX visits_user_idx ON visits (user_id);
       CREATE UNIQUE INDEX visits_token_key ON visits (token);
       ANALYZE visits;`,
    );
    await withClient(database.url, async (c) => {
      // Analysed at 20,000 rows; then 30,000 more and 10,000 deleted, in transactions of their own.
      // (The counts of the first INSERT are flushed first, or they could arrive after the ANALYZE.)
      await c.query('INSERT INTO readings SELECT g, g % 50, g * 0.5 FROM generate_series(1, 20000) AS g');
      await c.query('SELECT pg_stat_force_next_flush()');
      await c.query('ANALYZE readings');
      await c.query('INSERT INTO readings SELECT g, g % 50, g * 0.5 FROM generate_series(20001, 50000) AS g');
      await c.query('DELETE FROM readings WHERE id % 5 = 0');
      // Loaded and analysed in one transaction: its change count says 5,000, but ANALYZE saw them.
      await c.query("BEGIN; INSERT INTO fresh SELECT g, 'n' FROM generate_series(1, 5000) AS g; ANALYZE fresh; COMMIT");
      await c.query("INSERT INTO sensors SELECT g, 's' || g FROM generate_series(1, 3000) AS g");
      // The application's reads of visits: by user through visits_user_idx, and whole-table counts;
      // never by page.
      for (let user = 0; user < 600; user++) await c.query('SELECT id FROM visits WHERE user_id = $1', [user % 100]);
      for (let count = 0; count < 500; count++) await c.query('SELECT count(*) FROM visits');
      // This session's counts reach pg_stat_user_tables when it next goes idle, unless the
      // flush waits for PostgreSQL's rate limit (up to 10 s): force it.
      await c.query('SELECT pg_stat_force_next_flush()');
      for (let attempt = 0; attempt < 50; attempt++) {
        const { rows } = await c.query("SELECT n_live_tup::int AS live FROM pg_stat_user_tables WHERE relname = 'readings'");
        const { rows: visits } = await c.query("SELECT (seq_scan + idx_scan)::int AS scans FROM pg_stat_user_tables WHERE relname = 'visits'");
        if (rows[0]?.live === 40000 && visits[0]?.scans >= 1100) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  after(async () => {
    await database?.drop();
  });

  it('says which table is behind on ANALYZE or VACUUM, under its name, with the figures', async () => {
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url, seqScanMinRows: 1_000_000 } });
    const text = 'SELECT r.value, s.name\n  FROM readings r JOIN sensors s ON s.id = r.sensor\n WHERE r.id < 100;\nSELECT note FROM fresh WHERE id = 7;\n';
    const uri = 'file:///ws/readings.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'plan-table-maintenance'));
    const upkeep = published.diagnostics.filter((d) => d.code === 'plan-table-maintenance');
    assert.deepStrictEqual(
      upkeep.map((d) => ({ ...d, message: undefined })),
      [
        { range: rangeOf(text, 'readings'), severity: DiagnosticSeverity.Information, source: 'query-lens', code: 'plan-table-maintenance', codeDescription: docsLink('plan-table-maintenance'), message: undefined, data: { queryStart: 0 } },
        { range: rangeOf(text, 'sensors'), severity: DiagnosticSeverity.Information, source: 'query-lens', code: 'plan-table-maintenance', codeDescription: docsLink('plan-table-maintenance'), message: undefined, data: { queryStart: 0 } },
      ],
      JSON.stringify(published.diagnostics),
    );
    assert.match(
      upkeep[0].message,
      /^readings has had ~40,000 rows inserted, updated or deleted since it was last analysed \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\), and holds ~40,000 rows where that ANALYZE counted ~20,000: the planner's estimates for it, and this plan, may be off\. Run ANALYZE readings, and check that autovacuum reaches it \(autovacuum_analyze_scale_factor\)\. readings holds ~10,000 dead rows \(25% of its ~40,000 live ones\) that every scan of it still reads: run VACUUM readings \(VACUUM FULL or pg_repack to give the space back\) and check that autovacuum keeps up with its writes\.$/,
    );
    assert.strictEqual(
      upkeep[1].message,
      'sensors has never been analysed: the planner guesses its ~3,000 rows and their values, so this plan may be far from the one it would choose. Run ANALYZE sensors.',
    );
  });

  it('says which index a CREATE INDEX names that the database never used on a table it reads', async () => {
    // The statistics of this database began today: old enough only for a setting of 0 days.
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url, unusedIndexMinDays: 0 } });
    const text = [
      'CREATE INDEX visits_page_idx ON visits (page);',
      'CREATE INDEX visits_user_idx ON visits (user_id);',
      'CREATE UNIQUE INDEX visits_token_key ON visits (token);',
      'CREATE INDEX readings_sensor_idx ON readings (sensor);',
      '',
    ].join('\n');
    const uri = 'file:///ws/migrations/0007_visits.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => p.diagnostics.length > 0);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => ({ ...d, message: undefined })),
      [{ range: rangeOf(text, 'visits_page_idx'), severity: DiagnosticSeverity.Information, source: 'query-lens', code: 'unused-index', codeDescription: docsLink('unused-index'), message: undefined, data: { queryStart: 0 } }],
    );
    const message = published.diagnostics[0].message;
    assert.match(
      message,
      /^visits_page_idx has not been used in PostgreSQL 15\.\d+ · ql_test_upkeep_\d+ since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(when its statistics began counting\): visits was read ([\d,]+) times, never through this index, which takes 0\.\d MB and is updated on every write to visits\. If the production database agrees \(idx_scan = 0 in its pg_stat_user_indexes\), drop it: DROP INDEX CONCURRENTLY visits_page_idx;$/,
    );
    const reads = Number(/was read ([\d,]+) times/.exec(message)![1].replace(/,/g, ''));
    assert.ok(reads >= 1100 && reads < 1200, `${reads} reads`);
  });

  it('says nothing of an unused index while the statistics are younger than queryLens.unusedIndexMinDays, nor of one a query of the workspace is planned with', async () => {
    // Each document's plan run logs its end (a run that planned nothing, at the verbose trace
    // level); what was published by then is all there is.
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url, unusedIndexMinDays: 3650 }, trace: 'verbose' });
    const indexes = 'CREATE INDEX visits_page_idx ON visits (page);\n';
    const plannedDiagnostics = async (uri: string) => {
      await server!.waitForLog((line) => line.startsWith(`[plans] ${uri}:`));
      return server!.allPublished(uri).at(-1)!.diagnostics;
    };
    await server.open('file:///ws/migrations/0008_visits.sql', 'sql', indexes);
    assert.deepStrictEqual(await plannedDiagnostics('file:///ws/migrations/0008_visits.sql'), []);
    await server.stop();

    // Old enough, but a query of an open document is planned with the index: it serves the workspace.
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url, unusedIndexMinDays: 0 }, trace: 'verbose' });
    const query = "SELECT id FROM visits WHERE page = '/p7';\n";
    await server.open('file:///ws/pages.sql', 'sql', query);
    await server.waitForLog((line) => line.startsWith('[plans] file:///ws/pages.sql:'));
    const lenses = await server.codeLenses('file:///ws/pages.sql');
    // A bitmap heap scan on page: through visits_page_idx, the only index on it.
    assert.match(lenses[0].command?.title ?? '', /Bitmap Heap Scan on visits/);
    await server.open('file:///ws/migrations/0009_visits.sql', 'sql', indexes);
    assert.deepStrictEqual(await plannedDiagnostics('file:///ws/migrations/0009_visits.sql'), []);
  });
});
