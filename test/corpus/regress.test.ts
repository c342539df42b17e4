import * as assert from 'assert';
import { readCorpus, type CorpusEntry } from './corpus';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import { splitSqlStatements } from '../../server/src/extract/sqlSplitter';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

/**
 * PostgreSQL's regression tests: 41,501 statements that PostgreSQL accepts. Query Lens may flag
 * none of them as an error, whether they are analysed one by one or as one script. The corpus is
 * in `shared/` beside the repository (QUERY_LENS_SHARED names another place).
 */


describe('PostgreSQL regression corpus', function () {
  this.timeout(120_000);
  let corpus: CorpusEntry[];

  before(async () => {
    await initParsers();
    corpus = readCorpus();
  });

  it('holds the 41,501 valid statements', () => {
    assert.strictEqual(corpus.length, 41_501);
    assert.ok(corpus.every((entry) => entry.pgOk));
  });

  it('flags none of them as an error when each is a document of its own', () => {
    const settings = { ...DEFAULT_SETTINGS };
    const flagged: string[] = [];
    for (const entry of corpus) {
      const { findings } = new DocumentAnalysis().run(entry.sql, 'sql', settings);
      if (findings.some((finding) => finding.severity === 'error')) {
        flagged.push(`${entry.file}: ${entry.sql.slice(0, 120)} → ${findings[0].message}`);
      }
    }
    assert.deepStrictEqual(flagged.slice(0, 20), [], `${flagged.length} valid statements flagged`);
  });

  it('splits the whole corpus, joined into one script per regression file, back into its statements', () => {
    const byFile = new Map<string, string[]>();
    for (const entry of corpus) {
      const list = byFile.get(entry.file) ?? [];
      list.push(entry.sql.trim());
      byFile.set(entry.file, list);
    }
    const mismatches: string[] = [];
    let errors = 0;
    const settings = { ...DEFAULT_SETTINGS, maxFileSizeKb: 64 * 1024 };
    for (const [file, statements] of byFile) {
      // A newline before the semicolon keeps it out of a trailing line comment. As in psql
      // scripts, COPY … FROM stdin is followed by its (here empty) data and the `\.` line.
      const script = statements
        .map((statement) => statement + (/^copy\b[\s\S]*\bfrom\s+stdin\b/i.test(statement) ? '\n;\n\\.\n' : '\n;\n'))
        .join('');
      const split = splitSqlStatements(script, { dialect: 'postgresql', psql: true }).map((s) => s.text);
      // The same statements, text for text: a count that agrees can hide two wrong splits.
      const firstDifference = statements.findIndex((statement, index) => split[index] !== statement);
      if (split.length !== statements.length || firstDifference >= 0) {
        mismatches.push(`${file}: ${statements.length} statements, split into ${split.length}; first difference at ${JSON.stringify(statements[firstDifference]?.slice(0, 100))}`);
      }
      errors += new DocumentAnalysis().run(script, 'sql', settings).findings.filter((f) => f.severity === 'error').length;
    }
    assert.deepStrictEqual(mismatches.slice(0, 10), [], `${mismatches.length} files split wrongly`);
    assert.strictEqual(errors, 0);
  });
});
