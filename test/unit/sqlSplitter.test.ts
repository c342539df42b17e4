import * as assert from 'assert';
import { splitSqlStatements } from '../../server/src/extract/sqlSplitter';
import type { Dialect } from '../../server/src/settings';

function split(text: string, dialect: Dialect = 'postgresql', psql = dialect === 'postgresql'): string[] {
  const statements = splitSqlStatements(text, { dialect, psql });
  for (const statement of statements) {
    // Every range must be exact: the text is the document's own slice.
    assert.strictEqual(text.slice(statement.start, statement.end), statement.text);
  }
  return statements.map((statement) => statement.text);
}

describe('splitSqlStatements', () => {
  it('splits on semicolons and trims white space and comments around statements', () => {
    const text = '  SELECT 1;\n-- a comment; with a semicolon\nSELECT 2 ;\n/* block; */ SELECT 3';
    assert.deepStrictEqual(split(text), ['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('gives exact offsets', () => {
    const text = 'SELECT 1;\n\n  UPDATE t SET a = 1;';
    const [first, second] = splitSqlStatements(text, { dialect: 'postgresql', psql: true });
    assert.deepStrictEqual([first.start, first.end], [0, 8]);
    assert.deepStrictEqual([second.start, second.end], [text.indexOf('UPDATE'), text.length - 1]);
  });

  it('keeps semicolons inside quotes, quoted identifiers, and E-strings with escapes', () => {
    const text = `SELECT 'a;b', "c;d", E'e\\';f', 'g'';h';SELECT 2`;
    assert.deepStrictEqual(split(text), [`SELECT 'a;b', "c;d", E'e\\';f', 'g'';h'`, 'SELECT 2']);
  });

  it('does not treat a backslash as an escape in a standard string', () => {
    assert.deepStrictEqual(split(`SELECT 'a\\';SELECT 2`), [`SELECT 'a\\'`, 'SELECT 2']);
  });

  it('keeps semicolons inside dollar quotes, tagged or not, but not after $1 parameters', () => {
    const body = 'CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql';
    assert.deepStrictEqual(split(`${body};SELECT $$x;y$$;SELECT $1;SELECT a$b FROM t`), [
      body,
      'SELECT $$x;y$$',
      'SELECT $1',
      'SELECT a$b FROM t',
    ]);
  });

  it('keeps semicolons inside nested block comments and parentheses', () => {
    const text = 'SELECT /* a /* b; */ c; */ 1;SELECT (1;2)';
    assert.deepStrictEqual(split(text), ['SELECT /* a /* b; */ c; */ 1', 'SELECT (1;2)']);
  });

  it('keeps a BEGIN ATOMIC function body whole, as psql does', () => {
    const fn =
      'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END';
    assert.deepStrictEqual(split(`${fn};\nSELECT 3;`), [fn, 'SELECT 3']);
  });

  it('skips psql meta-commands, which end the statement before them', () => {
    const text = '\\set x 1\nSELECT :x\n\\gset\n\\if :flag\nSELECT 2;\n\\endif\n\\i other.sql';
    assert.deepStrictEqual(split(text), ['SELECT :x', 'SELECT 2']);
  });

  it('skips COPY FROM stdin data up to \\.', () => {
    const text = 'COPY t (a, b) FROM stdin;\n1\tx;y\n2\t\'z\n\\.\nSELECT 1;';
    assert.deepStrictEqual(split(text), ['COPY t (a, b) FROM stdin', 'SELECT 1']);
  });

  it('runs an unterminated quote, dollar quote or comment to the end of the text', () => {
    assert.deepStrictEqual(split("SELECT 'abc;\nSELECT 2;"), ["SELECT 'abc;\nSELECT 2;"]);
    assert.deepStrictEqual(split('SELECT $$abc;\nSELECT 2;'), ['SELECT $$abc;\nSELECT 2;']);
    // PostgreSQL reports the unterminated comment; nothing after it silently disappears.
    assert.deepStrictEqual(split('SELECT 1 /* abc;\nSELECT 2;'), ['SELECT 1 /* abc;\nSELECT 2;']);
  });

  it('yields nothing for text with only comments and white space', () => {
    assert.deepStrictEqual(split('-- nothing\n/* here */\n;;\n'), []);
  });

  it('reads MySQL: backticks, # comments, backslash escapes and DELIMITER', () => {
    const text = [
      "SELECT `a;b`, 'c\\';d' FROM t; # comment; here",
      'DELIMITER //',
      'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//',
      'DELIMITER ;',
      'SELECT 3;',
    ].join('\n');
    assert.deepStrictEqual(split(text, 'mysql'), [
      "SELECT `a;b`, 'c\\';d' FROM t",
      'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END',
      'SELECT 3',
    ]);
  });

  it('reads SQLite: bracket identifiers and trigger bodies', () => {
    const trigger = 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = n + 1; DELETE FROM v; END';
    assert.deepStrictEqual(split(`SELECT [a;b] FROM t;${trigger};SELECT 1`, 'sqlite'), [
      'SELECT [a;b] FROM t',
      trigger,
      'SELECT 1',
    ]);
  });

  it('splits a 100,000-character line and a file of 10,000 statements', () => {
    const longLine = 'SELECT ' + Array.from({ length: 15_000 }, (_, i) => `c${i}`).join(', ') + ';';
    assert.ok(longLine.length > 100_000);
    assert.strictEqual(split(longLine).length, 1);
    const many = 'SELECT 1;\n'.repeat(10_000);
    assert.strictEqual(split(many).length, 10_000);
  });

  it('skips a leading byte order mark, which is no part of the SQL; offsets stay the text\'s', () => {
    const text = '\uFEFFSELECT 1;\nSELEC 2;';
    assert.deepStrictEqual(
      splitSqlStatements(text, { dialect: 'postgresql', psql: true }).map((statement) => [statement.start, statement.end, statement.text]),
      [
        [1, 9, 'SELECT 1'],
        [11, 18, 'SELEC 2'],
      ],
    );
    // What starts the file is still read as the start of a line: a header, a meta-command, DELIMITER.
    const named = splitSqlStatements('\uFEFF-- name: first\nSELECT 1;', { dialect: 'postgresql', psql: true });
    assert.deepStrictEqual(named.map((statement) => [statement.name, statement.text]), [['first', 'SELECT 1']]);
    assert.deepStrictEqual(split('\uFEFF\\set x 1\nSELECT :x;'), ['SELECT :x']);
    assert.deepStrictEqual(split('\uFEFFDELIMITER //\nSELECT 1//', 'mysql'), ['SELECT 1']);
    // Only at the start: elsewhere U+FEFF is a character of the text, for the parser to judge.
    assert.deepStrictEqual(split('SELECT 1;\uFEFFSELECT 2;'), ['SELECT 1', '\uFEFFSELECT 2']);
  });

  describe('the branches between the usual cases', () => {
    it('takes DELIMITER only where a statement starts, not a column of that name at a line start', () => {
      const text = 'SELECT id,\ndelimiter FROM t;\nSELECT 2;';
      assert.deepStrictEqual(split(text, 'mysql'), ['SELECT id,\ndelimiter FROM t', 'SELECT 2']);
    });

    it('keeps SQLite TEMP trigger bodies whole', () => {
      const trigger = 'CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = n + 1; DELETE FROM v; END';
      assert.deepStrictEqual(split(`${trigger};SELECT 1`, 'sqlite'), [trigger, 'SELECT 1']);
    });

    it('counts BEGIN and END of a routine body only outside parentheses, and an END with no BEGIN not at all', () => {
      const atomic = 'CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC INSERT INTO t (begin, x) VALUES (1, 2); END';
      const returns = 'CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END';
      assert.deepStrictEqual(split(`${atomic};\n${returns};\nSELECT 3;`), [atomic, returns, 'SELECT 3']);
    });

    it('ends a statement at its semicolon after a stray closing parenthesis', () => {
      assert.deepStrictEqual(split('SELECT 1);\nSELECT 2;'), ['SELECT 1)', 'SELECT 2']);
    });

    it('skips COPY data only in a psql script: elsewhere COPY FROM stdin is a statement like another', () => {
      const text = 'COPY t FROM stdin;\nSELECT 1;';
      assert.deepStrictEqual(split(text, 'postgresql', true), ['COPY t FROM stdin']);
      assert.deepStrictEqual(split(text, 'postgresql', false), ['COPY t FROM stdin', 'SELECT 1']);
    });

    it('reads a name header only at the start of a line and outside parentheses', () => {
      const text = ['-- name: first', 'SELECT (', '-- name: not_a_header', '1);', '-- name: second', 'SELECT 2;'].join('\n');
      assert.deepStrictEqual(
        splitSqlStatements(text, { dialect: 'postgresql', psql: true }).map((statement) => [statement.name, statement.text]),
        [
          ['first', 'SELECT (\n-- name: not_a_header\n1)'],
          ['second', 'SELECT 2'],
        ],
      );
    });
  });
});
