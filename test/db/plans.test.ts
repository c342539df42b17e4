import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { DiagnosticSeverity, ExecuteCommandRequest, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { CompletionItem, CompletionRequest, HoverRequest } from 'vscode-languageserver-protocol';
import { ExplainAnalyzeRequest, ExplainAnalyzeTargetRequest, PlanRequest, ReadPlanRequest, RefreshSchemaRequest, WorkspaceTrustedNotification } from '../../server/src/protocol';
import { docsLink, rangeOf, TestLspClient } from '../support/lspClient';
import { createTestDatabase, SHOP_SCHEMA, withClient } from './database';

/** Plan diagnostics: those whose code is not one of the static analysis's. */
const PLAN_CODES = /^(plan-|unknown-|ambiguous-column|type-mismatch|database-error|not-planned)/;
const planDiagnostics = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => typeof d.code === 'string' && PLAN_CODES.test(d.code));

describe('plans from a development PostgreSQL, over LSP', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let label: string;
  let client: TestLspClient | undefined;

  before(async () => {
    database = await createTestDatabase('plans', SHOP_SCHEMA);
    const version = await withClient(database.url, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
    label = `PostgreSQL ${version.split(' ')[0]} · ${database.name}`;
  });
  after(async () => {
    await database?.drop();
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  async function start(settings: Record<string, unknown> = {}, options: Parameters<typeof TestLspClient.start>[0] = {}): Promise<TestLspClient> {
    client = await TestLspClient.start({ ...options, settings: { debounceMs: 0, connection: database.url, ...settings } });
    return client;
  }

  it('shows the database in the status, connected on first need', async () => {
    const server = await start();
    await server.open('file:///ws/one.sql', 'sql', 'SELECT 1;\n');
    const status = await server.waitForStatus((s) => s.database?.mode === 'connected');
    assert.strictEqual(status.text, label);
    assert.match(status.detail, new RegExp(`Plans from PostgreSQL .*, database ${database.name} at 127\\.0\\.0\\.1:5432 as postgres \\(from queryLens\\.connection\\)`));
  });

  it('warns of a sequential scan an index would avoid, under the table in a .sql file', async () => {
    const server = await start();
    const text = '-- orders of one customer\nSELECT id, total\n  FROM orders\n WHERE customer_id = 42;\n';
    const uri = 'file:///ws/orders.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: rangeOf(text, 'orders', 2),
        severity: DiagnosticSeverity.Warning,
        source: 'query-lens',
        code: 'plan-seq-scan',
        codeDescription: docsLink('plan-seq-scan'),
        message:
          'Seq Scan on orders reads all ~100,000 rows to keep ~5 (Filter: customer_id = 42): an index on orders (customer_id) lets PostgreSQL read only those rows (checked with a hypothetical index: estimated cost 1,986 → 22.9).',
        data: { queryStart: text.indexOf('SELECT') },
      },
    ]);
    const lenses = await server.codeLenses(uri);
    assert.deepStrictEqual(
      lenses.map((lens) => [lens.range.start, lens.command?.title]),
      [
        [{ line: 1, character: 0 }, 'cost 1,986 · Seq Scan on orders (est. 5 rows)'],
        [{ line: 1, character: 0 }, 'Show plan'],
      ],
    );
  });

  it('gives a query it cannot read a lens that says why, as a query it cannot plan has', async () => {
    const server = await start();
    const text = '-- name: query-orders\nWITH o AS (%query%) SELECT id FROM o;\n\n-- name: get-order\nSELECT id FROM orders WHERE id = $1;\n';
    const uri = 'file:///ws/queries.sql';
    await server.open(uri, 'sql', text);
    await server.waitForLog((line) => line.startsWith(`[plans] ${uri}: 1 planned`));
    const lenses = await server.codeLenses(uri);
    assert.deepStrictEqual(
      lenses.map((lens) => [lens.range.start.line, lens.command?.title]),
      [
        [1, "not planned: the SQL here is completed at run time by `%query%` spliced into its text, so PostgreSQL's parser cannot read it as written"],
        [4, 'cost 8.31 · Index Only Scan on orders (est. 1 row)'],
        [4, 'Show plan'],
      ],
    );
  });

  it('warns of the same scan in a TypeScript query with a parameter, planned generically, at the exact characters', async () => {
    const server = await start();
    const text = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export function paidOrders(customerId: number) {',
      "  return pool.query(`SELECT o.id FROM orders o WHERE o.customer_id = $1 AND o.status = 'paid'`, [customerId]);",
      '}',
      '',
    ].join('\n');
    const uri = 'file:///ws/orders.ts';
    await server.open(uri, 'typescript', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(planDiagnostics(published), [
      {
        range: rangeOf(text, 'orders', 1),
        severity: DiagnosticSeverity.Warning,
        source: 'query-lens',
        code: 'plan-seq-scan',
        codeDescription: docsLink('plan-seq-scan'),
        message:
          "Seq Scan on orders reads all ~100,000 rows to keep ~1 (Filter: (customer_id = $1) AND (status = 'paid'::text)): an index on orders (customer_id, status) lets PostgreSQL read only those rows (checked with a hypothetical index: estimated cost 2,236 → 8.06).",
        data: { queryStart: text.indexOf('SELECT') },
      },
    ]);
  });

  it('takes rule settings and ignore comments for plan findings', async () => {
    const server = await start({ rules: { 'plan-seq-scan': 'information' } });
    const text = 'SELECT id FROM orders WHERE customer_id = 7;\n-- query-lens-ignore plan-seq-scan\nSELECT id FROM orders WHERE customer_id = 8;\n';
    const uri = 'file:///ws/levels.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(published.diagnostics.map((d) => [d.code, d.severity, d.range]), [['plan-seq-scan', DiagnosticSeverity.Information, rangeOf(text, 'orders')]]);
  });

  it('plans only the edited query again; the others come from the cache (a run that planned nothing is logged only at the verbose trace level)', async () => {
    const quiet = await start();
    const quietUri = 'file:///ws/quiet.sql';
    await quiet.open(quietUri, 'sql', 'SELECT id FROM customers WHERE id = 1;\n');
    assert.strictEqual(await quiet.waitForLog((line) => line.startsWith(`[plans] ${quietUri}:`)), `[plans] ${quietUri}: 1 planned, 0 from cache`);
    quiet.logs.length = 0;
    await quiet.change(quietUri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '-- customers\n' }]);
    await quiet.nextDiagnostics(quietUri, () => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepStrictEqual(quiet.logs.filter((line) => line.startsWith('[plans]')), []);
    await quiet.stop();
    client = undefined;
    const server = await start({}, { trace: 'verbose' });
    const uri = 'file:///ws/cache.sql';
    const text = 'SELECT id FROM customers WHERE id = 1;\nSELECT id FROM orders WHERE id = 2;\nSELECT id FROM orders WHERE id = 3;\n';
    await server.open(uri, 'sql', text);
    assert.strictEqual(await server.waitForLog((line) => line.startsWith(`[plans] ${uri}:`)), `[plans] ${uri}: 3 planned, 0 from cache`);
    server.logs.length = 0;
    // Reformatting a query keeps its plan: the cache key is the normalised SQL.
    await server.change(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, text: 'select id  from orders where id = 4;\n' }]);
    assert.strictEqual(await server.waitForLog((line) => line.startsWith(`[plans] ${uri}:`)), `[plans] ${uri}: 1 planned, 2 from cache`);
    server.logs.length = 0;
    await server.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '-- customers\n' }]);
    assert.strictEqual(await server.waitForLog((line) => line.startsWith(`[plans] ${uri}:`)), `[plans] ${uri}: 0 planned, 3 from cache`);
  });

  it('never makes static diagnostics wait for a plan', async () => {
    const server = await start({ statementTimeoutMs: 10_000 });
    const uri = 'file:///ws/waiting.sql';
    const text = 'SELECT slow_to_plan();\nSELECT 1;\n';
    await server.open(uri, 'sql', text);
    // While the first query is being planned (it takes 3 s), an edit gets its diagnostics: they
    // arrive before any plan run of the document has finished.
    const edited = await server.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 9 } }, text: 'SELECT 1 AND AND;' }]);
    assert.deepStrictEqual(edited.diagnostics.map((d) => d.code), ['syntax-error']);
    assert.deepStrictEqual(server.logs.filter((line) => line.startsWith(`[plans] ${uri}`)), []);
    // The plan of the unchanged slow query is then made once, and shown.
    assert.strictEqual(await server.waitForLog((line) => line.startsWith(`[plans] ${uri}:`)), `[plans] ${uri}: 1 planned, 0 from cache`);
  });

  it('reports an unknown column as an error where PostgreSQL points, with its hint', async () => {
    const server = await start();
    const text = 'SELECT id, emial\nFROM customers\nWHERE id = 7;\n';
    await server.open('file:///ws/typo.sql', 'sql', text);
    const published = await server.diagnosticsWhere('file:///ws/typo.sql', (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: rangeOf(text, 'emial'),
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'unknown-column',
        codeDescription: docsLink('unknown-column'),
        message: `Column "emial" does not exist (${label}). Perhaps you meant to reference the column "customers.email".`,
      },
    ]);
  });

  it('underlines the whole qualified name of an unknown column or table, and offers the name meant as a quick fix', async () => {
    const server = await start();
    const text = 'SELECT o.totl FROM orders o WHERE o.id = 7;\nSELECT c.id FROM orders o JOIN public.customer c ON c.id = o.customer_id;\nSELECT o.cust FROM orders o WHERE o.id = 8;\n';
    const uri = 'file:///ws/typos.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 3);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.code, d.range, d.message]),
      [
        ['unknown-column', rangeOf(text, 'o.totl'), `Column o.totl does not exist (${label}). Perhaps you meant to reference the column "o.total".`],
        ['unknown-table', rangeOf(text, 'public.customer'), `Relation "public.customer" does not exist (${label}). Did you mean customers?`],
        // Too far from any column for PostgreSQL's hint: an abbreviation of one of orders' columns.
        ['unknown-column', rangeOf(text, 'o.cust', 2), `Column o.cust does not exist (${label}). Did you mean customer_id?`],
      ],
    );
    for (const [diagnostic, title, newText, replaced] of [
      [published.diagnostics[0], 'Change to total', 'total', 'totl'],
      [published.diagnostics[1], 'Change to customers', 'customers', 'customer'],
      [published.diagnostics[2], 'Change to customer_id', 'customer_id', ['cust', 3]],
    ] as const) {
      const [change] = (await server.codeActions(uri, diagnostic)).filter((action) => action.title.startsWith('Change to'));
      assert.strictEqual(change?.title, title);
      assert.strictEqual(change.isPreferred, true);
      const [needle, occurrence] = typeof replaced === 'string' ? [replaced, 1] : replaced;
      assert.deepStrictEqual(change.edit?.changes?.[uri], [{ range: rangeOf(text, needle, occurrence), newText }]);
    }
  });

  it('reports ambiguous columns and type mismatches where PostgreSQL points', async () => {
    const server = await start();
    const text = [
      'SELECT id FROM orders JOIN customers ON customers.id = orders.customer_id;',
      "SELECT * FROM orders WHERE status = 42;",
      "SELECT * FROM orders WHERE id = 'abc';",
      '',
    ].join('\n');
    const uri = 'file:///ws/types.sql';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 3);
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.range, d.message]),
      [
        ['ambiguous-column', DiagnosticSeverity.Error, rangeOf(text, 'id'), `Column reference "id" is ambiguous (${label}).`],
        [
          'type-mismatch',
          DiagnosticSeverity.Error,
          rangeOf(text, '=', 2),
          `Operator does not exist: text = integer (${label}). No operator matches the given name and argument types. You might need to add explicit type casts.`,
        ],
        ['type-mismatch', DiagnosticSeverity.Error, rangeOf(text, "'abc'"), `Invalid input syntax for type bigint: "abc" (${label}).`],
      ],
    );
  });

  it('reports an unknown table in a TypeScript string at its exact characters', async () => {
    const server = await start();
    const text = "export async function load(pool: any, id: number) {\n  return pool.query('SELECT * FROM custmers WHERE id = $1', [id]);\n}\n";
    const uri = 'file:///ws/load.ts';
    await server.open(uri, 'typescript', text);
    const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    const unknown = published.diagnostics.filter((d) => d.code === 'unknown-table');
    assert.deepStrictEqual(unknown, [
      {
        range: rangeOf(text, 'custmers'),
        severity: DiagnosticSeverity.Error,
        source: 'query-lens',
        code: 'unknown-table',
        codeDescription: docsLink('unknown-table'),
        message: `Relation "custmers" does not exist (${label}). Did you mean customers?`,
      },
    ]);
  });

  it('never writes: a file of data-changing statements leaves the trap table, its sequence and its statistics unchanged', async () => {
    const before = await trapState(database.url);
    const server = await start();
    const text = [
      "DELETE FROM trap;",
      "UPDATE trap SET note = 'changed';",
      "INSERT INTO trap VALUES (2, 'inserted');",
      "INSERT INTO trap SELECT id + 100, note FROM trap;",
      "MERGE INTO trap t USING (VALUES (1)) v(id) ON t.id = v.id WHEN MATCHED THEN DELETE;",
      "SELECT nextval('trap_seq');",
      "SELECT setval('trap_seq', 999);",
      "WITH gone AS (DELETE FROM trap RETURNING *) SELECT * FROM gone;",
      "DELETE FROM trap WHERE id = $1;",
      "TRUNCATE trap;",
      "DROP TABLE trap;",
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity;",
      '',
    ].join('\n');
    await server.open('file:///ws/trap.sql', 'sql', text);
    const lenses = await waitFor(async () => {
      const found = await server.codeLenses('file:///ws/trap.sql');
      return found.length >= 2 * 10 ? found : undefined;
    });
    // Every statement EXPLAIN can plan was planned (two lenses each), none was run.
    assert.strictEqual(lenses.length, 2 * 10);
    assert.deepStrictEqual(await trapState(database.url), before);
  });

  it('cancels a query that takes longer than the statement timeout to plan, and says so', async () => {
    const server = await start({ statementTimeoutMs: 300 });
    const text = 'SELECT slow_to_plan();\n';
    await server.open('file:///ws/slow.sql', 'sql', text);
    const published = await server.diagnosticsWhere('file:///ws/slow.sql', (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(published.diagnostics, [
      {
        range: rangeOf(text, 'SELECT'),
        severity: DiagnosticSeverity.Information,
        source: 'query-lens',
        code: 'plan-timeout',
        codeDescription: docsLink('plan-timeout'),
        message:
          'Not planned: PostgreSQL took longer than queryLens.statementTimeoutMs (300 ms) to plan this query, so it was cancelled. ' +
          'Planning this slowly usually means very many joined tables or a slow function evaluated while planning; raise the setting to see the plan.',
        data: { queryStart: 0 },
      },
    ]);
    // The session is usable afterwards: another query is planned.
    const next = 'SELECT emial FROM customers;\n';
    await server.open('file:///ws/after.sql', 'sql', next);
    const after = await server.diagnosticsWhere('file:///ws/after.sql', (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(after.diagnostics.map((d) => d.code), ['unknown-column']);
  });

  it('plans nothing in an untrusted workspace until it is trusted', async () => {
    const server = await start({}, { initializationOptions: { workspaceTrusted: false } });
    const text = 'SELECT emial FROM customers;\n';
    const uri = 'file:///ws/untrusted.sql';
    const published = await server.open(uri, 'sql', text);
    assert.deepStrictEqual(published.diagnostics, []);
    const status = await server.waitForStatus((s) => s.database?.reason !== undefined);
    assert.strictEqual(status.text, 'static only — untrusted workspace');
    assert.deepStrictEqual(status.database, { mode: 'static', reason: 'untrusted workspace' });
    await server.connection.sendNotification(WorkspaceTrustedNotification.type, { trusted: true });
    const planned = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(planned.diagnostics.map((d) => d.code), ['unknown-column']);
  });

  it('answers "Show plan" with the plan as text and JSON', async () => {
    const server = await start();
    const text = 'SELECT * FROM customers WHERE id = 7;\n';
    const uri = 'file:///ws/show.sql';
    await server.open(uri, 'sql', text);
    const lenses = await waitFor(async () => {
      const found = await server.codeLenses(uri);
      return found.length > 0 ? found : undefined;
    });
    assert.deepStrictEqual(
      lenses.map((lens) => [lens.range.start, lens.command?.command, lens.command?.arguments]),
      [
        [{ line: 0, character: 0 }, 'queryLens.showPlan', [uri, 0]],
        [{ line: 0, character: 0 }, 'queryLens.showPlan', [uri, 0]],
      ],
    );
    assert.strictEqual(lenses[1].command?.title, 'Show plan');
    assert.match(lenses[0].command!.title, /^cost 8\.\d+ · Index Scan on customers \(est\. 1 row\)$/);
    const plan = await server.connection.sendRequest(PlanRequest.type, { uri, queryStart: 0 });
    assert.ok(plan);
    assert.strictEqual(plan.sql, 'SELECT * FROM customers WHERE id = 7');
    assert.strictEqual(plan.database, label);
    assert.match(plan.text, /^Index Scan using customers_pkey on customers {2}\(cost=0\.29\.\.8\.\d\d rows=1 width=\d+\)\n {2}Index Cond: \(id = 7\)/);
    assert.strictEqual((plan.json as { Plan: { 'Node Type': string } }[])[0].Plan['Node Type'], 'Index Scan');
    assert.deepStrictEqual(plan.insights, []);
    assert.strictEqual(await server.connection.sendRequest(PlanRequest.type, { uri, queryStart: 5 }), null);
  });

  it('gives the plan viewer the query under the cursor: its report, the index tip verified as the warning is, and where each table is named', async () => {
    const server = await start();
    const text = "SELECT 1;\nSELECT o.id, c.name\n  FROM orders o JOIN customers c ON c.id = o.customer_id\n WHERE o.customer_id = 42;\n";
    const uri = 'file:///ws/viewer.sql';
    await server.open(uri, 'sql', text);
    await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    const queryStart = text.indexOf('SELECT o.id');
    const plan = await server.connection.sendRequest(PlanRequest.type, { uri, at: text.indexOf('customer_id = 42') });
    assert.ok(plan);
    assert.strictEqual(plan.queryStart, queryStart);
    const scan = plan.report.nodes.find((node) => node.type === 'Seq Scan');
    assert.ok(scan, JSON.stringify(plan.report.nodes.map((node) => node.type)));
    assert.strictEqual(scan.relation, 'orders');
    const [tip] = plan.report.tips.filter((t) => t.id === 'seq-scan-index');
    assert.strictEqual(tip.node, scan.id);
    assert.strictEqual(tip.message, plan.insights.find((insight) => insight.code === 'plan-seq-scan')?.message);
    assert.deepStrictEqual({ ...tip.index, costBefore: undefined, costAfter: undefined }, {
      schema: 'public',
      table: 'orders',
      columns: ['customer_id'],
      statement: 'CREATE INDEX ON public.orders (customer_id)',
      verified: 'hypopg',
      costBefore: undefined,
      costAfter: undefined,
    });
    assert.ok(tip.index!.costAfter! < tip.index!.costBefore! / 2);
    // The scan of orders comes from `orders o`: its name, in the SQL and in the document.
    const range = plan.sourceRanges[scan.id];
    assert.strictEqual(plan.sql.slice(range.start, range.end), 'orders');
    const inDocument = plan.documentRanges[scan.id];
    assert.strictEqual(text.slice(queryStart + inDocument.start, queryStart + inDocument.end), 'orders');
    // Outside any planned query: nothing.
    assert.strictEqual(await server.connection.sendRequest(PlanRequest.type, { uri, at: text.length }), null);
  });

  it('runs EXPLAIN ANALYZE only when asked, with the values given, and rolls back what the statement changed', async () => {
    const server = await start();
    const text = "SELECT id FROM orders WHERE customer_id = $1;\nUPDATE trap SET note = 'changed' WHERE id = 1;\n";
    const uri = 'file:///ws/analyze.sql';
    await server.open(uri, 'sql', text);
    await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    const before = await trapState(database.url);
    const update = text.indexOf('UPDATE');
    assert.deepStrictEqual(await server.connection.sendRequest(ExplainAnalyzeTargetRequest.type, { uri, queryStart: update }), {
      database: label,
      local: true,
      changesData: true,
      parameterCount: 0,
      sql: "UPDATE trap SET note = 'changed' WHERE id = 1",
    });
    const ran = await server.connection.sendRequest(ExplainAnalyzeRequest.type, { uri, queryStart: update });
    assert.ok('plan' in ran, JSON.stringify(ran));
    assert.strictEqual(ran.plan.report.analyzed, true);
    assert.strictEqual(ran.plan.report.nodes[0].type, 'ModifyTable');
    assert.strictEqual(ran.plan.report.nodes[0].actualRows, 0);
    // The row was updated (the plan says so) and the update rolled back.
    assert.deepStrictEqual((await trapState(database.url) as { rows: unknown }).rows, (before as { rows: unknown }).rows);
    const lookup = await server.connection.sendRequest(ExplainAnalyzeTargetRequest.type, { uri, queryStart: 0 });
    assert.deepStrictEqual(lookup, { database: label, local: true, changesData: false, parameterCount: 1, sql: 'SELECT id FROM orders WHERE customer_id = $1' });
    const withValue = await server.connection.sendRequest(ExplainAnalyzeRequest.type, { uri, queryStart: 0, values: ['42'] });
    assert.ok('plan' in withValue, JSON.stringify(withValue));
    const scan = withValue.plan.report.nodes.find((node) => node.relation === 'orders')!;
    // customer_id 42 has five orders (one in every 20,000).
    assert.strictEqual((scan.actualRows ?? 0) * (scan.loops ?? 1), 5);
    assert.deepStrictEqual(await server.connection.sendRequest(ExplainAnalyzeRequest.type, { uri, queryStart: 0, values: ['not a number'] }), { error: 'invalid input syntax for type integer: "not a number"' });
  });

  it('reads a pasted plan for "Open Plan", text or JSON, and says why when it is none', async () => {
    const server = await start();
    const read = await server.connection.sendRequest(ReadPlanRequest.type, {
      text: 'Seq Scan on orders  (cost=0.00..1986.00 rows=5 width=12) (actual time=0.020..9.100 rows=5 loops=1)\n  Filter: (customer_id = 42)\n  Rows Removed by Filter: 99995\n',
    });
    assert.ok('report' in read, JSON.stringify(read));
    assert.deepStrictEqual(read.report.nodes.map((node) => [node.type, node.relation, node.actualRows]), [['Seq Scan', 'orders', 5]]);
    assert.deepStrictEqual(read.report.tips.map((tip) => tip.id), ['rows-removed-by-filter', 'seq-scan-index']);
    assert.deepStrictEqual((read.json as { Plan: { 'Node Type': string } }[])[0].Plan['Node Type'], 'Seq Scan');
    const json = await server.connection.sendRequest(ReadPlanRequest.type, { text: JSON.stringify(read.json) });
    assert.ok('report' in json);
    assert.deepStrictEqual(json.report.nodes.map((node) => node.type), ['Seq Scan']);
    assert.deepStrictEqual(await server.connection.sendRequest(ReadPlanRequest.type, { text: '{"not": "a plan"}' }), { error: 'not EXPLAIN\'s JSON output: no "Plan" in it' });
  });

  it("shows a table's columns and indexes on hover over its name or alias, and completes column and table names", async () => {
    const server = await start();
    const text = 'SELECT o.id, o.total FROM orders o WHERE o.customer_id = 1;\nSELECT id FROM \n';
    const uri = 'file:///ws/help.sql';
    await server.open(uri, 'sql', text);
    await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    const hoverAt = (needle: string, occurrence = 1) => server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: rangeOf(text, needle, occurrence).start });
    const onTable = await hoverAt('orders');
    assert.deepStrictEqual(onTable?.range, rangeOf(text, 'orders'));
    assert.strictEqual(
      (onTable?.contents as { value: string }).value,
      [
        `**public.orders** · ~100,000 rows · ${label}`,
        '',
        '| column | type |',
        '|:--|:--|',
        '| `id` | bigint not null |',
        '| `customer_id` | integer not null |',
        '| `status` | text not null |',
        '| `total` | numeric(10,2) not null |',
        '| `created_at` | timestamp with time zone not null |',
        '',
        'Indexes:',
        '- `orders_pkey` `UNIQUE USING btree (id)`',
      ].join('\n'),
    );
    // The alias the query gave it says the same; a column's name is no table.
    assert.strictEqual(((await hoverAt('o.id'))?.contents as { value: string }).value, (onTable?.contents as { value: string }).value);
    assert.strictEqual(await hoverAt('total'), null);
    const complete = async (line: number, character: number) =>
      ((await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })) as CompletionItem[]).map((item) => `${item.label}:${item.detail}`);
    // After `o.`: the columns of orders.
    assert.deepStrictEqual((await complete(0, text.indexOf('o.total') + 2)).slice(0, 2), ['id:orders.id bigint', 'customer_id:orders.customer_id integer']);
    // After FROM: the tables.
    const tables = await complete(1, 'SELECT id FROM '.length);
    assert.ok(tables.includes('customers:public.customers · ~20,000 rows') && tables.includes('orders:public.orders · ~100,000 rows'), JSON.stringify(tables));
  });

  it('plans a document opened before the workspace settings came (a restart re-opens every editor at once)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await start({}, { rootUri: 'file:///ws', workspaceSettingsAfter: held });
    const text = "SELECT id FROM orders WHERE status = 'paid' AND total = 12;\n";
    const uri = 'file:///ws/early.sql';
    // Analysed at once; its plan run finds no database configured yet.
    assert.deepStrictEqual((await server.open(uri, 'sql', text)).diagnostics, []);
    release();
    const planned = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(planned.diagnostics.map((d) => [d.code, d.range]), [['plan-seq-scan', rangeOf(text, 'orders')]]);
    assert.strictEqual(server.statuses.at(-1)?.text, label);
  });

  it('completes after a keystroke, before the debounced analysis of the new text has run', async () => {
    // A debounce no test waits out: only the completion request can have analysed the edit.
    const server = await start({ debounceMs: 600_000 });
    const uri = 'file:///ws/typing.sql';
    await server.open(uri, 'sql', 'SELECT 1;\n');
    await server.diagnosticsWhere(uri, () => true);
    const typed = 'SELECT 1;\nSELECT o. FROM orders o;\n';
    const published = server.change(uri, [{ text: typed }]);
    const items = (await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 1, character: 'SELECT o.'.length } })) as CompletionItem[];
    assert.deepStrictEqual(items.map((item) => item.label), ['id', 'customer_id', 'status', 'total', 'created_at']);
    // The analysis it ran is published, as the debounced one would have been.
    assert.deepStrictEqual((await published).diagnostics.map((d) => d.code), ['syntax-error']);
  });

  it('plans again after "Refresh Schema": a new index ends the sequential-scan warning', async () => {
    const server = await start();
    const text = "SELECT id FROM orders WHERE status = 'paid' AND total = 12;\n";
    const uri = 'file:///ws/refresh.sql';
    await server.open(uri, 'sql', text);
    const before = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(before.diagnostics.map((d) => [d.code, d.range]), [['plan-seq-scan', rangeOf(text, 'orders')]]);
    await withClient(database.url, (c) => c.query('CREATE INDEX orders_total ON orders (total); ANALYZE orders'));
    try {
      await server.connection.sendRequest(RefreshSchemaRequest.type);
      const after = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 0);
      assert.deepStrictEqual(after.diagnostics, []);
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX orders_total'));
    }
  });

  it('offers the verified index as a quick fix that writes a migration the project’s way, and opens it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-index-fix-'));
    try {
      fs.mkdirSync(path.join(root, 'migrations'));
      fs.writeFileSync(path.join(root, 'migrations', '0001_init.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY);\n');
      fs.writeFileSync(path.join(root, 'migrations', '0002_customers.sql'), 'CREATE TABLE customers (id integer PRIMARY KEY);\n');
      const server = await start({}, { rootUri: pathToFileURL(root).href });
      const uri = pathToFileURL(path.join(root, 'app', 'orders.sql')).href;
      const text = 'SELECT id, total FROM orders WHERE customer_id = 42;\n';
      await server.open(uri, 'sql', text);
      const published = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
      const [warning] = planDiagnostics(published);
      const actions = await server.codeActions(uri, warning);
      assert.deepStrictEqual(
        actions.map((action) => [action.title, action.isPreferred ?? false, action.edit !== undefined, action.command?.command ?? null]),
        [
          ['Create index on orders (customer_id) — est. cost 1,986 → 22.9', true, true, 'queryLens.openIndexMigration'],
          ['Copy the CREATE INDEX statement for orders (customer_id)', false, false, 'queryLens.copyIndexStatement'],
          [`Create index on orders (customer_id) in ${label}…`, false, false, 'queryLens.createIndexOnDatabase'],
          ['Show query plan', false, false, 'queryLens.showPlan'],
          ['Ignore plan-seq-scan for this query', false, true, null],
        ],
      );
      assert.deepStrictEqual(actions[3].command?.arguments, [uri, 0]);
      assert.deepStrictEqual(actions[1].command?.arguments, ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);']);
      const created = await server.resolved(actions[0]);
      const migration = pathToFileURL(path.join(root, 'migrations', '0003_add_orders_customer_id_idx.sql')).href;
      const changes = created.edit?.documentChanges as ({ kind: string; uri: string } | { textDocument: { uri: string }; edits: { newText: string }[] })[];
      assert.deepStrictEqual(changes.map((change) => ('kind' in change ? ['create', change.uri] : ['insert', change.textDocument.uri])), [
        ['create', migration],
        ['insert', migration],
      ]);
      const content = (changes[1] as { edits: { newText: string }[] }).edits[0].newText;
      assert.match(content.split('\n')[0], /^-- .*Query Lens.*for the query at app\/orders\.sql:1 \(checked with a hypothetical index: estimated cost 1,986 → 22\.9\)/);
      assert.ok(content.includes('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);\n'), content);
      // The editor applies the edit (the file is made), then runs the action's command: the migration is shown.
      fs.writeFileSync(fileURLToPath(migration), content);
      await server.connection.sendRequest(ExecuteCommandRequest.type, actions[0].command!);
      assert.deepStrictEqual(server.shownDocuments, [migration]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('creates the index in the development database only when the user says yes, and the finding goes', async () => {
    const server = await start();
    const uri = 'file:///ws/create-index.sql';
    const text = 'SELECT id FROM orders WHERE total = 17;\n';
    await server.open(uri, 'sql', text);
    const [warning] = planDiagnostics(await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0));
    const create = (await server.codeActions(uri, warning)).find((action) => action.command?.command === 'queryLens.createIndexOnDatabase')!;
    const indexes = () => withClient(database.url, async (c) => (await c.query("SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY 1")).rows.map((row) => row.indexname as string));
    // Asked, and the user cancels: nothing runs.
    server.answer = 'Cancel';
    assert.strictEqual(await server.connection.sendRequest(ExecuteCommandRequest.type, create.command!), 'cancelled');
    assert.deepStrictEqual(server.asked, [`Query Lens: run this in ${label}? CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_total_idx ON public.orders (total);`]);
    assert.deepStrictEqual(await indexes(), ['orders_pkey']);
    // Asked again, and the user says yes: that one statement runs, and the finding goes.
    server.answer = 'Create index';
    try {
      assert.strictEqual(await server.connection.sendRequest(ExecuteCommandRequest.type, create.command!), 'created');
      assert.deepStrictEqual(await indexes(), ['orders_pkey', 'orders_total_idx']);
      assert.strictEqual(server.asked.length, 3);
      assert.match(server.asked[2], new RegExp(`^Query Lens: created in ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in [\\d.,]+ m?s\\. Add it to a migration too, so that other databases get it\\.$`));
      const after = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 0);
      assert.deepStrictEqual(after.diagnostics, []);
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX IF EXISTS orders_total_idx'));
    }
  });

  it('says where a foreign key has no index of its own, and offers to write it', async () => {
    const server = await start();
    const uri = 'file:///ws/fk.sql';
    // The second key is not in the database (an old migration's, dropped since): nothing to say of it.
    const text = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\nALTER TABLE orders ADD CONSTRAINT orders_total_fk FOREIGN KEY (total) REFERENCES customers (id);\n';
    await server.open(uri, 'sql', text);
    const published = await server.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'unindexed-foreign-key'));
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.range, d.message]),
      [
        [
          'unindexed-foreign-key',
          DiagnosticSeverity.Information,
          rangeOf(text, 'CONSTRAINT'),
          'No index of orders leads with customer_id, the columns of its foreign key to customers: each DELETE of a customers row, and each change of its key, reads all ~100,000 rows of orders to find the rows that reference it, and so does a join from customers to orders. Create one: CREATE INDEX CONCURRENTLY ON public.orders (customer_id);',
        ],
      ],
    );
    const actions = await server.codeActions(uri, published.diagnostics[0]);
    assert.deepStrictEqual(actions.map((action) => action.title), [
      'Create index on orders (customer_id) for its foreign key',
      'Copy the CREATE INDEX statement for orders (customer_id)',
      `Create index on orders (customer_id) in ${label}…`,
      'Ignore unindexed-foreign-key for this query',
    ]);
    // An index that leads with the key's columns serves it: nothing to say.
    await withClient(database.url, (c) => c.query('CREATE INDEX orders_customer_created ON orders (customer_id, created_at)'));
    try {
      await server.connection.sendRequest(RefreshSchemaRequest.type);
      const after = await server.diagnosticsWhere(uri, (p) => !p.diagnostics.some((d) => d.code === 'unindexed-foreign-key'));
      assert.deepStrictEqual(after.diagnostics, []);
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX orders_customer_created'));
    }
    // A partial index leads with the key, but the check looks for every row that references the deleted one.
    await withClient(database.url, (c) => c.query("CREATE INDEX orders_paid_customer ON orders (customer_id) WHERE status = 'paid'"));
    try {
      await server.connection.sendRequest(RefreshSchemaRequest.type);
      const partial = await server.diagnosticsWhere(uri, (p) => p.diagnostics.some((d) => d.code === 'unindexed-foreign-key'));
      assert.deepStrictEqual(
        partial.diagnostics.map((d) => d.message),
        [
          "The only index of orders that leads with customer_id, the columns of its foreign key to customers, is partial (orders_paid_customer, WHERE (status = 'paid'::text)), which the key's check cannot use: each DELETE of a customers row, and each change of its key, reads all ~100,000 rows of orders to find the rows that reference it, and so does a join from customers to orders. Create one: CREATE INDEX CONCURRENTLY ON public.orders (customer_id);",
        ],
      );
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX orders_paid_customer'));
    }
  });

  it('notices an index created outside the editor on the next plan, with no Refresh Schema', async () => {
    const server = await start();
    const text = "SELECT id FROM orders WHERE status = 'paid' AND total = 14;\n";
    const uri = 'file:///ws/noticed.sql';
    await server.open(uri, 'sql', text);
    const before = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length > 0);
    assert.deepStrictEqual(before.diagnostics.map((d) => [d.code, d.range]), [['plan-seq-scan', rangeOf(text, 'orders')]]);
    // As a migration run in a terminal would: another session, nothing said to the server.
    await withClient(database.url, (c) => c.query('CREATE INDEX orders_total_noticed ON orders (total)'));
    try {
      // The catalog is compared at most every five seconds; after that, an edit that leaves the
      // query as it was (its plan cached) has it planned anew.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const edited = `-- the orders of one total\n${text}`;
      await server.change(uri, [{ text: edited }]);
      const after = await server.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 0);
      assert.deepStrictEqual(after.diagnostics, []);
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX orders_total_noticed'));
    }
  });

  it('withdraws require-where-on-update-delete once the database shows a one-row table, and keeps it for any other', async () => {
    await withClient(database.url, (c) => c.query('CREATE TABLE shop_status (refreshed timestamptz NOT NULL); INSERT INTO shop_status VALUES (now()); ANALYZE shop_status'));
    try {
      const server = await start();
      const text = 'UPDATE shop_status SET refreshed = now();\nUPDATE orders SET total = total + 1;\n';
      const uri = 'file:///ws/status.sql';
      await server.open(uri, 'sql', text);
      const whole = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'require-where-on-update-delete').map((d) => d.range);
      // Static analysis cannot know the table: both are reported at first…
      const first = server.allPublished(uri)[0] ?? (await server.nextDiagnostics(uri, () => true));
      assert.deepStrictEqual(whole(first), [rangeOf(text, 'UPDATE shop_status'), rangeOf(text, 'UPDATE orders')]);
      // …then the plan shows shop_status holds one row, and only the UPDATE of orders stays.
      const planned = await server.diagnosticsWhere(uri, (p) => whole(p).length === 1);
      assert.deepStrictEqual(whole(planned), [rangeOf(text, 'UPDATE orders')]);
    } finally {
      await withClient(database.url, (c) => c.query('DROP TABLE shop_status'));
    }
  });

  it('withdraws prefer-not-exists where the subquery selects a NOT NULL column of one table, and keeps it where a NULL can come', async () => {
    await withClient(database.url, (c) => c.query('CREATE TABLE refunds (order_id bigint, reason text); ANALYZE refunds'));
    try {
      const server = await start();
      const text =
        'SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE status = $1);\n' +
        'SELECT id FROM orders WHERE id NOT IN (SELECT order_id FROM refunds);\n' +
        'SELECT id FROM customers WHERE id NOT IN (SELECT o.customer_id FROM refunds r LEFT JOIN orders o ON o.id = r.order_id);\n' +
        'SELECT id FROM customers WHERE id NOT IN (SELECT max(customer_id) FROM orders GROUP BY status);\n' +
        // Not planned (a template fills in a condition), but the schema settles it all the same.
        'SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders) AND {{condition}};\n';
      const uri = 'file:///ws/not_in.sql';
      await server.open(uri, 'sql', text);
      const lines = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'prefer-not-exists').map((d) => d.range.start.line);
      // Static analysis cannot know the columns: all four are reported at first…
      const first = server.allPublished(uri)[0] ?? (await server.nextDiagnostics(uri, () => true));
      assert.deepStrictEqual(lines(first), [0, 1, 2, 3, 4]);
      // …then the database says orders.customer_id is NOT NULL: no NULL can come from line 0's
      // subquery, nor from line 3's (a group's maximum of it). refunds.order_id may be NULL, and a
      // LEFT JOIN makes even a NOT NULL column so.
      const planned = await server.diagnosticsWhere(uri, (p) => lines(p).length === 2);
      assert.deepStrictEqual(lines(planned), [1, 2]);
    } finally {
      await withClient(database.url, (c) => c.query('DROP TABLE refunds'));
    }
  });
});

describe('non-sargable-predicate once the database is known, over LSP', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: TestLspClient | undefined;
  before(async () => {
    database = await createTestDatabase('expression_index', SHOP_SCHEMA);
  });
  after(async () => {
    await client?.stop();
    await database?.drop();
  });

  it('gives way to the plan finding that names the same expression index, and goes once that index exists', async () => {
    client = await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url } });
    const text = 'SELECT id FROM customers WHERE lower(email) = $1;\nSELECT id FROM orders WHERE total * 2 > 100;\n';
    const uri = 'file:///ws/lookups.sql';
    await client.open(uri, 'sql', text);
    const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.range.start.line}:${d.code}`);
    // Static analysis speaks first; the plan's verified finding then replaces it on line 0. On
    // line 1 the plan has nothing to say (nine orders in ten pass): the static finding stays.
    const first = client.allPublished(uri)[0] ?? (await client.nextDiagnostics(uri, () => true));
    assert.deepStrictEqual(codes(first), ['0:non-sargable-predicate', '1:non-sargable-predicate']);
    const planned = await client.diagnosticsWhere(uri, (p) => planDiagnostics(p).length === 1);
    assert.deepStrictEqual(codes(planned), ['0:plan-seq-scan', '1:non-sargable-predicate']);
    assert.match(planned.diagnostics[0].message, /an index on customers \(lower\(email\)\) lets PostgreSQL read only those rows \(checked with a hypothetical index/);
    // No statistics describe lower(email) before an index stores it: the rows expected are a guess, and it says so.
    assert.match(planned.diagnostics[0].message, /\)\. PostgreSQL keeps no statistics on lower\(email\) until an index stores it, so the rows expected are its default guess: create the index, ANALYZE customers, and plan again to see whether it is used\.$/);
    // The index created: the condition is served, nothing is said of line 0.
    await withClient(database.url, (c) => c.query('CREATE INDEX customers_lower_email ON customers (lower(email))'));
    await client.connection.sendRequest(RefreshSchemaRequest.type);
    const served = await client.diagnosticsWhere(uri, (p) => !codes(p).some((code) => code.startsWith('0:')));
    assert.deepStrictEqual(codes(served), ['1:non-sargable-predicate']);
  });

  it('goes once an index stores the expression, whatever the wording ends with, and of a column whose table the rule could not tell', async () => {
    client ??= await TestLspClient.start({ settings: { debounceMs: 0, connection: database.url } });
    // Line 0's advice ends "…: CREATE INDEX ON orders ((total * 2))."; line 1's column is of one
    // of two tables, so its advice says CREATE INDEX ON <table> (abs(total - 250)).
    const text = 'SELECT id FROM orders WHERE total * 2 > 100;\nSELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE abs(total - 250) < 3;\n';
    const uri = 'file:///ws/stored.sql';
    await client.open(uri, 'sql', text);
    const codes = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'non-sargable-predicate').map((d) => `${d.range.start.line}:${d.code}`);
    const before = client.allPublished(uri)[0] ?? (await client.nextDiagnostics(uri, () => true));
    assert.deepStrictEqual(codes(before), ['0:non-sargable-predicate', '1:non-sargable-predicate']);
    assert.match(before.diagnostics[1].message, /CREATE INDEX ON <table> \(abs\(total - 250\)\)/);
    await withClient(database.url, (c) => c.query('CREATE INDEX orders_total_twice ON orders ((total * 2)); CREATE INDEX orders_total_near ON orders (abs(total - 250))'));
    try {
      await client.connection.sendRequest(RefreshSchemaRequest.type);
      const served = await client.diagnosticsWhere(uri, (p) => p.diagnostics.length === 0);
      assert.deepStrictEqual(served.diagnostics, []);
    } finally {
      await withClient(database.url, (c) => c.query('DROP INDEX orders_total_twice, orders_total_near'));
    }
  });
});

/** Everything a statement that ran would have changed. */
async function trapState(url: string): Promise<unknown> {
  return withClient(url, async (c) => {
    const rows = (await c.query('SELECT id, note FROM trap ORDER BY id')).rows;
    const sequence = (await c.query('SELECT last_value, is_called FROM trap_seq')).rows[0];
    const stats = (await c.query("SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relname = 'trap'")).rows[0];
    const exists = (await c.query("SELECT to_regclass('trap') IS NOT NULL AS present")).rows[0];
    return { rows, sequence, stats, exists };
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

