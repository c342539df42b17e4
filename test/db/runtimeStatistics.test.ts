import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';
import { createTestDatabase, SHOP_SCHEMA, withClient } from './database';

/**
 * Measured run times from pg_stat_statements: a throwaway cluster of its own with the library
 * preloaded (the shared server has not), where the test itself runs the queries the server
 * then finds figures for. The server only ever reads the statistics view.
 */
const RECIPE = path.resolve(process.env.QUERY_LENS_SHARED ?? path.resolve(__dirname, '../../../../shared'), 'recipes/pg-start.sh');
const PG_BIN = '/usr/lib/postgresql/15/bin';
// A range of its own: chaos (55450–55499) may run at the same time, in another process.
const PORT = 55550 + (process.pid % 50);
const DATA = `/tmp/query-lens-statistics-${process.pid}`;
const url = `postgres://postgres@127.0.0.1:${PORT}/postgres`;

const SLOW = 'SELECT pg_sleep(0.12), id FROM events WHERE id = $1';
const FAST = 'SELECT kind FROM events WHERE id = $1';

/** The calls pg_stat_statements counts for the statements its normalised text starts with `prefix`. */
async function callsOf(client: Client, prefix: string): Promise<number> {
  const result = await client.query("SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements WHERE starts_with(query, $1)", [prefix]);
  return result.rows[0].calls;
}

describe('run times measured by pg_stat_statements, over LSP', function () {
  this.timeout(60_000);
  let server: TestLspClient | undefined;

  before(async () => {
    assert.ok(fs.existsSync(RECIPE), `the throwaway-cluster recipe is missing: ${RECIPE} (set QUERY_LENS_SHARED)`);
    try {
      execFileSync('sh', [RECIPE], { env: { ...process.env, PGTMP_DIR: DATA, PGTMP_PORT: String(PORT) }, stdio: 'pipe' });
    } catch (error) {
      // pg_ctl says only "could not start server": the server's own log says why (once: a port taken).
      const log = fs.existsSync(`${DATA}/server.log`) ? fs.readFileSync(`${DATA}/server.log`, 'utf8').trim().split('\n').slice(-5).join('\n') : 'no server.log';
      throw new Error(`the throwaway cluster on port ${PORT} did not start: ${(error as Error).message.split('\n')[0]}\n${log}`);
    }
    await withClient(url, async (c) => {
      await c.query("CREATE TABLE events (id integer PRIMARY KEY, kind text NOT NULL); INSERT INTO events SELECT g, 'k' || g % 7 FROM generate_series(1, 1000) AS g; ANALYZE events");
      await c.query('SELECT pg_stat_statements_reset()');
      // What the application ran: the slow query twice, the fast one five times.
      for (const id of [1, 2]) await c.query(SLOW, [id]);
      for (const id of [1, 2, 3, 4, 5]) await c.query(FAST, [id]);
    });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  after(async () => {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', DATA, '-m', 'immediate', '-w', 'stop'], { stdio: 'pipe' });
    } catch {
      // never started
    }
    fs.rmSync(DATA, { recursive: true, force: true });
  });

  it('reports a query whose mean run time is over queryLens.slowQueryMs, and shows calls and mean above each measured query', async () => {
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: url } });
    // Written as the code writes them: another layout and case, a constant where a parameter was.
    const text = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export const slow = (id: number) => pool.query(`select pg_sleep(0.12), id',
      '  from events where id = ${id}`);',
      "export const fast = () => pool.query('SELECT kind FROM events WHERE id = 42');",
      "export const never = () => pool.query('SELECT id FROM events WHERE kind = $1', ['k1']);",
      '',
    ].join('\n');
    const uri = 'file:///ws/events.ts';
    await server.open(uri, 'typescript', text);
    const published = await server.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'slow-query'));
    const slow = published.diagnostics.filter((d) => d.code === 'slow-query');
    assert.strictEqual(slow.length, 1, JSON.stringify(published.diagnostics));
    assert.deepStrictEqual({ ...slow[0], message: undefined }, {
      range: rangeOf(text, 'select'),
      severity: DiagnosticSeverity.Warning,
      source: 'query-lens',
      code: 'slow-query',
      codeDescription: docsLink('slow-query'),
      message: undefined,
      data: { queryStart: text.indexOf('select') },
    });
    assert.match(
      slow[0].message,
      /^Measured in PostgreSQL 15\.\d+ · postgres: a mean of 1\d\d ms over 2 calls \(the slowest 1\d\d ms, 2\d\d ms in all since \d{4}-\d\d-\d\d \d\d:\d\d UTC; pg_stat_statements\), at or over queryLens\.slowQueryMs \(100 ms\)\. Open its plan \(Show plan, or query-lens explain\) for the step that takes the time: /,
    );

    const lenses = (await server.codeLenses(uri)).map((lens) => lens.command?.title ?? '').filter((title) => title !== 'Show plan');
    assert.strictEqual(lenses.length, 3, JSON.stringify(lenses));
    assert.match(lenses[0], / · 2 calls, mean 1\d\d ms$/);
    assert.match(lenses[1], / · 5 calls, mean \d+(\.\d+)? ms$/);
    assert.doesNotMatch(lenses[2], /calls/, 'a query the database never ran has no figures');

    // Only the statistics were read: the application's queries ran as often as the test ran them.
    await withClient(url, async (c) => {
      assert.strictEqual(await callsOf(c, 'SELECT pg_sleep('), 2);
      assert.strictEqual(await callsOf(c, FAST), 5);
    });
  });

  it('reads no run times with queryLens.slowQueryMs 0, and reports nothing under the threshold', async () => {
    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: url, slowQueryMs: 0 } });
    const text = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const slow = () => pool.query('SELECT pg_sleep(0.12), id FROM events WHERE id = 1');\n";
    const uri = 'file:///ws/off.ts';
    await server.open(uri, 'typescript', text);
    const planned = await waitForLens(server, uri, /^cost /);
    assert.ok(planned && !planned.includes('calls'), planned);
    assert.ok(!server.allPublished(uri).some((p) => p.diagnostics.some((d) => d.code === 'slow-query')));
    await server.stop();

    server = await TestLspClient.start({ settings: { debounceMs: 0, connection: url, slowQueryMs: 500 } });
    await server.open(uri, 'typescript', text);
    const measured = await waitForLens(server, uri, / · 2 calls, mean 1\d\d ms$/);
    assert.ok(measured);
    assert.ok(!server.allPublished(uri).some((p) => p.diagnostics.some((d) => d.code === 'slow-query')));
  });

  it('goes on planning, and says why in one log line, when the view cannot be read', async () => {
    // The shared server has not preloaded the library: the extension installs, its view fails.
    const database = await createTestDatabase('statistics', `${SHOP_SCHEMA}\nCREATE EXTENSION pg_stat_statements;`);
    try {
      server = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url } });
      const uri = 'file:///ws/orders.sql';
      await server.open(uri, 'sql', 'SELECT id, total FROM orders WHERE customer_id = 42;\n');
      const planned = await server.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'plan-seq-scan'));
      assert.deepStrictEqual(planned.diagnostics.map((d) => d.code), ['plan-seq-scan']);
      const line = await server.waitForLog((l) => l.includes('pg_stat_statements cannot be read'));
      assert.match(line, /pg_stat_statements cannot be read \(pg_stat_statements must be loaded via "?shared_preload_libraries"?\): run times are not shown for this connection\.$/);
    } finally {
      await server?.stop();
      server = undefined;
      await database.drop();
    }
  });
});

async function waitForLens(server: TestLspClient, uri: string, title: RegExp): Promise<string | undefined> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = (await server.codeLenses(uri)).map((lens) => lens.command?.title ?? '').find((t) => title.test(t));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
