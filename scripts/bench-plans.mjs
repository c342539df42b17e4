// The plan benchmark (`npm run bench` runs it after the static one; alone: `node scripts/bench-plans.mjs`).
//
// Question: does planning a file cost more than the EXPLAINs it needs? It creates a database
// (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres; dropped afterwards), then:
//   - bare: 500 distinct `EXPLAIN (FORMAT JSON)` calls over a pg.Pool of the size the server uses
//     (4 connections, the extended protocol, the same read-only session), all at once;
//   - server: dist/server.js over LSP, connected to that database, opens a .sql file of the same
//     500 queries; timed from the static diagnostics (published first) to the log line saying
//     all 500 were planned, with the plan diagnostics published. Each round uses new constants,
//     so no plan comes from the cache.
// Target: the server within 1.5× the bare time. Prints a README-ready table; exits non-zero only
// when the bench itself fails.
import { spawn } from 'child_process';
import { createRequire } from 'module';
import { dirname, join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { fileURLToPath } from 'url';
import { serverNodeArgs } from './bench.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification,
  ConfigurationRequest,
  RegistrationRequest,
  LogMessageNotification,
} = require('vscode-languageserver-protocol/node');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist', 'server.js');
const BASE_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const QUERIES = 500;
const ROUNDS = 5;
const POOL_SIZE = 4; // the server's MAX_CONNECTIONS for a real database
const TARGET_RATIO = 1.5;

const TABLES = ['customers', 'orders', 'products', 'order_items', 'invoices'];
const SCHEMA = `
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, country text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE products (id integer PRIMARY KEY, sku text NOT NULL UNIQUE, price numeric NOT NULL, category text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE order_items (order_id integer NOT NULL, product_id integer NOT NULL, quantity integer NOT NULL, PRIMARY KEY (order_id, product_id));
CREATE TABLE invoices (id integer PRIMARY KEY, order_id integer NOT NULL, due_on date NOT NULL, paid boolean NOT NULL);
INSERT INTO customers SELECT g, 'u' || g || '@example.com', (ARRAY['NL','DE','FR','US'])[g % 4 + 1], now() - g * interval '1 hour' FROM generate_series(1, 20000) g;
INSERT INTO products SELECT g, 'SKU-' || g, g % 100 + 0.99, (ARRAY['books','games','tools'])[g % 3 + 1] FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, g % 20000 + 1, (ARRAY['open','paid','sent'])[g % 3 + 1], g % 700, now() - g * interval '1 minute' FROM generate_series(1, 50000) g;
INSERT INTO order_items SELECT g, g % 2000 + 1, g % 5 + 1 FROM generate_series(1, 50000) g;
INSERT INTO invoices SELECT g, g, current_date + g % 60, g % 2 = 0 FROM generate_series(1, 50000) g;
CREATE INDEX orders_created_at ON orders (created_at);
ANALYZE;
`;

/** 500 distinct queries (new constants each round): lookups, filters, joins, sorts, aggregates. */
function queries(round) {
  const shapes = [
    (n) => `SELECT * FROM customers WHERE id = ${n}`,
    (n) => `SELECT id, total FROM orders WHERE customer_id = ${n} AND status = 'open'`,
    (n) => `SELECT c.email, o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = ${n}`,
    (n) => `SELECT * FROM orders WHERE created_at > now() - interval '${n} minutes' ORDER BY created_at DESC LIMIT 20`,
    (n) => `SELECT p.sku, sum(i.quantity) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id < ${n} GROUP BY p.sku`,
    (n) => `SELECT count(*) FROM invoices WHERE paid AND due_on < current_date + ${n}`,
    (n) => `UPDATE orders SET status = 'sent' WHERE id = ${n}`,
    (n) => `DELETE FROM invoices WHERE order_id = ${n}`,
    (n) => `SELECT * FROM products WHERE category = 'books' AND price > ${n} ORDER BY price`,
    (n) => `INSERT INTO order_items (order_id, product_id, quantity) VALUES (${n}, ${n % 2000 + 1}, 1)`,
  ];
  return Array.from({ length: QUERIES }, (_, i) => shapes[i % shapes.length](round * QUERIES + i + 1));
}

const SESSION = "SET default_transaction_read_only = on; SET statement_timeout = 2000; SET plan_cache_mode = force_generic_plan; SET standard_conforming_strings = on";

async function bareExplains(url, list) {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, idleTimeoutMillis: 0, application_name: 'query-lens-bench' });
  // Warm the pool: every connection open and set up before the clock starts, as in the server.
  const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
  await Promise.all(clients.map((client) => client.query(SESSION)));
  clients.forEach((client) => client.release());
  const started = performance.now();
  await Promise.all(list.map((sql) => pool.query({ text: `EXPLAIN (FORMAT JSON) ${sql}`, queryMode: 'extended' })));
  const elapsed = performance.now() - started;
  await pool.end();
  return elapsed;
}

class Session {
  constructor(url) {
    this.child = spawn(process.execPath, [...serverNodeArgs(), SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.waiters = [];
    const settings = { debounceMs: 0, plans: 'connection', connection: url };
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
    this.connection.onRequest(RegistrationRequest.type, () => null);
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.#notify({ kind: 'publish', params, at: performance.now() }));
    this.connection.onNotification(LogMessageNotification.type, (params) => this.#notify({ kind: 'log', message: params.message, at: performance.now() }));
    this.connection.listen();
  }

  #notify(event) {
    for (const waiter of [...this.waiters]) {
      if (waiter.accept(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }

  next(accept, timeoutMs = 30_000) {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error('bench-plans: no reply from the server within 30 s')), timeoutMs);
      this.waiters.push({ accept, resolve: (event) => (clearTimeout(timer), resolvePromise(event)) });
    });
  }

  async initialize() {
    await this.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } }, workspaceFolders: null });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  /** Opens a document; resolves with the static publish time and the time all its queries were planned. */
  async plan(uri, text, expected) {
    const staticPublish = this.next((e) => e.kind === 'publish' && e.params.uri === uri);
    const planned = this.next((e) => e.kind === 'log' && e.message.startsWith(`[plans] ${uri}:`));
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const first = await staticPublish;
    const done = await planned;
    const match = /: (\d+) planned, (\d+) from cache/.exec(done.message);
    if (!match || Number(match[1]) !== expected) {
      throw new Error(`bench-plans: expected ${expected} queries planned, the server said "${done.message}"`);
    }
    return done.at - first.at;
  }

  async stop() {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    this.connection.dispose();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const name = `ql_bench_plans_${process.pid}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  let session;
  try {
    const setup = new pg.Client({ connectionString: dbUrl });
    await setup.connect();
    await setup.query(SCHEMA);
    await setup.end();

    session = new Session(dbUrl);
    await session.initialize();
    // Warm-up: the connection, the catalog read and the JIT of our own code, on other queries.
    await session.plan('file:///bench/warmup.sql', queries(0).map((q) => `${q};`).join('\n'), QUERIES);

    const bare = [];
    const server = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const list = queries(round);
      bare.push(await bareExplains(dbUrl, list));
      server.push(await session.plan(`file:///bench/round${round}.sql`, list.map((q) => `${q};`).join('\n'), QUERIES));
    }
    const bareMs = median(bare);
    const serverMs = median(server);
    const ratio = serverMs / bareMs;
    const fmt = (x) => `${x.toFixed(0)} ms`;
    console.log(`\nPlans for a file of ${QUERIES} distinct queries (median of ${ROUNDS} rounds, pool of ${POOL_SIZE}):`);
    console.log(`  ${QUERIES} bare EXPLAINs:        ${fmt(bareMs)}  (${(bareMs / QUERIES).toFixed(2)} ms each)   rounds: ${bare.map(fmt).join(', ')}`);
    console.log(`  server, static → plans:  ${fmt(serverMs)}   rounds: ${server.map(fmt).join(', ')}`);
    console.log(`  ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×): ${ratio <= TARGET_RATIO ? 'ok' : 'MISSED'}`);
    console.log('\nREADME table row:');
    console.log(`| ${QUERIES} queries planned | ≤ ${TARGET_RATIO}× bare | ${fmt(bareMs)} bare · ${fmt(serverMs)} server | ${ratio.toFixed(2)}× |`);
  } finally {
    await session?.stop().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(`bench-plans failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
