import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as Sarif from 'sarif';
import { ALL_RULES } from '../../server/src/analyze/analyzeDocument';
import { BUILT_IN_CHECKS } from '../../server/src/analyze/checks';

/** Runs the bundled CLI as a user would, in `cwd`. */
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function queryLens(cwd: string, ...args: string[]): Run {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const BROKEN_SQL = "SELECT 1;\n\nSELECT id FROM users\nWHERE id = 1 AND AND name = 'x';\n";
const VALID_SQL = 'CREATE TABLE users (id int PRIMARY KEY, name text);\nSELECT * FROM users WHERE id = $1;\n';

describe('query-lens CLI', function () {
  this.timeout(60_000);
  let workspace: string;

  beforeEach(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-cli-'));
    fs.mkdirSync(path.join(workspace, 'db', 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'db', 'broken.sql'), BROKEN_SQL);
    fs.writeFileSync(path.join(workspace, 'db', 'migrations', '001_init.sql'), VALID_SQL);
  });
  afterEach(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  describe('check', () => {
    it('prints file:line:column severity code message and exits 1 when there are errors', () => {
      const run = queryLens(workspace, 'check', 'db');
      assert.strictEqual(run.stdout, `db${path.sep}broken.sql:4:18 error syntax-error syntax error at or near "AND"\n`);
      assert.strictEqual(run.stderr, 'query-lens: 1 error, 0 warnings, 0 notes in 2 files\n');
      assert.strictEqual(run.status, 1);
    });

    it('exits 0 when there are no errors', () => {
      const run = queryLens(workspace, 'check', path.join('db', 'migrations'));
      assert.deepStrictEqual(run, { status: 0, stdout: '', stderr: 'query-lens: 0 errors, 0 warnings, 0 notes in 1 file\n' });
    });

    it('writes the stable JSON shape, lines and columns 1-based', () => {
      const run = queryLens(workspace, 'check', '--format', 'json', 'db/broken.sql');
      assert.strictEqual(run.status, 1);
      assert.strictEqual(run.stderr, '');
      assert.deepStrictEqual(JSON.parse(run.stdout), {
        diagnostics: [
          {
            file: path.join('db', 'broken.sql'),
            line: 4,
            column: 18,
            endLine: 4,
            endColumn: 21,
            severity: 'error',
            code: 'syntax-error',
            message: 'syntax error at or near "AND"',
            source: 'query-lens',
          },
        ],
      });
    });

    it('writes SARIF 2.1.0 for code scanning', () => {
      const run = queryLens(workspace, 'check', '--format=sarif', 'db');
      assert.strictEqual(run.status, 1);
      const log = JSON.parse(run.stdout) as Sarif.Log;
      assert.strictEqual(log.version, '2.1.0');
      assert.strictEqual(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
      const [sarifRun] = log.runs;
      assert.strictEqual(sarifRun.tool.driver.name, 'query-lens');
      const ruleIds = sarifRun.tool.driver.rules?.map((rule) => rule.id) ?? [];
      const expectedIds = [...BUILT_IN_CHECKS.map((c) => c.id), ...ALL_RULES.map((r) => r.id)].sort();
      assert.deepStrictEqual(ruleIds, expectedIds);
      assert.ok(ruleIds.includes('syntax-error') && ruleIds.includes('no-sql-concatenation'));
      assert.deepStrictEqual(sarifRun.originalUriBaseIds, { '%SRCROOT%': { uri: `file://${fs.realpathSync(workspace)}/` } });
      assert.deepStrictEqual(sarifRun.results, [
        {
          ruleId: 'syntax-error',
          ruleIndex: ruleIds.indexOf('syntax-error'),
          level: 'error',
          message: { text: 'syntax error at or near "AND"' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'db/broken.sql', uriBaseId: '%SRCROOT%' },
                region: { startLine: 4, startColumn: 18, endLine: 4, endColumn: 21 },
              },
            },
          ],
        },
      ]);
    });

    it('reads other dialects with --dialect; what node-sql-parser cannot read is a note, exit 0', () => {
      fs.writeFileSync(path.join(workspace, 'mysql.sql'), 'SELECT `id` FROM users WHERE name = ?;\nSELECT a FROM t WHERE AND b;\n');
      const run = queryLens(workspace, 'check', '--dialect', 'mysql', 'mysql.sql');
      assert.strictEqual(run.status, 0);
      assert.strictEqual(
        run.stdout,
        `mysql.sql:2:27 information not-analysed Not analysed: node-sql-parser's MySQL grammar cannot read this statement from "b" on, so Query Lens checks nothing in it. The statement may still be valid.\n`,
      );
    });

    it('walks folders recursively, skipping node_modules and .git', () => {
      for (const skipped of ['node_modules/pkg', '.git/x']) {
        fs.mkdirSync(path.join(workspace, skipped), { recursive: true });
        fs.writeFileSync(path.join(workspace, skipped, 'bad.sql'), 'SELECT FROM WHERE;');
      }
      const run = queryLens(workspace, 'check', '.');
      assert.deepStrictEqual(run.stdout.trim().split('\n').map((line) => line.split(' ')[0]), [`db${path.sep}broken.sql:4:18`]);
    });

    it('skips files over the size limit, binary files, and says so on stderr', () => {
      fs.writeFileSync(path.join(workspace, 'big.sql'), 'SELECT 1;\n'.repeat(300));
      fs.writeFileSync(path.join(workspace, 'blob.sql'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]));
      const run = queryLens(workspace, 'check', '--max-file-size-kb', '2', 'big.sql', 'blob.sql');
      assert.strictEqual(run.status, 0);
      assert.strictEqual(run.stdout, '');
      assert.strictEqual(
        run.stderr,
        [
          'query-lens: skipped big.sql: 3 KB, over the 2 KB limit (--max-file-size-kb)',
          'query-lens: skipped blob.sql: binary file (it holds NUL bytes)',
          'query-lens: 0 errors, 0 warnings, 0 notes in 2 files',
          '',
        ].join('\n'),
      );
    });

    it('reads a file that is not UTF-8 as Latin-1, with a note', () => {
      fs.writeFileSync(path.join(workspace, 'latin1.sql'), Buffer.from("SELECT 'caf\xe9' FROM WHERE;\n", 'latin1'));
      const run = queryLens(workspace, 'check', 'latin1.sql');
      assert.strictEqual(run.status, 1);
      assert.strictEqual(run.stdout, 'latin1.sql:1:20 error syntax-error syntax error at or near "WHERE"\n');
      assert.match(run.stderr, /^query-lens: latin1.sql: not valid UTF-8; read as Latin-1\n/);
    });

    it('reads a file that starts with a byte order mark as the text after it, UTF-8 or Latin-1', () => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      fs.writeFileSync(path.join(workspace, 'bom.sql'), Buffer.concat([bom, Buffer.from('SELECT 1;\nSELECT 2;\n')]));
      assert.deepStrictEqual(queryLens(workspace, 'check', 'bom.sql'), { status: 0, stdout: '', stderr: 'query-lens: 0 errors, 0 warnings, 0 notes in 1 file\n' });
      fs.writeFileSync(path.join(workspace, 'bom-latin1.sql'), Buffer.concat([bom, Buffer.from("SELECT 'caf\xe9';\nSELECT FROM WHERE;\n", 'latin1')]));
      const run = queryLens(workspace, 'check', 'bom-latin1.sql');
      assert.strictEqual(run.stdout, 'bom-latin1.sql:2:13 error syntax-error syntax error at or near "WHERE"\n');
      assert.strictEqual(run.stderr, 'query-lens: bom-latin1.sql: not valid UTF-8; read as Latin-1\nquery-lens: 1 error, 0 warnings, 0 notes in 1 file\n');
      assert.strictEqual(run.status, 1);
    });

    it('handles a 50 MB file named directly: skipped with its size, in bounded time', () => {
      const big = path.join(workspace, 'huge.sql');
      fs.writeFileSync(big, 'SELECT 1;\n'.repeat(5 * 1024 * 1024));
      const run = queryLens(workspace, 'check', 'huge.sql');
      assert.strictEqual(run.status, 0);
      assert.match(run.stderr, /^query-lens: skipped huge.sql: 50\.0 MB, over the 5\.0 MB limit \(--max-file-size-kb\)\n/);
    });
  });

  describe('queries', () => {
    it('lists every query with its place, as text and as JSON', () => {
      const text = queryLens(workspace, 'queries', 'db/broken.sql');
      assert.strictEqual(text.status, 0);
      assert.strictEqual(
        text.stdout,
        [
          `db${path.sep}broken.sql:1:1 sql-file SELECT 1`,
          `db${path.sep}broken.sql:3:1 sql-file SELECT id FROM users WHERE id = 1 AND AND name = 'x'`,
          '',
        ].join('\n'),
      );
      const json = queryLens(workspace, 'queries', '--format', 'json', 'db/broken.sql');
      assert.deepStrictEqual(JSON.parse(json.stdout), {
        queries: [
          { file: path.join('db', 'broken.sql'), line: 1, column: 1, endLine: 1, endColumn: 9, sql: 'SELECT 1', origin: 'sql-file' },
          {
            file: path.join('db', 'broken.sql'),
            line: 3,
            column: 1,
            endLine: 4,
            endColumn: 32,
            sql: "SELECT id FROM users\nWHERE id = 1 AND AND name = 'x'",
            origin: 'sql-file',
          },
        ],
      });
    });
  });

  it('--help prints the usage on stdout and exits 0; --version the version', () => {
    const help = queryLens(workspace, '--help');
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /^Usage: query-lens <command>[\s\S]*Exit status: 0 no errors, 1 errors found, 2 could not run\.\n$/);
    const version = queryLens(workspace, '--version');
    assert.deepStrictEqual(version, { status: 0, stdout: `query-lens ${require('../../../package.json').version}\n`, stderr: '' });
  });

  describe('application code', () => {
    const TS = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const find = (email: string) =>\n  pool.query(`SELECT id FROM users WHERE email = ${email}`);\n";
    const PY = 'import psycopg\n\ndef find(cur, uid):\n    cur.execute("SELECT id FROM users WHERE id = %s", (uid,))\n';

    it('lists the queries of TypeScript and Python files with the call they came from', () => {
      fs.mkdirSync(path.join(workspace, 'src'));
      fs.writeFileSync(path.join(workspace, 'src', 'users.ts'), TS);
      fs.writeFileSync(path.join(workspace, 'src', 'users.py'), PY);
      const run = queryLens(workspace, 'queries', '--format', 'json', 'src');
      assert.strictEqual(run.status, 0);
      assert.deepStrictEqual(
        JSON.parse(run.stdout).queries.map((q: { file: string; line: number; column: number; sql: string; origin: string }) => [q.file, q.line, q.column, q.sql, q.origin]),
        [
          [path.join('src', 'users.py'), 4, 18, 'SELECT id FROM users WHERE id = $1', 'cur.execute'],
          [path.join('src', 'users.ts'), 4, 15, 'SELECT id FROM users WHERE email = $1', 'pool.query'],
        ],
      );
    });

    it('checks them: a spliced value is a warning on the expression (exit 0), a syntax error exit 1', () => {
      fs.writeFileSync(path.join(workspace, 'users.ts'), TS);
      const warned = queryLens(workspace, 'check', 'users.ts');
      assert.strictEqual(warned.status, 0);
      assert.match(warned.stdout, /^users\.ts:4:52 warning no-sql-concatenation `email` is spliced into the SQL text by a template literal: /);
      fs.writeFileSync(path.join(workspace, 'users.py'), PY.replace('WHERE id', 'WHERE AND id'));
      const failed = queryLens(workspace, 'check', 'users.py');
      assert.deepStrictEqual([failed.status, failed.stdout], [1, 'users.py:4:45 error syntax-error syntax error at or near "AND"\n']);
    });
  });

  describe('exit status 2: it could not run, with a one-line reason', () => {
    const cases: [string, string[], string][] = [
      ['no command', [], ''],
      ['an unknown command', ['lint', 'db'], "query-lens: unknown command 'lint' (expected check, queries, explain or advise; see query-lens --help)\n"],
      ['a --db that is not a URL', ['check', '--db', 'localhost', 'db'], 'query-lens: --db is not a valid URL (expected postgres://user@host:5432/database)\n'],
      ['--schema for queries without --db', ['queries', '--schema', 'sql/*.sql', 'db'], 'query-lens: --schema is for --db embedded\n'],
      ['--schema without --db', ['check', '--schema', 'sql/*.sql', 'db'], 'query-lens: --schema is for --db embedded\n'],
      ['--schema without a glob', ['check', '--db', 'embedded', 'db', '--schema'], "query-lens: option '--schema' needs a value\n"],
      ['explain without SQL', ['explain'], 'query-lens: explain takes one SQL text in quotes (or - to read it from stdin), not 0 arguments\n'],
      ['SARIF for explain', ['explain', '--format', 'sarif', 'SELECT 1'], "query-lens: unknown format 'sarif' for explain (expected text or json)\n"],
      ['no paths', ['check'], 'query-lens: check: no files or folders given (see query-lens --help)\n'],
      ['an unknown option', ['check', '--fix', 'db'], "query-lens: unknown option '--fix' (see query-lens --help)\n"],
      ['an unknown format', ['check', '--format', 'xml', 'db'], "query-lens: unknown format 'xml' for check (expected text, json or sarif)\n"],
      ['SARIF for queries', ['queries', '--format', 'sarif', 'db'], "query-lens: unknown format 'sarif' for queries (expected text or json)\n"],
      ['an unknown dialect', ['check', '--dialect', 'oracle', 'db'], "query-lens: unknown dialect 'oracle' (expected postgresql, mysql, mariadb, sqlite)\n"],
      ['a bad size', ['check', '--max-file-size-kb', 'lots', 'db'], "query-lens: --max-file-size-kb takes a whole number of KiB, not 'lots'\n"],
      ['a missing path', ['check', 'nowhere.sql'], "query-lens: cannot read 'nowhere.sql': no such file or folder\n"],
    ];
    for (const [what, args, stderr] of cases) {
      it(what, () => {
        const run = queryLens(workspace, ...args);
        if (args.length === 0) {
          // No command at all: the usage, on stderr.
          assert.strictEqual(run.status, 2);
          assert.strictEqual(run.stdout, '');
          assert.match(run.stderr, /^Usage: query-lens <command> \[options\] <files or folders…>\n/);
          return;
        }
        assert.deepStrictEqual(run, { status: 2, stdout: '', stderr });
      });
    }
  });
});
