import * as assert from 'assert';
import { indexName, IndexToCreate, MAX_NAME_BYTES, Migration, migrationFor } from '../../server/src/advise/migrationFile';
import { createIndexTitle, indexMigration } from '../../server/src/advise/indexQuickFix';
import type { IndexAdvice } from '../../server/src/db/planDocument';

const INDEX: IndexToCreate = {
  statement: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at)',
  name: 'orders_customer_id_created_at_idx',
  table: 'public.orders',
  comment: 'Create index on orders (customer_id, created_at) — est. cost 15,375 → 8',
};
const NOW = new Date(Date.UTC(2026, 2, 14, 9, 26, 53, 589));
const STAMP = '20260314092653';
const HEADER_SQL = '-- Written by Query Lens: Create index on orders (customer_id, created_at) — est. cost 15,375 → 8';
const HEADER_HASH = '# Written by Query Lens: Create index on orders (customer_id, created_at) — est. cost 15,375 → 8';
const CREATE = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at)';
const DROP = 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_id_created_at_idx';

/** A workspace whose files read as given; paths with no text are listed but unreadable. */
function workspace(files: Record<string, string | undefined>) {
  return { listing: Object.keys(files), read: (path: string) => files[path] };
}

function only(migration: Migration): { convention: string; path: string; content: string } {
  assert.strictEqual(migration.files.length, 1, JSON.stringify(migration.files.map((file) => file.path)));
  return { convention: migration.convention, ...migration.files[0] };
}

function text(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

describe('migrationFile: index names', () => {
  it('names the table and the keys, expressions by their words, without the sort order', () => {
    assert.strictEqual(indexName('public.orders', ['customer_id', 'created_at']), 'orders_customer_id_created_at_idx');
    assert.strictEqual(indexName('users', ['lower(email)']), 'users_lower_email_idx');
    assert.strictEqual(indexName('events', ["(payload->>'type')"]), 'events_payload_type_idx');
    assert.strictEqual(indexName('events', ["payload ->> 'type'::text", 'lower((email)::character varying)']), 'events_payload_type_lower_email_idx');
    assert.strictEqual(indexName('"Orders"', ['"CustomerId"', 'created_at DESC NULLS LAST']), 'orders_customerid_created_at_idx');
    assert.strictEqual(indexName('orders', ['(1)', '(+)']), 'orders_1_expr_idx');
  });

  it('takes _1, _2… when the name is taken', () => {
    assert.strictEqual(indexName('orders', ['customer_id'], new Set(['orders_customer_id_idx'])), 'orders_customer_id_idx_1');
    assert.strictEqual(indexName('orders', ['customer_id'], new Set(['orders_customer_id_idx', 'orders_customer_id_idx_1'])), 'orders_customer_id_idx_2');
    assert.strictEqual(indexName('orders', ['customer_id'], new Set(['orders_customer_id_idx_1'])), 'orders_customer_id_idx');
  });

  it('stays within 63 bytes, cut names keeping a stable hash of the whole so that names sharing a beginning differ', () => {
    const keys = ['customer_subscription_id', 'billing_period_started_at'];
    const long = indexName('subscription_billing_events', [...keys, 'created_at']);
    assert.strictEqual(long, 'subscription_billing_events_customer_subscription_c7b4f8fe_idx');
    assert.ok(Buffer.byteLength(long) <= MAX_NAME_BYTES);
    const sibling = indexName('subscription_billing_events', [...keys, 'updated_at']);
    assert.notStrictEqual(sibling, long);
    assert.strictEqual(sibling.slice(0, 50), long.slice(0, 50));
    // Exactly 63 bytes is still whole: PostgreSQL keeps 63.
    const fits = indexName('t', ['a'.repeat(57)]);
    assert.strictEqual(fits, `t_${'a'.repeat(57)}_idx`);
    assert.strictEqual(Buffer.byteLength(fits), 63);
    assert.notStrictEqual(indexName('t', ['a'.repeat(58)]), `t_${'a'.repeat(58)}_idx`);
    const taken = indexName('subscription_billing_events', [...keys, 'created_at'], new Set([long]));
    assert.ok(taken.endsWith('_idx_1') && Buffer.byteLength(taken) <= MAX_NAME_BYTES, taken);
  });

  it('counts bytes, not characters, and never cuts a character in two', () => {
    const name = indexName('заказы', ['дата_создания_заказа_клиентом']);
    assert.ok(Buffer.byteLength(name) <= MAX_NAME_BYTES, name);
    assert.ok(!name.includes('\uFFFD'));
    assert.strictEqual(name, 'заказы_дата_создания_заказ_28073459_idx');
  });
});

describe('migrationFile: the project convention', () => {
  it('Prisma: a new folder with migration.sql, without CONCURRENTLY, saying why', () => {
    const { listing } = workspace({
      'package.json': '',
      'prisma/schema.prisma': '',
      'prisma/migrations/migration_lock.toml': '',
      'prisma/migrations/20240105120000_init/migration.sql': '',
      'prisma/migrations/20240212083000_orders/migration.sql': '',
      // Not the project's: a dependency's migrations are not where it writes.
      'node_modules/some-lib/prisma/migrations/20230101000000_a/migration.sql': '',
      'node_modules/some-lib/prisma/migrations/20230101000001_b/migration.sql': '',
      'node_modules/some-lib/prisma/migrations/20230101000002_c/migration.sql': '',
    });
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, {})), {
      convention: 'prisma',
      path: `prisma/migrations/${STAMP}_add_orders_customer_id_created_at_idx/migration.sql`,
      content: text(
        HEADER_SQL,
        '-- Without CONCURRENTLY: prisma migrate runs a migration in a transaction, where CONCURRENTLY fails.',
        '-- Writes to orders wait while it builds; on a busy table run it CONCURRENTLY by hand and `prisma migrate resolve --applied`.',
        'CREATE INDEX IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at);',
      ),
    });
  });

  it('Prisma under another folder, with a clock behind the latest migration: still sorts last', () => {
    const listing = ['packages/db/migrations/20260314092653_init/migration.sql', 'packages/db/migrations/20260314095959_orders/migration.sql'];
    assert.strictEqual(only(migrationFor(listing, INDEX, NOW, {})).path, 'packages/db/migrations/20260314100000_add_orders_customer_id_created_at_idx/migration.sql');
  });

  it('Alembic: a revision on the head, CONCURRENTLY in an autocommit block, dropped on downgrade', () => {
    const { listing, read } = workspace({
      'alembic.ini': '',
      'alembic/env.py': 'from alembic import context\n',
      'alembic/versions/1975ea83b712_create_account_table.py': "revision = '1975ea83b712'\ndown_revision = None\n",
      'alembic/versions/ae1027a6acf_add_orders.py': "revision: str = 'ae1027a6acf'\ndown_revision: Union[str, None] = '1975ea83b712'\n",
    });
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, {}, read)), {
      convention: 'alembic',
      path: 'alembic/versions/3d283766e876_add_orders_customer_id_created_at_idx.py',
      content: text(
        HEADER_HASH,
        '"""add orders_customer_id_created_at_idx',
        '',
        'Revision ID: 3d283766e876',
        'Revises: ae1027a6acf',
        'Create Date: 2026-03-14 09:26:53 UTC',
        '"""',
        'from alembic import op',
        '',
        "revision = '3d283766e876'",
        "down_revision = 'ae1027a6acf'",
        'branch_labels = None',
        'depends_on = None',
        '',
        '',
        'def upgrade():',
        '    # CONCURRENTLY cannot run inside the transaction alembic wraps a migration in.',
        '    with op.get_context().autocommit_block():',
        `        op.execute('${CREATE}')`,
        '',
        '',
        'def downgrade():',
        '    with op.get_context().autocommit_block():',
        `        op.execute('${DROP}')`,
      ),
    });
  });

  it('Alembic with two heads (Flask-Migrate layout) merges them; without file contents there is no revision chain to follow', () => {
    const { listing, read } = workspace({
      'migrations/env.py': '',
      'migrations/versions/a1_base.py': "revision = 'a1'\ndown_revision = None\n",
      'migrations/versions/b2_left.py': "revision = 'b2'\ndown_revision = 'a1'\n",
      'migrations/versions/c3_right.py': 'revision = "c3"\ndown_revision = "a1"\n',
    });
    const merged = only(migrationFor(listing, INDEX, NOW, {}, read));
    assert.strictEqual(merged.convention, 'alembic');
    assert.ok(merged.path.startsWith('migrations/versions/'), merged.path);
    assert.ok(merged.content.includes("\ndown_revision = ('b2', 'c3')\n"), merged.content);
    assert.ok(merged.content.includes('\nRevises: b2, c3\n'), merged.content);
    assert.strictEqual(only(migrationFor(listing, INDEX, NOW, {})).convention, 'plain-sql');
  });

  it("Django: the app whose label starts the table's name, next number, atomic = False, depending on its latest migration", () => {
    const { listing } = workspace({
      'manage.py': '',
      'accounts/migrations/__init__.py': '',
      'accounts/migrations/0001_initial.py': '',
      'shop/models.py': '',
      'shop/migrations/__init__.py': '',
      'shop/migrations/0001_initial.py': '',
      'shop/migrations/0002_order_status.py': '',
    });
    const index: IndexToCreate = {
      statement: "CREATE INDEX CONCURRENTLY shop_order_payload_type_idx ON shop_order ((payload->>'type'))",
      name: 'shop_order_payload_type_idx',
      table: 'shop_order',
      comment: INDEX.comment,
    };
    assert.deepStrictEqual(only(migrationFor(listing, index, NOW, {})), {
      convention: 'django',
      path: 'shop/migrations/0003_add_shop_order_payload_type_idx.py',
      content: text(
        HEADER_HASH,
        'from django.db import migrations',
        '',
        '',
        'class Migration(migrations.Migration):',
        '    # CONCURRENTLY cannot run inside the transaction Django wraps a migration in.',
        '    atomic = False',
        '',
        '    dependencies = [',
        "        ('shop', '0002_order_status'),",
        '    ]',
        '',
        '    operations = [',
        '        migrations.RunSQL(',
        `            sql="CREATE INDEX CONCURRENTLY shop_order_payload_type_idx ON shop_order ((payload->>'type'))",`,
        "            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS shop_order_payload_type_idx',",
        '        ),',
        '    ]',
      ),
    });
    // No app's label starts the table's name: the first app in path order.
    assert.strictEqual(only(migrationFor(listing, INDEX, NOW, {})).path, 'accounts/migrations/0002_add_orders_customer_id_created_at_idx.py');
  });

  it("Rails: disable_ddl_transaction!, the project's migration version, execute of the statement", () => {
    const { listing, read } = workspace({
      Gemfile: '',
      // Rails was upgraded since the latest migration: the migrations' own version is what the project writes.
      'db/schema.rb': 'ActiveRecord::Schema[7.2].define(version: 2024_01_05_120000) do\n',
      'db/migrate/20231201090000_create_customers.rb': 'class CreateCustomers < ActiveRecord::Migration[7.0]\n',
      'db/migrate/20240105120000_create_orders.rb': 'class CreateOrders < ActiveRecord::Migration[7.1]\n',
    });
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, {}, read)), {
      convention: 'rails',
      path: `db/migrate/${STAMP}_add_orders_customer_id_created_at_idx.rb`,
      content: text(
        HEADER_HASH,
        'class AddOrdersCustomerIdCreatedAtIdx < ActiveRecord::Migration[7.1]',
        '  # CONCURRENTLY cannot run inside the transaction Rails wraps a migration in.',
        '  disable_ddl_transaction!',
        '',
        '  def up',
        "    execute <<~'SQL'",
        `      ${CREATE};`,
        '    SQL',
        '  end',
        '',
        '  def down',
        "    execute <<~'SQL'",
        `      ${DROP};`,
        '    SQL',
        '  end',
        'end',
      ),
    });
    // Unreadable migrations: schema.rb's version, else 7.0.
    const unreadable = (path: string) => (path === 'db/schema.rb' ? read(path) : undefined);
    assert.ok(only(migrationFor(listing, INDEX, NOW, {}, unreadable)).content.includes('< ActiveRecord::Migration[7.2]\n'));
    assert.ok(only(migrationFor(listing, INDEX, NOW, {})).content.includes('< ActiveRecord::Migration[7.0]\n'));
  });

  it('knex (CommonJS): knex.raw with exports.config = { transaction: false }, down drops it', () => {
    const { listing, read } = workspace({
      'knexfile.js': '',
      'migrations/20240105120000_create_orders.js': "exports.up = function (knex) {\n  return knex.schema.createTable('orders', () => {});\n};\n",
      // Declarations emitted beside the migrations say nothing of the language they are written in.
      'migrations/20240105120000_create_orders.d.ts': 'export declare function up(knex: Knex): Promise<void>;\n',
    });
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, {}, read)), {
      convention: 'knex',
      path: `migrations/${STAMP}_add_orders_customer_id_created_at_idx.js`,
      content: text(
        '// Written by Query Lens: Create index on orders (customer_id, created_at) — est. cost 15,375 → 8',
        '',
        '// CONCURRENTLY cannot run inside the transaction knex wraps a migration in.',
        'exports.config = { transaction: false };',
        '',
        'exports.up = function (knex) {',
        `  return knex.raw('${CREATE}');`,
        '};',
        '',
        'exports.down = function (knex) {',
        `  return knex.raw('${DROP}');`,
        '};',
      ),
    });
  });

  it('knex (TypeScript): typed ESM functions; a stamped .js that never mentions knex is not a knex migration', () => {
    const { listing, read } = workspace({
      'src/db/migrations/20240105120000_create_orders.ts': "import type { Knex } from 'knex';\nexport async function up(knex: Knex) {}\n",
    });
    const index: IndexToCreate = { ...INDEX, statement: "CREATE INDEX orders_note_idx ON orders (note) WHERE note <> 'it''s'", name: 'orders_note_idx', table: 'orders', comment: undefined };
    assert.deepStrictEqual(only(migrationFor(listing, index, NOW, {}, read)), {
      convention: 'knex',
      path: `src/db/migrations/${STAMP}_add_orders_note_idx.ts`,
      content: text(
        '// Written by Query Lens',
        '',
        "import type { Knex } from 'knex';",
        '',
        '// CONCURRENTLY cannot run inside the transaction knex wraps a migration in.',
        'export const config = { transaction: false };',
        '',
        'export async function up(knex: Knex): Promise<void> {',
        "  await knex.raw('CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note) WHERE note <> \\'it\\'\\'s\\'');",
        '}',
        '',
        'export async function down(knex: Knex): Promise<void> {',
        "  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS orders_note_idx');",
        '}',
      ),
    });
    const esm = workspace({ 'migrations/20240105120000_create_orders.js': 'export async function up(knex) {}\n' });
    const esmContent = only(migrationFor(esm.listing, INDEX, NOW, {}, esm.read)).content;
    assert.ok(esmContent.includes('\nexport const config = { transaction: false };\n') && esmContent.includes('\nexport async function up(knex) {\n'), esmContent);
    assert.ok(!esmContent.includes('import type'), esmContent);
    const kysely = workspace({ 'migrations/20240105120000_create_orders.js': 'export async function up(db) { await db.schema.createTable("orders") }' });
    assert.strictEqual(only(migrationFor(kysely.listing, INDEX, NOW, {}, kysely.read)).convention, 'plain-sql');
  });

  it('golang-migrate: an .up.sql and a .down.sql, numbered as the pairs are', () => {
    const listing = ['db/migrations/000001_init.up.sql', 'db/migrations/000001_init.down.sql', 'db/migrations/000002_orders.up.sql', 'db/migrations/000002_orders.down.sql'];
    const migration = migrationFor(listing, INDEX, NOW, {});
    const why = '-- Alone in its file: CONCURRENTLY fails when the file holds other statements.';
    assert.deepStrictEqual(migration, {
      convention: 'golang-migrate',
      files: [
        { path: 'db/migrations/000003_add_orders_customer_id_created_at_idx.up.sql', content: text(HEADER_SQL, why, `${CREATE};`) },
        { path: 'db/migrations/000003_add_orders_customer_id_created_at_idx.down.sql', content: text(HEADER_SQL, why, `${DROP};`) },
      ],
    });
    // Without down files, still golang-migrate: they are optional to it.
    const stamped = migrationFor(['migrations/20240105120000_init.up.sql'], INDEX, NOW, {});
    assert.deepStrictEqual(stamped.files.map((file) => file.path), [`migrations/${STAMP}_add_orders_customer_id_created_at_idx.up.sql`, `migrations/${STAMP}_add_orders_customer_id_created_at_idx.down.sql`]);
  });

  it('Flyway: the next V number, padded as the latest', () => {
    const listing = ['src/main/resources/db/migration/V1__init.sql', 'src/main/resources/db/migration/V2__orders.sql', 'src/main/resources/db/migration/V3_1__customers.sql', 'src/main/resources/db/migration/R__views.sql'];
    // The build's copy, with a migration from another branch: not where the project writes.
    const built = ['V1__init.sql', 'V2__orders.sql', 'V3_1__customers.sql', 'V9__other_branch.sql'].map((name) => `target/classes/db/migration/${name}`);
    assert.deepStrictEqual(only(migrationFor([...listing, ...built], INDEX, NOW, {})), {
      convention: 'flyway',
      path: 'src/main/resources/db/migration/V4__add_orders_customer_id_created_at_idx.sql',
      content: text(HEADER_SQL, '-- Alone in its migration: Flyway runs CONCURRENTLY outside a transaction only when nothing else shares the file.', `${CREATE};`),
    });
    assert.strictEqual(only(migrationFor(['sql/V009__a.sql', 'sql/V010__b.sql'], INDEX, NOW, {})).path, 'sql/V011__add_orders_customer_id_created_at_idx.sql');
  });

  it('plain numbered SQL: the next number with the same padding and separator', () => {
    assert.deepStrictEqual(only(migrationFor(['migrations/0001_init.sql', 'migrations/0002_orders.sql', 'README.md'], INDEX, NOW, {})), {
      convention: 'plain-sql-numbered',
      path: 'migrations/0003_add_orders_customer_id_created_at_idx.sql',
      content: text(HEADER_SQL, `${CREATE};`),
    });
    assert.strictEqual(only(migrationFor(['db/migrations/011-orders.sql', 'db/migrations/012-users.sql', 'db/seeds/1_demo.sql'], INDEX, NOW, {})).path, 'db/migrations/013-add_orders_customer_id_created_at_idx.sql');
    assert.strictEqual(only(migrationFor(['db/1_init.sql', 'db/9_orders.sql'], INDEX, NOW, {})).path, 'db/10_add_orders_customer_id_created_at_idx.sql');
    // The separator is the latest migration's, by number, not by listing order.
    assert.strictEqual(only(migrationFor(['db/10-orders.sql', 'db/9_init.sql'], INDEX, NOW, {})).path, 'db/11-add_orders_customer_id_created_at_idx.sql');
    // Migrations that carry only their number: so does the new one.
    assert.strictEqual(only(migrationFor(['sql/000010.sql', 'sql/000011.sql'], INDEX, NOW, {})).path, 'sql/000012.sql');
  });

  it('plain stamped SQL: a stamp for now, after the latest', () => {
    assert.deepStrictEqual(only(migrationFor(['db/migrations/20240105120000_add_x.sql'], INDEX, NOW, {})), {
      convention: 'plain-sql-timestamped',
      path: `db/migrations/${STAMP}_add_orders_customer_id_created_at_idx.sql`,
      content: text(HEADER_SQL, `${CREATE};`),
    });
    assert.strictEqual(only(migrationFor(['db/migrations/20991231235959_future.sql'], INDEX, NOW, {})).path, 'db/migrations/21000101000000_add_orders_customer_id_created_at_idx.sql');
  });

  it("dbmate and goose: their up and down markers, each block outside a transaction", () => {
    const dbmate = workspace({ 'db/migrations/20240105120000_create_orders.sql': '-- migrate:up\ncreate table orders ();\n\n-- migrate:down\ndrop table orders;\n' });
    assert.deepStrictEqual(only(migrationFor(dbmate.listing, INDEX, NOW, {}, dbmate.read)), {
      convention: 'dbmate',
      path: `db/migrations/${STAMP}_add_orders_customer_id_created_at_idx.sql`,
      content: text(HEADER_SQL, '-- migrate:up transaction:false', `${CREATE};`, '', '-- migrate:down transaction:false', `${DROP};`),
    });
    const goose = workspace({ 'migrations/00001_create_orders.sql': '-- +goose Up\ncreate table orders ();\n-- +goose Down\ndrop table orders;\n' });
    assert.deepStrictEqual(only(migrationFor(goose.listing, INDEX, NOW, {}, goose.read)), {
      convention: 'goose',
      path: 'migrations/00002_add_orders_customer_id_created_at_idx.sql',
      content: text(HEADER_SQL, '-- +goose NO TRANSACTION', '-- +goose Up', `${CREATE};`, '', '-- +goose Down', `${DROP};`),
    });
  });

  it('the most specific convention wins, and each file ends with one newline', () => {
    const listing = ['prisma/migrations/20240105120000_init/migration.sql', 'sql/0001_seed.sql', 'sql/0002_seed.sql', 'sql/0003_seed.sql'];
    const migration = migrationFor(listing, INDEX, NOW, {});
    assert.strictEqual(migration.convention, 'prisma');
    assert.match(migration.files[0].content, /[^\n]\n$/);
  });
});

describe('migrationFile: no convention, and queryLens.migrationsDir', () => {
  it('a comment of several lines stays on the first line', () => {
    const content = only(migrationFor([], { ...INDEX, comment: 'Create index on orders\r\n  est. cost 15,375 → 8\n' }, NOW, {})).content;
    assert.strictEqual(content.split('\n')[0], '-- Written by Query Lens: Create index on orders est. cost 15,375 → 8');
  });

  it('an empty project: migrations/<stamp>_add_<name>.sql, CONCURRENTLY added, no comment', () => {
    const { comment: _, ...index } = { ...INDEX, statement: 'create index orders_customer_id_created_at_idx on public.orders (customer_id, created_at);' };
    assert.deepStrictEqual(only(migrationFor([], index, NOW, {})), {
      convention: 'plain-sql',
      path: `migrations/${STAMP}_add_orders_customer_id_created_at_idx.sql`,
      content: text('-- Written by Query Lens', 'create index CONCURRENTLY orders_customer_id_created_at_idx on public.orders (customer_id, created_at);'),
    });
  });

  it("migrationsDir takes plain SQL there, whatever the project's tool, following the folder's own numbering", () => {
    const listing = ['prisma/migrations/20240105120000_init/migration.sql', 'db\\sql\\0007_views.sql', 'db/sql/0008_grants.sql', 'db/sql/deeper/0099_other.sql'];
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, { migrationsDir: './db/sql/' })), {
      convention: 'plain-sql-numbered',
      path: 'db/sql/0009_add_orders_customer_id_created_at_idx.sql',
      content: text(HEADER_SQL, `${CREATE};`),
    });
    assert.deepStrictEqual(only(migrationFor(listing, INDEX, NOW, { migrationsDir: 'db/indexes' })), {
      convention: 'plain-sql',
      path: `db/indexes/${STAMP}_add_orders_customer_id_created_at_idx.sql`,
      content: text(HEADER_SQL, `${CREATE};`),
    });
    // Migrations in a folder below it are not its own: its files are written in it.
    assert.strictEqual(only(migrationFor(listing, INDEX, NOW, { migrationsDir: 'db' })).path, `db/${STAMP}_add_orders_customer_id_created_at_idx.sql`);
    // The workspace folder itself.
    assert.strictEqual(only(migrationFor(listing, INDEX, NOW, { migrationsDir: '.' })).path, `${STAMP}_add_orders_customer_id_created_at_idx.sql`);
    // A Django project asking for SQL gets SQL, not a Python migration in its folder.
    assert.strictEqual(only(migrationFor(['shop/migrations/0001_initial.py'], INDEX, NOW, { migrationsDir: 'shop/migrations' })).path, `shop/migrations/${STAMP}_add_orders_customer_id_created_at_idx.sql`);
  });
});

describe('indexQuickFix: the indexes of an OR', () => {
  const advice: IndexAdvice = {
    queryIndex: 0,
    start: 0,
    end: 10,
    code: 'plan-seq-scan',
    sql: 'SELECT id FROM people WHERE email = $1 OR phone = $2',
    parameterCount: 2,
    candidate: { schema: 'public', table: 'people', columns: ['email'] },
    alongside: [{ schema: 'public', table: 'people', columns: ['phone'] }],
    verdict: { method: 'hypopg', used: true, costBefore: 4430.2, costAfter: 15.9, statement: 'CREATE INDEX ON public.people (email)' },
  };

  it('one title for both, with the costs of the two together', () => {
    assert.strictEqual(createIndexTitle(advice), 'Create indexes on people (email) and people (phone) — est. cost 4,430 → 15.9');
  });

  it('one migration per index, numbered one after the other, each named apart from the indexes there are', () => {
    const migration = indexMigration(advice, '/nonexistent', ['migrations/0001_init.sql'], new Set(['people_email_idx']), 'app/people.sql:3', '', NOW);
    assert.deepStrictEqual(
      migration.files.map((file) => [file.path, file.content]),
      [
        [
          'migrations/0002_add_people_email_idx_1.sql',
          text('-- Written by Query Lens: for the query at app/people.sql:3 (one of 2 indexes, one per side of its OR; together checked with hypothetical indexes: estimated cost 4,430 → 15.9)', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS people_email_idx_1 ON public.people (email);'),
        ],
        [
          'migrations/0003_add_people_phone_idx.sql',
          text('-- Written by Query Lens: for the query at app/people.sql:3 (one of 2 indexes, one per side of its OR; together checked with hypothetical indexes: estimated cost 4,430 → 15.9)', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS people_phone_idx ON public.people (phone);'),
        ],
      ],
    );
  });
});
