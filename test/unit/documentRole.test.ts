import * as assert from 'assert';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { documentRole } from '../../server/src/analyze/documentRole';
import { initParsers } from '../../server/src/analyze/parse';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

describe('documentRole: what a file is, from its place in the project', () => {
  before(() => initParsers());

  const oneOff = (path: string, settings = DEFAULT_SETTINGS) => documentRole(path, settings).oneOff;

  it('tells migrations by their folder, their numbered or timestamped name, or their module name', () => {
    for (const path of [
      'migrations/0001_init.sql',
      'db/migrate/20240105_add_index.rb.sql',
      'prisma/migrations/20240101000000_init/migration.sql',
      'app/alembic/versions/abc123_add.py',
      'sql/000011.sql',
      'db/V3__add_orders.sql',
      'src/nominatim_db/tools/migration.py',
      'src/migrations/0003-users.ts',
      'seeds/products.sql',
      'db/postgresql/data-migrations/populate-revenue-table.sql',
      'db/schema_migrations/add_totals.sql',
      'synapse/storage/schema/main/delta/16/users.sql',
      'synapse/storage/schema/main/delta/50/make_event_content_nullable.py',
      'synapse/storage/databases/main/events_bg_updates.py',
      'app/background_updates.ts',
      'packages/schemas/alterations/1.0.0-1672815959-user-roles.ts',
      'admin/schema_changes/14.sql',
      'admin/sql/clear_tables.sql',
      'db/reset.sql',
      'sql/truncate-all.sql',
    ]) {
      assert.strictEqual(oneOff(path), true, path);
    }
    for (const path of ['src/db/queries.sql', 'app/orders.ts', 'reports/monthly.sql', 'src/migrator.ts', 'lib/version2.sql', 'src/nomigrations/list.sql', 'src/deltaSync.ts', 'app/bg_update_ui.py', 'src/alterations.ts', 'src/schema_changes.py', 'sql/reset_password.py', 'sql/clearance_levels.sql', 'queries/password_reset.sql']) {
      assert.strictEqual(oneOff(path), false, path);
    }
  });

  it('takes the schema files and queryLens.oneOffFiles as one-off, with globs as VS Code writes them', () => {
    const settings = { ...DEFAULT_SETTINGS, oneOffFiles: ['scripts/{backfill,maintenance}/**', 'ops/*.sql'] };
    assert.strictEqual(oneOff('scripts/backfill/orders.sql', settings), true);
    assert.strictEqual(oneOff('scripts/report/orders.sql', settings), false);
    assert.strictEqual(oneOff('ops/vacuum.sql', settings), true);
    assert.strictEqual(oneOff('db/schema.sql'), true);
    assert.deepStrictEqual(documentRole('migrations/1.sql', { ...DEFAULT_SETTINGS, oneOffAdvice: true }), { oneOff: true, advice: true });
  });

  it('tells tests by the runners’ conventions, and gives them correctness checks only', () => {
    for (const path of ['tests/test_search.py', 'ckanext/datastore/tests/helpers.py', 'src/__tests__/jobs.ts', 'app/test_models.py', 'app/models_test.py', 'conftest.py', 'src/jobs.test.ts', 'web/api.spec.mjs', 'spec/queries.sql', 'frontend/cypress/plugins/index.js', 'e2e/checkout.ts']) {
      assert.deepStrictEqual(documentRole(path, DEFAULT_SETTINGS), { oneOff: true, advice: false, test: true }, path);
    }
    for (const path of ['src/testing_tools.py', 'app/latest.ts', 'src/contest.py', 'lib/attestation.sql', 'src/e2ee/keys.ts']) {
      assert.deepStrictEqual(documentRole(path, DEFAULT_SETTINGS), { oneOff: false, advice: true }, path);
    }
    const code = [
      'from sqlalchemy import text',
      'def check(conn, ids, name):',
      '    for i in ids:',
      '        conn.execute(text("SELECT * FROM orders WHERE id = :id"), {"id": i})',
      '    conn.execute(text("SELECT a.id FROM orders a, customers b WHERE a.note = \'%s\'" % name))',
      '    conn.execute(text("SELECT id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM blocks)"))',
      '',
    ].join('\n');
    const codes = (path: string, settings = DEFAULT_SETTINGS) =>
      new DocumentAnalysis().run(code, 'python', settings, 'python', documentRole(path, settings)).findings.map((f) => f.code);
    assert.deepStrictEqual(codes('app/orders.py'), ['no-query-in-loop', 'no-select-star', 'no-implicit-cross-join', 'no-sql-concatenation', 'prefer-not-exists']);
    // A test keeps what would be wrong whatever the data (NOT IN over a nullable column).
    assert.deepStrictEqual(codes('tests/test_orders.py'), ['prefer-not-exists']);
    assert.deepStrictEqual(codes('tests/test_orders.py', { ...DEFAULT_SETTINGS, oneOffAdvice: true }), codes('app/orders.py'));
  });

  it('reads a folder named for another engine as that engine', () => {
    assert.deepStrictEqual(documentRole('db/clickhouse/schema.sql', DEFAULT_SETTINGS).engine, { name: 'ClickHouse' });
    assert.deepStrictEqual(documentRole('db/mysql/init.sql', DEFAULT_SETTINGS).engine, { dialect: 'mysql', name: 'MySQL' });
    assert.strictEqual(documentRole('db/postgres/init.sql', DEFAULT_SETTINGS).engine, undefined);
  });

  it("never judges another engine's SQL file as PostgreSQL's", () => {
    const text = 'CREATE TABLE hits (id UUID, path String) ENGINE = MergeTree ORDER BY id;\nSELECT count() FROM hits WHERE path = {path:String};\n';
    const asPostgres = new DocumentAnalysis().run(text, 'sql', DEFAULT_SETTINGS);
    assert.ok(asPostgres.findings.some((f) => f.severity === 'error'));
    const asClickhouse = new DocumentAnalysis().run(text, 'sql', DEFAULT_SETTINGS, 'sql', documentRole('db/clickhouse/schema.sql', DEFAULT_SETTINGS));
    assert.deepStrictEqual(asClickhouse.findings, []);
    assert.deepStrictEqual(
      asClickhouse.statements.map((s) => s?.notPlanned?.category),
      ['another dialect', 'another dialect'],
    );
  });
});
