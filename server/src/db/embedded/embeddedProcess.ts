/**
 * The embedded database's own process (bundled as `dist/embeddedDb.js`, forked by
 * embeddedDatabase.ts): PGlite, PostgreSQL compiled to WebAssembly, on a data directory, served
 * over TCP on 127.0.0.1 by pglite-socket so the language server talks to it with `pg` like any
 * PostgreSQL. It lives apart from the language server (a 120 MB budget) because PGlite needs
 * 250–820 MB.
 *
 * One request per process, from the parent over IPC: `build` (load the schema into a new data
 * directory, then exit) or `serve` (open a built one and answer until `close`). A build runs in a
 * process of its own because the memory initdb and loading take stays with the process: measured
 * on examples/db/schema.sql, a build peaks at 740–820 MB, a fresh process serving the directory it
 * left holds 250 MB (reopening in the same process: about 460 MB).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Extension, PGliteOptions } from '@electric-sql/pglite';
// Required, not imported: esbuild then bundles the packages' CommonJS builds, which find PGlite's
// files from `__filename`; their ES module builds use `import.meta.url`, which a CommonJS bundle lacks.
import pglite = require('@electric-sql/pglite');
import pgliteSocket = require('@electric-sql/pglite-socket');
import { BUILD_INFO_FILE, BuildInfo, BuildRequest, ChildMessage, isProcessAlive, LoadProblem, ParentMessage, pruneInitialisedDirectories, ServeRequest } from './processMessages';
import type { SqlStatement } from '../../extract/sqlSplitter';
import { classifySchemaStatement, createdExtension, errorOffset, lineColumnAt, mayLoadAfterOthers, schemaStatements } from './schemaStatements';
import { schemaHash, SCHEMA_FORMAT_VERSION } from './workspaceSchema';

/**
 * Connections the socket server accepts at once. PGlite is one backend: pglite-socket queues
 * every message through it, so more connections add no speed and share one session. One is what
 * the caller should use; the spare ones let a client reconnect before the server has noticed that
 * its previous connection closed (with a limit of one, about half of immediate reconnects are
 * refused with a bare "Too many connections").
 */
const MAX_CONNECTIONS = 4;

/**
 * The schema's problems kept (the first ones): a schema in another dialect fails on every
 * statement, and one line per statement would drown the log. All failures are counted.
 */
const MAX_PROBLEMS = 500;

/** Extensions whose bundle is named otherwise (PGlite's `spi` holds four), and extensions that need another one. */
const EXTENSION_BUNDLES: Record<string, string> = { moddatetime: 'spi', autoinc: 'spi', insert_username: 'spi', refint: 'spi' };
const EXTENSION_REQUIRES: Record<string, string[]> = { earthdistance: ['cube'] };

/** Resolves once the message is handed to the IPC channel (so exiting after it loses nothing). */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, undefined, () => resolve());
  });
}

function log(line: string): void {
  void send({ type: 'log', line });
}

/**
 * Where PGlite's extension bundles are: `pglite-extensions/` beside this bundle (scripts/bundle.mjs
 * copies them there; the .vsix has no node_modules), or PGlite's own folder when running from
 * sources. PGlite finds its WebAssembly and file system image itself, beside the module that
 * loads it: `dist/` for the bundle, where scripts/bundle.mjs copies them.
 */
function extensionBundlesDir(): string {
  const besideBundle = path.join(__dirname, 'pglite-extensions');
  // Through a variable: only the unbundled process resolves PGlite's folder (esbuild would warn).
  const resolveModule: (id: string) => string = require.resolve;
  return fs.existsSync(besideBundle) ? besideBundle : path.dirname(resolveModule('@electric-sql/pglite'));
}

/** The extension bundles available here, by extension name (`uuid-ossp` → its `.tar.gz`). */
function availableExtensionBundles(): Map<string, string> {
  const dir = extensionBundlesDir();
  const bundles = new Map<string, string>();
  for (const file of fs.readdirSync(dir)) {
    if (file.endsWith('.tar.gz')) {
      bundles.set(file.slice(0, -'.tar.gz'.length), path.join(dir, file));
    }
  }
  for (const [extension, bundle] of Object.entries(EXTENSION_BUNDLES)) {
    const file = bundles.get(bundle);
    if (file) {
      bundles.set(extension, file);
    }
  }
  return bundles;
}

/** PGlite's options for a data directory, with the extension bundles named. */
function pgliteOptions(dataDir: string, extensions: readonly string[]): PGliteOptions {
  const bundles = availableExtensionBundles();
  const loaded: Record<string, Extension> = {};
  for (const name of extensions) {
    const file = bundles.get(name);
    if (file) {
      const bundlePath = pathToFileURL(file);
      // PGlite installs the bundle's files; the schema's CREATE EXTENSION does the rest.
      loaded[name.replace(/[^a-zA-Z0-9_]/g, '_')] = { name, setup: async () => ({ bundlePath }) };
    }
  }
  return { dataDir, extensions: loaded };
}

/** The extensions the schema creates that PGlite has a bundle for, with the ones they require. */
function extensionsToLoad(requested: Iterable<string>): string[] {
  const bundles = availableExtensionBundles();
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (bundles.has(name) && !wanted.has(name)) {
      wanted.add(name);
      (EXTENSION_REQUIRES[name] ?? []).forEach(add);
    }
  };
  for (const name of requested) {
    add(name);
  }
  return [...wanted].sort();
}

interface SchemaFile {
  path: string;
  relativePath: string;
  text: string;
  contents: Buffer;
}

async function readSchema(request: BuildRequest): Promise<SchemaFile[]> {
  return Promise.all(
    request.files.map(async (file) => {
      const contents = await fs.promises.readFile(file);
      // Editors hide a byte order mark: positions are counted without it.
      const text = contents.toString('utf8').replace(/^\uFEFF/, '');
      return { path: file, relativePath: path.relative(request.root, file).split(path.sep).join('/'), text, contents };
    }),
  );
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Loads the schema into a new data directory, statement by statement: a statement that fails is
 * reported with its place in the file and skipped, and loading goes on. A statement that needs
 * something not created yet (mayLoadAfterOthers) is tried again after the others, in rounds,
 * until a round loads none: what the schema creates loads whatever its files are called. A role
 * the schema grants to or hands ownership to is created (NOLOGIN) the first time PostgreSQL says
 * it does not exist.
 */
async function build(request: BuildRequest): Promise<void> {
  const started = performance.now();
  const files = await readSchema(request);
  const hash = schemaHash(files.map((file) => ({ relativePath: file.relativePath, contents: file.contents })));
  if (hash !== request.hash) {
    throw new Error('the schema files changed while the embedded database was being built; it is built again on the next use');
  }
  const parsed = files.map((file) => ({ file, statements: schemaStatements(file.text) }));
  const requested = parsed.flatMap(({ statements }) => statements.map((statement) => createdExtension(statement.text)).filter((name): name is string => name !== undefined));
  const extensions = extensionsToLoad(requested);

  const buildDir = request.inPlace ? request.dataDir : `${request.dataDir}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(buildDir), { recursive: true });
  try {
    await buildInto(buildDir, request, hash, parsed, extensions, started);
  } catch (error) {
    fs.rmSync(buildDir, { recursive: true, force: true });
    throw error;
  }
}

/** Marks a kept initialised data directory as complete; not copied into the builds. */
const INITDB_MARKER = 'query-lens-initdb.json';

/**
 * PGlite's own files (PostgreSQL as WebAssembly, initdb, the file system image): a key that
 * changes with them, so a data directory initialised by one PGlite is never the start of another's
 * build. Undefined when they are not where PGlite loads them from.
 */
function pgliteFilesKey(): string | undefined {
  const resolveModule: (id: string) => string = require.resolve;
  const dir = fs.existsSync(path.join(__dirname, 'pglite.wasm')) ? __dirname : path.dirname(resolveModule('@electric-sql/pglite'));
  const hash = createHash('sha256');
  try {
    for (const file of ['pglite.wasm', 'initdb.wasm', 'pglite.data']) {
      const stat = fs.statSync(path.join(dir, file));
      hash.update(`${file} ${stat.size} ${stat.mtimeMs}\n`);
    }
  } catch {
    return undefined;
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The data directory initdb makes, before any schema statement, kept in `initdbDir/<key>/` and made
 * there the first time. PGlite's initdb takes about 4 s of a build (it starts a second PostgreSQL
 * to run it, 740 MB); copying its 40 MB takes about 0.2 s and opening the copy 0.6 s, so every
 * build after the first (each schema change saved) starts from a copy. Another PGlite's ones, and
 * what a process that died while making one left, are removed. Undefined when none can be kept.
 */
async function initialisedDataDirectory(initdbDir: string): Promise<string | undefined> {
  const key = pgliteFilesKey();
  if (!key) {
    return undefined;
  }
  const kept = path.join(initdbDir, key);
  if (!fs.existsSync(path.join(kept, INITDB_MARKER))) {
    const temporary = `${kept}.tmp-${process.pid}-${Date.now()}`;
    try {
      fs.mkdirSync(initdbDir, { recursive: true });
      const started = performance.now();
      const db = await pglite.PGlite.create({ dataDir: temporary });
      await db.close();
      log(`initialised a data directory in ${Math.round(performance.now() - started)} ms, kept for the builds after this one`);
      fs.writeFileSync(path.join(temporary, INITDB_MARKER), JSON.stringify({ key }));
      try {
        fs.renameSync(temporary, kept);
      } catch (error) {
        // Another build made the same one meanwhile: its directory is as good as ours.
        if (!fs.existsSync(path.join(kept, INITDB_MARKER))) {
          throw error;
        }
        fs.rmSync(temporary, { recursive: true, force: true });
      }
    } catch (error) {
      fs.rmSync(temporary, { recursive: true, force: true });
      log(`could not keep an initialised data directory in ${initdbDir}: ${(error as Error).message}`);
      return undefined;
    }
  }
  pruneInitialisedDirectories(initdbDir, key);
  return kept;
}

/**
 * PGlite on a new data directory: a copy of the kept initialised one (initialisedDataDirectory),
 * or, without one or when the copy does not open, initdb's work done here.
 */
async function openNewDataDirectory(buildDir: string, extensions: string[], initdbDir: string | undefined, started: number): Promise<pglite.PGlite> {
  const initialised = initdbDir ? await initialisedDataDirectory(initdbDir) : undefined;
  if (initialised) {
    try {
      fs.cpSync(initialised, buildDir, { recursive: true, filter: (source) => path.basename(source) !== INITDB_MARKER });
      const db = await pglite.PGlite.create(pgliteOptions(buildDir, extensions));
      log(`opened a copy of the initialised data directory in ${Math.round(performance.now() - started)} ms`);
      return db;
    } catch (error) {
      log(`the initialised data directory ${initialised} would not open (${(error as Error).message}): initialising this one`);
      fs.rmSync(initialised, { recursive: true, force: true });
      fs.rmSync(buildDir, { recursive: true, force: true });
    }
  }
  const db = await pglite.PGlite.create(pgliteOptions(buildDir, extensions));
  log(`initialised a data directory in ${Math.round(performance.now() - started)} ms`);
  return db;
}

/** What PostgreSQL says of a statement that failed. */
interface StatementError {
  code?: string;
  message?: string;
  position?: string;
}

/** A setting the session had changed (`SET search_path …`, a dump's `set_config`) when a statement ran. */
interface SessionSetting {
  name: string;
  setting: string;
}

/** A statement that failed for want of something not created yet, kept to be tried again. */
interface WaitingStatement {
  fileIndex: number;
  file: SchemaFile;
  statement: SqlStatement;
  /** The session it first ran in: tried again in the same one, as its file set it up. */
  session: SessionSetting[];
  error: StatementError;
}

/**
 * Runs one statement; resolves with PostgreSQL's error when it fails. A role it names that does
 * not exist is created (NOLOGIN, added to `rolesCreated`) and the statement run again.
 */
async function runStatement(db: pglite.PGlite, text: string, rolesCreated: string[]): Promise<StatementError | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.exec(text);
      return undefined;
    } catch (error) {
      const e = error as StatementError;
      const missingRole = e.code === '42704' ? /^role "((?:[^"]|"")+)" does not exist$/.exec(e.message ?? '') : null;
      if (!missingRole || attempt >= 5) {
        return { code: e.code, message: e.message ?? String(error), position: e.position };
      }
      const role = missingRole[1];
      try {
        await db.exec(`CREATE ROLE ${quoteIdentifier(role)} NOLOGIN`);
        rolesCreated.push(role);
      } catch {
        return { code: e.code, message: e.message ?? String(error), position: e.position };
      }
    }
  }
}

/** The settings this session changed from the server's (what `RESET ALL` would undo). */
async function sessionSettings(db: pglite.PGlite): Promise<SessionSetting[]> {
  return (await db.query<SessionSetting>("SELECT name, setting FROM pg_settings WHERE source = 'session' ORDER BY name")).rows;
}

/** Puts the session back as it was when a statement first ran. */
async function restoreSession(db: pglite.PGlite, settings: readonly SessionSetting[]): Promise<void> {
  await db.exec('RESET ALL');
  for (const { name, setting } of settings) {
    // A setting that cannot be set again (read-only in this session) leaves the server's value.
    await db.query('SELECT set_config($1, $2, false)', [name, setting]).catch(() => undefined);
  }
}

async function buildInto(
  buildDir: string,
  request: BuildRequest,
  hash: string,
  parsed: { file: SchemaFile; statements: SqlStatement[] }[],
  extensions: string[],
  started: number,
): Promise<void> {
  const db = await openNewDataDirectory(buildDir, extensions, request.initdbDir, started);
  const version = String((await db.query<{ version: string }>('SELECT version()')).rows[0].version);

  const failures: { fileIndex: number; file: SchemaFile; statement: SqlStatement; error: StatementError }[] = [];
  const counts = { total: 0, loaded: 0, failed: 0, skipped: 0 };
  const skippedBy = new Map<string, number>();
  const rolesCreated: string[] = [];
  let waiting: WaitingStatement[] = [];
  // The session's settings, read when a statement is first kept waiting; a statement that ran
  // may have changed them, one that failed did not (PostgreSQL rolled it back).
  let session: SessionSetting[] | undefined;
  for (const [fileIndex, { file, statements }] of parsed.entries()) {
    if (fileIndex > 0) {
      // Each file starts in a fresh session, as with one psql run per file: a dump's
      // `set_config('search_path', '', false)` must not reach the migrations after it.
      await db.exec('RESET ALL');
      session = undefined;
    }
    let failedHere = 0;
    let waitingHere = 0;
    for (const statement of statements) {
      counts.total++;
      const action = classifySchemaStatement(statement.text);
      if (!action.run) {
        counts.skipped++;
        skippedBy.set(action.reason, (skippedBy.get(action.reason) ?? 0) + 1);
        continue;
      }
      const error = await runStatement(db, statement.text, rolesCreated);
      if (!error) {
        counts.loaded++;
        session = undefined;
      } else if (mayLoadAfterOthers(statement.text, error.code)) {
        session ??= await sessionSettings(db);
        waiting.push({ fileIndex, file, statement, session, error });
        waitingHere++;
      } else {
        failures.push({ fileIndex, file, statement, error });
        failedHere++;
      }
    }
    const outcome = [failedHere > 0 ? `${failedHere} failed` : '', waitingHere > 0 ? `${waitingHere} to try again after the rest` : ''].filter(Boolean);
    log(`loaded ${file.relativePath}: ${statements.length} statement(s)${outcome.length > 0 ? `, ${outcome.join(', ')}` : ''}`);
  }

  // The statements that needed something not created yet, in their order, until a round loads none.
  const firstWaiting = waiting.length;
  let rounds = 0;
  let sessionNow: string | undefined; // unknown: the last file's
  while (waiting.length > 0) {
    rounds++;
    const stillWaiting: WaitingStatement[] = [];
    let loadedThisRound = 0;
    for (const item of waiting) {
      const session = JSON.stringify(item.session);
      if (session !== sessionNow) {
        await restoreSession(db, item.session);
        sessionNow = session;
      }
      const error = await runStatement(db, item.statement.text, rolesCreated);
      if (!error) {
        counts.loaded++;
        loadedThisRound++;
      } else if (mayLoadAfterOthers(item.statement.text, error.code)) {
        stillWaiting.push({ ...item, error });
      } else {
        failures.push({ ...item, error });
      }
    }
    waiting = stillWaiting;
    if (loadedThisRound === 0) {
      break;
    }
  }
  failures.push(...waiting);
  if (firstWaiting > 0) {
    log(`tried again ${firstWaiting} statement(s) that needed what a later one creates, in ${rounds} round(s): ${firstWaiting - waiting.length} loaded${waiting.length > 0 ? `, ${waiting.length} never did` : ''}`);
  }

  // Reported in file order, whichever round gave up on them.
  failures.sort((a, b) => a.fileIndex - b.fileIndex || a.statement.start - b.statement.start);
  counts.failed = failures.length;
  const problems: LoadProblem[] = failures.slice(0, MAX_PROBLEMS).map(({ file, statement, error }) => {
    const at = lineColumnAt(file.text, errorOffset(statement, error.position));
    return { relativePath: file.relativePath, line: at.line, column: at.column, message: error.message ?? 'failed', code: error.code };
  });
  if (skippedBy.size > 0) {
    log(`skipped ${[...skippedBy].map(([reason, n]) => `${n} ${reason}`).join(', ')} statement(s): the embedded tables stay empty`);
  }
  if (rolesCreated.length > 0) {
    log(`created the role(s) the schema refers to: ${rolesCreated.join(', ')}`);
  }
  if (extensions.length > 0) {
    log(`extensions loaded: ${extensions.join(', ')}`);
  }

  const info: BuildInfo = {
    formatVersion: SCHEMA_FORMAT_VERSION,
    hash,
    version,
    problems,
    extensions,
    statements: counts,
    buildMs: Math.round(performance.now() - started),
  };
  await db.close();
  // Written last, after PGlite flushed: its presence says the directory is complete.
  fs.writeFileSync(path.join(buildDir, BUILD_INFO_FILE), JSON.stringify(info, null, 1));
  if (!request.inPlace) {
    try {
      fs.renameSync(buildDir, request.dataDir);
    } catch (error) {
      // Another process built the same schema meanwhile: its directory is as good as ours.
      if (!fs.existsSync(path.join(request.dataDir, BUILD_INFO_FILE))) {
        throw error;
      }
      fs.rmSync(buildDir, { recursive: true, force: true });
    }
  }
  await send({ type: 'built', info, peakMemoryMb: Math.round(process.resourceUsage().maxRSS / 1024) });
}

/**
 * Takes the data directory's lock file (our pid in it), or says which live process holds it. A
 * lock left by a process that died is taken over.
 */
function acquireLock(lockFile: string): { acquired: true } | { acquired: false; pid: number } {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return { acquired: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    let owner = NaN;
    let age = 0;
    try {
      owner = Number(fs.readFileSync(lockFile, 'utf8').trim());
      age = Date.now() - fs.statSync(lockFile).mtimeMs;
    } catch {
      continue; // released meanwhile: try again
    }
    // An empty file is a lock being written right now.
    if ((Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) || (!(owner > 0) && age < 5000)) {
      return { acquired: false, pid: owner };
    }
    fs.rmSync(lockFile, { force: true });
  }
  return { acquired: false, pid: NaN };
}

function releaseLock(lockFile: string | undefined): void {
  if (!lockFile) {
    return;
  }
  try {
    if (fs.readFileSync(lockFile, 'utf8').trim() === String(process.pid)) {
      fs.rmSync(lockFile, { force: true });
    }
  } catch {
    // already gone
  }
}

let closing: (() => Promise<void>) | undefined;

/** Opens a built data directory and serves it until `close` (or until the parent goes away). */
async function serve(request: ServeRequest): Promise<void> {
  const started = performance.now();
  if (request.lockFile) {
    const lock = acquireLock(request.lockFile);
    if (!lock.acquired) {
      await send({ type: 'busy', pid: lock.pid });
      process.exit(0);
    }
  }
  let info: BuildInfo;
  try {
    info = JSON.parse(fs.readFileSync(path.join(request.dataDir, BUILD_INFO_FILE), 'utf8')) as BuildInfo;
  } catch (error) {
    releaseLock(request.lockFile);
    await send({ type: 'failed', message: `the data directory is incomplete: ${(error as Error).message}`, unusable: true });
    process.exit(1);
  }
  let db: pglite.PGlite;
  let serverVersion: string;
  try {
    db = await pglite.PGlite.create(pgliteOptions(request.dataDir, info.extensions));
    serverVersion = String((await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v);
  } catch (error) {
    releaseLock(request.lockFile);
    await send({ type: 'failed', message: `the data directory would not open: ${(error as Error).message}`, unusable: true });
    process.exit(1);
  }
  const server = new pgliteSocket.PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  // Marks the directory as recently used, for the parent's clean-up of old ones.
  const now = new Date();
  fs.promises.utimes(path.join(request.dataDir, BUILD_INFO_FILE), now, now).catch(() => undefined);

  closing = async () => {
    await server.stop().catch(() => undefined);
    // PGlite writes its buffers back to the data directory on close.
    await db.close().catch((error: Error) => log(`closing PGlite: ${error.message}`));
    releaseLock(request.lockFile);
    if (request.removeOnClose) {
      fs.rmSync(request.dataDir, { recursive: true, force: true });
    }
  };
  await send({ type: 'ready', port, serverVersion, info, openMs: Math.round(performance.now() - started), memoryMb: Math.round(process.memoryUsage().rss / 1024 / 1024) });
}

let shuttingDown: Promise<never> | undefined;

/** Closes what is open (once, whoever asks first: the parent, a signal, a failure) and exits. */
function shutDown(code: number): Promise<never> {
  shuttingDown ??= (async () => {
    await closing?.();
    process.exit(code);
  })();
  return shuttingDown;
}

let requestSeen = false;
process.on('message', (raw: unknown) => {
  const message = raw as ParentMessage;
  switch (message.type) {
    case 'ping':
      void send({ type: 'pong', id: message.id });
      return;
    case 'close':
      void shutDown(0);
      return;
    case 'build':
    case 'serve':
      if (requestSeen) {
        return;
      }
      requestSeen = true;
      (message.type === 'build' ? build(message) : serve(message)).then(
        () => {
          if (message.type === 'build') {
            process.exit(0); // `built` was sent
          }
        },
        async (error: unknown) => {
          await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
          await shutDown(1);
        },
      );
      return;
  }
});

// The language server went away (crash, reload): close PGlite so the data directory stays clean.
process.on('disconnect', () => void shutDown(0));
process.on('SIGTERM', () => void shutDown(0));
process.on('SIGINT', () => void shutDown(0));
process.on('uncaughtException', (error) => {
  void send({ type: 'failed', message: `the embedded database failed: ${error.message}` }).then(() => shutDown(1));
});
