/**
 * The quick fix of a plan finding whose remedy is an index: its title carries the costs the
 * planner gave with the index in place, and applying it writes a migration in the project's own
 * convention (see migrationFile.ts). The server turns the files into a WorkspaceEdit; nothing
 * here touches the editor or the database.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IndexAdvice } from '../db/planDocument';
import { formatCost } from '../plan/figures';
import { indexName, migrationFor, type Migration } from './migrationFile';
import { candidatesOf, describeIndexes, namedIndexStatement, type IndexCandidate } from './verifyIndex';

export { candidatesOf };

/** `Create index on orders (customer_id, created_at) — est. cost 15,375 → 8`, or why it is unverified. */
export function createIndexTitle(advice: IndexAdvice): string {
  const verdict = advice.verdict;
  const index = describeIndexes(candidatesOf(advice));
  const create = advice.alongside?.length ? 'Create indexes on' : 'Create index on';
  if (advice.code === 'unindexed-foreign-key') return `${create} ${index} for its foreign key`;
  if (verdict.method === 'none') return `${create} ${index} (unverified)`;
  const costs = `est. cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
  return `${create} ${index} — ${costs}${verdict.method === 'embedded' ? ' (embedded database)' : ''}`;
}

/** The `CREATE INDEX` statements to run, each named so as not to clash with the table's indexes or each other. */
export function indexStatementsOf(advice: IndexAdvice, existingNames: ReadonlySet<string>): { statement: string; name: string; candidate: IndexCandidate }[] {
  const taken = new Set(existingNames);
  return candidatesOf(advice).map((candidate) => {
    const name = indexName(candidate.table, [...candidate.columns, ...(candidate.include ?? [])], taken);
    taken.add(name);
    return { statement: namedIndexStatement(candidate, name), name, candidate };
  });
}

/**
 * The migration that creates the advised index, for the workspace folder at `root` whose files
 * are `files`. `where` names the query (`app/orders.ts:12`) in the file's first line.
 */
export function indexMigration(advice: IndexAdvice, root: string, files: readonly string[], existingNames: ReadonlySet<string>, where: string, migrationsDir: string, now = new Date()): Migration {
  const verdict = advice.verdict;
  const proof =
    advice.code === 'unindexed-foreign-key'
      ? 'its foreign key: deletes and key changes of the referenced rows look the referencing rows up'
      : verdict.method === 'none'
      ? `unverified: ${verdict.reason}`
      : `${verdict.method === 'hypopg' ? (advice.alongside?.length ? 'checked with hypothetical indexes' : 'checked with a hypothetical index') : 'checked on the embedded database'}: estimated cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
  const read = (relative: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(root, relative), 'utf8');
    } catch {
      return undefined;
    }
  };
  // One migration per index, a second apart so they sort in order: CREATE INDEX CONCURRENTLY
  // cannot share a transaction, and most tools run a migration in one.
  const listing = [...files];
  const migrations = indexStatementsOf(advice, existingNames).map(({ statement, name, candidate }, i, all) => {
    const migration = migrationFor(
      listing,
      { statement, name, table: `${candidate.schema}.${candidate.table}`, ...(candidate.partitioned ? { partitioned: true } : {}), comment: `for the query at ${where} (${all.length > 1 ? `one of ${all.length} indexes, one per side of its OR; together ` : ''}${proof})` },
      new Date(now.getTime() + i * 1000),
      migrationsDir ? { migrationsDir } : {},
      read,
    );
    // The next one is numbered after this one, as if it were on disk already.
    listing.push(...migration.files.map((file) => file.path));
    return migration;
  });
  return { convention: migrations[0].convention, files: migrations.flatMap((migration) => migration.files) };
}
