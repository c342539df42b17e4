import * as assert from 'assert';
import { EmbeddedSqlBuilder } from '../../server/src/extract/embeddedSql';
import { initParsers } from '../../server/src/analyze/parse';
import { looksLikeSql } from '../../server/src/extract/sqlDetector';

describe('EmbeddedSqlBuilder', () => {
  before(() => initParsers());

  it('turns template holes into $n parameters and maps every character back', () => {
    // pool.query(`SELECT * FROM users WHERE id = ${id} AND org = ${org.id}`)
    const doc = 'pool.query(`SELECT * FROM users WHERE id = ${id} AND org = ${org.id}`)';
    const b = new EmbeddedSqlBuilder();
    const t1 = doc.indexOf('SELECT');
    b.text('SELECT * FROM users WHERE id = ', t1);
    b.hole(doc.indexOf('id}'), doc.indexOf('id}') + 2, 'interpolated', 'id');
    const t2 = doc.indexOf(' AND');
    b.text(' AND org = ', t2);
    b.hole(doc.indexOf('org.id'), doc.indexOf('org.id') + 6, 'interpolated', 'org.id');
    const query = b.build({ origin: 'pool.query', style: 'dollar', dialect: 'postgresql', construction: 'template' });
    assert.strictEqual(query.sql, 'SELECT * FROM users WHERE id = $1 AND org = $2');
    assert.deepStrictEqual(
      query.parameters.map((p) => [p.index, query.sql.slice(p.sqlStart, p.sqlEnd), doc.slice(p.docStart, p.docEnd), p.source]),
      [
        [1, '$1', 'id', 'interpolated'],
        [2, '$2', 'org.id', 'interpolated'],
      ],
    );
    const [from, to] = query.sqlRangeToDocument(query.sql.indexOf('users'), query.sql.indexOf('users') + 5);
    assert.strictEqual(doc.slice(from, to), 'users');
    const [p1, p2] = query.sqlRangeToDocument(query.sql.indexOf('$2'), query.sql.indexOf('$2') + 2);
    assert.strictEqual(doc.slice(p1, p2), 'org.id');
    assert.strictEqual(doc.slice(query.start, query.end), 'SELECT * FROM users WHERE id = ${id} AND org = ${org.id');
  });

  it('maps escaped characters one by one', () => {
    // "SELECT 'it''s'\nFROM t" written in a JS string with escapes: 'SELECT \'x\'\\nFROM t'
    const doc = "q('SELECT \\'x\\'\\nFROM t')";
    const value = "SELECT 'x'\nFROM t";
    const offsets: number[] = [];
    const start = doc.indexOf('SELECT');
    let k = start;
    for (const ch of value) {
      if (ch === "'" || ch === '\n') {
        offsets.push(k);
        k += 2;
      } else {
        offsets.push(k);
        k += 1;
      }
    }
    const query = new EmbeddedSqlBuilder().text(value, offsets).build({ origin: 'q', style: 'none', dialect: 'postgresql' });
    const at = query.sql.indexOf('FROM');
    const [from, to] = query.sqlRangeToDocument(at, at + 4);
    assert.strictEqual(doc.slice(from, to), 'FROM');
    const [q1, q2] = query.sqlRangeToDocument(7, 10);
    assert.strictEqual(doc.slice(q1, q2), "\\'x\\'");
  });

  for (const [style, text, expected, names] of [
    ['question', "SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?", "SELECT * FROM t WHERE a = $1 AND b = '?' AND c = $2", [undefined, undefined]],
    ['format', "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%' AND c = %(name)s OR d = %(name)s", "SELECT * FROM t WHERE a = $1 AND b LIKE 'x%' AND c = $2 OR d = $2", [undefined, 'name', 'name']],
    ['colon', 'SELECT a::int FROM t WHERE a = :id AND b = :id', 'SELECT a::int FROM t WHERE a = $1 AND b = $1', ['id', 'id']],
    ['dollar', 'SELECT * FROM t WHERE a = $2 AND b = $1', 'SELECT * FROM t WHERE a = $2 AND b = $1', [undefined, undefined]],
  ] as const) {
    it(`rewrites ${style} placeholders to $n, keeping their document ranges`, () => {
      const doc = `x(${JSON.stringify(text)})`;
      const query = new EmbeddedSqlBuilder().text(text, doc.indexOf(text)).build({ origin: 'x', style, dialect: 'postgresql' });
      assert.strictEqual(query.sql, expected);
      assert.deepStrictEqual(query.parameters.map((p) => p.name), names);
      for (const parameter of query.parameters) {
        assert.match(doc.slice(parameter.docStart, parameter.docEnd), /^(\?|%s|%\(name\)s|:id|\$\d)$/);
      }
    });
  }

  it("rewrites knex's ?? identifier binding to a name", () => {
    const query = new EmbeddedSqlBuilder().text('SELECT ?? FROM t WHERE a = ?', 0).build({ origin: 'knex.raw', style: 'question', dialect: 'postgresql' });
    assert.strictEqual(query.sql, 'SELECT ql_identifier FROM t WHERE a = $1');
  });

  it('reads a hole inside SQL quotes as the value it makes, and one inside a comment as text', () => {
    // f"SELECT * FROM t WHERE name = '{name}' /* {tag} */ AND id = {uid} AND bio LIKE '%{term}%'"
    const query = new EmbeddedSqlBuilder()
      .text("SELECT * FROM t WHERE name = '", 0)
      .hole(40, 44, 'interpolated', 'name')
      .text("' /* ", 45)
      .hole(51, 54, 'interpolated', 'tag')
      .text(' */ AND id = ', 55)
      .hole(70, 73, 'interpolated', 'uid')
      .text(" AND bio LIKE '%", 74)
      .hole(90, 94, 'interpolated', 'term')
      .text("%'", 95)
      .build({ origin: 'cur.execute', style: 'none', dialect: 'postgresql', construction: 'f-string' });
    assert.strictEqual(query.sql, "SELECT * FROM t WHERE name = $1 /* x */ AND id = $2 AND bio LIKE '%' || $3 || '%'");
    assert.deepStrictEqual(query.parameters.map((p) => [p.expression, p.docStart]), [['name', 40], ['uid', 70], ['term', 90]]);
    // The literal's own characters keep their places; the quotes we add sit beside them.
    const percent = query.sql.indexOf("'%'");
    assert.deepStrictEqual(query.sqlRangeToDocument(percent + 1, percent + 2), [89, 90]);
  });

  it('reads a NUL that a string escape makes as text, never as a hole (U+FFFD in the SQL, mapped one for one)', () => {
    // cur.execute("SELECT '\u0000' = %s", (x,)) after Python has cooked the string.
    const b = new EmbeddedSqlBuilder();
    b.text("SELECT '\u0000' = ", [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17]);
    b.hole(30, 31, 'interpolated', 'x');
    b.synthetic('\u0000', 31);
    const query = b.build({ origin: 'cur.execute', style: 'format', dialect: 'postgresql' });
    assert.strictEqual(query.sql, "SELECT '\ufffd' = $1\ufffd");
    assert.deepStrictEqual(query.sqlRangeToDocument(8, 9), [8, 14]);
    assert.deepStrictEqual(
      query.parameters.map((p) => [p.index, p.docStart, p.docEnd]),
      [[1, 30, 31]],
    );
  });

  it('keeps ? for dialects other than PostgreSQL', () => {
    const query = new EmbeddedSqlBuilder().text('SELECT * FROM t WHERE a = ', 0).hole(30, 31, 'bound').build({ origin: 'x', style: 'question', dialect: 'mysql' });
    assert.strictEqual(query.sql, 'SELECT * FROM t WHERE a = ?');
  });

  it('maps a fragment wrapped in a synthetic statement', () => {
    // knex.whereRaw('lower(email) = ?')
    const doc = "q.whereRaw('lower(email) = ?')";
    const prefix = 'SELECT * FROM ql_fragment WHERE ';
    const at = doc.indexOf('lower');
    const query = new EmbeddedSqlBuilder()
      .synthetic(prefix, at)
      .text('lower(email) = ?', at)
      .build({ origin: 'whereRaw', style: 'question', dialect: 'postgresql', shape: 'fragment', fragmentPrefixLength: prefix.length });
    assert.strictEqual(query.sql, 'SELECT * FROM ql_fragment WHERE lower(email) = $1');
    assert.strictEqual(query.fragmentPrefixLength, prefix.length);
    assert.strictEqual(query.start, at);
    const s = query.sql.indexOf('email');
    const [from, to] = query.sqlRangeToDocument(s, s + 5);
    assert.strictEqual(doc.slice(from, to), 'email');
  });
});

describe('looksLikeSql', () => {
  before(() => initParsers());
  const sql = ['SELECT id FROM users WHERE email = $1', 'select * from users', 'INSERT INTO t (a) VALUES ($1)', 'update users set name = $1 where id = $2', 'WITH x AS (SELECT 1) SELECT * FROM x', 'CREATE INDEX ON t (a)'];
  const prose = ['select a row from the list', 'Select an option', 'delete from cart', 'show all', 'Update failed', 'select one from the list below', 'Insert coin to continue', 'values', 'drop it like it is hot', 'SELECT ALL', 'Select distinct'];
  for (const text of sql) {
    it(`takes ${JSON.stringify(text)} for SQL`, () => assert.strictEqual(looksLikeSql(text), true));
  }
  for (const text of prose) {
    it(`takes ${JSON.stringify(text)} for prose`, () => assert.strictEqual(looksLikeSql(text), false));
  }
});
