import type { Dialect } from '../settings';
import type { DocumentKind, Query } from './query';
import { splitSqlStatements } from './sqlSplitter';

/**
 * Finds every query in a document. In a SQL file each statement is a query and maps to the
 * document by a plain shift; host-language files (TypeScript, JavaScript, Python) are not read
 * yet, so they yield none.
 */
export function extractQueries(text: string, kind: DocumentKind, dialect: Dialect): Query[] {
  if (kind !== 'sql') {
    return [];
  }
  return splitSqlStatements(text, { dialect, psql: dialect === 'postgresql' }).map((statement) => ({
    sql: statement.text,
    start: statement.start,
    end: statement.end,
    origin: 'sql-file' as const,
    sqlOffsetToDocument: (offset: number) => statement.start + offset,
  }));
}
