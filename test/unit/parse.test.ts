import * as assert from 'assert';
import { initParsers, parseStatement } from '../../server/src/analyze/parse';

/** The text a problem's range covers. */
function flagged(sql: string): { message: string; text: string; kind: string } {
  const outcome = parseStatement(sql, 'postgresql');
  assert.ok(!outcome.ok, `expected a syntax error in ${sql}`);
  return { message: outcome.problem.message, text: sql.slice(outcome.problem.start, outcome.problem.end), kind: outcome.problem.kind };
}

describe('parseStatement (PostgreSQL, libpg-query)', () => {
  before(() => initParsers());

  it('accepts valid SQL and returns the AST', () => {
    const outcome = parseStatement('SELECT id FROM users WHERE email = $1', 'postgresql');
    assert.ok(outcome.ok);
    assert.ok(JSON.stringify(outcome.ast).includes('"relname":"users"'));
  });

  it("reports PostgreSQL's own message on the exact token", () => {
    const sql = "SELECT id FROM users WHERE id = 1 AND AND name = 'x'";
    const problem = flagged(sql);
    assert.deepStrictEqual(problem, { message: 'syntax error at or near "AND"', text: 'AND', kind: 'syntax' });
    const outcome = parseStatement(sql, 'postgresql');
    assert.ok(!outcome.ok && outcome.problem.start === sql.indexOf('AND AND') + 4);
  });

  it('keeps the range exact after multi-byte characters (code points, UTF-8 bytes)', () => {
    const sql = "SELECT '😀 é 日本' AS x, FROM t";
    const outcome = parseStatement(sql, 'postgresql');
    assert.ok(!outcome.ok);
    assert.strictEqual(outcome.problem.message, 'syntax error at or near "FROM"');
    assert.strictEqual(outcome.problem.start, sql.indexOf('FROM'));
    assert.strictEqual(outcome.problem.end, sql.indexOf('FROM') + 4);
  });

  it('underlines the last token for an error at the end of the input', () => {
    assert.deepStrictEqual(flagged('SELECT * FROM  '), { message: 'syntax error at end of input', text: 'FROM', kind: 'syntax' });
  });

  it('reports an unterminated quoted string or dollar quote from where it opens', () => {
    const quoted = flagged("SELECT 'abc FROM t");
    assert.strictEqual(quoted.message, `unterminated quoted string at or near "'abc FROM t"`);
    assert.strictEqual(quoted.text, "'abc");
    const dollar = flagged('SELECT $$abc FROM t');
    assert.strictEqual(dollar.message, 'unterminated dollar-quoted string at or near "$$abc FROM t"');
    assert.strictEqual(dollar.text, '$$abc');
  });

  it('answers for deeply nested parentheses without crashing', () => {
    const sql = 'SELECT ' + '('.repeat(20_000) + '1' + ')'.repeat(20_000);
    const outcome = parseStatement(sql, 'postgresql');
    assert.ok(!outcome.ok);
    assert.match(outcome.problem.message, /memory exhausted|stack depth/);
  });
});

describe('parseStatement (node-sql-parser dialects)', () => {
  it('parses MySQL', () => {
    assert.ok(parseStatement('SELECT `id` FROM users WHERE name = ? LIMIT 1', 'mysql').ok);
  });

  for (const dialect of ['mysql', 'mariadb', 'sqlite'] as const) {
    it(`reports what ${dialect} cannot read as not analysed, never as a syntax error`, () => {
      const sql = 'SELECT a FROM t WHERE AND b';
      const outcome = parseStatement(sql, dialect);
      assert.ok(!outcome.ok);
      assert.strictEqual(outcome.problem.kind, 'not-analysed');
      assert.strictEqual(sql.slice(outcome.problem.start, outcome.problem.end), 'b');
      assert.match(outcome.problem.message, /^Not analysed: node-sql-parser's (MySQL|MariaDB|SQLite) grammar cannot read this statement from "b" on/);
    });
  }
});
