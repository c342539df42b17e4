/**
 * The quick fix that creates an index writes it as a migration the project would have written
 * itself: in its migrations folder, named and numbered like its other migrations, in the format of
 * its migration tool. This module only decides the files; the language server applies them as a
 * WorkspaceEdit. It touches no disk and no database: the caller passes the workspace's file list
 * and, for tools whose convention lives inside the files (Alembic's revision chain, knex among
 * other JavaScript runners, dbmate and goose markers, Rails' migration version), a `read` callback.
 *
 * Conventions are tried most specific first; within one, the folder holding the most migrations
 * wins (a project's fixtures and examples hold fewer than its real folder).
 */
import { createHash } from 'crypto';
import { quoteIdentifier } from '../text/identifiers';

export interface IndexToCreate {
  /** `CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx ON public.orders (customer_id, created_at)`. */
  statement: string;
  /** The name `statement` gives the index (see `indexName`): files and classes are named after it. */
  name: string;
  /** `orders` or `public.orders`: a schema here qualifies the index in DROP INDEX; Django's app is found from the name. */
  table: string;
  /** Ends the first line of every file ("Written by Query Lens: …"): what the index is for and its verified costs. */
  comment?: string;
  /**
   * A partitioned table's: PostgreSQL builds such an index on every partition and refuses
   * CONCURRENTLY for it (and for its DROP), so the statements go without.
   */
  partitioned?: boolean;
}

export type MigrationConvention =
  | 'prisma'
  | 'alembic'
  | 'django'
  | 'rails'
  | 'knex'
  | 'golang-migrate'
  | 'flyway'
  | 'dbmate'
  | 'goose'
  | 'plain-sql-timestamped'
  | 'plain-sql-numbered'
  | 'plain-sql';

/** A file to create; `path` is workspace-relative with '/' separators. */
export interface MigrationFile {
  path: string;
  content: string;
}

/** `files[0]` is the one to show; golang-migrate adds its `.down.sql` after it. */
export interface Migration {
  convention: MigrationConvention;
  files: MigrationFile[];
}

export interface MigrationSettings {
  /** queryLens.migrationsDir: SQL migrations go here whatever tool the project uses elsewhere. */
  migrationsDir?: string;
}

/** A workspace file's text, `undefined` when it cannot be read. */
export type ReadFile = (path: string) => string | undefined;

/** PostgreSQL's NAMEDATALEN - 1: a longer name is silently truncated, and two truncated names can collide. */
export const MAX_NAME_BYTES = 63;
const HASH_CHARS = 8;

/**
 * A readable index name, `<table>_<keys>_idx`: `orders_customer_id_created_at_idx`,
 * `users_lower_email_idx` for `lower(email)`, `events_payload_type_idx` for `(payload->>'type')`.
 * A name over 63 bytes is cut and given a hash of the whole, so that two long names that share a
 * beginning still differ. A name in `existing` gets `_1`, `_2`… (the partial index's predicate is
 * not in the name: it only matters when the name would otherwise be taken).
 */
export function indexName(table: string, keys: readonly string[], existing: ReadonlySet<string> = new Set()): string {
  const words = [identifierWords(unqualified(table)), ...keys.map(keyWords)].map((word) => word || 'expr');
  const whole = words.join('_');
  for (let n = 0; ; n++) {
    const name = fitName(whole, n === 0 ? '_idx' : `_idx_${n}`);
    if (!existing.has(name)) return name;
  }
}

/** The migration files that create `index` in this project's convention. */
export function migrationFor(files: readonly string[], index: IndexToCreate, now: Date, settings: MigrationSettings = {}, read?: ReadFile): Migration {
  const listing = files.map(normalizePath).filter((path) => !path.split('/').some((segment) => NOT_THE_PROJECT.has(segment)));
  const request: Request = { index, now, read };
  const overrideDir = settings.migrationsDir ? normalizeDir(settings.migrationsDir) : undefined;
  if (overrideDir !== undefined) {
    const inside = listing.filter((path) => path.startsWith(`${overrideDir}/`));
    const found = firstFound(SQL_CONVENTIONS, inside, request);
    return found && found.dir === overrideDir ? found.write() : plainSql(overrideDir, request);
  }
  return (firstFound(ALL_CONVENTIONS, listing, request)?.write()) ?? plainSql('migrations', request);
}

// ---------------------------------------------------------------------------------------------
// Index names

function fitName(whole: string, suffix: string): string {
  if (byteLength(whole + suffix) <= MAX_NAME_BYTES) return whole + suffix;
  const hash = `_${createHash('sha1').update(whole).digest('hex').slice(0, HASH_CHARS)}`;
  return cutToBytes(whole, MAX_NAME_BYTES - byteLength(hash + suffix)).replace(/_+$/, '') + hash + suffix;
}

/** `lower(email)` → `lower_email`; `created_at DESC NULLS LAST` → `created_at`: the order is no part of what is indexed. */
function keyWords(key: string): string {
  const withoutOrder = key.trim().replace(/\s+(?:ASC|DESC)?(?:\s*NULLS\s+(?:FIRST|LAST))?$/i, '');
  // EXPLAIN's spelling of an expression key carries casts (`payload ->> 'type'::text`): no words of the key's.
  return identifierWords(withoutOrder.replace(/::\s*[a-z_][a-z0-9_ ]*(?:\[\])?/gi, ''));
}

function identifierWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

function unqualified(table: string): string {
  return splitQualified(table).name;
}

/** `public.orders` → schema `public`, name `orders`; a dot inside quotes is part of the name. */
function splitQualified(table: string): { schema?: string; name: string } {
  const match = /^((?:"(?:[^"]|"")*"|[^".]+))\.(.+)$/.exec(table.trim());
  return match ? { schema: match[1], name: match[2] } : { name: table.trim() };
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function cutToBytes(text: string, bytes: number): string {
  let cut = '';
  for (const character of text) {
    if (byteLength(cut + character) > bytes) break;
    cut += character;
  }
  return cut;
}

// ---------------------------------------------------------------------------------------------
// Finding the convention

interface Request {
  index: IndexToCreate;
  now: Date;
  read?: ReadFile;
}

/** What a convention found: the folder it would write in, and the files it would write there. */
interface Found {
  dir: string;
  write(): Migration;
}

type Convention = (files: readonly string[], request: Request) => Found | undefined;

/** Copies of migrations that the tool does not read, or other people's migrations. */
const NOT_THE_PROJECT = new Set(['node_modules', '.git', 'vendor', 'dist', 'build', 'out', 'target', '.venv', 'venv', 'site-packages', '__pycache__']);

function firstFound(conventions: readonly Convention[], files: readonly string[], request: Request): Found | undefined {
  for (const convention of conventions) {
    const found = convention(files, request);
    if (found) return found;
  }
  return undefined;
}

interface Match {
  path: string;
  dir: string;
  groups: string[];
}

/** Files whose path matches `pattern` (group 1: the folder the tool reads), in the folder holding most of them. */
function busiestFolder(files: readonly string[], pattern: RegExp, accept: (match: Match) => boolean = () => true): Match[] | undefined {
  const byDir = new Map<string, Match[]>();
  for (const path of files) {
    const found = pattern.exec(path);
    if (!found) continue;
    const match: Match = { path, dir: (found[1] ?? '').replace(/\/$/, ''), groups: found.slice(2) };
    if (!accept(match)) continue;
    byDir.set(match.dir, [...(byDir.get(match.dir) ?? []), match]);
  }
  let best: Match[] | undefined;
  for (const dir of [...byDir.keys()].sort()) {
    const matches = byDir.get(dir)!;
    if (!best || matches.length > best.length) best = matches;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Conventions

const prisma: Convention = (files, request) => {
  const matches = busiestFolder(files, /^(.*\/)?(\d{14})_[^/]+\/migration\.sql$/);
  if (!matches) return undefined;
  const dir = matches[0].dir;
  return {
    dir,
    write: () => {
      const { index } = request;
      const stamp = stampAfter(matches.map((match) => match.groups[0]), request.now);
      const content = lines(
        headerLine('--', index),
        `-- Without CONCURRENTLY: prisma migrate runs a migration in a transaction, where CONCURRENTLY fails.`,
        `-- Writes to ${unqualified(index.table)} wait while it builds; on a busy table run it CONCURRENTLY by hand and \`prisma migrate resolve --applied\`.`,
        `${withoutConcurrently(index.statement)};`,
      );
      return { convention: 'prisma', files: [{ path: join(dir, `${stamp}_add_${index.name}/migration.sql`), content }] };
    },
  };
};

const alembic: Convention = (files, request) => {
  const { read } = request;
  if (!read) return undefined;
  const revisions = new Map<string, { revision: string; parents: string[] }>();
  const matches = busiestFolder(files, /^(.*\/)?versions\/[^/]+\.py$/, (match) => {
    const text = read(match.path);
    const revision = text && /^revision\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]/m.exec(text)?.[1];
    if (!text || !revision) return false;
    const downLine = /^down_revision\s*(?::[^=\n]*)?=\s*(.*)$/m.exec(text)?.[1] ?? '';
    revisions.set(match.path, { revision, parents: [...downLine.matchAll(/['"]([^'"]+)['"]/g)].map((quoted) => quoted[1]) });
    return true;
  });
  if (!matches) return undefined;
  const dir = join(matches[0].dir, 'versions');
  const inFolder = matches.map((match) => revisions.get(match.path)!);
  const parents = new Set(inFolder.flatMap((entry) => entry.parents));
  // Several heads mean unmerged branches: depending on all of them merges them, as `alembic merge` would.
  const heads = inFolder.map((entry) => entry.revision).filter((revision) => !parents.has(revision)).sort();
  return {
    dir,
    write: () => {
      const { index, now } = request;
      const revision = createHash('sha1').update(`${index.name}\n${now.toISOString()}`).digest('hex').slice(0, 12);
      const downRevision = heads.length === 0 ? 'None' : heads.length === 1 ? pythonString(heads[0]) : `(${heads.map(pythonString).join(', ')})`;
      const content = lines(
        headerLine('#', index),
        `"""add ${index.name}`,
        '',
        `Revision ID: ${revision}`,
        `Revises: ${heads.join(', ')}`,
        `Create Date: ${now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`,
        '"""',
        'from alembic import op',
        '',
        `revision = ${pythonString(revision)}`,
        `down_revision = ${downRevision}`,
        'branch_labels = None',
        'depends_on = None',
        '',
        '',
        'def upgrade():',
        '    # CONCURRENTLY cannot run inside the transaction alembic wraps a migration in.',
        '    with op.get_context().autocommit_block():',
        `        op.execute(${pythonString(createStatement(index))})`,
        '',
        '',
        'def downgrade():',
        '    with op.get_context().autocommit_block():',
        `        op.execute(${pythonString(dropStatement(index))})`,
      );
      return { convention: 'alembic', files: [{ path: join(dir, `${revision}_add_${index.name}.py`), content }] };
    },
  };
};

/**
 * Django: the app is the one whose label starts the table's name (Django names tables
 * `<app label>_<model>`), else the first app with migrations in path order.
 */
const django: Convention = (files, request) => {
  const pattern = /^(?:(.*)\/)?([^/]+)\/migrations\/(\d{4})_[^/]+\.py$/;
  const apps = new Map<string, { label: string; migrations: { number: number; name: string }[] }>();
  for (const path of files) {
    const found = pattern.exec(path);
    if (!found) continue;
    const appDir = join(found[1] ?? '', found[2]);
    const app = apps.get(appDir) ?? { label: found[2], migrations: [] };
    app.migrations.push({ number: Number(found[3]), name: basename(path).replace(/\.py$/, '') });
    apps.set(appDir, app);
  }
  if (apps.size === 0) return undefined;
  const table = unqualified(request.index.table).replace(/"/g, '').toLowerCase();
  const appDirs = [...apps.keys()].sort();
  const owners = appDirs.filter((appDir) => table.startsWith(`${apps.get(appDir)!.label.toLowerCase()}_`));
  const appDir = owners.sort((a, b) => apps.get(b)!.label.length - apps.get(a)!.label.length)[0] ?? appDirs[0];
  const { label, migrations } = apps.get(appDir)!;
  const dir = `${appDir}/migrations`;
  return {
    dir,
    write: () => {
      const { index } = request;
      const latest = Math.max(...migrations.map((migration) => migration.number));
      // Two migrations sharing the latest number are unmerged leaves: depending on both merges them.
      const leaves = migrations.filter((migration) => migration.number === latest).map((migration) => migration.name).sort();
      const content = lines(
        headerLine('#', index),
        'from django.db import migrations',
        '',
        '',
        'class Migration(migrations.Migration):',
        '    # CONCURRENTLY cannot run inside the transaction Django wraps a migration in.',
        '    atomic = False',
        '',
        '    dependencies = [',
        ...leaves.map((leaf) => `        (${pythonString(label)}, ${pythonString(leaf)}),`),
        '    ]',
        '',
        '    operations = [',
        '        migrations.RunSQL(',
        `            sql=${pythonString(createStatement(index))},`,
        `            reverse_sql=${pythonString(dropStatement(index))},`,
        '        ),',
        '    ]',
      );
      const number = String(latest + 1).padStart(4, '0');
      return { convention: 'django', files: [{ path: join(dir, `${number}_add_${index.name}.py`), content }] };
    },
  };
};

const rails: Convention = (files, request) => {
  const matches = busiestFolder(files, /^(.*\/)?migrate\/(\d{14})_[^/]+\.rb$/);
  if (!matches) return undefined;
  const dir = join(matches[0].dir, 'migrate');
  return {
    dir,
    write: () => {
      const { index, read } = request;
      const latest = [...matches].sort((a, b) => a.groups[0].localeCompare(b.groups[0])).pop()!;
      const schemaFile = join(matches[0].dir, 'schema.rb');
      const superclass = railsMigrationClass(read?.(latest.path)) ?? railsMigrationClass(read?.(schemaFile)) ?? 'ActiveRecord::Migration[7.0]';
      const fileName = `add_${index.name}`;
      const content = lines(
        headerLine('#', index),
        `class ${camelize(fileName)} < ${superclass}`,
        '  # CONCURRENTLY cannot run inside the transaction Rails wraps a migration in.',
        '  disable_ddl_transaction!',
        '',
        '  def up',
        "    execute <<~'SQL'",
        `      ${createStatement(index)};`,
        '    SQL',
        '  end',
        '',
        '  def down',
        "    execute <<~'SQL'",
        `      ${dropStatement(index)};`,
        '    SQL',
        '  end',
        'end',
      );
      const stamp = stampAfter(matches.map((match) => match.groups[0]), request.now);
      return { convention: 'rails', files: [{ path: join(dir, `${stamp}_${fileName}.rb`), content }] };
    },
  };
};

/** The version the project's own migrations declare: a `[7.1]` newer than its Rails would fail to load. */
function railsMigrationClass(text: string | undefined): string | undefined {
  const version = text && /ActiveRecord::(?:Migration|Schema)(\[\d+\.\d+\])?/.exec(text);
  return version ? `ActiveRecord::Migration${version[1] ?? ''}` : undefined;
}

/** knex names migrations `<14-digit stamp>_name.js|ts`; other JavaScript runners use 13 digits or a hyphen. */
const knex: Convention = (files, request) => {
  const { read } = request;
  const matches = busiestFolder(files, /^(.*\/)?(\d{14})_[^/]+?(\.(?:js|cjs|mjs|ts))$/, (match) => {
    if (match.path.endsWith('.d.ts')) return false;
    const text = read?.(match.path);
    return text === undefined || /knex/i.test(text);
  });
  if (!matches) return undefined;
  const dir = matches[0].dir;
  return {
    dir,
    write: () => {
      const { index } = request;
      const latest = [...matches].sort((a, b) => a.groups[0].localeCompare(b.groups[0])).pop()!;
      const extension = latest.groups[1];
      const module = extension === '.ts' ? 'typescript' : extension === '.mjs' || /^\s*export\s/m.test(read?.(latest.path) ?? '') ? 'esm' : 'commonjs';
      const create = jsString(createStatement(index));
      const drop = jsString(dropStatement(index));
      const why = '// CONCURRENTLY cannot run inside the transaction knex wraps a migration in.';
      const body =
        module === 'commonjs'
          ? [why, 'exports.config = { transaction: false };', '', 'exports.up = function (knex) {', `  return knex.raw(${create});`, '};', '', 'exports.down = function (knex) {', `  return knex.raw(${drop});`, '};']
          : [
              ...(module === 'typescript' ? ["import type { Knex } from 'knex';", ''] : []),
              why,
              'export const config = { transaction: false };',
              '',
              `export async function up(knex${module === 'typescript' ? ': Knex): Promise<void>' : ')'} {`,
              `  await knex.raw(${create});`,
              '}',
              '',
              `export async function down(knex${module === 'typescript' ? ': Knex): Promise<void>' : ')'} {`,
              `  await knex.raw(${drop});`,
              '}',
            ];
      const stamp = stampAfter(matches.map((match) => match.groups[0]), request.now);
      return { convention: 'knex', files: [{ path: join(dir, `${stamp}_add_${index.name}${extension}`), content: lines(headerLine('//', index), '', ...body) }] };
    },
  };
};

const golangMigrate: Convention = (files, request) => {
  // A down file is optional to golang-migrate, so an .up.sql alone is enough to know it; we write both.
  const matches = busiestFolder(files, /^(.*\/)?(\d+)_[^/]+\.up\.sql$/);
  if (!matches) return undefined;
  const dir = matches[0].dir;
  return {
    dir,
    write: () => {
      const { index } = request;
      const version = nextVersion(matches.map((match) => match.groups[0]), request.now);
      // golang-migrate sends a file as one query, and PostgreSQL runs a query of several statements in one transaction.
      const why = '-- Alone in its file: CONCURRENTLY fails when the file holds other statements.';
      return {
        convention: 'golang-migrate',
        files: [
          { path: join(dir, `${version}_add_${index.name}.up.sql`), content: lines(headerLine('--', index), why, `${createStatement(index)};`) },
          { path: join(dir, `${version}_add_${index.name}.down.sql`), content: lines(headerLine('--', index), why, `${dropStatement(index)};`) },
        ],
      };
    },
  };
};

const flyway: Convention = (files, request) => {
  const matches = busiestFolder(files, /^(.*\/)?V(\d+)(?:[._]\d+)*__[^/]+\.sql$/);
  if (!matches) return undefined;
  const dir = matches[0].dir;
  return {
    dir,
    write: () => {
      const { index } = request;
      const version = nextVersion(matches.map((match) => match.groups[0]), request.now);
      const content = lines(
        headerLine('--', index),
        '-- Alone in its migration: Flyway runs CONCURRENTLY outside a transaction only when nothing else shares the file.',
        `${createStatement(index)};`,
      );
      return { convention: 'flyway', files: [{ path: join(dir, `V${version}__add_${index.name}.sql`), content }] };
    },
  };
};

/**
 * `0001_init.sql`, `012-users.sql`, `000011.sql`, `20240105120000_add_x.sql`: numbered or stamped
 * SQL files, written plain unless the latest carries dbmate's or goose's up/down markers.
 */
const numberedSql: Convention = (files, request) => {
  const matches = busiestFolder(files, /^(.*\/)?(\d+)(?:([_-])[^/]*)?\.sql$/);
  if (!matches) return undefined;
  const dir = matches[0].dir;
  return {
    dir,
    write: () => {
      const { index } = request;
      const numbers = matches.map((match) => match.groups[0]);
      const latest = [...matches].sort((a, b) => Number(a.groups[0]) - Number(b.groups[0])).pop()!;
      const stamped = numbers.some(isStamp);
      const version = nextVersion(numbers, request.now);
      const named = matches.some((match) => match.groups[1] !== undefined);
      // A project whose migrations carry only their number may be read by a runner expecting just that.
      const fileName = named ? `${version}${latest.groups[1] ?? '_'}add_${index.name}.sql` : `${version}.sql`;
      const path = join(dir, fileName);
      const text = request.read?.(latest.path) ?? '';
      const create = `${createStatement(index)};`;
      const drop = `${dropStatement(index)};`;
      if (/^--\s*migrate:up\b/m.test(text)) {
        // transaction:false: dbmate runs each block in a transaction otherwise, where CONCURRENTLY fails.
        return { convention: 'dbmate', files: [{ path, content: lines(headerLine('--', index), '-- migrate:up transaction:false', create, '', '-- migrate:down transaction:false', drop) }] };
      }
      if (/^--\s*\+goose\s+up\b/im.test(text)) {
        // NO TRANSACTION: goose runs a migration in a transaction otherwise, where CONCURRENTLY fails.
        return { convention: 'goose', files: [{ path, content: lines(headerLine('--', index), '-- +goose NO TRANSACTION', '-- +goose Up', create, '', '-- +goose Down', drop) }] };
      }
      return { convention: stamped ? 'plain-sql-timestamped' : 'plain-sql-numbered', files: [{ path, content: lines(headerLine('--', index), create) }] };
    },
  };
};

function plainSql(dir: string, request: Request): Migration {
  const { index } = request;
  const path = join(dir, `${utcStamp(request.now)}_add_${index.name}.sql`);
  return { convention: 'plain-sql', files: [{ path, content: lines(headerLine('--', index), `${createStatement(index)};`) }] };
}

const ALL_CONVENTIONS: readonly Convention[] = [prisma, alembic, django, rails, knex, golangMigrate, flyway, numberedSql];
/** What `migrationsDir` may hold: it asks for SQL, so Python, Ruby and JavaScript runners are not looked for there. */
const SQL_CONVENTIONS: readonly Convention[] = [prisma, golangMigrate, flyway, numberedSql];

// ---------------------------------------------------------------------------------------------
// Versions and stamps

function isStamp(version: string): boolean {
  return /^(?:19|20)\d{12}$/.test(version);
}

/** A stamp for `now`, or the latest one plus a second when the clock is behind them: a new migration must sort last. */
function stampAfter(existing: readonly string[], now: Date): string {
  const latest = existing.filter(isStamp).sort().pop();
  const stamp = utcStamp(now);
  if (!latest || stamp > latest) return stamp;
  const [year, month, day, hour, minute, second] = latest.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/)!.slice(1).map(Number);
  return utcStamp(new Date(Date.UTC(year, month - 1, day, hour, minute, second) + 1000));
}

/** Stamped versions get a stamp; counted ones the next count, padded as the latest is. */
function nextVersion(existing: readonly string[], now: Date): string {
  if (existing.some(isStamp)) return stampAfter(existing, now);
  const latest = [...existing].sort((a, b) => Number(a) - Number(b)).pop()!;
  return String(Number(latest) + 1).padStart(latest.length, '0');
}

function utcStamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '').replace(/\D/g, '');
}

// ---------------------------------------------------------------------------------------------
// Statements and text

function withoutConcurrently(statement: string): string {
  return bare(statement).replace(/^(CREATE\s+(?:UNIQUE\s+)?INDEX\s+)CONCURRENTLY\s+/i, '$1');
}

/** Every runner but Prisma's can leave the transaction, so the table stays writable while the index builds. */
function withConcurrently(statement: string): string {
  return bare(statement).replace(/^(CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(?!CONCURRENTLY\b)/i, '$1CONCURRENTLY ');
}

function bare(statement: string): string {
  return statement.trim().replace(/;\s*$/, '');
}

/** CONCURRENTLY where PostgreSQL allows it (not on a partitioned table). */
function createStatement(index: IndexToCreate): string {
  return index.partitioned ? withoutConcurrently(index.statement) : withConcurrently(index.statement);
}

/** The index lives in its table's schema, which the search path may not hold. */
function dropStatement(index: IndexToCreate): string {
  const { schema } = splitQualified(index.table);
  return `DROP INDEX${index.partitioned ? '' : ' CONCURRENTLY'} IF EXISTS ${schema ? `${schema}.` : ''}${quoteIdentifier(index.name)}`;
}

function headerLine(commentMark: string, index: IndexToCreate): string {
  const comment = index.comment?.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return `${commentMark} Written by Query Lens${comment ? `: ${comment}` : ''}`;
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

function pythonString(text: string): string {
  return /['\\\n\r]/.test(text) ? JSON.stringify(text) : `'${text}'`;
}

function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** `add_orders_email_idx_1` → `AddOrdersEmailIdx1`, as Rails names the class from the file. */
function camelize(snake: string): string {
  return snake
    .split('_')
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Paths

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

function normalizeDir(dir: string): string {
  return normalizePath(dir).replace(/\/+$/, '').replace(/^\.$/, '');
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
