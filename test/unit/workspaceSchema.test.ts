/**
 * Finding a workspace's schema files: `queryLens.schemaFiles` globs as VS Code users write them,
 * over a real folder tree made here (the language server's side; no PGlite).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findWorkspaceSchema } from '../../server/src/db/embedded/workspaceSchema';

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
async function found(root: string, globs: string[]): Promise<string[] | undefined> {
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
      const root = workspace({ 'db/schema.sql': TABLE, 'db/seed.sql': TABLE, 'db/seed_users.sql': TABLE });
      assert.deepStrictEqual(await found(root, ['db/!(seed*).sql']), ['db/schema.sql']);
      assert.deepStrictEqual(await found(root, ['db/@(schema|seed).sql']), ['db/schema.sql', 'db/seed.sql']);
      assert.deepStrictEqual(await found(root, ['./db/schema.sql']), ['db/schema.sql']);
      assert.deepStrictEqual(await found(root, ['db\\schema.sql']), ['db/schema.sql']);
      assert.strictEqual(await found(root, ['../db/*.sql', '/etc/*.conf', '', '!db/seed.sql']), undefined);
    });

    it('loads glob by glob, a file matched twice at its first glob', async () => {
      const root = workspace({ 'db/schema.sql': TABLE, 'db/views.sql': TABLE, 'db/functions.sql': TABLE });
      assert.deepStrictEqual(await found(root, ['db/schema.sql', 'db/*.sql']), ['db/schema.sql', 'db/functions.sql', 'db/views.sql']);
    });
  });
});
