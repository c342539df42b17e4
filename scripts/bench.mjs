// The Query Lens language-server benchmark (`npm run bench`, after `npm run bundle`).
//
// Drives dist/server.js over stdio exactly as an editor does (initialize, workspace/configuration,
// didOpen, incremental didChange) and measures, per document:
//   - time to first diagnostics: didOpen sent → publishDiagnostics for that uri received;
//   - re-diagnose after a one-line edit: didChange sent → publishDiagnostics of the new version;
// and then the server's resident memory (VmRSS, VmHWM from /proc/<pid>/status); each kind of
// document is benched in a server of its own.
// Every timing is checked against the diagnostics it produced, so a no-op cannot be measured.
//
// Prints a table and a README-ready markdown table, and writes bench-results/bench.json.
// Exits non-zero only when the bench itself fails (crash, timeout, wrong diagnostics), never
// on a missed target. Environment:
//   BENCH_SERVER_NODE_ARGS  extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=bench-results/prof"
//   BENCH_TIMEOUT_MS        whole-run watchdog (default 60000)
//   BENCH_SERVER            another build of dist/server.js to run (A/B comparisons)
//   BENCH_KEEP_FIXTURES=1   keep the temp dir with the generated fixture
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createRequire } from 'module';
import os from 'os';
import { dirname, join, relative, resolve } from 'path';
import { performance } from 'perf_hooks';
import { fileURLToPath, pathToFileURL } from 'url';
import { generateSqlFixture, generateTypescriptFixture } from './bench-fixtures.mjs';

const require = createRequire(import.meta.url);
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification,
  ConfigurationRequest,
  RegistrationRequest,
  WorkDoneProgressCreateRequest,
  LogMessageNotification,
  DiagnosticSeverity,
} = require('vscode-languageserver-protocol/node');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The bundled server; BENCH_SERVER names another build of it, to compare two builds run by run. */
const SERVER = process.env.BENCH_SERVER ? resolve(process.env.BENCH_SERVER) : join(ROOT, 'dist', 'server.js');
const RESULTS = join(ROOT, 'bench-results', 'bench.json');

/** What the bench answers to `workspace/configuration` (section `queryLens`): defaults, no debounce, no database (plans have their own bench, bench-plans.mjs). */
export const BENCH_SETTINGS = Object.freeze({ enable: true, dialect: 'postgresql', debounceMs: 0, maxFileSizeKb: 5120, plans: 'off' });

export const TARGETS = Object.freeze({ firstDiagnosticsMs: 60, editMs: 10, rssMb: 120 });
/** Published figures of other PostgreSQL language servers, for the README table. */
export const REFERENCE = Object.freeze([
  { name: 'squawk', firstDiagnosticsMs: 60, editMs: 60 },
  { name: 'postgres-language-server', firstDiagnosticsMs: 140, editMs: 355 },
]);

/** The seeds of the fresh documents' texts (the fixtures' own seeds are far from these). */
const VARIANT_SEED = 1000;

const WAIT_MS = 15_000; // one diagnostics reply; far above any plausible figure

// ---------------------------------------------------------------------------------------------
// An LSP session with the server, as an editor drives it.

export class LspSession {
  /** Spawns the server, runs initialize/initialized, and waits for its "ready" status. */
  static async start({ settings = BENCH_SETTINGS, nodeArgs = [] } = {}) {
    const session = new LspSession(settings);
    await session.#start(nodeArgs);
    return session;
  }

  #settings;
  #child;
  #connection;
  #stderr = '';
  #log = [];
  #exited;
  /** Rejects when the server exits before stop(): raced against everything the bench awaits. */
  #died;
  #waiters = new Set();
  /** uri → the last publishDiagnostics params. */
  lastDiagnostics = new Map();
  configurationRequests = 0;
  startup = {};

  constructor(settings) {
    this.#settings = settings;
  }

  get pid() {
    return this.#child.pid;
  }

  async #start(nodeArgs) {
    const spawned = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    LspSession.live.add(child);
    this.#exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        LspSession.live.delete(child);
        resolveExit({ code, signal });
      }),
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      this.#stderr = (this.#stderr + chunk).slice(-8000);
    });
    this.#died = new Promise((_, reject) => {
      child.once('exit', (code, signal) => {
        if (!this.stopping) {
          const error = new Error(`the server exited (code ${code}, signal ${signal})${this.#tail()}`);
          this.#failWaiters(error);
          reject(error);
        }
      });
      child.once('error', (error) => {
        this.#failWaiters(error);
        reject(error);
      });
    });
    this.#died.catch(() => {});
    // Writing to a server that is gone: reported through #died, not as an unhandled error.
    child.stdin.on('error', () => {});

    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.#connection = connection;
    connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests++;
      return params.items.map((item) => (item.section === 'queryLens' ? { ...this.#settings } : item.section ? null : { queryLens: { ...this.#settings } }));
    });
    connection.onRequest(RegistrationRequest.type, () => null);
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    connection.onNotification(LogMessageNotification.type, (params) => {
      this.#log.push(params.message);
      if (this.#log.length > 50) this.#log.shift();
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const at = performance.now();
      this.lastDiagnostics.set(params.uri, params);
      for (const waiter of [...this.#waiters]) {
        if (waiter.uri === params.uri && waiter.accept(params)) {
          this.#waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve({ params, at });
        }
      }
    });
    const ready = new Promise((resolveReady, rejectReady) => {
      connection.onNotification('queryLens/status', (params) => {
        if (params.state === 'ready') resolveReady(performance.now());
        if (params.state === 'error') rejectReady(new Error(`server status error: ${params.detail}`));
      });
    });
    connection.onUnhandledNotification(() => {});
    connection.onError(([error]) => this.#failWaiters(error));
    connection.listen();

    const initializeParams = {
      processId: process.pid,
      clientInfo: { name: 'query-lens-bench' },
      rootUri: null,
      workspaceFolders: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { versionSupport: true, relatedInformation: false },
        },
        general: { positionEncodings: ['utf-16'] },
      },
    };
    const result = await withTimeout(
      this.#orDeath(connection.sendRequest(InitializeRequest.type, initializeParams)),
      WAIT_MS,
      () => `no initialize reply${this.#tail()}`,
    );
    const initialized = performance.now();
    if (result.capabilities.textDocumentSync !== 2 && result.capabilities.textDocumentSync?.change !== 2) {
      throw new Error(`the server does not sync incrementally: ${JSON.stringify(result.capabilities.textDocumentSync)}`);
    }
    this.#notify(InitializedNotification.type, {});
    const readyAt = await withTimeout(this.#orDeath(ready), WAIT_MS, () => `no "ready" status from the server${this.#tail()}`);
    this.startup = { initializeMs: initialized - spawned, readyMs: readyAt - spawned, server: result.serverInfo };
  }

  /**
   * Resolves with `{ params, at }` (at = performance.now() on arrival) for the next
   * publishDiagnostics for `uri` that `accept` takes. Register before sending what triggers it.
   */
  waitForDiagnostics(uri, accept = () => true, what = 'diagnostics') {
    return new Promise((resolveWait, rejectWait) => {
      const waiter = { uri, accept, resolve: resolveWait, reject: rejectWait };
      waiter.timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        rejectWait(new Error(`timed out after ${WAIT_MS} ms waiting for ${what} of ${uri}${this.#tail()}`));
      }, WAIT_MS);
      this.#waiters.add(waiter);
    });
  }

  /** Sends didOpen; returns performance.now() just before sending. */
  open(uri, languageId, version, text) {
    const sent = performance.now();
    this.#notify(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
    return sent;
  }

  /** Sends an incremental didChange; returns performance.now() just before sending. */
  change(uri, version, contentChanges) {
    const sent = performance.now();
    this.#notify(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
    return sent;
  }

  close(uri) {
    this.#notify(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  #notify(type, params) {
    this.#connection.sendNotification(type, params).catch((error) => this.#failWaiters(error));
  }

  /** `promise`, or the server's exit if it comes first; a failed write is reported as that exit. */
  async #orDeath(promise) {
    try {
      return await Promise.race([promise, this.#died]);
    } catch (error) {
      const death = await Promise.race([this.#died.catch((e) => e), delay(300)]);
      throw death ?? error;
    }
  }

  /** The server's VmRSS and VmHWM in MB (Linux), or undefined elsewhere. */
  memory() {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
      return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
    } catch {
      return undefined;
    }
  }

  /** shutdown + exit, then SIGKILL if the server is still there after a second. Never throws. */
  async stop() {
    this.stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      await withTimeout(this.#connection.sendRequest(ShutdownRequest.type), 1000, () => 'no shutdown reply');
      await withTimeout(this.#connection.sendNotification(ExitNotification.type), 1000, () => 'exit not sent');
    } catch {
      // killed below
    }
    const exited = await Promise.race([this.#exited, delay(2000).then(() => undefined)]);
    if (!exited) child.kill('SIGKILL');
    await Promise.race([this.#exited, delay(1000)]);
    this.#connection.dispose();
  }

  #failWaiters(error) {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }

  #tail() {
    const parts = [];
    if (this.#stderr.trim()) parts.push(`server stderr:\n${this.#stderr.trim().split('\n').slice(-20).join('\n')}`);
    if (this.#log.length) parts.push(`server log:\n${this.#log.slice(-10).join('\n')}`);
    return parts.length ? `\n${parts.join('\n')}` : '';
  }

  /** Every spawned server still running: killed on any exit of the bench. */
  static live = new Set();
  static killAll() {
    for (const child of LspSession.live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark of one document.

/**
 * Benchmarks one document on a running session:
 *   1. `warmup` + `runs` fresh documents (uris `bench-first-NN<uriSuffix>`), each timed from
 *      didOpen to its first publishDiagnostics, then closed. Each is a text of its own
 *      (`variant(run)`, the same fixture generated from another seed): the server keeps what
 *      makes a document's next analysis cheap (syntax trees, built queries), and a text it has
 *      just seen would measure those caches, not a first analysis;
 *   2. one document kept open and edited `edits` times at `editLine.line` (after a few warm-up
 *      edits), cycling break → fix → valid change → valid change back, each timed from didChange
 *      to the publishDiagnostics carrying the new version.
 *
 * `editLine` is `{ line, original, broken, alternative }` (0-based line; `broken` must give a
 * syntax error reported on that line). `expectedErrorLines` (0-based), when given, are the lines
 * of the error diagnostics the document must get; otherwise the first run's errors are the
 * baseline every other run must reproduce.
 */
export async function benchDocument(session, { name, languageId, uriSuffix, text, editLine, expectedErrorLines, variant, dir, runs = 20, warmup = 3, edits = 50, warmupEdits = 4 }) {
  const lines = text.split('\n');
  if (lines[editLine.line] !== editLine.original) {
    throw new Error(`${name}: line ${editLine.line} is not ${JSON.stringify(editLine.original)}`);
  }
  const uriOf = (label) => pathToFileURL(join(dir, `bench-${label}${uriSuffix}`)).href;
  let baseline = expectedErrorLines ? [...expectedErrorLines].sort((a, b) => a - b) : undefined;
  let ruleFindings;

  /**
   * Checks a full analysis of the fixture's text against `expectedErrorLines` (else the first
   * analysis's errors), or of a variant against `expected`, what its own fixture expects.
   */
  const checkFull = (params, what, expected) => {
    const errors = errorLines(params.diagnostics);
    if (!expected) baseline ??= errors;
    const expectedErrors = expected ? expected.errorLines : baseline;
    if (!sameLines(errors, expectedErrors)) {
      throw new Error(`${name}: ${what}: expected errors on lines ${fmtLines(expectedErrors)}, got ${fmtLines(errors)}: ${describe(params.diagnostics)}`);
    }
    // Rule findings (warnings, hints) come on top of the errors; their number must not change
    // from run to run of the same text either.
    if (!expected) ruleFindings ??= params.diagnostics.length - errors.length;
    const expectedFindings = expected ? expected.ruleFindings : ruleFindings;
    if (params.diagnostics.length !== expectedErrors.length + expectedFindings) {
      throw new Error(`${name}: ${what}: expected ${expectedErrors.length} errors and ${expectedFindings} rule findings, got ${params.diagnostics.length} diagnostics: ${describe(params.diagnostics)}`);
    }
  };

  // 1. Time to first diagnostics, over fresh documents with texts of their own.
  const firstSamples = [];
  const coldSamples = [];
  for (let run = 0; run < warmup + runs; run++) {
    const uri = uriOf(`first-${String(run).padStart(2, '0')}`);
    const fresh = variant ? variant(run) : { text, expectedErrorLines };
    const published = session.waitForDiagnostics(uri, (p) => p.version === 1, 'first diagnostics');
    const sent = session.open(uri, languageId, 1, fresh.text);
    const { params, at } = await published;
    // The rule findings of a variant are its own: the rules' own tests check them.
    checkFull(params, `first diagnostics (run ${run})`, variant ? { errorLines: [...fresh.expectedErrorLines].sort((a, b) => a - b), ruleFindings: params.diagnostics.length - fresh.expectedErrorLines.length } : undefined);
    (run >= warmup ? firstSamples : coldSamples).push(at - sent);
    session.close(uri);
  }

  // 2. Re-diagnose after a one-line edit, on one open document.
  const uri = uriOf('edit');
  let version = 1;
  const opened = session.waitForDiagnostics(uri, (p) => p.version === 1, 'first diagnostics');
  session.open(uri, languageId, version, text);
  checkFull((await opened).params, 'edit document opened');

  const cycle = [
    { kind: 'break', text: editLine.broken },
    { kind: 'fix', text: editLine.original },
    { kind: 'valid', text: editLine.alternative },
    { kind: 'valid', text: editLine.original },
  ];
  let current = editLine.original;
  const editSamples = [];
  for (let n = 0; n < warmupEdits + edits; n++) {
    const step = cycle[n % cycle.length];
    version++;
    const expectedVersion = version;
    const published = session.waitForDiagnostics(uri, (p) => p.version === expectedVersion, `diagnostics of version ${expectedVersion}`);
    const sent = session.change(uri, version, [
      {
        range: { start: { line: editLine.line, character: 0 }, end: { line: editLine.line, character: current.length } },
        text: step.text,
      },
    ]);
    const { params, at } = await published;
    current = step.text;
    checkEdit(name, params, step.kind, editLine.line, baseline, ruleFindings, n);
    if (n >= warmupEdits) editSamples.push({ kind: step.kind, ms: at - sent });
  }
  session.close(uri);

  const byKind = {};
  for (const kind of ['break', 'fix', 'valid']) {
    byKind[kind] = summarise(editSamples.filter((s) => s.kind === kind).map((s) => s.ms));
  }
  return {
    name,
    languageId,
    lines: lines.length - (text.endsWith('\n') ? 1 : 0),
    bytes: Buffer.byteLength(text),
    errorDiagnostics: baseline.length,
    ruleFindings,
    firstDiagnostics: {
      warmup,
      ...summarise(firstSamples),
      // The first open after the server started: PostgreSQL's parser (WebAssembly) is still being
      // compiled to optimised code, which is what the warm-up runs are for.
      coldMs: round(coldSamples[0]),
      warmupSamplesMs: coldSamples.map((x) => round(x)),
    },
    edit: { warmup: warmupEdits, line: editLine.line, ...summarise(editSamples.map((s) => s.ms)), byKind },
  };
}

/** An edit's diagnostics must differ from the baseline exactly as the edit says. */
function checkEdit(name, params, kind, line, baseline, ruleFindings, n) {
  const errors = errorLines(params.diagnostics);
  const others = errors.filter((l) => l !== line);
  const onLine = params.diagnostics.filter((d) => d.range.start.line === line && d.severity === DiagnosticSeverity.Error);
  const what = `${name}: edit ${n} (${kind}, version ${params.version})`;
  if (!sameLines(others, baseline.filter((l) => l !== line))) {
    throw new Error(`${what}: the other errors changed: ${describe(params.diagnostics)}`);
  }
  if (kind === 'break') {
    if (errors.length !== baseline.length + 1 || onLine.length !== 1 || onLine[0].severity !== DiagnosticSeverity.Error) {
      throw new Error(`${what}: expected ${baseline.length + 1} errors, one on line ${line + 1}; got ${describe(params.diagnostics)}`);
    }
  } else if (errors.length !== baseline.length || onLine.length !== 0 || params.diagnostics.length !== baseline.length + ruleFindings) {
    throw new Error(`${what}: expected the ${baseline.length} baseline errors and nothing on line ${line + 1}; got ${describe(params.diagnostics)}`);
  }
}

function errorLines(diagnostics) {
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => d.range.start.line)
    .sort((a, b) => a - b);
}

const sameLines = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);
const fmtLines = (lines) => (lines.length ? lines.map((l) => l + 1).join(', ') : 'none');
const describe = (diagnostics) =>
  diagnostics.length ? diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('; ') : 'no diagnostics';

// ---------------------------------------------------------------------------------------------
// Statistics and output.

export function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { runs: 0 };
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const p95 = sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)]; // nearest rank
  return { runs: n, medianMs: round(median), p95Ms: round(p95), minMs: round(sorted[0]), maxMs: round(sorted[n - 1]), samplesMs: samples.map((x) => round(x)) };
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const ms = (x) => (x === undefined ? '–' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const mb = (x) => (x === undefined ? '–' : `${x.toFixed(0)} MB`);
const verdict = (value, target) => (value === undefined ? '' : value < target ? 'ok' : 'MISSED');
/** Judged on the median; a p95 over the target is flagged apart (it is mostly noise from other load). */
const verdictOf = (s, target) => (s.medianMs >= target ? 'MISSED' : s.p95Ms >= target ? 'ok (p95 over)' : 'ok');

function printTable(results) {
  const rows = [['', 'median', 'p95', 'target', '']];
  for (const doc of results.documents) {
    const f = doc.firstDiagnostics;
    const e = doc.edit;
    rows.push([`${doc.name}: first diagnostics (${f.runs} runs)`, ms(f.medianMs), ms(f.p95Ms), `< ${TARGETS.firstDiagnosticsMs} ms`, verdictOf(f, TARGETS.firstDiagnosticsMs)]);
    rows.push([`  first open after server start (cold)`, ms(f.coldMs), '', '', '']);
    rows.push([`${doc.name}: one-line edit (${e.runs} edits)`, ms(e.medianMs), ms(e.p95Ms), `< ${TARGETS.editMs} ms`, verdictOf(e, TARGETS.editMs)]);
    for (const [kind, s] of Object.entries(e.byKind)) {
      rows.push([`  ${kind === 'break' ? 'introduce an error' : kind === 'fix' ? 'fix the error' : 'valid → valid'} (${s.runs})`, ms(s.medianMs), ms(s.p95Ms), '', '']);
    }
  }
  for (const doc of results.documents.filter((d) => d.memory)) {
    rows.push([`server RSS after the ${doc.name} part (peak)`, `${mb(doc.memory.rssMb)} (${mb(doc.memory.peakRssMb)})`, '', `< ${TARGETS.rssMb} MB`, verdict(doc.memory.peakRssMb, TARGETS.rssMb)]);
  }
  rows.push(['server RSS when ready, no document', mb(results.memory.afterStartup?.rssMb), '', '', '']);
  rows.push(['machine yardstick (parser over the .sql fixture)', ms(results.machine.yardstickMs), '', '', '']);
  for (const doc of results.documents) {
    rows.push([`  ${doc.name} first diagnostics ÷ yardstick`, `${(doc.firstDiagnostics.medianMs / results.machine.yardstickMs).toFixed(2)}×`, '', '', '']);
  }
  rows.push(['server start → ready', ms(results.startup.readyMs), '', '', '']);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [k, row] of rows.entries()) {
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ').trimEnd());
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  }
}

function markdownTable(results) {
  const sql = results.documents[0];
  const lines = [
    `| ${['', 'Query Lens', 'target', ...REFERENCE.map((r) => r.name)].join(' | ')} |`,
    `|${[':--', '--:', '--:', ...REFERENCE.map(() => '--:')].join('|')}|`,
  ];
  for (const doc of results.documents) {
    const size = `${doc.lines.toLocaleString('en-US')}-line ${doc.languageId === 'sql' ? '.sql' : doc.languageId} file`;
    lines.push(
      `| First diagnostics, ${size} (median / p95) | ${ms(doc.firstDiagnostics.medianMs)} / ${ms(doc.firstDiagnostics.p95Ms)} | < ${TARGETS.firstDiagnosticsMs} ms | ${
        doc === sql ? REFERENCE.map((r) => `~${r.firstDiagnosticsMs} ms`).join(' | ') : REFERENCE.map(() => '–').join(' | ')
      } |`,
      `| Re-diagnose after a one-line edit, ${size} (median / p95) | ${ms(doc.edit.medianMs)} / ${ms(doc.edit.p95Ms)} | < ${TARGETS.editMs} ms | ${
        doc === sql ? REFERENCE.map((r) => `~${r.editMs} ms`).join(' | ') : REFERENCE.map(() => '–').join(' | ')
      } |`,
    );
  }
  for (const doc of results.documents) {
    lines.push(`| Server memory after the ${doc.name} part, RSS (peak) | ${mb(doc.memory.rssMb)} (${mb(doc.memory.peakRssMb)}) | < ${TARGETS.rssMb} MB | ${REFERENCE.map(() => '–').join(' | ')} |`);
  }
  lines.push(`| Machine yardstick: PostgreSQL's parser over the .sql file's statements | ${ms(results.machine.yardstickMs)} | | ${REFERENCE.map(() => '–').join(' | ')} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The machine: how fast it is, and how much of it the bench had.

/**
 * A yardstick of the machine's speed, to read the figures against: PostgreSQL's parser
 * (libpg-query, as the server uses it) over every statement of the .sql fixture, in the bench's
 * own process; the median of five passes after one warm-up. The same work is the floor of the
 * server's first diagnostics of that file, so "first diagnostics ÷ yardstick" compares
 * across machines where milliseconds do not.
 */
export async function machineYardstickMs(sqlText) {
  const libpgQuery = require('libpg-query');
  await libpgQuery.loadModule();
  const statements = sqlText.split(/\n\s*\n/).filter((chunk) => /[a-z]/i.test(chunk));
  const pass = () => {
    const started = performance.now();
    for (const statement of statements) {
      try {
        libpgQuery.parseSync(statement);
      } catch {
        // the fixture's syntax errors: parsed all the same
      }
    }
    return performance.now() - started;
  };
  pass();
  const samples = [pass(), pass(), pass(), pass(), pass()].sort((a, b) => a - b);
  return round(samples[2]);
}

/** CPU time the hypervisor gave to other machines (steal), from /proc/stat; undefined elsewhere. */
function cpuTimes() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((sum, x) => sum + x, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** The share of CPU time stolen between two cpuTimes() readings, in percent. */
function stealPercent(before, after) {
  if (!before || !after || after.total <= before.total) return undefined;
  return round((100 * (after.steal - before.steal)) / (after.total - before.total));
}

// ---------------------------------------------------------------------------------------------

function withTimeout(promise, timeoutMs, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The node flags a benched server starts with: those the extension starts it with
 * (server/node-flags.json), then BENCH_SERVER_NODE_ARGS. Shared with bench-plans.mjs.
 */
export function serverNodeArgs() {
  const launchFlags = JSON.parse(readFileSync(join(ROOT, 'server', 'node-flags.json'), 'utf8'));
  return [...launchFlags, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
}

const delay = (timeoutMs) => new Promise((r) => setTimeout(r, timeoutMs));

async function main() {
  installExitHandlers();
  const watchdogMs = Number(process.env.BENCH_TIMEOUT_MS) || 60_000;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${watchdogMs / 1000} s; giving up`);
    LspSession.killAll();
    process.exit(2);
  }, watchdogMs);

  const nodeArgs = serverNodeArgs();
  const dir = mkdtempSync(join(os.tmpdir(), 'query-lens-bench-'));
  tempDir = dir;
  let session;
  try {
    const sqlFixture = generateSqlFixture();
    const sqlPath = join(dir, 'bench.sql');
    writeFileSync(sqlPath, sqlFixture.text);

    const yardstickMs = await machineYardstickMs(sqlFixture.text);
    const loadAtStart = os.loadavg()[0];
    const cpuAtStart = cpuTimes();
    const started = performance.now();
    session = await LspSession.start({ nodeArgs });
    await delay(200); // let start-up garbage settle before the idle reading
    const afterStartup = session.memory();

    const documents = [];
    documents.push({
      ...(await benchDocument(session, {
        name: '.sql',
        languageId: 'sql',
        uriSuffix: '.sql',
        text: sqlFixture.text,
        editLine: sqlFixture.editLine,
        expectedErrorLines: sqlFixture.expectedErrors.map((e) => e.line),
        variant: (run) => {
          const fixture = generateSqlFixture({ seed: VARIANT_SEED + run });
          return { text: fixture.text, expectedErrorLines: fixture.expectedErrors.map((e) => e.line) };
        },
        dir,
      })),
      statements: sqlFixture.statements,
      memory: session.memory(),
    });
    // Each kind of document gets a server of its own, so that each memory figure is that of a
    // server working on that kind alone (a TypeScript document loads the TypeScript compiler).
    await session.stop();
    session = await LspSession.start({ nodeArgs });
    const tsFixture = generateTypescriptFixture();
    const tsPath = join(dir, 'bench.ts');
    writeFileSync(tsPath, tsFixture.text);
    documents.push({
      ...(await benchDocument(session, {
        name: '.ts',
        languageId: 'typescript',
        uriSuffix: '.ts',
        text: tsFixture.text,
        editLine: tsFixture.editLine,
        expectedErrorLines: tsFixture.expectedErrors.map((e) => e.line),
        variant: (run) => {
          const fixture = generateTypescriptFixture({ seed: VARIANT_SEED + run });
          return { text: fixture.text, expectedErrorLines: fixture.expectedErrors.map((e) => e.line) };
        },
        dir,
      })),
      queries: tsFixture.queries,
      memory: session.memory(),
    });
    const wallMs = performance.now() - started;
    const stolen = stealPercent(cpuAtStart, cpuTimes());

    const cpus = os.cpus();
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      loadAverage: os.loadavg().map((x) => round(x)),
      machine: { yardstickMs, stealPercent: stolen },
      server: { ...session.startup.server, path: relative(ROOT, SERVER), nodeArgs },
      settings: { ...BENCH_SETTINGS, note: 'answered via workspace/configuration; debounceMs 0 so the debounce is not counted' },
      fixtures: [
        { name: '.sql', path: sqlPath, lines: sqlFixture.lines, statements: sqlFixture.statements, bytes: Buffer.byteLength(sqlFixture.text), syntaxErrors: sqlFixture.expectedErrors.length },
        { name: '.ts', path: tsPath, lines: tsFixture.lines, queries: tsFixture.queries, bytes: Buffer.byteLength(tsFixture.text), syntaxErrors: tsFixture.expectedErrors.length },
      ],
      startup: { initializeMs: round(session.startup.initializeMs), readyMs: round(session.startup.readyMs) },
      documents,
      memory: { afterStartup },
      configurationRequests: session.configurationRequests,
      targets: TARGETS,
      reference: REFERENCE,
      wallMs: round(wallMs, 0),
    };
    await session.stop();

    console.log(`Query Lens language server bench — ${results.date}`);
    console.log(`node ${results.node}, ${results.cpu} (${results.cpuCount} CPUs), ${results.platform}, load average ${results.loadAverage[0]}`);
    if (loadAtStart > 0.5) {
      console.log(`note: load average was ${loadAtStart.toFixed(2)} at the start; other processes make these figures noisy`);
    }
    console.log(`machine yardstick: PostgreSQL's parser over the .sql fixture's statements takes ${ms(yardstickMs)} in this process (see machineYardstickMs)`);
    if (stolen !== undefined && stolen >= 5) {
      console.log(`note: the hypervisor took ${stolen}% of the CPU time during the bench (steal); these figures are slower and noisier for it`);
    }
    console.log(
      `fixture: ${sqlFixture.lines.toLocaleString('en-US')} lines, ${sqlFixture.statements} statements, ${Math.round(results.fixtures[0].bytes / 1024)} KB, ` +
        `${sqlFixture.expectedErrors.length} syntax errors, written to ${sqlPath}` +
        (process.env.BENCH_KEEP_FIXTURES ? '' : ' (removed at the end; BENCH_KEEP_FIXTURES=1 keeps it)'),
    );
    console.log(
      `settings: queryLens.debounceMs = 0, answered to workspace/configuration, so the debounce is not counted; ` +
        `each figure is from sending didOpen/didChange to receiving the publishDiagnostics for it, whose content is checked`,
    );
    console.log(
      `first diagnostics: ${documents[0].firstDiagnostics.runs} fresh uris after ${documents[0].firstDiagnostics.warmup} warm-up opens, each with a text of its own (the fixture from another seed) and closed after; ` +
        `edits: ${documents[0].edit.runs} incremental one-line didChanges on line ${documents[0].edit.line + 1} after ${documents[0].edit.warmup} warm-up edits`,
    );
    console.log('');
    printTable(results);
    console.log('');
    console.log('README (markdown):');
    console.log('');
    const markdown = markdownTable(results);
    console.log(markdown);
    results.markdown = markdown;

    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
    console.log('');
    console.log(`wrote ${relative(ROOT, RESULTS)} (${(wallMs / 1000).toFixed(1)} s)`);
  } finally {
    if (session) await session.stop();
    clearTimeout(watchdog);
    cleanUp();
  }
}

let tempDir;
/** Kills every server still running and removes the fixtures; runs on every way out. */
function cleanUp() {
  LspSession.killAll();
  if (tempDir && !process.env.BENCH_KEEP_FIXTURES) {
    rmSync(tempDir, { recursive: true, force: true });
    tempDir = undefined;
  }
}

function installExitHandlers() {
  process.on('exit', cleanUp);
  // vscode-jsonrpc leaves a rejected promise behind when a write to a server that has exited fails;
  // the exit itself is reported through LspSession, so those are not crashes of the bench.
  process.on('unhandledRejection', (error) => {
    if (error && (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED')) return;
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(signal, () => {
      console.error(`bench: ${signal}; stopping the server`);
      process.exit(128 + number); // the 'exit' handler kills the server
    });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    LspSession.killAll();
    process.exitCode = 1;
  });
}
