/** Where a query came from: a statement of a SQL file, or (later) a driver or ORM call. */
export type QueryOrigin = 'sql-file';

/**
 * One query found in a document: the SQL to analyse and its exact place in the document.
 * `sqlOffsetToDocument` maps an offset in `sql` back to the document, so that every finding is
 * reported on the characters the user wrote.
 */
export interface Query {
  sql: string;
  /** Document offset (UTF-16) of the query's first character. */
  start: number;
  /** Document offset just past the query's last character. */
  end: number;
  origin: QueryOrigin;
  sqlOffsetToDocument(offset: number): number;
}

/** The kinds of document Query Lens reads. */
export type DocumentKind = 'sql' | 'unsupported';

/** VS Code language ids (and file extensions) of plain SQL documents. */
const SQL_LANGUAGE_IDS = new Set(['sql', 'pgsql', 'postgres', 'postgresql', 'psql', 'mysql', 'sqlite']);
const SQL_FILE_EXTENSIONS = new Set(['.sql', '.pgsql', '.psql']);

export function documentKindOfLanguage(languageId: string): DocumentKind {
  return SQL_LANGUAGE_IDS.has(languageId.toLowerCase()) ? 'sql' : 'unsupported';
}

/** The document kind of a file on disk, from its extension (the CLI's view). */
export function documentKindOfPath(path: string): DocumentKind {
  const dot = path.lastIndexOf('.');
  const extension = dot < 0 ? '' : path.slice(dot).toLowerCase();
  return SQL_FILE_EXTENSIONS.has(extension) ? 'sql' : 'unsupported';
}
