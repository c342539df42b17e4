import * as assert from 'assert';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import type { DocumentKind } from '../../server/src/extract/query';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

/** The codes of the findings of a document, with the line (1-based) each starts on. */
function findings(text: string, kind: DocumentKind): string[] {
  const result = new DocumentAnalysis().run(text, kind, DEFAULT_SETTINGS, kind);
  return result.findings.map((f) => `${text.slice(0, f.start).split('\n').length} ${f.code}`);
}

describe('query-lens-ignore comments: which lines they reach', () => {
  before(() => initParsers());

  it('silences a finding on its line or the line below, and a query starting up to two lines below', () => {
    const sql = [
      'SELECT id FROM users ORDER BY random(); -- query-lens-ignore no-order-by-random',
      '-- query-lens-ignore no-order-by-random',
      'SELECT id FROM users ORDER BY random();',
      '-- query-lens-ignore no-order-by-random',
      '',
      '',
      'SELECT id FROM users ORDER BY random();',
      'SELECT id',
      '  FROM users',
      '  -- query-lens-ignore no-order-by-random',
      '  ORDER BY random();',
    ].join('\n');
    // Line 7 is three lines below its comment; line 11's finding has the comment right above it.
    assert.deepStrictEqual(findings(sql, 'sql'), ['7 no-order-by-random']);
  });

  it('reaches SQL on the line after the call it is written above, and no further', () => {
    const ts = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export async function a() {',
      '  // query-lens-ignore no-order-by-random',
      '  return pool.query(',
      "    'SELECT id FROM users ORDER BY random()',",
      '  );',
      '}',
      'export async function b() {',
      '  // query-lens-ignore no-order-by-random',
      '  const unrelated = 1;',
      '  return pool.query(',
      "    'SELECT id FROM users ORDER BY random()',",
      '  );',
      '}',
    ].join('\n');
    assert.deepStrictEqual(findings(ts, 'typescript'), ['13 no-order-by-random']);
  });

  it('takes several ids, the host language\'s comments, and without ids every rule but never a syntax error unnamed', () => {
    const py = [
      'import psycopg2',
      'def f(cur):',
      '    # query-lens-ignore no-order-by-random, no-select-star',
      '    cur.execute("SELECT * FROM users ORDER BY random()")',
      '    # query-lens-ignore',
      '    cur.execute("SELECT * FROM users ORDER BY random()")',
      '    # query-lens-ignore',
      '    cur.execute("SELECT id FROM users WHERE AND")',
      '    # query-lens-ignore syntax-error',
      '    cur.execute("SELECT id FROM users WHERE AND")',
      '    # query-lens-ignore no-select-star',
      '    cur.execute("SELECT * FROM users ORDER BY random()")',
    ].join('\n');
    assert.deepStrictEqual(findings(py, 'python'), ['8 syntax-error', '12 no-order-by-random']);
    const sql = 'SELECT * FROM users ORDER BY random(); /* query-lens-ignore no-order-by-random */\n';
    assert.deepStrictEqual(findings(sql, 'sql'), []);
  });
});
