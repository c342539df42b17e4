import * as assert from 'assert';
import { DocumentAnalysis } from '../../server/src/analyze/analyzeDocument';
import { initParsers } from '../../server/src/analyze/parse';
import { extractSqlFileQueries } from '../../server/src/extract/sqlFile';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

/** Each query as `name: sql`, with its parameters' placeholders as written in the file. */
function read(text: string): { name?: string; sql: string; placeholders: string[] }[] {
  return extractSqlFileQueries(text, 'postgresql').map((query) => ({
    ...(query.name !== undefined ? { name: query.name } : {}),
    sql: query.sql,
    placeholders: query.parameters.map((p) => text.slice(p.docStart, p.docEnd)),
  }));
}

/** The findings of a SQL file as `severity code: message`. */
function findings(text: string): string[] {
  return new DocumentAnalysis().run(text, 'sql', DEFAULT_SETTINGS).findings.map((f) => `${f.severity} ${f.code}: ${f.message}`);
}

describe('SQL files: named queries, loaders and placeholders', () => {
  before(() => initParsers());

  it('splits an aiosql / yesql file at each header, with or without semicolons, and binds :name', () => {
    const text = [
      '-- name: get_user^',
      '-- Get one user by id.',
      'SELECT id, email FROM users WHERE id = :id',
      '',
      '-- name: add_user<!',
      'INSERT INTO users (email) VALUES (:email) RETURNING id',
      '-- name: touch!',
      'UPDATE users SET seen_at = now() WHERE id = :id AND email = :email;',
    ].join('\n');
    assert.deepStrictEqual(read(text), [
      { name: 'get_user', sql: 'SELECT id, email FROM users WHERE id = $1', placeholders: [':id'] },
      { name: 'add_user', sql: 'INSERT INTO users (email) VALUES ($1) RETURNING id', placeholders: [':email'] },
      { name: 'touch', sql: 'UPDATE users SET seen_at = now() WHERE id = $1 AND email = $2', placeholders: [':id', ':email'] },
    ]);
    assert.deepStrictEqual(findings(text), []);
  });

  it("reads sqlc's headers, @name, sqlc.arg, sqlc.narg and sqlc.slice", () => {
    const text = [
      '-- name: GetAuthor :one',
      'SELECT * FROM authors WHERE id = @id LIMIT 1;',
      '-- name: ListAuthors :many',
      "SELECT * FROM authors WHERE name = sqlc.arg(name) AND bio = sqlc.narg('bio') AND id IN (sqlc.slice('ids'));",
    ].join('\n');
    assert.deepStrictEqual(read(text), [
      { name: 'GetAuthor', sql: 'SELECT * FROM authors WHERE id = $1 LIMIT 1', placeholders: ['@id'] },
      { name: 'ListAuthors', sql: 'SELECT * FROM authors WHERE name = $1 AND bio = $2 AND id IN (($3))', placeholders: ['sqlc.arg(name)', "sqlc.narg('bio')", "sqlc.slice('ids')"] },
    ]);
  });

  it("reads PgTyped's /* @name */ headers and $name, $$names", () => {
    const text = ['/* @name FindBookById */', 'SELECT * FROM books WHERE id = $id!;', '', '/*', ' @name FindBooks', '*/', 'SELECT * FROM books WHERE id IN $$ids;'].join('\n');
    assert.deepStrictEqual(read(text), [
      { name: 'FindBookById', sql: 'SELECT * FROM books WHERE id = $1', placeholders: ['$id!'] },
      { name: 'FindBooks', sql: 'SELECT * FROM books WHERE id IN ($1)', placeholders: ['$$ids'] },
    ]);
  });

  it("reads HugSQL's headers and its :v*: value lists", () => {
    const text = ['-- :name users-by-ids :? :*', 'SELECT * FROM users WHERE id IN (:v*:ids) AND org = :org'].join('\n');
    assert.deepStrictEqual(read(text), [{ name: 'users-by-ids', sql: 'SELECT * FROM users WHERE id IN (($1)) AND org = $2', placeholders: [':v*:ids', ':org'] }]);
  });

  it("splits Procrastinate's `-- name --` headers (no semicolons between queries); a title or a comment inside a query splits nothing", () => {
    const text = [
      '-- Tables --',
      '-- defer_job --',
      '-- Create and enqueue a job',
      'SELECT id FROM jobs WHERE queue = %(queue)s',
      '',
      '-- fetch_job --',
      'WITH candidate AS (',
      '  -- oldest --',
      '  SELECT id FROM jobs ORDER BY id LIMIT 1',
      ')',
      '-- Result --',
      'SELECT id FROM candidate',
    ].join('\n');
    assert.deepStrictEqual(read(text), [
      { name: 'defer_job', sql: 'SELECT id FROM jobs WHERE queue = $1', placeholders: ['%(queue)s'] },
      { name: 'fetch_job', sql: 'WITH candidate AS (\n  -- oldest --\n  SELECT id FROM jobs ORDER BY id LIMIT 1\n)\n-- Result --\nSELECT id FROM candidate', placeholders: [] },
    ]);
    assert.deepStrictEqual(findings(text), []);
  });

  it("splits a generated file of `-- Repository.method` entries (no semicolons), and the statements run together in one entry", () => {
    const text = [
      '-- NOTE: This file is auto generated',
      '',
      '-- UserRepository.getById',
      'select id from users where id = $1',
      '',
      '-- SearchRepository.searchSmart (with probes)',
      'begin',
      'set',
      '  local vchordrq.probes = 1',
      'select',
      '  id',
      'from',
      '  assets',
      'union all',
      'select',
      '  id',
      'from',
      '  albums',
      'where',
      '  id > $1',
      'commit',
    ].join('\n');
    assert.deepStrictEqual(read(text), [
      { name: 'UserRepository.getById', sql: 'select id from users where id = $1', placeholders: [] },
      { name: 'SearchRepository.searchSmart', sql: 'begin', placeholders: [] },
      { name: 'SearchRepository.searchSmart', sql: 'set\n  local vchordrq.probes = 1', placeholders: [] },
      { name: 'SearchRepository.searchSmart', sql: 'select\n  id\nfrom\n  assets\nunion all\nselect\n  id\nfrom\n  albums\nwhere\n  id > $1', placeholders: [] },
      { name: 'SearchRepository.searchSmart', sql: 'commit', placeholders: [] },
    ]);
    // In a script, a missing `;` is PostgreSQL's syntax error, and stays one.
    assert.deepStrictEqual(findings('select id from users\nselect id from albums;\n'), ['error syntax-error: syntax error at or near "select"']);
  });

  it('reads psycopg placeholders in a SQL file the application loads: %(name)s, %s, IN %s, INTERVAL %s, VALUES %s', () => {
    const text = [
      'SELECT * FROM jobs WHERE queue = %(queue)s AND id IN %s AND run_at < now() - INTERVAL %s;',
      'INSERT INTO jobs (queue, payload) VALUES %s;',
      "SELECT * FROM jobs WHERE note LIKE 'x%%' AND id = %s;",
    ].join('\n');
    assert.deepStrictEqual(read(text), [
      { sql: 'SELECT * FROM jobs WHERE queue = $1 AND id IN ($2) AND run_at < now() - CAST($3 AS INTERVAL)', placeholders: ['%(queue)s', '%s', '%s'] },
      { sql: 'INSERT INTO jobs (queue, payload) VALUES ($1, $2)', placeholders: ['%s', '%s'] },
      { sql: "SELECT * FROM jobs WHERE note LIKE 'x%' AND id = $1", placeholders: ['%s'] },
    ]);
  });

  it("reads psql variables as values, :'x' as a literal, and :\"x\" as a name", () => {
    const text = "\\set id 5\nSELECT * FROM users WHERE id = :id AND email = :'email';\nSELECT count(*) FROM :\"tbl\";";
    assert.deepStrictEqual(read(text), [
      { sql: 'SELECT * FROM users WHERE id = $1 AND email = $2', placeholders: [':id', ":'email'"] },
      { sql: 'SELECT count(*) FROM $1', placeholders: [':"tbl"'] },
    ]);
    assert.deepStrictEqual(findings(text), []);
  });

  it("is no syntax error: SELECT E'it\\'s' || :name (one scanner reads the E-string and the variable)", () => {
    assert.deepStrictEqual(findings("SELECT E'it\\'s' || :name;"), []);
  });

  it('leaves a statement that is valid PostgreSQL as written: a % b, jsonb ?', () => {
    const text = "SELECT a % s FROM t;\nSELECT * FROM t WHERE tags ? 'x';";
    assert.deepStrictEqual(read(text), [
      { sql: 'SELECT a % s FROM t', placeholders: [] },
      { sql: "SELECT * FROM t WHERE tags ? 'x'", placeholders: [] },
    ]);
  });

  it('reads goyesql templates (%query%, %order%) as holes the application fills in: not analysed, never an error', () => {
    const text = ['-- name: search-subscribers', 'SELECT * FROM subscribers WHERE list_id = $1 AND %query% ORDER BY %order% LIMIT $2', '', '-- name: count-lists', 'SELECT count(*) FROM lists WHERE id = $1'].join('\n');
    const queries = read(text);
    assert.deepStrictEqual(
      queries.map((q) => q.name),
      ['search-subscribers', 'count-lists'],
    );
    assert.deepStrictEqual(queries[0].sql, 'SELECT * FROM subscribers WHERE list_id = $1 AND $3 ORDER BY $4 LIMIT $2');
    assert.deepStrictEqual(findings(text), []);
  });

  it('reads Jinja and format templates in a SQL file: never a syntax error', () => {
    const text = [
      'CREATE INDEX ON place (osm_id) {{db.tablespace.index}};',
      'GRANT SELECT ON place TO {readuser};',
      '{% if reverse %}CREATE INDEX ON place USING gist (geometry);{% endif %}',
    ].join('\n');
    // The tablespace clause cannot be read without its value; the role is a name (it parses as
    // one); the tags around the last index choose whether it is made, and its text parses.
    assert.deepStrictEqual(
      findings(text).map((f) => f.split(':')[0]),
      ['information not-analysed'],
    );
    assert.deepStrictEqual(
      read(text).map((q) => q.sql),
      ['CREATE INDEX ON place (osm_id) $1', 'GRANT SELECT ON place TO $1', ' CREATE INDEX ON place USING gist (geometry)'],
    );
  });

  it('a psql variable that is a whole statement is not analysed, not an error', () => {
    assert.deepStrictEqual(
      findings("\\set q 'SELECT 1'\n:q;").map((f) => f.split(':')[0]),
      ['information not-analysed'],
    );
  });

  it('reports an unterminated comment instead of losing the rest of the file', () => {
    assert.deepStrictEqual(findings('SELECT 1;\n/* open\nSELECT 2;'), ['error syntax-error: unterminated /* comment at or near "/* open…"']);
  });
});
