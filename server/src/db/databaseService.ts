/**
 * Which database plans come from, and its state over a session: the configured one, the
 * embedded one built from the workspace schema, or none (static analysis only, with the reason).
 * Connections are opened lazily, when the first query needs a plan; a connection that fails
 * degrades to static analysis with a one-line reason and is retried with a growing pause, and
 * at once on "Reconnect".
 */
import * as os from 'os';
import * as path from 'path';
import type { Settings } from '../settings';
import { ConnectionTarget, describeAddress, lookUpPassword, redactPasswords, resolveConnection, secretKey } from './connectionConfig';
// The driver (pg, ~15 MB once loaded) is loaded when the first plan is wanted, not with the server:
// with plans off, or in a workspace with no query to plan, it never is.
import type { Planner } from './planner';
import { RuntimeStatistics } from './runtimeStatistics';
import type { TableStats } from '../plan/insights';
import { findWorkspaceSchema } from './embedded/workspaceSchema';
import { EmbeddedDatabase, hasStoredDatabase, SchemaProblem, startEmbeddedDatabase } from './embedded/embeddedDatabase';

/** What the status bar shows of the database side. */
export interface DatabaseStatus {
  mode: 'connected' | 'embedded' | 'static' | 'connecting' | 'idle';
  /** `PostgreSQL 15.20 · appdb`, `embedded (schema from migrations/)`, `static only — connection refused at 127.0.0.1:5432`. */
  text: string;
  detail: string;
  /** Why plans are off, for `static`. */
  reason?: string;
}

export interface DatabaseServiceHost {
  log(line: string): void;
  /** The database side's state changed. */
  statusChanged(status: DatabaseStatus): void;
  /** Plans became available again, or the schema changed: every open document is planned anew. */
  replanAll(): void;
  /** The secret "Configure Connection" stored for `user@host:port/database`, if any. */
  askPassword(key: string): Promise<string | undefined>;
}

/** A database ready to plan against. */
export interface ActivePlanner {
  planner: Planner;
  /** The embedded database: its tables are empty, so costs are not the real ones. */
  embedded: boolean;
  /** `PostgreSQL 15.20 · appdb` or `embedded (schema from migrations/)`. */
  label: string;
  /** Changes whenever plans made before may no longer hold (new connection, DDL, Refresh Schema). */
  schemaVersion: number;
  /** User tables by `schema.name`, read once per schema version. */
  tables: Map<string, TableStats>;
  /** The schemas that have a function of each name, read with the tables. */
  routines: Map<string, string[]>;
  /** Run times measured by pg_stat_statements, when the database has it (never the embedded one). */
  statistics?: RuntimeStatistics;
}

/** The settings that decide which database is used; a change of any of them starts over. */
type DatabaseSettings = Pick<Settings, 'plans' | 'connection' | 'useEnvFile' | 'statementTimeoutMs' | 'schemaFiles' | 'embeddedIdleMinutes' | 'dialect'>;

const RETRY_FIRST_MS = 5_000;
/** How often a configured database's catalog is compared for changes made elsewhere. */
const SCHEMA_CHECK_MS = 5_000;
const RETRY_MAX_MS = 60_000;
/** Schema statements that did not load, listed in the status tooltip (all of them go to the log). */
const LISTED_SCHEMA_PROBLEMS = 10;
/** Real servers take several EXPLAINs at once; PGlite serves one connection. */
const MAX_CONNECTIONS = 4;

/** Plans are on and nothing is opened yet: the first query that needs a plan opens the database. */
const IDLE: DatabaseStatus = { mode: 'idle', text: 'no query planned yet', detail: 'No query has needed a plan yet: the database is opened for the first one.' };

export class DatabaseService {
  private settings: DatabaseSettings | undefined;
  private settingsKey = '';
  private active: ActivePlanner | undefined;
  private opening: Promise<ActivePlanner | undefined> | undefined;
  private embedded: EmbeddedDatabase | undefined;
  /** The hash of the schema the embedded database was built from. */
  private embeddedSchemaHash: string | undefined;
  private status: DatabaseStatus = IDLE;
  /** When a failed connection may be tried again (0: at once). */
  private retryAt = 0;
  private retryDelay = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private schemaVersion = 1;
  /** The catalog's fingerprint when last compared, and when (see noticeSchemaChanges). */
  private schemaFingerprint: string | undefined;
  private schemaCheckedAt = 0;
  private disposed = false;
  /** A plan was asked for before `configure` gave the settings: plan again once they come. */
  private askedBeforeConfigured = false;

  private readonly host: DatabaseServiceHost;

  constructor(
    host: DatabaseServiceHost,
    private readonly workspaceRoot: string | undefined,
    private readonly storagePath: string | undefined,
    private trusted: boolean,
  ) {
    // What is logged or shown of the database side may quote a URL or a driver's error.
    this.host = { ...host, log: (line) => host.log(redactPasswords(line)) };
  }

  get currentStatus(): DatabaseStatus {
    return this.status;
  }

  /** Takes the workspace's settings; a change of the database ones closes what is open. */
  configure(settings: Settings): void {
    const relevant: DatabaseSettings = {
      plans: settings.plans,
      connection: settings.connection,
      useEnvFile: settings.useEnvFile,
      statementTimeoutMs: settings.statementTimeoutMs,
      schemaFiles: settings.schemaFiles,
      embeddedIdleMinutes: settings.embeddedIdleMinutes,
      dialect: settings.dialect,
    };
    const key = JSON.stringify(relevant);
    if (key === this.settingsKey) {
      return;
    }
    const first = this.settings === undefined;
    this.settings = relevant;
    this.settingsKey = key;
    void this.closeAll().then(() => {
      this.retryAt = 0;
      this.retryDelay = RETRY_FIRST_MS;
      this.announceIdle();
      // At start-up, documents opened before the settings arrived were analysed without a
      // database (a restart re-opens every editor at once): they are planned now.
      if (!first || this.askedBeforeConfigured) {
        this.askedBeforeConfigured = false;
        this.host.replanAll();
      }
    });
  }

  setTrusted(trusted: boolean): void {
    if (trusted !== this.trusted) {
      this.trusted = trusted;
      this.retryAt = 0;
      this.announceIdle();
      this.host.replanAll();
    }
  }

  /** "Reconnect": close what is open and connect again now. */
  async reconnect(): Promise<void> {
    await this.closeAll();
    this.retryAt = 0;
    this.retryDelay = RETRY_FIRST_MS;
    this.announceIdle();
    await this.get();
    this.host.replanAll();
  }

  /**
   * "Refresh Schema", DDL typed into a document, or a saved schema file: plans and table
   * statistics are read again. The embedded database is rebuilt only when its schema files
   * changed on disk; `embeddedOnly` (a save) leaves a configured database alone, since saving a
   * migration does not apply it. Returns whether anything changed.
   */
  async refreshSchema(embeddedOnly = false): Promise<boolean> {
    if (this.embedded) {
      const schema = this.workspaceRoot && this.settings ? await findWorkspaceSchema(this.workspaceRoot, this.settings.schemaFiles) : undefined;
      if (schema?.hash === this.embeddedSchemaHash) {
        return false;
      }
      this.schemaVersion++;
      await this.closeAll();
    } else if (this.active && !embeddedOnly) {
      this.schemaVersion++;
      this.active = { ...this.active, schemaVersion: this.schemaVersion, ...(await this.readCatalog(this.active.planner)) };
    } else {
      return false;
    }
    this.host.replanAll();
    return true;
  }

  /**
   * The planner to use now, connecting or starting the embedded database when needed;
   * undefined means static analysis only (the status says why). With `startEmbedded: false`,
   * for work only a real database can answer (how its indexes are used), the embedded database
   * is not started for it.
   */
  async get(options: { startEmbedded?: boolean } = {}): Promise<ActivePlanner | undefined> {
    if (this.disposed || !this.settings) {
      this.askedBeforeConfigured ||= !this.disposed;
      return undefined;
    }
    if (this.active) {
      this.embedded?.touch();
      if (!this.active.embedded && Date.now() - this.schemaCheckedAt >= SCHEMA_CHECK_MS) {
        await this.noticeSchemaChanges(this.active);
      }
      return this.active;
    }
    if (Date.now() < this.retryAt || (options.startEmbedded === false && this.wouldStartEmbedded(this.settings))) {
      return undefined;
    }
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /**
   * A schema changed outside the editor (an index created by a migration or by hand, a column
   * added) makes the plans made before stale: the catalog's fingerprint is compared at most
   * every SCHEMA_CHECK_MS, and a change reads the statistics again under a new schema version,
   * as Refresh Schema would, so the next plan sees the new index without the user asking.
   */
  private async noticeSchemaChanges(active: ActivePlanner): Promise<void> {
    this.schemaCheckedAt = Date.now();
    const fingerprint = await active.planner.schemaFingerprint().catch(() => undefined);
    if (fingerprint === undefined) return;
    const before = this.schemaFingerprint;
    this.schemaFingerprint = fingerprint;
    if (before !== undefined && before !== fingerprint && this.active === active) {
      this.schemaVersion++;
      this.active = { ...active, schemaVersion: this.schemaVersion, ...(await this.readCatalog(active.planner)) };
      this.host.log('[database] the schema changed (a table, column or index created, altered or dropped): plans are made again');
    }
  }

  /** Whether opening now would start the embedded database rather than connect. */
  private wouldStartEmbedded(settings: DatabaseSettings): boolean {
    if (settings.plans === 'embedded') {
      return true;
    }
    try {
      return settings.plans !== 'connection' && resolveConnection(settings, this.workspaceRoot) === undefined;
    } catch {
      return false; // opening reports the broken setting
    }
  }

  /** A plan call found the connection gone: static analysis until it comes back. */
  connectionLost(reason: string): void {
    if (!this.active) {
      return;
    }
    const where = this.active.label;
    this.host.log(`[database] ${where}: ${reason}`);
    void this.closeAll();
    this.fail(reason);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    await this.closeAll();
  }

  private async open(): Promise<ActivePlanner | undefined> {
    const settings = this.settings!;
    if (this.announcePlansOff(settings)) {
      return undefined;
    }
    let target: ConnectionTarget | undefined;
    try {
      target = settings.plans === 'embedded' ? undefined : resolveConnection(settings, this.workspaceRoot);
    } catch (error) {
      return this.fail((error as Error).message);
    }
    if (target) {
      return this.connect(target, settings);
    }
    if (settings.plans === 'connection') {
      return this.fail('no database configured (queryLens.connection, DATABASE_URL or PG* variables)');
    }
    return this.startEmbedded(settings);
  }

  /** Why plans are off before anything is tried: '' for `plans: off`, a reason otherwise, undefined when they are on. */
  private staticReason(settings: DatabaseSettings): string | undefined {
    if (settings.plans === 'off') {
      return '';
    }
    if (settings.dialect !== 'postgresql') {
      return `plans need PostgreSQL (queryLens.dialect is ${settings.dialect})`;
    }
    if (!this.trusted) {
      return 'untrusted workspace';
    }
    return undefined;
  }

  private async connect(target: ConnectionTarget, settings: DatabaseSettings): Promise<ActivePlanner | undefined> {
    const where = describeAddress(target);
    this.setStatus({ mode: 'connecting', text: `connecting to ${where}…`, detail: `Connecting to ${target.database} at ${where} as ${target.user} (from ${target.source}).` });
    const { ConnectionFailure, Planner } = await import('./planner');
    try {
      const planner = await Planner.open(
        { ...target, password: () => lookUpPassword(target, () => this.host.askPassword(secretKey(target))) },
        { statementTimeoutMs: settings.statementTimeoutMs, maxConnections: MAX_CONNECTIONS },
      );
      if (this.settings !== settings || this.disposed) {
        await planner.close();
        return undefined;
      }
      if (!planner.facts.statStatements) {
        this.host.log(`pg_stat_statements is not installed in ${planner.facts.database}: measured run times are not shown (CREATE EXTENSION pg_stat_statements, with the library in shared_preload_libraries).`);
      }
      const statistics = planner.facts.statStatements ? new RuntimeStatistics(planner, (line) => this.host.log(line)) : undefined;
      // The catalog as these plans see it, for noticeSchemaChanges to compare with.
      this.schemaFingerprint = await planner.schemaFingerprint().catch(() => undefined);
      this.schemaCheckedAt = Date.now();
      this.active = { planner, embedded: false, label: planner.label, schemaVersion: ++this.schemaVersion, ...(await this.readCatalog(planner)), statistics };
      this.retryDelay = RETRY_FIRST_MS;
      this.setStatus({
        mode: 'connected',
        text: planner.label,
        detail:
          `Plans from PostgreSQL ${planner.facts.version}, database ${planner.facts.database} at ${where} as ${target.user} (from ${target.source}). ` +
          `Only EXPLAIN and catalog reads run, in read-only sessions with a ${settings.statementTimeoutMs} ms statement timeout.`,
      });
      return this.active;
    } catch (error) {
      const reason = error instanceof ConnectionFailure ? error.message : `could not connect to ${where}: ${String(error)}`;
      return this.fail(reason);
    }
  }

  private async startEmbedded(settings: DatabaseSettings): Promise<ActivePlanner | undefined> {
    if (!this.workspaceRoot) {
      return this.fail('no database configured and no workspace folder to find a schema in');
    }
    const schema = await findWorkspaceSchema(this.workspaceRoot, settings.schemaFiles);
    if (!schema) {
      return this.fail('no database configured, and no schema file found (queryLens.schemaFiles) nor any .sql file that creates a table', false);
    }
    const label = `embedded (schema from ${schema.label})`;
    const foundBy =
      schema.foundBy === 'createTable' ? ` No file matches queryLens.schemaFiles: ${schema.files.length === 1 ? "this is the workspace's .sql file that creates tables" : "these are the workspace's .sql files that create tables"}.` : '';
    if (foundBy) {
      this.host.log(`[embedded]${foundBy}`);
    }
    const storageDir = this.storagePath ?? path.join(os.homedir(), '.cache', 'query-lens');
    // The first start for a schema builds a data directory (seconds); later ones reopen it.
    this.setStatus(
      hasStoredDatabase(storageDir, schema.hash)
        ? { mode: 'connecting', text: `starting ${label}…`, detail: `Starting an embedded PostgreSQL built from ${schema.files.length} schema file(s) in ${schema.label}.` }
        : {
            mode: 'connecting',
            text: `building ${label}…`,
            detail: `Building an embedded PostgreSQL from ${schema.files.length} schema file(s) in ${schema.label}: the first time for this schema takes several seconds; later starts reopen it.`,
          },
    );
    let embedded: EmbeddedDatabase | undefined;
    try {
      embedded = await startEmbeddedDatabase({
        schema,
        storageDir,
        idleMs: settings.embeddedIdleMinutes * 60_000,
        // PGlite ignores statement_timeout and cancel requests: a statement that runs past the
        // timeout is ended by stopping the process (it reopens in about 0.3 s).
        unresponsiveMs: settings.statementTimeoutMs + 5000,
        log: (line) => this.host.log(`[embedded] ${line}`),
      });
      const { Planner } = await import('./planner');
      const planner = await Planner.open(
        { host: embedded.host, port: embedded.port, database: embedded.database, user: embedded.user },
        { statementTimeoutMs: settings.statementTimeoutMs, maxConnections: 1, embedded: true },
      );
      if (this.settings !== settings || this.disposed) {
        await planner.close();
        await embedded.close();
        return undefined;
      }
      const started = embedded;
      this.embedded = started;
      this.embeddedSchemaHash = schema.hash;
      started.onExit((reason) => {
        if (this.embedded !== started) {
          return;
        }
        this.host.log(`[embedded] stopped: ${reason}`);
        const wasActive = this.active;
        this.embedded = undefined;
        this.active = undefined;
        void wasActive?.planner.close();
        if (reason === 'idle') {
          // Stopped to save memory: it starts again when a query needs a plan.
          this.setStatus({ ...this.status, detail: `${this.status.detail} Stopped while idle; it starts again when needed.` });
        } else {
          this.fail(`the embedded database stopped (${reason})`);
        }
      });
      this.active = { planner, embedded: true, label, schemaVersion: ++this.schemaVersion, ...(await this.readCatalog(planner)) };
      const problems = embedded.schemaProblems;
      const root = this.workspaceRoot;
      const describe = (problem: SchemaProblem): string => `${path.relative(root, problem.file).split(path.sep).join('/')}:${problem.line}:${problem.column}: ${problem.message}`;
      for (const problem of problems) {
        this.host.log(`[embedded] ${describe(problem)} (not loaded)`);
      }
      const listed = problems.slice(0, LISTED_SCHEMA_PROBLEMS).map(describe);
      if (problems.length > listed.length) {
        listed.push(`… and ${problems.length - listed.length} more in the log`);
      }
      this.setStatus({
        mode: 'embedded',
        text: label,
        detail:
          `Plans from an embedded PostgreSQL ${embedded.serverVersion} built from ${schema.files.length} file(s) in ${schema.label}` +
          ` (${embedded.reopened ? 'reopened' : 'built'} in ${Math.round(embedded.startupMs)} ms).${foundBy} Its tables are empty: plans show their shape, not real costs.` +
          (problems.length > 0 ? `\n${problems.length} schema statement(s) did not load:\n${listed.join('\n')}` : ''),
      });
      return this.active;
    } catch (error) {
      await embedded?.close().catch(() => undefined);
      return this.fail(`the embedded database could not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  /** The tables and the function names of the database: one catalog read each, per schema version. */
  private async readCatalog(planner: Planner): Promise<{ tables: Map<string, TableStats>; routines: Map<string, string[]> }> {
    let tables = new Map<string, TableStats>();
    let routines = new Map<string, string[]>();
    try {
      tables = new Map((await planner.tables()).map((table) => [`${table.schema}.${table.name}`, table]));
    } catch (error) {
      this.host.log(`[database] could not read the table statistics: ${String(error)}`);
    }
    try {
      routines = await planner.routineSchemas();
    } catch (error) {
      this.host.log(`[database] could not read the function names: ${String(error)}`);
    }
    return { tables, routines };
  }

  /** Static analysis only, for `reason`; connecting is tried again later unless `retry` is false. */
  private fail(reason: string, retry = true): undefined {
    this.setStatus({ mode: 'static', text: `static only — ${reason}`, detail: `No plans: ${reason}. Static analysis goes on; Query Lens tries again${retry ? ' shortly' : ' after "Reconnect"'}.`, reason });
    clearTimeout(this.retryTimer);
    if (retry) {
      this.retryAt = Date.now() + this.retryDelay;
      // Plans come back by themselves when the database does: try again, less often each time.
      this.retryTimer = setTimeout(() => {
        void this.get().then((active) => active && this.host.replanAll());
      }, this.retryDelay);
      this.retryTimer.unref();
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    } else {
      this.retryAt = Number.MAX_SAFE_INTEGER;
    }
    return undefined;
  }

  /**
   * Before anything is opened: says when plans are off, and why; otherwise that the database
   * waits for a query (it is opened on first need), never "static only", which would read as a
   * failure in the moment before a start-up's first plan.
   */
  private announceIdle(): void {
    // A query may have opened the database while the old one was closing (an embedded one takes
    // a while): its status stands.
    if (this.settings && !this.announcePlansOff(this.settings) && !this.active && !this.opening) {
      this.setStatus(IDLE);
    }
  }

  /** When plans are off for these settings, says so in the status and returns true. */
  private announcePlansOff(settings: DatabaseSettings): boolean {
    const off = this.staticReason(settings);
    if (off === undefined) {
      return false;
    }
    this.setStatus({ mode: 'static', text: off ? `static only — ${off}` : 'static only', detail: off ? `Plans are off: ${off}.` : 'Plans are off (queryLens.plans is "off").', reason: off || undefined });
    return true;
  }

  private setStatus(shown: DatabaseStatus): void {
    const status: DatabaseStatus = {
      ...shown,
      text: redactPasswords(shown.text),
      detail: redactPasswords(shown.detail),
      ...(shown.reason !== undefined ? { reason: redactPasswords(shown.reason) } : {}),
    };
    if (status.text !== this.status.text || status.detail !== this.status.detail) {
      this.status = status;
      this.host.statusChanged(status);
    }
  }

  private async closeAll(): Promise<void> {
    clearTimeout(this.retryTimer);
    const active = this.active;
    const embedded = this.embedded;
    this.active = undefined;
    this.embedded = undefined;
    await active?.planner.close();
    await embedded?.close().catch(() => undefined);
  }
}
