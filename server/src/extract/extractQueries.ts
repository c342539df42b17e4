import type { Dialect } from '../settings';
import { DocumentKind, Query, sqlFileQuery } from './query';
import { splitSqlStatements } from './sqlSplitter';

/** What host-language extractors need to know besides the text. */
export interface HostExtractOptions {
  dialect: Dialect;
}

/**
 * Finds every query in a document. In a SQL file each statement is a query and maps to the
 * document by a plain shift; host-language files are read by their own extractors.
 */
export function extractQueries(text: string, kind: DocumentKind, dialect: Dialect): Query[] {
  switch (kind) {
    case 'sql':
      return splitSqlStatements(text, { dialect, psql: dialect === 'postgresql' }).map((statement) => sqlFileQuery(statement.text, statement.start));
    default:
      return [];
  }
}
