/**
 * Where a file sits in a project decides what advice is worth giving about its SQL. A migration
 * or a one-off script (a seed, a backfill, a maintenance job) runs once: a sequential scan there
 * costs a few seconds once, and `UPDATE t SET f = false` without WHERE is the point of the
 * statement. And it runs against the schema of its own time, so a column a later migration drops
 * is no error in it. Such files get syntax and unknown-object checks, but no performance advice,
 * unless `queryLens.oneOffAdvice` asks for it.
 */
import picomatch from 'picomatch';
import type { Settings } from '../settings';
import { engineNamed, type EngineHint } from '../extract/engines';

export interface DocumentRole {
  /** A migration or a one-off script: it runs once, against the schema of its time. */
  oneOff: boolean;
  /** Whether performance findings are given anyway (`queryLens.oneOffAdvice`). */
  advice: boolean;
  /**
   * A test (`tests/`, `test_*.py`, `*.test.ts`…): one-off as well, since it runs against the
   * fixtures it makes; and it takes no outside input, so splicing values is no injection there.
   */
  test?: boolean;
  /**
   * The engine a SQL file is for when its path names another (`db/clickhouse/schema.sql`,
   * `mysql/init.sql`): its statements are that engine's, never PostgreSQL's to judge.
   */
  engine?: EngineHint;
}

export const APPLICATION_CODE: DocumentRole = Object.freeze({ oneOff: false, advice: true });

/**
 * Folders whose files are migrations, by the conventions of the usual tools: `migrations/` (most
 * of them, Prisma's and Supabase's included), `migrate/` (Rails' `db/migrate`), Alembic's
 * `alembic/` and `versions/`, Flyway's `db/migration/`, `seeds/`, `delta/` or `deltas/`
 * (Synapse's `schema/main/delta/<version>/`, dbdeploy's deltas), `alterations/` (Logto's) and
 * `schema_changes/` (MetaBrainz's numbered scripts).
 */
const MIGRATION_FOLDER = /(?:^|\/)(?:(?:[a-z]+[-_])?(?:migrations?|migrate)|alembic|seeds?|flyway|changelogs?|liquibase|deltas?|alterations|schema[-_]?changes)\//i;
/**
 * Numbered or timestamped SQL files, wherever they are kept (`sql/000011.sql`,
 * `db/20240105120000_add_index.sql`, `0003-users.sql`), Flyway's `V1__init.sql` and `R__views.sql`,
 * and modules named for the migrations they hold (`tools/migration.py`), or for the background
 * updates that finish one (Synapse's `events_bg_updates.py`): they run against the schema of a
 * migration under way, with its transitional tables and columns.
 */
const MIGRATION_FILE = /(?:^|\/)(?:(?:\d{3,}[^/]*|[VRU]\d*(?:[._]\d+)*__[^/]+)\.sql|migrations?\.(?:py|ts|js|mjs|cjs)|[^/]*(?:bg|background)_updates?\.(?:py|ts|js|mjs|cjs))$/;

/**
 * SQL scripts named for emptying or resetting the database (`admin/sql/clear_tables.sql`,
 * `reset_db.sql`, `truncate_all.sql`): run by hand or by a test setup, whole tables at a time on
 * purpose, as functions so named are (`BULK_INTENT`).
 */
const RESET_SCRIPT = /(?:^|\/)(?:clear|reset|purge|truncate|wipe|cleanup|clean[-_]up|tear[-_]?down|drop[-_]all|delete[-_]all)(?:[-_.][^/]*)?\.sql$/i;

/**
 * Test folders and files by the usual runners' conventions (pytest, unittest, Jest, Vitest,
 * Mocha; Cypress's and Playwright's end-to-end folders, whose SQL resets a test database).
 */
const TEST_FILE = /(?:^|\/)(?:tests?|__tests__|spec|testing|cypress|e2e)\/|(?:^|\/)(?:test_[^/]*\.py|[^/]*_tests?\.py|conftest\.py|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?)$/;

const matchers = new Map<string, (path: string) => boolean>();

function matcherFor(globs: readonly string[]): (path: string) => boolean {
  const key = globs.join('\u0000');
  let matcher = matchers.get(key);
  if (!matcher) {
    matcher = globs.length === 0 ? () => false : picomatch(globs as string[], { dot: true });
    if (matchers.size > 20) matchers.clear();
    matchers.set(key, matcher);
  }
  return matcher;
}

/**
 * The role of a file, from its path relative to its workspace folder (`/` separators); a file
 * outside every workspace folder (no relative path) is application code.
 */
export function documentRole(relativePath: string | undefined, settings: Settings): DocumentRole {
  if (relativePath === undefined) {
    return APPLICATION_CODE;
  }
  const path = relativePath.replace(/\\/g, '/');
  const engine = path
    .split('/')
    .slice(0, -1)
    .map((segment) => engineNamed(segment))
    .find((hint) => hint !== undefined);
  const oneOff =
    MIGRATION_FOLDER.test(path) ||
    MIGRATION_FILE.test(path) ||
    RESET_SCRIPT.test(path) ||
    matcherFor(settings.schemaFiles)(path) ||
    matcherFor(settings.oneOffFiles)(path);
  const test = TEST_FILE.test(path);
  const role = test ? { oneOff: true, advice: settings.oneOffAdvice, test: true } : oneOff ? { oneOff: true, advice: settings.oneOffAdvice } : APPLICATION_CODE;
  return engine ? { ...role, engine } : role;
}
