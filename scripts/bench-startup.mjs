// The start-up benchmark (`npm run bench` runs it last; alone: `npm run bundle && node scripts/bench-startup.mjs`).
//
// Question: after a window (re)load, how long until a query's plan shows (its CodeLens), and
// what does the status bar say meanwhile? dist/server.js is started over LSP as VS Code starts
// it, in a workspace whose schema.sql creates 20 tables, with one .sql file of 20 queries open
// from the start (as a restored editor is). Timed from the spawn of the server process:
//   - initialize: the server answers `initialize`;
//   - static:     the file's first diagnostics (parser only);
//   - plans:      the server asks the editor to refresh its CodeLenses with the plans in
//                 (`workspace/codeLens/refresh`, sent once the file's plans are published);
// for three starts: the embedded database built for the first time (a new storage folder), the
// same reopened from its storage (a window reload), and a configured PostgreSQL (BENCH_PG_URL,
// default postgres://postgres@127.0.0.1:5432/postgres, in a database created and dropped here).
// Each start also prints the status texts it showed, with their times. Median of 3 runs each.
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createRequire } from 'module';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { fileURLToPath, pathToFileURL } from 'url';
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
  CodeLensRefreshRequest,
  NotificationType,
} = require('vscode-languageserver-protocol/node');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist', 'server.js');
const BASE_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 3;
const TABLES = 20;
const STATUS = new NotificationType('queryLens/status');

const SCHEMA = Array.from(
  { length: TABLES },
  (_, t) => `CREATE TABLE t${t} (id bigint PRIMARY KEY, owner_id bigint NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t${t}_created_at ON t${t} (created_at);`,
).join('\n');
const QUERIES = Array.from({ length: TABLES }, (_, t) => `SELECT id, name FROM t${t} WHERE owner_id = $1 ORDER BY created_at DESC LIMIT 20;`).join('\n');

/** One server start; resolves with the times (ms from spawn) and the status texts shown. */
async function start(workspace, storagePath, settings) {
  const spawnedAt = performance.now();
  const since = () => performance.now() - spawnedAt;
  const child = spawn(process.execPath, [...serverNodeArgs(), SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const uri = pathToFileURL(join(workspace, 'queries.sql')).href;
  const times = {};
  const statuses = [];
  let resolvePlans;
  const plansIn = new Promise((r) => (resolvePlans = r));
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
  connection.onRequest(RegistrationRequest.type, () => null);
  connection.onRequest(CodeLensRefreshRequest.type, () => {
    times.plans ??= since();
    resolvePlans();
    return null;
  });
  connection.onNotification(STATUS, (params) => statuses.push(`${Math.round(since())} ms ${params.text}`));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    if (params.uri === uri) times.static ??= since();
  });
  connection.listen();
  const timeout = setTimeout(() => resolvePlans(), 60_000);
  try {
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).href,
      workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'bench' }],
      capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: true } } },
      initializationOptions: { workspaceTrusted: true, storagePath },
    });
    times.initialize = since();
    await connection.sendNotification(InitializedNotification.type, {});
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: QUERIES } });
    await plansIn;
    if (times.plans === undefined) throw new Error(`no plans within 60 s; statuses: ${statuses.join(' | ')}`);
    return { times, statuses };
  } finally {
    clearTimeout(timeout);
    await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
    await connection.sendNotification(ExitNotification.type).catch(() => undefined);
    connection.dispose();
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (x) => `${Math.round(x)} ms`;

async function main() {
  const workspace = mkdtempSync(join(tmpdir(), 'ql-bench-startup-'));
  writeFileSync(join(workspace, 'schema.sql'), `${SCHEMA}\n`);
  writeFileSync(join(workspace, 'queries.sql'), `${QUERIES}\n`);
  const name = `ql_bench_startup_${process.pid}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const rows = [];
  const storages = [];
  try {
    const setup = new pg.Client({ connectionString: url.toString() });
    await setup.connect();
    await setup.query(SCHEMA);
    await setup.end();
    const cases = [
      ['embedded database, first build', () => mkdtempSync(join(tmpdir(), 'ql-bench-storage-')), { debounceMs: 0, plans: 'auto', connection: null }],
      ['embedded database, reopened (window reload)', undefined, { debounceMs: 0, plans: 'auto', connection: null }],
      ['configured PostgreSQL', () => mkdtempSync(join(tmpdir(), 'ql-bench-storage-')), { debounceMs: 0, plans: 'connection', connection: url.toString() }],
    ];
    // The reopened case reuses the storage the first-build case left behind.
    let reusable;
    for (const [label, freshStorage, settings] of cases) {
      const runs = [];
      for (let run = 0; run < RUNS; run++) {
        const storage = freshStorage ? freshStorage() : reusable;
        storages.push(storage);
        if (freshStorage && label.startsWith('embedded')) reusable = storage;
        runs.push(await start(workspace, storage, settings));
      }
      const pick = (key) => median(runs.map((r) => r.times[key]));
      rows.push({ label, initialize: pick('initialize'), static: pick('static'), plans: pick('plans') });
      console.log(`\n${label}: initialize ${fmt(pick('initialize'))}, static diagnostics ${fmt(pick('static'))}, plans (CodeLens) ${fmt(pick('plans'))}`);
      console.log(`  status shown (last run): ${runs[runs.length - 1].statuses.join(' → ')}`);
    }
    console.log('\nREADME table:');
    console.log('| Start | initialize | static diagnostics | plans (CodeLens) |');
    console.log('|---|--:|--:|--:|');
    for (const row of rows) console.log(`| ${row.label} | ${fmt(row.initialize)} | ${fmt(row.static)} | ${fmt(row.plans)} |`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(workspace, { recursive: true, force: true });
    for (const storage of new Set(storages)) rmSync(storage, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench-startup failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
