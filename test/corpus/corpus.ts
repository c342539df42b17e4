import * as fs from 'fs';
import * as path from 'path';

/** `shared/` beside the repository, or where QUERY_LENS_SHARED says. */
const SHARED = process.env.QUERY_LENS_SHARED ?? path.resolve(__dirname, '../../../../shared');
export const CORPUS = path.join(SHARED, 'corpora', 'pg-regress-statements.json');

export interface CorpusEntry {
  file: string;
  sql: string;
  pgOk: boolean;
}

/**
 * PostgreSQL's regression statements; a missing corpus fails with where it was looked for and
 * how to point at it.
 */
export function readCorpus(): CorpusEntry[] {
  if (!fs.existsSync(CORPUS)) {
    throw new Error(`the regression corpus is not at ${CORPUS}: put shared/ beside the repository, or set QUERY_LENS_SHARED to its folder`);
  }
  return JSON.parse(fs.readFileSync(CORPUS, 'utf8')) as CorpusEntry[];
}
