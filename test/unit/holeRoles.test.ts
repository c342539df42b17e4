import * as assert from 'assert';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import type { DocumentKind } from '../../server/src/extract/query';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

/** Each query's SQL and what the database side will do with it: the text it plans, or why not. */
function plans(text: string, kind: DocumentKind): { sql: string; explain?: string; schemaHoles?: string[]; notPlanned?: string; findings: string[] }[] {
  const result = new DocumentAnalysis().run(text, kind, DEFAULT_SETTINGS);
  return result.queries.map((query, index) => {
    const statement = result.statements[index];
    const findings = result.findings.filter((f) => f.queryStart === query.start && f.severity !== 'hint').map((f) => `${f.severity} ${f.code}`);
    return {
      sql: query.sql,
      ...(statement?.explainSql !== undefined ? { explain: statement.explainSql } : {}),
      ...(statement?.schemaHoles ? { schemaHoles: statement.schemaHoles.map((h) => `${h.placeholder} ${h.table}`) } : {}),
      ...(statement?.notPlanned ? { notPlanned: `${statement.notPlanned.category}: ${statement.notPlanned.reason}` } : {}),
      findings,
    };
  });
}

describe('Holes: what a value spliced in at run time stands for', () => {
  before(() => initParsers());

  it('plans a query whose schema is spliced in, the schema left for the catalog to name', () => {
    const ts = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const get = (schema: string, id: number) => pool.query(`SELECT * FROM ${schema}.jobs WHERE id = $1`, [id]);";
    assert.deepStrictEqual(plans(ts, 'typescript'), [
      { sql: 'SELECT * FROM $2.jobs WHERE id = $1', explain: 'SELECT * FROM q2.jobs WHERE id = $1', schemaHoles: ['q2 jobs'], findings: [] },
    ]);
  });

  it('does not plan a query whose condition, ordering, column list or name is spliced in, and says why', () => {
    const ts = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export const a = (conditions: string[], values: unknown[]) => pool.query(`SELECT id FROM orders WHERE ${conditions.join(" AND ")}`, values);',
      'export const b = (column: string) => pool.query(`SELECT id FROM orders ORDER BY ${column}`);',
      'export const c = (columns: string) => pool.query(`SELECT ${columns} FROM orders WHERE id = $1`, [1]);',
      'export const d = (table: string) => pool.query(`SELECT id FROM ${table}`);',
    ].join('\n');
    assert.deepStrictEqual(
      plans(ts, 'typescript').map((p) => [p.notPlanned, p.findings]),
      [
        ['built at run time: a condition spliced in at run time (`conditions.join(" AND ")`)', []],
        ['built at run time: an ORDER BY list spliced in at run time (`column`)', []],
        ['built at run time: a column list spliced in at run time (`columns`)', []],
        ['built at run time: a name spliced in at run time (`table`)', []],
      ],
    );
  });

  it('reads a .format() hole right after a name as SQL text, not as a typed literal', () => {
    const py = [
      'import psycopg2',
      'def q(cur, where_clause):',
      '    cur.execute("SELECT a.id FROM a JOIN b ON a.id = b.a_id {where}".format(where=where_clause))',
      '    cur.execute(\'SELECT count(*) FROM "{0}"\'.format(table))',
      '    cur.execute(f"SELECT id FROM moderation_log {where_clause} ORDER BY id")',
      '    cur.execute("LISTEN {0}".format(channel))',
      '    cur.execute(f"SET LOCAL statement_timeout TO {ms}")',
    ].join('\n');
    assert.deepStrictEqual(
      plans(py, 'python').map((p) => [p.sql, p.notPlanned, p.findings]),
      [
        ['SELECT a.id FROM a JOIN b ON a.id = b.a_id $1', 'built at run time: SQL text spliced in at run time (`where_clause`)', []],
        ['SELECT count(*) FROM $1', 'built at run time: a name spliced in at run time (`table`)', []],
        // Read as a name, the hole would be the table's alias: a clause follows a table there.
        ['SELECT id FROM moderation_log $1 ORDER BY id', 'built at run time: SQL text spliced in at run time (`where_clause`)', []],
        ['LISTEN $1', 'not a query: LISTEN: not a query EXPLAIN plans', []],
        ['SET LOCAL statement_timeout TO $1', 'not a query: SET: not a query EXPLAIN plans', []],
      ],
    );
  });

  it('plans IN :ids (an expanding bind) and IN %s (a tuple) as a list of one parameter', () => {
    const py = [
      'from sqlalchemy import text',
      'import psycopg2',
      'def q(conn, cur, ids):',
      '    conn.execute(text("SELECT id FROM users WHERE id IN :ids"), {"ids": ids})',
      '    cur.execute("SELECT id FROM users WHERE id IN %s AND created_at > now() - INTERVAL %s", (tuple(ids), "1 day"))',
    ].join('\n');
    assert.deepStrictEqual(
      plans(py, 'python').map((p) => [p.explain, p.findings]),
      [
        ['SELECT id FROM users WHERE id IN ($1)', []],
        ['SELECT id FROM users WHERE id IN ($1) AND created_at > now() - CAST($2 AS INTERVAL)', []],
      ],
    );
  });

  it('still reports a value spliced where a value goes, and plans the query with it as a parameter', () => {
    const ts = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const get = (email: string) => pool.query(`SELECT id FROM users WHERE email = '${email}'`);";
    assert.deepStrictEqual(plans(ts, 'typescript'), [{ sql: 'SELECT id FROM users WHERE email = $1', explain: 'SELECT id FROM users WHERE email = $1', findings: ['warning no-sql-concatenation'] }]);
  });

  it('plans text that names a schema (`$1 || \'.version\'`) as the value it is, and reports nothing of it', () => {
    const ts = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const get = (schema: string) => pool.query(`SELECT to_regclass('${schema}.version') AS name`);";
    assert.deepStrictEqual(plans(ts, 'typescript'), [
      { sql: "SELECT to_regclass($1 || '.version') AS name", explain: "SELECT to_regclass($1 || '.version') AS name", findings: [] },
    ]);
  });

  it('lists SQL whose clauses are spliced in at run time, found by its content, as not analysed with the reason', () => {
    const ts = [
      'export function metrics(rawQuery: Function, column: string, joinQuery: string, filterQuery: string) {',
      '  return rawQuery(`',
      '    select ${column} x, count(*) as y',
      '    from website_event',
      '    ${joinQuery}',
      '    where website_event.website_id = {{websiteId::uuid}}',
      '      ${filterQuery}',
      '    group by 1`);',
      '}',
      "export const notSql = (n: number) => `select ${n} items from the list ${n > 1 ? 'below' : ''}`;",
    ].join('\n');
    const result = new DocumentAnalysis().run(ts, 'typescript', DEFAULT_SETTINGS);
    assert.deepStrictEqual(
      result.queries.map((q) => [q.origin, q.sql.replace(/\s+/g, ' ').trim()]),
      [['string', 'select $1 x, count(*) as y from website_event $2 where website_event.website_id = $3::uuid $4 group by 1']],
    );
    assert.deepStrictEqual(
      result.findings.map((f) => [f.severity, f.code, f.message, ts.slice(f.start, f.end)]),
      // `${joinQuery}` after the table reads as an alias; the parser stops at `${filterQuery}`.
      [['information', 'not-analysed', 'Not analysed: the SQL here is completed at run time by `filterQuery` spliced into its text, so PostgreSQL\'s parser cannot read it as written.', 'filterQuery']],
    );
  });
});
