/**
 * "Open a File with Queries" (the walkthrough's second step, and the palette): which of a
 * workspace's files hold queries, and where the first one is, so that a new user lands on a
 * query rather than on a file picker. The same extractors as the analysis count them.
 */
import { extractQueries, forgetDocument } from './extractQueries';
import type { DocumentKind } from './query';
import type { Dialect } from '../settings';
import { LineIndex } from '../text/offsets';

export interface QueryFileSummary {
  /** The queries found in the file. */
  queries: number;
  /** The 0-based line of the first one. */
  firstQueryLine: number;
}

/** How many queries a file's text holds and where the first is; undefined when none (or binary). */
export function summariseQueryFile(text: string, kind: DocumentKind, dialect: Dialect, languageId?: string): QueryFileSummary | undefined {
  if (kind === 'unsupported' || text.indexOf('\u0000') >= 0) return undefined;
  const queries = extractQueries(text, kind, dialect, languageId);
  // The extractors keep a syntax tree to make a document's next edit cheap; a file read once has none.
  forgetDocument(text, kind);
  if (queries.length === 0) return undefined;
  const first = queries.reduce((earliest, query) => Math.min(earliest, query.start), Number.POSITIVE_INFINITY);
  return { queries: queries.length, firstQueryLine: new LineIndex(text).positionAt(first).line };
}
