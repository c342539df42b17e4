import * as assert from 'assert';
import { readCorpus } from './corpus';
import * as pgQuery from 'libpg-query';
import { initParsers } from '../../server/src/analyze/parse';
import { scanSqlTokens } from '../../server/src/scan/sqlTokens';
import { utf8OffsetTable } from '../../server/src/text/offsets';


/**
 * The JavaScript scanner that places rule findings must split every statement exactly as
 * PostgreSQL's own scanner does: checked on the 41,501 regression statements.
 */
describe("scanSqlTokens against PostgreSQL's scanner", function () {
  this.timeout(120_000);

  it('gives the same token boundaries for every regression statement', async () => {
    await initParsers();
    const corpus: { file: string; sql: string }[] = readCorpus();
    const differences: string[] = [];
    let compared = 0;
    for (const { file, sql } of corpus) {
      let reference: [number, number][];
      try {
        const table = utf8OffsetTable(sql);
        reference = pgQuery
          .scanSync(sql)
          .tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT')
          .map((t) => [table[t.start], table[t.end]]);
      } catch {
        continue; // PostgreSQL's scanner rejects it (psql variables, for one): nothing to compare
      }
      compared++;
      const ours = scanSqlTokens(sql).map((t): [number, number] => [t.start, t.end]);
      if (JSON.stringify(ours) !== JSON.stringify(reference)) {
        const k = ours.findIndex((t, i) => !reference[i] || t[0] !== reference[i][0] || t[1] !== reference[i][1]);
        const at = (ours[k] ?? reference[k] ?? [0, 0])[0];
        differences.push(`${file}: ${JSON.stringify(sql.slice(Math.max(0, at - 20), at + 30))}`);
      }
    }
    assert.deepStrictEqual(differences.slice(0, 15), [], `${differences.length} statements scanned differently`);
    // Every statement of the corpus is valid, so PostgreSQL's scanner takes each: none may be skipped.
    assert.strictEqual(compared, corpus.length);
  });
});
