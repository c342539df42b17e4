import * as assert from 'assert';
import { DocumentAnalysis, Finding } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import { DEFAULT_SETTINGS, Settings } from '../../server/src/settings';

const settings: Settings = { ...DEFAULT_SETTINGS };

function covered(text: string, finding: Finding): string {
  return text.slice(finding.start, finding.end);
}

describe('DocumentAnalysis', () => {
  before(() => initParsers());

  it('reports syntax errors at their place in the document', () => {
    const text = 'SELECT 1;\n\nSELECT a FROM t WHERE b = 1 AND AND c;\n';
    const { findings } = new DocumentAnalysis().run(text, 'sql', settings);
    assert.strictEqual(findings.length, 1);
    assert.deepStrictEqual(
      { ...findings[0], text: covered(text, findings[0]) },
      {
        start: text.indexOf('AND AND') + 4,
        end: text.indexOf('AND AND') + 7,
        severity: 'error',
        code: 'syntax-error',
        message: 'syntax error at or near "AND"',
        queryStart: text.indexOf('SELECT a'),
        text: 'AND',
      },
    );
  });

  it('reads `?` where a value goes as a placeholder in Python whatever the imports (Synapse), and keeps jsonb\'s `?` an operator', () => {
    const python = [
      'def run(txn, room, ts, limit):',
      '    txn.execute("SELECT event_id FROM events WHERE room_id = ? AND ts IN (?, ?) LIMIT ?", (room, ts, ts, limit))',
      '    txn.execute("SET statement_timeout TO ?", (limit,))',
      '    txn.execute("SELECT id FROM t WHERE data ? \'k\' AND id = %s", (room,))',
      '',
    ].join('\n');
    assert.deepStrictEqual(new DocumentAnalysis().run(python, 'python', settings, 'python').findings, []);
  });

  it('says SQL for another engine, or a value psycopg2 writes where PostgreSQL takes no parameter, is not analysed, never an error', () => {
    const sql = 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\nPRAGMA foreign_keys = ON;\nSELECT FROM WHERE;\n';
    assert.deepStrictEqual(
      new DocumentAnalysis().run(sql, 'sql', settings).findings.map((f) => [f.severity, f.code, covered(sql, f), f.message]),
      [
        ['information', 'not-analysed', 'AUTOINCREMENT', 'Not analysed: AUTOINCREMENT is SQLite\'s, not PostgreSQL\'s: this is SQL for SQLite, which PostgreSQL\'s parser cannot read (syntax error at or near "AUTOINCREMENT").'],
        ['information', 'not-analysed', 'PRAGMA', 'Not analysed: PRAGMA is SQLite\'s, not PostgreSQL\'s: this is SQL for SQLite, which PostgreSQL\'s parser cannot read (syntax error at or near "PRAGMA").'],
        ['error', 'syntax-error', 'WHERE', 'syntax error at or near "WHERE"'],
      ],
    );
    const python = (module: string) => `import ${module}\n\ndef bump(cur, n):\n    cur.execute("ALTER SEQUENCE ids RESTART WITH %s", (n,))\n`;
    // psycopg2 writes the value into the text: a literal runs there.
    assert.deepStrictEqual(
      new DocumentAnalysis().run(python('psycopg2'), 'python', settings, 'python').findings.map((f) => [f.severity, f.code, f.message]),
      [['information', 'not-analysed', "Not analysed: cur.execute's driver writes this placeholder's value into the text before sending it, and PostgreSQL's grammar takes no parameter here."]],
    );
    // psycopg 3 binds it on the server, where ALTER SEQUENCE takes no parameter: it fails.
    assert.deepStrictEqual(
      new DocumentAnalysis().run(python('psycopg'), 'python', settings, 'python').findings.map((f) => [f.severity, f.code]),
      [['error', 'syntax-error']],
    );
  });

  it('says SQL completed by an f-string hole is not analysed when the parser stops a line past the hole, or after a hole that stands for an operator (Synapse)', () => {
    const python = [
      'def run(txn, published_sql, op, room, ts):',
      '    txn.execute(f"""',
      '        SELECT COUNT(*) FROM (',
      '            {published_sql}',
      '        ) published',
      '    """)',
      '    txn.execute(f"""',
      '        SELECT event_id FROM events',
      '        WHERE room_id = ?',
      '            AND origin_server_ts {op} ?',
      '            /* not an outlier */',
      '            AND NOT outlier',
      '    """, (room, ts))',
      '',
    ].join('\n');
    const findings = new DocumentAnalysis().run(python, 'python', settings, 'python').findings;
    assert.deepStrictEqual(
      findings.map((f) => [f.severity, f.code, f.message]),
      [
        ['information', 'not-analysed', 'Not analysed: the SQL here is completed at run time by `published_sql` spliced into its text, so PostgreSQL\'s parser cannot read it as written.'],
        ['information', 'not-analysed', 'Not analysed: the SQL here is completed at run time by `op` spliced into its text, so PostgreSQL\'s parser cannot read it as written.'],
      ],
    );
  });

  it('reads SQL in an if branch whose condition names another engine as that engine\'s; not in its else branch, nor under a negated condition', () => {
    const python = [
      'def run(cur, database_engine):',
      '    if isinstance(database_engine, Sqlite3Engine):',
      '        cur.execute("CREATE TRIGGER IF NOT EXISTS t BEFORE INSERT ON a FOR EACH ROW BEGIN SELECT 1; END")',
      '    else:',
      '        cur.execute("SELECT FROM WHERE x")',
      '    if not isinstance(database_engine, Sqlite3Engine):',
      '        cur.execute("SELECT FROM WHERE y")',
      '',
    ].join('\n');
    const findings = new DocumentAnalysis().run(python, 'python', settings, 'python').findings;
    assert.deepStrictEqual(
      findings.map((f) => [f.severity, f.code, python.slice(0, f.start).split('\n').length]),
      [
        ['error', 'syntax-error', 5],
        ['error', 'syntax-error', 7],
      ],
    );
  });

  it('reads `$%NAME%$` in a SQL file as SQL a loader fills in (Synapse\'s schema deltas), never a syntax error; a lone `$%` still is one', () => {
    const filled = 'CREATE TABLE connections (\n  connection_key $%AUTO_INCREMENT_PRIMARY_KEY%$,\n  user_id TEXT NOT NULL\n);\n';
    assert.deepStrictEqual(new DocumentAnalysis().run(filled, 'sql', settings).findings.filter((f) => f.severity === 'error'), []);
    const broken = 'CREATE TABLE connections (connection_key $%AUTO_INCREMENT, user_id TEXT);\n';
    assert.deepStrictEqual(new DocumentAnalysis().run(broken, 'sql', settings).findings.map((f) => [f.severity, f.code]), [['error', 'syntax-error']]);
  });

  it('reads a NUL made by a string escape as a character of the SQL, in Python and TypeScript (found by the fuzz tier)', () => {
    const python = 'import psycopg\n\ndef run(cur, value):\n    cur.execute("""select \'"null \\u0000 escape"\'::json WHERE a = %s""", (value,))\n';
    const fromPython = new DocumentAnalysis().run(python, 'python', settings, 'python');
    assert.deepStrictEqual([fromPython.queries.map((q) => q.sql), fromPython.findings], [["select '\"null \ufffd escape\"'::json WHERE a = $1"], []]);
    const typescript = "pool.query(`SELECT '\\0' FROM t WHERE id = ${id}`);\n";
    const fromTypescript = new DocumentAnalysis().run(typescript, 'typescript', settings, 'typescript');
    assert.deepStrictEqual(
      fromTypescript.findings.map((f) => [f.code, covered(typescript, f)]),
      [['no-sql-concatenation', 'id']],
    );
  });

  it("says a SQLite statement is completed at run time where its grammar stops at a spliced name, and names the grammar", () => {
    const text = 'import sqlite3\ndef load(connection, table_name):\n    connection.execute("insert into {t} (a) values (?)".format(t=table_name), (1,))\n';
    const { findings } = new DocumentAnalysis().run(text, 'python', settings, 'python');
    assert.deepStrictEqual(
      findings.map((f) => [f.severity, f.code, f.message, covered(text, f)]),
      [['information', 'not-analysed', "Not analysed: the SQL here is completed at run time by `table_name` spliced into its text, so node-sql-parser's SQLite grammar cannot read it as written.", '{t}']],
    );
  });

  it('re-parses only the statements whose text changed', () => {
    const statements = Array.from({ length: 50 }, (_, i) => `SELECT c${i} FROM t${i}`);
    const analysis = new DocumentAnalysis();
    const first = analysis.run(statements.join(';\n'), 'sql', settings);
    assert.deepStrictEqual([first.stats.analysed, first.stats.reused], [50, 0]);
    statements[20] = 'SELECT c20 FROM WHERE';
    const second = analysis.run(statements.join(';\n'), 'sql', settings);
    assert.deepStrictEqual([second.stats.analysed, second.stats.reused], [1, 49]);
    assert.strictEqual(second.findings.length, 1);
    assert.strictEqual(second.findings[0].message, 'syntax error at or near "WHERE"');
    // Moving the statement does not re-parse it, and its finding follows it.
    const moved = ['SELECT 0', ...statements].join(';\n');
    const third = analysis.run(moved, 'sql', settings);
    assert.deepStrictEqual([third.stats.analysed, third.stats.reused], [1, 50]);
    assert.strictEqual(third.findings[0].start, moved.indexOf('FROM WHERE') + 5);
  });

  it('reuses a query\'s findings only while what is spliced into it is the same (found by the fuzz tier)', () => {
    const analysis = new DocumentAnalysis();
    const versions = [
      'pool.query(`SELECT id FROM t WHERE id = ${email}`);\n',
      // The same SQL (`$1`) with another value spliced in: the message names it.
      'pool.query(`SELECT id FROM t WHERE id = ${name}`);\n',
      // A number cannot break the text: no finding.
      'pool.query(`SELECT id FROM t WHERE id = ${Number(name)}`);\n',
      'export function f(name: number) {\n  return pool.query(`SELECT id FROM t WHERE id = ${name}`);\n}\n',
      'export function f(name: string) {\n  return pool.query(`SELECT id FROM t WHERE id = ${name}`);\n}\n',
      // Values already passed: no fix to offer, so the message promises none.
      'export function f(name: string) {\n  return pool.query(`SELECT id FROM t WHERE id = ${name}`, values);\n}\n',
    ];
    for (const text of versions) {
      const kept = analysis.run(text, 'typescript', settings, 'typescript').findings;
      const fresh = new DocumentAnalysis().run(text, 'typescript', settings, 'typescript').findings;
      assert.deepStrictEqual(kept, fresh, text);
    }
    const messages = versions.map((text) => new DocumentAnalysis().run(text, 'typescript', settings, 'typescript').findings.map((f) => f.message.replace(/ spliced into .*?(: the quick fix does it)?\.$/, ' …$1')));
    assert.deepStrictEqual(messages, [
      ['`email` is …: the quick fix does it'],
      ['`name` is …: the quick fix does it'],
      [],
      [],
      ['`name` is …: the quick fix does it'],
      ['`name` is …'],
    ]);
  });

  it('analyses a template of 20,000 holes in time that grows with the holes, not with their square', () => {
    const template = (count: number) => {
      const names = Array.from({ length: count }, (_, i) => `v${i}`);
      return { names, text: 'pool.query(`INSERT INTO t VALUES (' + names.map((name) => '${' + name + '}').join(', ') + ')`);\n' };
    };
    new DocumentAnalysis().run('pool.query(`SELECT 1`);\n', 'typescript', settings, 'typescript'); // loads the TypeScript compiler
    const large = template(20_000);
    const result = new DocumentAnalysis().run(large.text, 'typescript', settings, 'typescript');
    assert.strictEqual(result.findings.length, 20_000);
    assert.deepStrictEqual(result.findings.map((f) => covered(large.text, f)), large.names);
    // Not a benchmark, and no wall-clock limit (a loaded machine made one flaky): ten times the
    // holes must cost well under a hundred times the time. With quadratic steps (a whole-text
    // test per hole, an indexOf per hole) the ratio was ~100; linear, it is ~10. Best of three.
    const best = (text: string) => Math.min(...[0, 1, 2].map(() => new DocumentAnalysis().run(text, 'typescript', settings, 'typescript').stats.elapsedMs));
    const ratio = best(large.text) / best(template(2_000).text);
    assert.ok(ratio < 40, `20,000 holes took ${ratio.toFixed(1)}× the time of 2,000`);
  });

  it('accepts psql variables in SQL files', () => {
    const text = "\\set id 42\nSELECT * FROM :\"tbl\" WHERE id = :id AND name = :'name';";
    assert.deepStrictEqual(new DocumentAnalysis().run(text, 'sql', settings).findings, []);
  });

  it('says a file over queryLens.maxFileSizeKb is not analysed, with its size', () => {
    const text = 'SELECT 1;\n'.repeat(300);
    const { findings, queries } = new DocumentAnalysis().run(text, 'sql', { ...settings, maxFileSizeKb: 2 });
    assert.strictEqual(queries.length, 0);
    assert.deepStrictEqual(findings, [
      {
        start: 0,
        end: 0,
        severity: 'information',
        code: 'file-not-analysed',
        message: 'Not analysed: this file is 3 KB, over queryLens.maxFileSizeKb (2 KB). Raise the setting to analyse it.',
      },
    ]);
  });

  it('says a binary file is not analysed', () => {
    const { findings } = new DocumentAnalysis().run('SELECT 1;\u0000\u0001\u0002', 'sql', settings);
    assert.deepStrictEqual(
      findings.map((f) => [f.code, f.severity, f.message]),
      [['file-not-analysed', 'information', 'Not analysed: this file holds NUL characters, so it is binary, not SQL text.']],
    );
  });

  it('reports other dialects through node-sql-parser as not analysed, never as errors', () => {
    const text = 'SELECT `a` FROM t WHERE b = ?;\nSELECT a FROM t WHERE AND b;';
    const { findings } = new DocumentAnalysis().run(text, 'sql', { ...settings, dialect: 'mysql' });
    assert.deepStrictEqual(
      findings.map((f) => [f.severity, f.code, covered(text, f)]),
      [['information', 'not-analysed', 'b']],
    );
  });

  it('reads each section of a script for several engines as its banner says (`-- MySQL`), and only that', () => {
    const text = [
      'UPDATE website_event SET gclid = NULL WHERE gclid = \'\';',
      '-- ------------------',
      '-- MySQL / MariaDB',
      '-- ------------------',
      'UPDATE `website_event` SET gclid = LEFT(gclid, 255) WHERE gclid <> \'\';',
      '-- ===== ClickHouse only =====',
      'ALTER TABLE website_event UPDATE gclid = \'\' WHERE 1 SETTINGS mutations_sync = 2;',
      '-- PostgreSQL',
      'SELECT `gclid` FROM website_event;',
      '-- MySQL is not used by this statement: prose, no banner',
      'SELECT `utm` FROM website_event;',
    ].join('\n');
    const { findings } = new DocumentAnalysis().run(text, 'sql', settings);
    assert.deepStrictEqual(
      findings.map((f) => [f.severity, f.code, f.message, covered(text, f)]),
      [
        ['error', 'syntax-error', 'syntax error at or near "FROM"', 'FROM'],
        ['error', 'syntax-error', 'syntax error at or near "FROM"', 'FROM'],
      ],
    );
    assert.deepStrictEqual(
      findings.map((f) => text.slice(0, f.start).split('\n').length),
      [9, 11],
    );
  });

  it('finds no queries in host-language files yet', () => {
    assert.deepStrictEqual(new DocumentAnalysis().run('const q = "SELECT 1";', 'unsupported', settings).queries, []);
  });
});
