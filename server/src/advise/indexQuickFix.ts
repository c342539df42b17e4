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
import { describeIndex, namedIndexStatement } from './verifyIndex';

/** `Create index on orders (customer_id, created_at) — est. cost 15,375 → 8`, or why it is unverified. */
export function createIndexTitle(advice: IndexAdvice): string {
  const verdict = advice.verdict;
  const index = describeIndex(advice.candidate);
  if (advice.code === 'unindexed-foreign-key') return `Create index on ${index} for its foreign key`;
  if (verdict.method === 'none') return `Create index on ${index} (unverified)`;
  const costs = `est. cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
  return `Create index on ${index} — ${costs}${verdict.method === 'embedded' ? ' (embedded database)' : ''}`;
}

/** The `CREATE INDEX` to run, named so as not to clash with the table's indexes. */
export function indexStatementOf(advice: IndexAdvice, existingNames: ReadonlySet<string>): { statement: string; name: string } {
  const name = indexName(advice.candidate.table, advice.candidate.columns, existingNames);
  return { statement: namedIndexStatement(advice.candidate, name), name };
}

/**
 * The migration that creates the advised index, for the workspace folder at `root` whose files
 * are `files`. `where` names the query (`app/orders.ts:12`) in the file's first line.
 */
export function indexMigration(advice: IndexAdvice, root: string, files: readonly string[], existingNames: ReadonlySet<string>, where: string, migrationsDir: string, now = new Date()): Migration {
  const { statement, name } = indexStatementOf(advice, existingNames);
  const verdict = advice.verdict;
  const proof =
    advice.code === 'unindexed-foreign-key'
      ? 'its foreign key: deletes and key changes of the referenced rows look the referencing rows up'
      : verdict.method === 'none'
      ? `unverified: ${verdict.reason}`
      : `${verdict.method === 'hypopg' ? 'checked with a hypothetical index' : 'checked on the embedded database'}: estimated cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
  return migrationFor(
    files,
    { statement, name, table: `${advice.candidate.schema}.${advice.candidate.table}`, comment: `for the query at ${where} (${proof})` },
    now,
    migrationsDir ? { migrationsDir } : {},
    (relative) => {
      try {
        return fs.readFileSync(path.join(root, relative), 'utf8');
      } catch {
        return undefined;
      }
    },
  );
}
