/**
 * Finding a workspace's schema files: `queryLens.schemaFiles` globs as VS Code users write them,
 * and the `.sql` files that create tables when no glob matches, over real folder trees made here
 * (the language server's side; no PGlite).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createsTable } from '../../server/src/db/embedded/schemaStatements';
import { findWorkspaceSchema, splitGlobList } from '../../server/src/db/embedded/workspaceSchema';
import { DEFAULT_SCHEMA_FILES } from '../../server/src/settings';

/** Writes `files` (relative path → contents) under a new temporary folder and returns it. */
function workspaceWith(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ql-workspace-schema-'));
  for (const [relative, contents] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), contents);
  }
  return root;
}

/** The files `globs` find under `root`, relative and `/`-separated, in load order; undefined when none. */
async function found(root: string, globs: readonly string[]): Promise<string[] | undefined> {
  const schema = await findWorkspaceSchema(root, globs);
  return schema?.files.map((file) => path.relative(root, file).split(path.sep).join('/'));
}

const TABLE = 'CREATE TABLE t (id int);\n';

describe('workspace schema files', () => {
  const roots: string[] = [];
  const workspace = (files: Record<string, string>): string => {
    const root = workspaceWith(files);
    roots.push(root);
    return root;
  };
  after(() => {
    for (const root of roots) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('globs as VS Code users write them', () => {
    it('matches {a,b} alternatives, in path order within the glob', async () => {
      const root = workspace({ 'db/schema.sql': TABLE, 'sql/tables.sql': TABLE, 'sql/views.sql': TABLE, 'other/x.sql': TABLE });
      assert.deepStrictEqual(await found(root, ['{db,sql}/*.sql']), ['db/schema.sql', 'sql/tables.sql', 'sql/views.sql']);
      assert.deepStrictEqual(await found(root, ['sql/{views,tables}.sql']), ['sql/tables.sql', 'sql/views.sql']);
      // An alternative that spans folders.
      assert.deepStrictEqual(await found(root, ['{db/schema,other/x}.sql']), ['db/schema.sql', 'other/x.sql']);
    });

    it('matches [...] character classes and ? as one character', async () => {
      const root = workspace({
        'migrations/001_users.sql': TABLE,
        'migrations/002_orders.sql': TABLE,
        'migrations/0003_items.sql': TABLE,
        'migrations/abc_notes.sql': TABLE,
        'db/v1.sql': TABLE,
        'db/v10.sql': TABLE,
      });
      assert.deepStrictEqual(await found(root, ['migrations/[0-9][0-9][0-9]_*.sql']), ['migrations/001_users.sql', 'migrations/002_orders.sql']);
      assert.deepStrictEqual(await found(root, ['migrations/[!0-9]*.sql']), ['migrations/abc_notes.sql']);
      assert.deepStrictEqual(await found(root, ['db/v?.sql']), ['db/v1.sql']);
    });

    it('matches ** across any number of folders, never into dependency folders or through folder links', async () => {
      const root = workspace({
        'schema.sql': TABLE,
        'services/billing/db/schema.sql': TABLE,
        'services/users/structure.sql': TABLE,
        'node_modules/lib/schema.sql': TABLE,
        'vendor/gem/db/schema.sql': TABLE,
        'dist/schema.sql': TABLE,
      });
      fs.symlinkSync(path.join(root, 'services'), path.join(root, 'linked'), 'dir');
      assert.deepStrictEqual(await found(root, ['**/{schema,structure}.sql']), ['schema.sql', 'services/billing/db/schema.sql', 'services/users/structure.sql']);
      assert.deepStrictEqual(await found(root, ['services/**/*.sql']), ['services/billing/db/schema.sql', 'services/users/structure.sql']);
      // Named, a dependency folder is searched.
      assert.deepStrictEqual(await found(root, ['vendor/**/schema.sql']), ['vendor/gem/db/schema.sql']);
    });

    it('matches extglobs, ./ and \\ separators; ignores globs that leave the workspace', async () => {
      // No CREATE TABLE: a glob that matches nothing finds nothing (no fallback).
      const index = 'CREATE INDEX i ON t (id);\n';
      const root = workspace({ 'db/schema.sql': index, 'db/seed.sql': index, 'db/seed_users.sql': index });
      assert.deepStrictEqual(await found(root, ['db/!(seed*).sql']), ['db/schema.sql']);
      assert.deepStrictEqual(await found(root, ['db/@(schema|seed).sql']), ['db/schema.sql', 'db/seed.sql']);
      assert.deepStrictEqual(await found(root, ['./db/schema.sql']), ['db/schema.sql']);
      assert.deepStrictEqual(await found(root, ['db\\schema.sql']), ['db/schema.sql']);
      assert.strictEqual(await found(root, ['../db/*.sql', '/etc/*.conf', '', '!db/seed.sql']), undefined);
    });

    it('splits a comma-separated list (query-lens --schema) at the commas outside {…} and […]', () => {
      assert.deepStrictEqual(splitGlobList('sql/{tables,views}.sql, db/*.sql,,'), ['sql/{tables,views}.sql', 'db/*.sql']);
      assert.deepStrictEqual(splitGlobList('db/[,_]x.sql,{a,{b,c}}/*.sql'), ['db/[,_]x.sql', '{a,{b,c}}/*.sql']);
      assert.deepStrictEqual(splitGlobList('schema.sql'), ['schema.sql']);
    });

    it('loads glob by glob, a file matched twice at its first glob', async () => {
      const root = workspace({ 'db/schema.sql': TABLE, 'db/views.sql': TABLE, 'db/functions.sql': TABLE });
      assert.deepStrictEqual(await found(root, ['db/schema.sql', 'db/*.sql']), ['db/schema.sql', 'db/functions.sql', 'db/views.sql']);
    });
  });

  describe('when no glob matches: the .sql files that create tables', () => {
    it('finds admin/sql/create_tables.sql, and not the files beside it that create no table', async () => {
      const root = workspace({
        'admin/sql/create_tables.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
        'admin/sql/create_views.sql': 'CREATE VIEW active AS SELECT id FROM accounts;\n',
        'admin/sql/reports.sql': "-- CREATE TABLE in a comment is not one\nSELECT 'CREATE TABLE x' FROM accounts;\n",
        'admin/sql/functions.sql': 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE t (id int); END $$;\n',
        'node_modules/pkg/schema/tables.sql': TABLE,
        'vendor/lib/tables.sql': TABLE,
        'dist/sql/create_tables.sql': TABLE,
        'notes.txt': TABLE,
      });
      const schema = await findWorkspaceSchema(root, DEFAULT_SCHEMA_FILES);
      assert.deepStrictEqual(schema?.files, [path.join(root, 'admin', 'sql', 'create_tables.sql')]);
      assert.strictEqual(schema?.foundBy, 'createTable');
      assert.strictEqual(schema?.label, 'admin/sql/create_tables.sql');
      // The user's own globs that match nothing fall back the same way.
      assert.deepStrictEqual(await found(root, ['schema/*.sql']), ['admin/sql/create_tables.sql']);
    });

    it('finds sql/0001.sql, db/sql/*.sql and src/schema/*.sql, in path order, with each way of creating a table', async () => {
      const root = workspace({
        'sql/0001.sql': 'CREATE UNLOGGED TABLE events (id bigint);\n',
        'sql/0002.sql': 'ALTER TABLE events ADD COLUMN at timestamptz;\n',
        'db/sql/tables.sql': '/* accounts */ create table if not exists accounts (id bigint);\n',
        'src/schema/users.sql': 'SET search_path = app;\n\nCREATE\nTABLE users (id bigint);\n',
        'src/queries/users.sql': 'SELECT id FROM users WHERE id = $1;\n',
      });
      const schema = await findWorkspaceSchema(root, DEFAULT_SCHEMA_FILES);
      assert.strictEqual(schema?.foundBy, 'createTable');
      assert.deepStrictEqual(await found(root, DEFAULT_SCHEMA_FILES), ['db/sql/tables.sql', 'sql/0001.sql', 'src/schema/users.sql']);
      assert.strictEqual(schema?.label, '3 files');
    });

    it('takes one source: a schema dump over the migrations beside it', async () => {
      // The oldest migration creates `jobs` without `priority`; loaded before the dump, it made
      // the dump's CREATE TABLE fail and `priority` unknown.
      const root = workspace({
        'pkg/sql/migrations/0001_init.sql': 'CREATE TABLE jobs (id bigint, queue text);\n',
        'pkg/sql/migrations/0002_priority.sql': 'ALTER TABLE jobs ADD COLUMN priority int;\n',
        'pkg/sql/schema.sql': 'CREATE TABLE jobs (id bigint, queue text, priority int);\n',
        'tests/schema.sql': TABLE,
      });
      assert.deepStrictEqual(await found(root, DEFAULT_SCHEMA_FILES), ['pkg/sql/schema.sql']);
    });

    it('takes a baseline over the schema changes made since, and a migrations folder whole', async () => {
      const baseline = workspace({
        'admin/schema_changes/11.sql': 'CREATE TABLE spam (id bigint);\n',
        'admin/schema_changes/12.sql': 'ALTER TABLE users ADD COLUMN bio text;\n',
        'admin/sql/create_tables.sql': 'CREATE TABLE users (id bigint, bio text);\nCREATE TABLE spam (id bigint);\n',
      });
      assert.deepStrictEqual(await found(baseline, DEFAULT_SCHEMA_FILES), ['admin/sql/create_tables.sql']);
      const chain = workspace({
        'app/db/migrations/0001_init.sql': 'CREATE TABLE jobs (id bigint);\n',
        'app/db/migrations/0002_priority.sql': 'ALTER TABLE jobs ADD COLUMN priority int;\n',
        'app/db/migrations/0003_index.sql': 'CREATE INDEX ON jobs (priority);\n',
        'app/queries/jobs.sql': 'SELECT id FROM jobs;\n',
      });
      assert.deepStrictEqual(await found(chain, DEFAULT_SCHEMA_FILES), ['app/db/migrations/0001_init.sql', 'app/db/migrations/0002_priority.sql', 'app/db/migrations/0003_index.sql']);
      // Only tests create tables: theirs, rather than nothing.
      assert.deepStrictEqual(await found(workspace({ 'tests/fixtures/tables.sql': TABLE, 'tests/q.sql': 'SELECT 1;\n' }), DEFAULT_SCHEMA_FILES), ['tests/fixtures/tables.sql']);
    });

    it('is not used when a glob matches, and finds nothing in a workspace without tables', async () => {
      const root = workspace({ 'db/schema.sql': 'CREATE INDEX i ON t (id);\n', 'sql/tables.sql': TABLE });
      const schema = await findWorkspaceSchema(root, DEFAULT_SCHEMA_FILES);
      assert.deepStrictEqual([schema?.foundBy, schema?.files], ['schemaFiles', [path.join(root, 'db', 'schema.sql')]]);
      assert.strictEqual(await findWorkspaceSchema(workspace({ 'queries.sql': 'SELECT 1;\n', 'temp.sql': 'CREATE TEMP TABLE t (id int);\n' }), ['db/*.sql']), undefined);
    });

    it('tells a statement that creates a table from others', () => {
      assert.deepStrictEqual(
        ['CREATE TABLE t (id int)', 'create unlogged table t (id int)', 'CREATE TABLE IF NOT EXISTS t (id int)', '/* x */ CREATE TABLE t AS SELECT 1'].map(createsTable),
        [true, true, true, true],
      );
      assert.deepStrictEqual(
        ['CREATE TEMP TABLE t (id int)', 'CREATE VIEW v AS SELECT 1', 'ALTER TABLE t ADD c int', 'CREATE INDEX ON t (id)', "SELECT 'CREATE TABLE'"].map(createsTable),
        [false, false, false, false, false],
      );
    });
  });
});
