/**
 * The Query Lens language server: LSP wiring only. It keeps the open documents, pulls each
 * document's settings, runs the analysis after a short pause in typing, and publishes the
 * findings as diagnostics. Runs in plain Node (no `vscode` import), over IPC from the extension
 * or over stdio from any other editor and from the tests.
 */
import './v8Flags';
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  CodeLens,
  CodeLensParams,
  CodeLensRefreshRequest,
  CompletionItem,
  CompletionItemKind,
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  Hover,
  MarkupKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisResult, CODES, DocumentAnalysis, Finding, Severity, engineDescription } from './analyze/analyzeDocument';
import { dialectLabel, initParsers } from './analyze/parse';
import { DocumentKind, documentKindOfLanguage, documentKindOfPath, languageIdOfPath, ParameterisationFix, type ParameterisationOffer } from './extract/query';
import { forgetDocument } from './extract/extractQueries';
import { summariseQueryFile } from './extract/queryFiles';
import { DatabaseService, DatabaseStatus, type ActivePlanner } from './db/databaseService';
import { PlanCache, planDocument, planKeyOf, type IndexAdvice, type PlannedQuery } from './db/planDocument';
import { candidatesOf, createIndexTitle, indexMigration, indexStatementsOf } from './advise/indexQuickFix';
import { describeIndexes } from './advise/verifyIndex';
import { formatCount } from './text/numbers';
import { formatDuration } from './db/runtimeStatistics';
import { listProjectFiles } from './db/embedded/workspaceSchema';
import { documentRole, type DocumentRole } from './analyze/documentRole';
import { mappedConnection } from './db/connectionMap';
import {
  ExplainAnalyzeRequest,
  ExplainAnalyzeTargetRequest,
  InitializationOptions,
  PasswordRequest,
  PlanRequest,
  QueryFilesRequest,
  type QueryFile,
  ReadPlanRequest,
  PlanResult,
  ReconnectRequest,
  RefreshSchemaRequest,
  StatusNotification,
  WorkspaceTrustedNotification,
} from './protocol';
import { DEFAULT_SETTINGS, normaliseSettings, Settings } from './settings';
import { parseStatement } from './analyze/parse';
import { highestParameter } from './analyze/statementInfo';
import { planFromExplainJson, readSavedPlan, renderPlanText } from './plan/planModel';
import { planReport } from './plan/planReport';
import { schemaCompletions, tableAt, tableHover } from './schemaHelp/schemaHelp';
import type { TableStats } from './plan/insights';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let clientPullsConfiguration = false;
let clientWatchesConfiguration = false;
let clientRefreshesCodeLenses = false;
/** Whether the client asks for a code action's edit with `codeAction/resolve` (VS Code does). */
let clientResolvesCodeActionEdits = false;
/** The first workspace folder: where the database settings are read and the schema is found. */
let workspaceRootUri: string | undefined;
let database: DatabaseService | undefined;
const planCache = new PlanCache();
/** The workspace folders' paths: a document's place in the project (a migration, a folder `queryLens.connections` maps). */
let workspaceFolderPaths: string[] = [];
let storagePath: string | undefined;
let trusted = true;

/**
 * The databases of `queryLens.connections` other than the workspace's own, by their connection
 * setting: started when a document mapped to one is first planned, each with its plan cache.
 */
const otherDatabases = new Map<string, { service: DatabaseService; cache: PlanCache; label: string }>();

/** A document's path relative to the workspace folder that holds it (`/` separators), if any does. */
function projectPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  const file = fileURLToPath(uri);
  for (const folder of workspaceFolderPaths) {
    const relative = path.relative(folder, file);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return undefined;
}

/** Whether a migration or one-off script (see analyze/documentRole.ts). */
function roleOf(uri: string, settings: Settings): DocumentRole {
  return documentRole(projectPathOf(uri), settings);
}

/**
 * The database a document's queries run against: the first entry of `queryLens.connections`
 * whose glob (or folder) holds it, else the workspace's own.
 */
function databaseFor(uri: string, settings: Settings): { service: DatabaseService; cache: PlanCache } | undefined {
  const mapped = mappedConnection(projectPathOf(uri), settings.connections);
  if (mapped) {
    const key = JSON.stringify(mapped.setting);
    let other = otherDatabases.get(key);
    if (!other) {
      const label = mapped.glob;
      const service = new DatabaseService(otherDatabaseHost(label), workspaceFolderPaths[0], storagePath, trusted);
      other = { service, cache: new PlanCache(), label };
      otherDatabases.set(key, other);
    }
    other.service.configure({ ...settings, plans: settings.plans === 'off' ? 'off' : 'connection', connection: mapped.setting });
    return other;
  }
  return database ? { service: database, cache: planCache } : undefined;
}

/** The host of a database of `queryLens.connections`: its changes are logged; the status bar shows the workspace's own. */
function otherDatabaseHost(label: string) {
  return {
    ...databaseHost,
    log: (line: string) => connection.console.log(`[${label}] ${line}`),
    statusChanged: (status: DatabaseStatus) => connection.console.log(`[database ${label}] ${status.text}: ${status.detail}`),
  };
}

/** Every database in use: the workspace's own and those of `queryLens.connections`. */
function allDatabases(): { service: DatabaseService; cache: PlanCache }[] {
  return [...(database ? [{ service: database, cache: planCache }] : []), ...otherDatabases.values()];
}

/** Settings per document, pulled once and cleared when the configuration changes. */
const settingsByUri = new Map<string, Promise<Settings>>();
/** Incremental analysis state per open document. */
const analysisByUri = new Map<string, DocumentAnalysis>();
/** The diagnostics last published per document, for code actions asked without them. */
const publishedByUri = new Map<string, Diagnostic[]>();
/** Pending debounced runs per document: the function that cancels each. */
const pendingRuns = new Map<string, () => void>();

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

connection.onInitialize((params) => {
  const workspace = params.capabilities.workspace;
  clientPullsConfiguration = workspace?.configuration === true;
  clientWatchesConfiguration = workspace?.didChangeConfiguration?.dynamicRegistration === true;
  clientRefreshesCodeLenses = workspace?.codeLens?.refreshSupport === true;
  clientResolvesCodeActionEdits = params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
  const options = (params.initializationOptions ?? {}) as InitializationOptions;
  workspaceRootUri = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  const workspaceRoot = workspaceRootUri?.startsWith('file:') ? fileURLToPath(workspaceRootUri) : undefined;
  workspaceFolderPaths = (params.workspaceFolders?.map((folder) => folder.uri) ?? (workspaceRootUri ? [workspaceRootUri] : []))
    .filter((uri) => uri.startsWith('file:'))
    .map((uri) => fileURLToPath(uri));
  storagePath = options.storagePath;
  trusted = options.workspaceTrusted !== false;
  // Editors without workspace trust (and the CLI's tests) trust what they open.
  database = new DatabaseService(databaseHost, workspaceRoot, options.storagePath, trusted);
  return {
    capabilities: {
      // Saves matter to the embedded database: it is rebuilt when a schema file changes on disk.
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      // A fix's edit is made when it is chosen, not for every diagnostic under the cursor.
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: true },
      codeLensProvider: { resolveProvider: false },
      // The schema plans come from: a table's columns and indexes on hover, names while typing.
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.'] },
      executeCommandProvider: { commands: [OPEN_MIGRATION_COMMAND, CREATE_INDEX_COMMAND] },
    },
    serverInfo: { name: 'query-lens', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  if (clientWatchesConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'queryLens' });
  }
  void configureDatabase();
  void initParsers().then(
    () => {
      // Until a document is analysed, the status shows the default dialect.
      if (statusDialect === undefined) {
        sendStatus(DEFAULT_SETTINGS);
      }
    },
    (error: unknown) =>
      connection.sendNotification(StatusNotification.type, {
        state: 'error',
        text: 'parser failed to load',
        detail: `PostgreSQL's parser could not be loaded: ${String(error)}`,
      }),
  );
});

/** The dialect the status bar last showed: the one of the document analysed last. */
let statusDialect: Settings['dialect'] | undefined;

function sendStatus(settings: Settings): void {
  statusDialect = settings.dialect;
  const db: DatabaseStatus | undefined = database?.currentStatus;
  // Plans off with nothing wrong, or a dialect PostgreSQL cannot plan, say static only; a
  // database not tried yet (no query has needed a plan) says just the dialect.
  const staticOnly = settings.dialect !== 'postgresql' || (db?.mode === 'static' && !db.reason);
  const text = staticOnly ? `${dialectLabel(settings.dialect)} · static only` : !db || db.mode === 'idle' ? dialectLabel(settings.dialect) : db.text;
  void connection.sendNotification(StatusNotification.type, {
    state: 'ready',
    text,
    detail: `Query Lens ${SERVER_VERSION}: ${engineDescription(settings.dialect)}. ${db?.detail ?? 'No database is used yet.'}`,
    database: db ? { mode: db.mode, ...(db.reason ? { reason: db.reason } : {}) } : undefined,
  });
}

/** The database settings are the first workspace folder's (one database per workspace). */
async function configureDatabase(): Promise<void> {
  const raw = clientPullsConfiguration
    ? await connection.workspace.getConfiguration({ scopeUri: workspaceRootUri, section: 'queryLens' }).catch(() => undefined)
    : undefined;
  database?.configure(normaliseSettings(raw ?? DEFAULT_SETTINGS));
}

const databaseHost = {
  log: (line: string) => connection.console.log(line),
  statusChanged: (status: DatabaseStatus) => {
    connection.console.log(`[database] ${status.text}: ${status.detail}`);
    sendStatus({ ...DEFAULT_SETTINGS, dialect: statusDialect ?? DEFAULT_SETTINGS.dialect });
    if (status.mode === 'static') {
      clearPlans();
    }
  },
  replanAll: () => {
    for (const document of documents.all()) {
      void planAndPublish(document.uri);
    }
  },
  askPassword: async (key: string): Promise<string | undefined> => {
    try {
      const answer = await connection.sendRequest(PasswordRequest.type, { key });
      return answer?.password;
    } catch {
      return undefined; // an editor without our client: no secret storage
    }
  },
};

function settingsFor(uri: string): Promise<Settings> {
  let settings = settingsByUri.get(uri);
  if (!settings) {
    settings = clientPullsConfiguration
      ? connection.workspace.getConfiguration({ scopeUri: uri, section: 'queryLens' }).then(
          (raw) => normaliseSettings(raw),
          () => ({ ...DEFAULT_SETTINGS }),
        )
      : Promise.resolve({ ...DEFAULT_SETTINGS });
    settingsByUri.set(uri, settings);
  }
  return settings;
}

connection.onDidChangeConfiguration(() => {
  settingsByUri.clear();
  void configureDatabase();
  for (const document of documents.all()) {
    void analyseAndPublish(document.uri);
  }
});

documents.onDidChangeContent((event) => {
  const uri = event.document.uri;
  if (!analysisByUri.has(uri)) {
    // A newly opened document is analysed at once: nobody is typing in it yet.
    void analyseAndPublish(uri);
    return;
  }
  void settingsFor(uri).then((settings) => schedule(uri, settings.debounceMs));
});

documents.onDidSave((event) => {
  if (documentKindOfLanguage(event.document.languageId) === 'sql') {
    void refreshSchema(true);
  }
});

documents.onDidClose((event) => {
  const uri = event.document.uri;
  forgetDocument(event.document.getText(), documentKindOfLanguage(event.document.languageId));
  pendingRuns.get(uri)?.();
  pendingRuns.delete(uri);
  analysisByUri.delete(uri);
  publishedByUri.delete(uri);
  plansByUri.get(uri)?.controller.abort();
  plansByUri.delete(uri);
  lastResultByUri.delete(uri);
  ddlByUri.delete(uri);
  settingsByUri.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
});

function schedule(uri: string, delayMs: number): void {
  pendingRuns.get(uri)?.();
  const run = () => {
    pendingRuns.delete(uri);
    void analyseAndPublish(uri);
  };
  // A zero debounce runs on the next turn of the event loop; setTimeout would add a millisecond.
  if (delayMs > 0) {
    const timer = setTimeout(run, delayMs);
    pendingRuns.set(uri, () => clearTimeout(timer));
  } else {
    const immediate = setImmediate(run);
    pendingRuns.set(uri, () => clearImmediate(immediate));
  }
}

async function analyseAndPublish(uri: string): Promise<void> {
  let analysis = analysisByUri.get(uri);
  if (!analysis) {
    analysis = new DocumentAnalysis();
    analysisByUri.set(uri, analysis);
  }
  const settings = await settingsFor(uri);
  await initParsers();
  const document = documents.get(uri);
  if (!document || analysisByUri.get(uri) !== analysis) {
    return; // closed meanwhile
  }
  if (settings.dialect !== statusDialect) {
    sendStatus(settings);
  }
  if (!settings.enable) {
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: [] });
    return;
  }
  let diagnostics: Diagnostic[];
  let result: AnalysisResult | undefined;
  try {
    result = analysis.run(document.getText(), documentKindOfLanguage(document.languageId), settings, document.languageId, roleOf(uri, settings));
    const analysed = result;
    diagnostics = analysed.findings.map((finding) => toDiagnostic(document, finding));
  } catch (error) {
    // A bug of ours must not take the server down or leave stale diagnostics: say so once.
    connection.console.error(`Query Lens could not analyse ${uri}: ${error instanceof Error ? error.stack : String(error)}`);
    diagnostics = [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: 'query-lens',
        code: 'internal-error',
        message: `Query Lens failed on this file (${error instanceof Error ? error.message : String(error)}); see the Query Lens output.`,
      },
    ];
  }
  if (!result) {
    lastResultByUri.delete(uri);
    publish(uri, document.version, diagnostics);
    return;
  }
  lastResultByUri.set(uri, { result, staticDiagnostics: diagnostics, version: document.version });
  noticeSchemaChanges(uri, result);
  // Plans already made for unchanged queries are shown at once; the rest follow when planned.
  publishMerged(uri);
  void planAndPublish(uri);
}

// ---------------------------------------------------------------------------------------------
// Plans: never delay static diagnostics; merged in when they arrive.
// ---------------------------------------------------------------------------------------------

/** The static analysis last published per document, for merging plan findings into. */
interface LastResult {
  result: AnalysisResult;
  staticDiagnostics: Diagnostic[];
  version: number;
}
const lastResultByUri = new Map<string, LastResult>();

/** What the plan of one query gave: findings relative to the query's start, its CodeLens, its plan. */
interface PlanEntry {
  findings: Finding[];
  lensTitle?: string;
  plan?: PlannedQuery;
  /** Codes of the query's static findings the plan shows to be moot (withdrawn). */
  settled?: string[];
  /** The indexes its plan findings name, offsets relative to the query, for their quick fixes. */
  indexAdvice?: IndexAdvice[];
}

/** Per document: the plan run in flight (to cancel) and the entries by plan key (`planKeyOf`). */
const plansByUri = new Map<string, { controller: AbortController; bySql: Map<string, PlanEntry>; service: DatabaseService }>();

/** Documents already told that their CREATE INDEX statements alone do not start the embedded database. */
const toldIndexesOnly = new Set<string>();

async function planAndPublish(uri: string): Promise<void> {
  const last = lastResultByUri.get(uri);
  const document = documents.get(uri);
  if (!last || !document || !database) {
    return;
  }
  const settings = await settingsFor(uri);
  const explainable = last.result.statements.some((statement) => statement?.explainSql !== undefined);
  const plannable = explainable || last.result.statements.some((statement, index) => planKeyOf(statement, last.result.queries[index]) !== undefined);
  if (!settings.enable || settings.dialect !== 'postgresql' || settings.plans === 'off' || !plannable) {
    dropPlans(uri);
    return;
  }
  const target = databaseFor(uri, settings);
  if (!target) {
    return;
  }
  const previous = plansByUri.get(uri);
  previous?.controller.abort();
  const state = { controller: new AbortController(), bySql: previous?.bySql ?? new Map<string, PlanEntry>(), service: target.service };
  plansByUri.set(uri, state);
  // A file of CREATE INDEX statements alone asks how the database uses those indexes, which the
  // embedded database cannot say: it is not started (3 s, 250 MB) for that.
  const active = await target.service.get({ startEmbedded: explainable });
  if (!active) {
    if (!explainable && !toldIndexesOnly.has(uri)) {
      toldIndexesOnly.add(uri);
      connection.console.log(`[plans] ${uri}: CREATE INDEX statements only; no database is connected, and the embedded one is not started for them (it cannot say how indexes are used).`);
    }
    dropPlans(uri);
    return;
  }
  const service = target.service;
  const plans = await planDocument(document.getText(), last.result, active, settings, target.cache, state.controller.signal, (reason) => service.connectionLost(reason), roleOf(uri, settings));
  if (!plans || state.controller.signal.aborted || lastResultByUri.get(uri) !== last || plansByUri.get(uri) !== state) {
    return; // cancelled, superseded by an edit, or the connection went away
  }
  const sqlByStart = new Map<number, string>();
  last.result.queries.forEach((query, index) => {
    sqlByStart.set(query.start, entryKeyOf(last.result.statements[index], query));
  });
  const bySql = new Map<string, PlanEntry>();
  const entryOf = (queryStart: number) => {
    const sql = sqlByStart.get(queryStart)!;
    let entry = bySql.get(sql);
    if (!entry) {
      entry = { findings: [] };
      bySql.set(sql, entry);
    }
    return entry;
  };
  for (const finding of plans.findings) {
    const queryStart = finding.queryStart!;
    entryOf(queryStart).findings.push({ ...finding, start: finding.start - queryStart, end: finding.end - queryStart });
  }
  for (const lens of plans.lenses) {
    entryOf(lens.queryStart).lensTitle = lens.title;
  }
  for (const [queryStart, plan] of plans.plans) {
    entryOf(queryStart).plan = plan;
  }
  for (const [queryStart, codes] of plans.settled) {
    entryOf(queryStart).settled = codes;
  }
  for (const advice of plans.indexAdvice) {
    const queryStart = last.result.queries[advice.queryIndex].start;
    const entry = entryOf(queryStart);
    (entry.indexAdvice ??= []).push({ ...advice, start: advice.start - queryStart, end: advice.end - queryStart });
  }
  state.bySql = bySql;
  // A run that planned nothing new is routine (most edits): said only at the verbose trace level.
  const planned = `[plans] ${uri}: ${plans.stats.planned} planned, ${plans.stats.cached} from cache`;
  if (plans.stats.planned > 0) connection.console.log(planned);
  else connection.tracer.log(planned);
  publishMerged(uri);
  if (clientRefreshesCodeLenses) {
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }
}

/** Static diagnostics plus the plan findings of the queries as they stand now. */
function publishMerged(uri: string): void {
  const last = lastResultByUri.get(uri);
  const document = documents.get(uri);
  if (!last || !document || document.version !== last.version) {
    return; // a newer analysis is on its way
  }
  let diagnostics = [...last.staticDiagnostics];
  const bySql = plansByUri.get(uri)?.bySql;
  if (bySql && bySql.size > 0) {
    const settled = new Set<string>();
    forEachPlannedQuery(last.result, bySql, (query, entry) => {
      for (const code of entry.settled ?? []) settled.add(`${query.start}|${code}`);
      for (const finding of entry.findings) {
        diagnostics.push(toDiagnostic(document, { ...finding, start: query.start + finding.start, end: query.start + finding.end, queryStart: query.start }));
      }
    });
    if (settled.size > 0 && last.staticDiagnostics.length === last.result.findings.length) {
      // Static diagnostics are made one per finding, in order.
      const findings = last.result.findings;
      diagnostics = diagnostics.filter((_, i) => i >= findings.length || !settled.has(`${findings[i].queryStart}|${findings[i].code}`));
    }
    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }
  publish(uri, document.version, diagnostics);
}

/**
 * The most diagnostics one document publishes. A generated file (or a template with thousands
 * of holes) can have tens of thousands of findings: nobody reads past the first screens, and a
 * publish that size costs the editor seconds each time.
 */
const MAX_DIAGNOSTICS_PER_DOCUMENT = 1000;

/** Publishes a document's diagnostics, the first `MAX_DIAGNOSTICS_PER_DOCUMENT` and a note of the rest. */
function publish(uri: string, version: number, diagnostics: Diagnostic[]): void {
  const shown = capDiagnostics(diagnostics);
  publishedByUri.set(uri, shown);
  void connection.sendDiagnostics({ uri, version, diagnostics: shown });
}

function capDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_DOCUMENT) {
    return diagnostics;
  }
  const leftOut = diagnostics.length - MAX_DIAGNOSTICS_PER_DOCUMENT;
  const firstLeftOut = diagnostics[MAX_DIAGNOSTICS_PER_DOCUMENT].range.start;
  const note: Diagnostic = {
    range: { start: firstLeftOut, end: firstLeftOut },
    severity: DiagnosticSeverity.Information,
    source: 'query-lens',
    code: CODES.tooManyFindings,
    message:
      `Query Lens shows the first ${formatCount(MAX_DIAGNOSTICS_PER_DOCUMENT)} findings of this document; ` +
      `${formatCount(leftOut)} more from here on are left out. Fix or silence those above (queryLens.rules, query-lens-ignore), ` +
      `or run the query-lens CLI on the file to list them all.`,
  };
  const href = docsHref(note.code as string);
  if (href) {
    note.codeDescription = { href };
  }
  return [...diagnostics.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT), note];
}

/**
 * The key of a query's plan entry: its plan key, or for a query that is not planned (built at run
 * time, say) its SQL, since the schema can still settle its static findings (prefer-not-exists).
 */
function entryKeyOf(statement: AnalysisResult['statements'][number], query: AnalysisResult['queries'][number]): string {
  return planKeyOf(statement, query) ?? `unplanned ${query.sql}`;
}

function forEachPlannedQuery(result: AnalysisResult, bySql: Map<string, PlanEntry>, visit: (query: AnalysisResult['queries'][number], entry: PlanEntry) => void): void {
  result.queries.forEach((query, index) => {
    const entry = bySql.get(entryKeyOf(result.statements[index], query));
    if (entry) {
      visit(query, entry);
    }
  });
}

/** Forgets a document's plans (the database went away, or plans were turned off) and republishes. */
function dropPlans(uri: string): void {
  const state = plansByUri.get(uri);
  if (!state) {
    return;
  }
  state.controller.abort();
  plansByUri.delete(uri);
  if (state.bySql.size > 0) {
    publishMerged(uri);
    if (clientRefreshesCodeLenses) {
      void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }
  }
}

function clearPlans(): void {
  for (const uri of [...plansByUri.keys()]) {
    dropPlans(uri);
  }
}

/** DDL statements per document, to notice a schema change being written. */
const ddlByUri = new Map<string, Set<string>>();
let schemaRefreshTimer: NodeJS.Timeout | undefined;

/**
 * A DDL statement that was not in the document before (a migration being written) may change
 * what the database knows: plans are made again once typing pauses.
 */
function noticeSchemaChanges(uri: string, result: AnalysisResult): void {
  const ddl = new Set<string>();
  result.statements.forEach((statement, index) => {
    if (statement?.kind === 'ddl') {
      ddl.add(result.queries[index].sql);
    }
  });
  const before = ddlByUri.get(uri);
  ddlByUri.set(uri, ddl);
  if (before && [...ddl].some((sql) => !before.has(sql))) {
    clearTimeout(schemaRefreshTimer);
    schemaRefreshTimer = setTimeout(() => void refreshSchema(), 2000);
  }
}

async function refreshSchema(embeddedOnly = false): Promise<void> {
  for (const { service, cache } of allDatabases()) {
    if (await service.refreshSchema(embeddedOnly)) {
      cache.clear(); // the old schema version's plans are never asked for again
    }
  }
}

/** Queries Query Lens could not read (a template it cannot fill, another engine's SQL): their lens says so. */
const UNREAD_QUERY = new Set(['not analysed', 'another dialect']);

connection.onCodeLens((params: CodeLensParams): CodeLens[] => {
  const uri = params.textDocument.uri;
  const last = lastResultByUri.get(uri);
  // A document with nothing to plan has no plan state; its queries still say why they are not
  // planned, as long as plans come from somewhere.
  const state = plansByUri.get(uri);
  const mode = (state?.service ?? database)?.currentStatus.mode;
  const bySql = state?.bySql ?? (mode === 'connected' || mode === 'embedded' ? new Map<string, PlanEntry>() : undefined);
  const document = documents.get(uri);
  if (!last || !bySql || !document) {
    return [];
  }
  const lenses: CodeLens[] = [];
  last.result.queries.forEach((query, index) => {
    const statement = last.result.statements[index];
    const key = planKeyOf(statement, query);
    const entry = key === undefined ? undefined : bySql.get(key);
    const start = document.positionAt(query.start);
    const range = { start, end: start };
    if (entry?.lensTitle && entry.plan) {
      const args = [uri, query.start];
      lenses.push({ range, command: { title: entry.lensTitle, command: 'queryLens.showPlan', arguments: args } });
      lenses.push({ range, command: { title: 'Show plan', command: 'queryLens.showPlan', arguments: args } });
    } else if (entry?.lensTitle) {
      // Not planned, for a reason the database gave (a schema it cannot name, a locked table…).
      lenses.push({ range, command: { title: entry.lensTitle, command: '' } });
    } else if (statement?.notPlanned && (statement.kind === 'query' || query.builtAtRunTime !== undefined || UNREAD_QUERY.has(statement.notPlanned.category))) {
      // A query that is never planned says why, rather than silently having no lens (a syntax
      // error has its squiggle, a statement that is no query needs no word).
      lenses.push({ range, command: { title: `not planned: ${statement.notPlanned.reason}`, command: '' } });
    }
  });
  return lenses;
});

connection.onRequest(PlanRequest.type, (params): PlanResult | null => plannedQuery(params.uri, params.queryStart, params.at)?.plan ?? null);

/**
 * The plan of the query that starts at `queryStart`, or (without it) of the query whose text holds
 * the offset `at` (the cursor: the innermost such query, a query inside another's text being a
 * fragment); with the query's start.
 */
function plannedQuery(uri: string, queryStart: number | undefined, at: number | undefined): { plan: PlanResult; queryStart: number } | undefined {
  const last = lastResultByUri.get(uri);
  const bySql = plansByUri.get(uri)?.bySql;
  if (!last || !bySql) {
    return undefined;
  }
  let found: { plan: PlanResult; queryStart: number; length: number } | undefined;
  forEachPlannedQuery(last.result, bySql, (query, entry) => {
    if (!entry.plan) return;
    const matches = queryStart !== undefined ? query.start === queryStart : at !== undefined && query.start <= at && at <= query.end;
    if (matches && (!found || query.end - query.start < found.length)) {
      const { viewer, ...plan } = entry.plan;
      found = { plan: { ...plan, ...viewer(), queryStart: query.start }, queryStart: query.start, length: query.end - query.start };
    }
  });
  return found && { plan: found.plan, queryStart: found.queryStart };
}

/** The analysed query whose text holds document offset `at` (the innermost), with its text as the document has it. */
async function queryAt(uri: string, at: number): Promise<{ text: string; start: number } | undefined> {
  const document = documents.get(uri);
  const last = await currentResult(uri);
  if (!document || !last) return undefined;
  const text = document.getText();
  let found: { start: number; end: number } | undefined;
  for (const query of last.result.queries) {
    // Just past a query's end on its line counts too: typing `FROM ` at the end of a statement.
    const holds = query.start <= at && (at <= query.end || /^[ \t]*$/.test(text.slice(query.end, at)));
    if (holds && (!found || query.end - query.start < found.end - found.start)) found = query;
  }
  return found && { text: text.slice(found.start, Math.max(found.end, at)), start: found.start };
}

/**
 * The analysis of the document's text as it is now. Completion comes right after a keystroke,
 * before the debounced analysis of that text has run: it is run at once (an edit takes ~5 ms).
 */
async function currentResult(uri: string): Promise<LastResult | undefined> {
  const document = documents.get(uri);
  if (!document) return undefined;
  if (lastResultByUri.get(uri)?.version !== document.version) {
    pendingRuns.get(uri)?.();
    pendingRuns.delete(uri);
    await analyseAndPublish(uri);
  }
  const last = lastResultByUri.get(uri);
  return last && last.version === documents.get(uri)?.version ? last : undefined;
}

/** The tables of the database the document's plans come from; never starts the embedded one. */
async function schemaTablesFor(uri: string): Promise<{ tables: Map<string, TableStats>; label: string } | undefined> {
  const active = await databaseFor(uri, await settingsFor(uri))?.service.get({ startEmbedded: false });
  return active ? { tables: active.tables, label: active.label } : undefined;
}

connection.onHover(async (params): Promise<Hover | null> => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return null;
  const query = await queryAt(params.textDocument.uri, document.offsetAt(params.position));
  if (!query) return null;
  const schema = await schemaTablesFor(params.textDocument.uri);
  // A table's own name or an alias the query gave it, not a column or a CTE that shares a name.
  const found = schema && tableAt(query.text, document.offsetAt(params.position) - query.start, schema.tables.values());
  if (!found) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: tableHover(found.table, schema.label) },
    range: { start: document.positionAt(query.start + found.start), end: document.positionAt(query.start + found.end) },
  };
});

connection.onCompletion(async (params): Promise<CompletionItem[]> => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return [];
  const offset = document.offsetAt(params.position);
  const query = await queryAt(params.textDocument.uri, offset);
  if (!query) return [];
  const schema = await schemaTablesFor(params.textDocument.uri);
  if (!schema) return [];
  return schemaCompletions(query.text, offset - query.start, schema.tables.values()).map((item, i) => ({
    label: item.label,
    kind: item.kind === 'table' ? CompletionItemKind.Class : CompletionItemKind.Field,
    detail: item.detail,
    // Columns of the query's own tables first, in the order given.
    sortText: String(i).padStart(5, '0'),
  }));
});

/** A host on this machine: EXPLAIN ANALYZE there needs one confirmation, elsewhere two. */
function isLocalHost(host: string): boolean {
  return host === '' || host.startsWith('/') || /^(?:localhost|127(?:\.\d+){3}|::1|\[::1\])$/i.test(host);
}

/** Whether a statement writes: an INSERT, UPDATE, DELETE or MERGE anywhere in it (a CTE's too). */
function changesData(sql: string): boolean {
  const parsed = parseStatement(sql, 'postgresql');
  return !parsed.ok || /"(?:InsertStmt|UpdateStmt|DeleteStmt|MergeStmt)"/.test(JSON.stringify(parsed.ast));
}

/** The longest an EXPLAIN ANALYZE the user asked for may run. */
const EXPLAIN_ANALYZE_TIMEOUT_MS = 60_000;

connection.onRequest(ExplainAnalyzeTargetRequest.type, async (params) => {
  const planned = plannedQuery(params.uri, params.queryStart, undefined);
  if (!planned) return { error: 'this query has no plan yet: Query Lens plans it first (the status bar says whether it has a database)' };
  const active = await databaseFor(params.uri, await settingsFor(params.uri))?.service.get({ startEmbedded: false });
  if (!active) return { error: 'no database is connected' };
  if (active.embedded) return { error: 'the embedded database has empty tables: timings there say nothing; set queryLens.connection to a development database' };
  const sql = planned.plan.sql;
  return { database: active.label, local: isLocalHost(active.planner.host), changesData: changesData(sql), parameterCount: highestParameter(sql), sql };
});

connection.onRequest(ExplainAnalyzeRequest.type, async (params) => {
  const planned = plannedQuery(params.uri, params.queryStart, undefined);
  if (!planned) return { error: 'this query has no plan yet' };
  const settings = await settingsFor(params.uri);
  const active = await databaseFor(params.uri, settings)?.service.get({ startEmbedded: false });
  if (!active || active.embedded) return { error: 'no development database is connected' };
  const sql = planned.plan.sql;
  const values = params.values?.slice(0, highestParameter(sql));
  connection.console.log(`[database] ${active.label}: EXPLAIN ANALYZE of the query at ${params.uri} offset ${params.queryStart}, asked for by the user (rolled back)`);
  const outcome = await active.planner.explainAnalyze(sql, highestParameter(sql), values, EXPLAIN_ANALYZE_TIMEOUT_MS);
  if (outcome.kind === 'error') return { error: outcome.error.message };
  if (outcome.kind === 'timeout') return { error: `it ran longer than ${EXPLAIN_ANALYZE_TIMEOUT_MS / 1000} s and was cancelled` };
  if (outcome.kind !== 'plan') return { error: outcome.kind === 'unavailable' ? outcome.reason : 'cancelled' };
  try {
    const plan = planFromExplainJson(outcome.json);
    return {
      plan: {
        ...planned.plan,
        json: outcome.json,
        text: renderPlanText(plan),
        // Index tips come verified from the plan without ANALYZE; these are the run's own.
        report: planReport(plan),
        insights: [],
        queryStart: planned.queryStart,
      },
    };
  } catch (error) {
    return { error: `EXPLAIN ANALYZE gave output Query Lens cannot read: ${String(error)}` };
  }
});

connection.onRequest(ReadPlanRequest.type, async (params) => {
  // The tips read filters with PostgreSQL's parser, which no document may have loaded yet.
  await initParsers();
  try {
    const { plan, json } = readSavedPlan(params.text);
    return { report: planReport(plan), json, text: renderPlanText(plan) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
});

connection.onRequest(ReconnectRequest.type, async () => {
  for (const { service, cache } of allDatabases()) {
    cache.clear();
    await service.reconnect();
  }
});

connection.onRequest(RefreshSchemaRequest.type, () => refreshSchema());

connection.onRequest(QueryFilesRequest.type, async (token) => {
  const files: QueryFile[] = [];
  let read = 0;
  for (const root of workspaceFolderPaths) {
    for (const relative of await projectFiles(root)) {
      if (token.isCancellationRequested) return { files, read };
      const kind = documentKindOfPath(relative);
      if (kind === 'unsupported') continue;
      const file = path.join(root, ...relative.split('/'));
      const uri = pathToFileURL(file).toString();
      const settings = await settingsFor(uri);
      if (!settings.enable || roleOf(uri, settings).oneOff) continue;
      const text = documents.get(uri)?.getText() ?? (await readSmallFile(file, settings.maxFileSizeKb * 1024));
      if (text === undefined) continue;
      read++;
      const summary = summariseQueryFile(text, kind, settings.dialect, languageIdOfPath(relative));
      if (summary) files.push({ uri, ...summary });
      // One file at a time, so that diagnostics for the documents being edited keep flowing.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { files, read };
});

/** A file's text, unless it is larger than `limit` bytes or cannot be read. */
async function readSmallFile(file: string, limit: number): Promise<string | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    return stat.size > limit ? undefined : await fs.promises.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

connection.onNotification(WorkspaceTrustedNotification.type, (params) => {
  trusted = params.trusted;
  for (const { service } of allDatabases()) service.setTrusted(params.trusted);
});

connection.onShutdown(() => Promise.all(allDatabases().map(({ service }) => service.dispose())).then(() => undefined));

/**
 * What a diagnostic carries for its code actions: a few numbers, whatever the query. A fix's
 * edits can be as long as the query (a template with thousands of holes); sent with each of its
 * diagnostics, they made a publish grow with the square of the holes.
 */
interface DiagnosticData {
  /** Document offset where the finding's query starts. */
  queryStart: number;
  /** The query's parameterisation fix applies: its edit is made when the fix is chosen. */
  fix?: true;
}

/**
 * A fix whose edits write more than this many characters (a query of hundreds of holes) is sent
 * without them, and `codeAction/resolve` makes them when it is chosen. Smaller ones are sent
 * whole: in VS Code 1.100 (code-server 4.100.3) a fix chosen from the light bulb menu with
 * Enter reached the server with no `codeAction/resolve` and applied nothing (the editor tier's
 * A9), while its executeCodeActionProvider API did resolve. A small fix must not depend on it.
 */
const EAGER_FIX_EDIT_LIMIT = 8 * 1024;

function editLength(fix: ParameterisationFix): number {
  let length = 0;
  for (const edit of fix.edits) length += edit.newText.length;
  return length;
}

/** What a parameterisation fix carries until `codeAction/resolve` makes its edit. */
interface FixActionData {
  uri: string;
  /** The document version the fix was offered for: its query's offsets hold for that one only. */
  version: number;
  queryStart: number;
}

function toDiagnostic(document: TextDocument, finding: Finding): Diagnostic {
  const diagnostic: Diagnostic = {
    range: { start: document.positionAt(finding.start), end: document.positionAt(finding.end) },
    severity: SEVERITY[finding.severity],
    source: 'query-lens',
    code: finding.code,
    message: finding.message,
  };
  const href = docsHref(finding.code);
  if (href) {
    diagnostic.codeDescription = { href };
  }
  if (finding.rule) {
    const offer = (finding.data as ParameterisationOffer | undefined)?.parameterise === true;
    const data: DiagnosticData = { queryStart: finding.queryStart ?? finding.start, ...(offer ? { fix: true as const } : {}) };
    diagnostic.data = data;
  }
  return diagnostic;
}

/**
 * The docs pages ship with the extension (`docs/rules/<code>.md` beside `dist/`); a diagnostic's
 * code links to its page, which VS Code opens in an editor.
 */
const docsFolder = path.resolve(__dirname, '..', 'docs', 'rules');
const documentedCodes = new Set(
  (() => {
    try {
      return fs.readdirSync(docsFolder).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3));
    } catch {
      return [];
    }
  })(),
);

function docsHref(code: string): string | undefined {
  return documentedCodes.has(code) ? pathToFileURL(path.join(docsFolder, `${code}.md`)).href : undefined;
}

connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
  const document = documents.get(params.textDocument.uri);
  if (!document) {
    return [];
  }
  const kind = documentKindOfLanguage(document.languageId);
  const actions: CodeAction[] = [];
  const seenFixes = new Set<string>();
  const shownPlans = new Set<number>();
  let indexes: IndexContext | undefined;
  // Editors send the diagnostics under the cursor, but not always all of them (or their data):
  // ours are taken from what was published where the request's range touches them.
  const requested = params.context.diagnostics.filter((d) => d.source === 'query-lens' && d.data !== undefined);
  const diagnostics = requested.length > 0 ? requested : (publishedByUri.get(document.uri) ?? []).filter((d) => touches(d.range, params.range));
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'query-lens' || typeof diagnostic.code !== 'string') {
      continue;
    }
    const rename = meantNameAction(document, diagnostic);
    if (rename) actions.push(rename);
    const data = diagnostic.data as DiagnosticData | undefined;
    if (!data || typeof data.queryStart !== 'number') {
      continue; // checks such as syntax-error carry no data: nothing to fix or ignore
    }
    const fix = data.fix ? currentFix(document, data.queryStart) : undefined;
    if (fix && !seenFixes.has(fix.title)) {
      seenFixes.add(fix.title);
      const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true };
      if (clientResolvesCodeActionEdits && editLength(fix) > EAGER_FIX_EDIT_LIMIT) {
        const fixData: FixActionData = { uri: document.uri, version: document.version, queryStart: data.queryStart };
        action.data = fixData;
      } else {
        action.edit = fixEdit(document, fix);
      }
      actions.push(action);
    }
    const advice = indexAdviceOf(document, diagnostic, data.queryStart);
    if (advice) {
      // Read once per request: the light bulb asks on every move of the cursor.
      indexes ??= await indexContextOf(document);
      const { active, existing } = indexes;
      const title = createIndexTitle(advice);
      const create: CodeAction = { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true };
      const createData: IndexActionData = { uri: document.uri, version: document.version, queryStart: data.queryStart, code: diagnostic.code, start: document.offsetAt(diagnostic.range.start) };
      // A migration is a few hundred bytes: sent with the action, like a small fix (see EAGER_FIX_EDIT_LIMIT).
      create.edit = await indexMigrationEdit(document, advice, data.queryStart, indexes);
      // No arguments: VS Code keeps a command's arguments only while its action list lives, and
      // applying the edit (a new file) refreshes the list before the command runs ("Actual
      // command not found", seen in code-server 4.100). The server knows what it offered.
      create.command = { title: 'Open the migration', command: OPEN_MIGRATION_COMMAND };
      const several = candidatesOf(advice).length > 1;
      actions.push(create, {
        title: `Copy the CREATE INDEX ${several ? 'statements' : 'statement'} for ${describeIndexes(candidatesOf(advice))}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: 'Copy', command: COPY_INDEX_COMMAND, arguments: [indexStatementsOf(advice, existing).map(({ statement }) => `${statement};`).join('\n')] },
      });
      // A development database only (the embedded one is rebuilt from the schema files): asked first.
      if (active && !active.embedded) {
        actions.push({
          title: `Create ${several ? 'indexes' : 'index'} on ${describeIndexes(candidatesOf(advice))} in ${active.label}…`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: 'Create index', command: CREATE_INDEX_COMMAND, arguments: [createData] },
        });
      }
    }
    // A finding from a plan: the plan itself, one click away (once per query).
    if (/^plan-/.test(diagnostic.code) && !shownPlans.has(data.queryStart)) {
      shownPlans.add(data.queryStart);
      actions.push({ title: 'Show query plan', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], command: { title: 'Show query plan', command: 'queryLens.showPlan', arguments: [document.uri, data.queryStart] } });
    }
    actions.push(ignoreAction(document, kind, diagnostic, diagnostic.code, data.queryStart));
  }
  return actions;
});

/**
 * An unknown column or table whose message names the one likely meant (PostgreSQL's own hint,
 * `Perhaps you meant to reference the column "o.customer_id".`, or the closest table name):
 * "Change to customer_id", which rewrites the name's last part and keeps its qualifier.
 */
function meantNameAction(document: TextDocument, diagnostic: Diagnostic): CodeAction | undefined {
  if (diagnostic.code !== 'unknown-column' && diagnostic.code !== 'unknown-table') return undefined;
  const meant =
    /Perhaps you meant to reference the column "(?:[^"]*\.)?([^".]+)"/.exec(diagnostic.message)?.[1] ??
    /Did you mean (?:[\w$]+\.)?([\w$]+)\?/.exec(diagnostic.message)?.[1];
  if (!meant) return undefined;
  const written = document.getText(diagnostic.range);
  const dot = written.lastIndexOf('.');
  const start = document.offsetAt(diagnostic.range.start) + dot + 1;
  const replacement = /^[a-z_][a-z0-9_$]*$/.test(meant) ? meant : `"${meant.replace(/"/g, '""')}"`;
  if (written.slice(dot + 1) === replacement) return undefined;
  const range = { start: document.positionAt(start), end: diagnostic.range.end };
  return {
    title: `Change to ${replacement}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [document.uri]: [{ range, newText: replacement }] } },
  };
}

/** What a "Create index" action carries until it is chosen: enough to find its advice again. */
interface IndexActionData extends FixActionData {
  code: string;
  /** The diagnostic's start in the document. */
  start: number;
}

/** Run by the client after the migration is written: the server shows the file it wrote. */
const OPEN_MIGRATION_COMMAND = 'queryLens.openIndexMigration';
/** Runs the CREATE INDEX on the development database, once the user says yes. */
const CREATE_INDEX_COMMAND = 'queryLens.createIndexOnDatabase';
/** The statement alone, to the clipboard: the client's own command (the server has no clipboard). */
const COPY_INDEX_COMMAND = 'queryLens.copyIndexStatement';

/** The migration files of the index actions offered last, newest last, for OPEN_MIGRATION_COMMAND. */
const offeredMigrations: string[] = [];
const OFFERED_MIGRATIONS_KEPT = 20;

/** The advice behind a plan diagnostic, from the plan entry of its query as it stands. */
function indexAdviceOf(document: TextDocument, diagnostic: Diagnostic, queryStart: number): IndexAdvice | undefined {
  const last = lastResultByUri.get(document.uri);
  const bySql = plansByUri.get(document.uri)?.bySql;
  if (!last || !bySql || last.version !== document.version) return undefined;
  const index = last.result.queries.findIndex((query) => query.start === queryStart);
  const key = index < 0 ? undefined : planKeyOf(last.result.statements[index], last.result.queries[index]);
  const entry = key === undefined ? undefined : bySql.get(key);
  const start = document.offsetAt(diagnostic.range.start) - queryStart;
  return entry?.indexAdvice?.find((advice) => advice.code === diagnostic.code && advice.start === start);
}

/** The migration that creates the advised index, as a WorkspaceEdit that makes its files. */
async function indexMigrationEdit(document: TextDocument, advice: IndexAdvice, queryStart: number, { settings, existing }: IndexContext): Promise<WorkspaceEdit> {
  const file = document.uri.startsWith('file:') ? fileURLToPath(document.uri) : undefined;
  const root = workspaceFolderPaths.find((folder) => file !== undefined && !path.relative(folder, file).startsWith('..')) ?? workspaceFolderPaths[0] ?? (file ? path.dirname(file) : process.cwd());
  const where = `${file ? path.relative(root, file).split(path.sep).join('/') : document.uri}:${document.positionAt(queryStart).line + 1}`;
  const migration = indexMigration(advice, root, await projectFiles(root), existing, where, settings.migrationsDir);
  const uris = migration.files.map((written) => pathToFileURL(path.join(root, written.path)).href);
  const documentChanges: WorkspaceEdit['documentChanges'] = [];
  migration.files.forEach((written, i) => {
    documentChanges.push({ kind: 'create', uri: uris[i], options: { ignoreIfExists: false, overwrite: false } });
    documentChanges.push({ textDocument: { uri: uris[i], version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: written.content }] });
  });
  offeredMigrations.push(uris[0]);
  if (offeredMigrations.length > OFFERED_MIGRATIONS_KEPT) offeredMigrations.shift();
  return { documentChanges };
}

/** The names of the indexes the document's database has: a new index is named apart from them. */
/** What the index actions of a document need: its settings, its database, and that database's index names (a new index is named apart from them). */
interface IndexContext {
  settings: Settings;
  active: ActivePlanner | undefined;
  existing: Set<string>;
}

async function indexContextOf(document: TextDocument): Promise<IndexContext> {
  const settings = await settingsFor(document.uri);
  const active = await databaseFor(document.uri, settings)?.service.get({ startEmbedded: false });
  return { settings, active, existing: new Set([...(active?.tables.values() ?? [])].flatMap((table) => table.indexes.map((index) => index.name))) };
}

/** The project's files by folder, read again after PROJECT_FILES_MS: the light bulb asks on every cursor move. */
const projectFilesByRoot = new Map<string, { at: number; files: Promise<string[]> }>();
const PROJECT_FILES_MS = 10_000;

function projectFiles(root: string): Promise<string[]> {
  const known = projectFilesByRoot.get(root);
  if (known && Date.now() - known.at < PROJECT_FILES_MS) return known.files;
  const files = listProjectFiles(root);
  projectFilesByRoot.set(root, { at: Date.now(), files });
  return files;
}

/**
 * "Create index … in <database>": says the statement and the database, asks, and runs that one
 * statement only when the user says so. Then the schema is read again, so the finding goes.
 */
async function createIndexOnDatabase(data: IndexActionData): Promise<string> {
  const document = documents.get(data.uri);
  const diagnostic = (publishedByUri.get(data.uri) ?? []).find((d) => d.code === data.code && document?.offsetAt(d.range.start) === data.start);
  const advice = document && diagnostic ? indexAdviceOf(document, diagnostic, data.queryStart) : undefined;
  const { active, existing } = document ? await indexContextOf(document) : { active: undefined, existing: new Set<string>() };
  if (!document || !advice || !active || active.embedded) {
    void connection.window.showWarningMessage('Query Lens: that finding has changed since; nothing was created.');
    return 'stale';
  }
  const statements = indexStatementsOf(advice, existing).map(({ statement }) => statement);
  const create = statements.length > 1 ? 'Create indexes' : 'Create index';
  const answer = await connection.window.showWarningMessage(`Query Lens: run ${statements.length > 1 ? 'these' : 'this'} in ${active.label}? ${statements.map((statement) => `${statement};`).join(' ')}`, { title: create }, { title: 'Cancel' });
  if (answer?.title !== create) return 'cancelled';
  let ms = 0;
  for (const statement of statements) {
    const outcome = await active.planner.createIndex(statement);
    if (!outcome.ok) {
      void connection.window.showErrorMessage(`Query Lens: the index was not created in ${active.label}: ${outcome.reason}`);
      if (ms > 0) await refreshSchema();
      return 'failed';
    }
    ms += outcome.ms;
    connection.console.log(`[database] ${active.label}: ${statement} (${Math.round(outcome.ms)} ms, asked for from the quick fix)`);
  }
  void connection.window.showInformationMessage(`Query Lens: created in ${active.label} in ${formatDuration(ms)}. Add ${statements.length > 1 ? 'them' : 'it'} to a migration too, so that other databases get ${statements.length > 1 ? 'them' : 'it'}.`);
  await refreshSchema();
  return 'created';
}


connection.onExecuteCommand(async (params) => {
  if (params.command === OPEN_MIGRATION_COMMAND) {
    // The edit that ran before this command made its file: the newest offered file that exists.
    const written = [...offeredMigrations].reverse().find((uri) => fs.existsSync(fileURLToPath(uri)));
    if (written) await connection.window.showDocument({ uri: written, takeFocus: true });
    return written;
  }
  const data = params.arguments?.[0] as IndexActionData | undefined;
  if (params.command === CREATE_INDEX_COMMAND && data && typeof data.uri === 'string') {
    return createIndexOnDatabase(data);
  }
  return undefined;
});

connection.onCodeActionResolve(async (action: CodeAction): Promise<CodeAction> => {
  const data = action.data as FixActionData | undefined;
  if (!data || typeof data.uri !== 'string' || typeof data.queryStart !== 'number') {
    return action;
  }
  const document = documents.get(data.uri);
  // Offered for another version of the document: its offsets no longer hold, so no edit.
  const fix = document && document.version === data.version ? currentFix(document, data.queryStart) : undefined;
  return fix ? { ...action, edit: fixEdit(document!, fix) } : action;
});

/**
 * The parameterisation fix of the query at `queryStart`, from the analysis of the document as it
 * stands (none while a newer analysis is due: the queries' offsets are the old text's).
 */
function currentFix(document: TextDocument, queryStart: number): ParameterisationFix | undefined {
  const last = lastResultByUri.get(document.uri);
  if (!last || last.version !== document.version) {
    return undefined;
  }
  return last.result.queries.find((query) => query.start === queryStart && query.parameterisationFix !== undefined)?.parameterisationFix;
}

function fixEdit(document: TextDocument, fix: ParameterisationFix): CodeAction['edit'] {
  return {
    changes: {
      [document.uri]: fix.edits.map((edit) => ({
        range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) },
        newText: edit.newText,
      })),
    },
  };
}

function touches(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/**
 * "Ignore <rule> for this query": a `query-lens-ignore` comment on its own line, above the
 * finding in a SQL file, above the line where the query starts in application code (in that
 * language's comment syntax), indented like the line it precedes.
 */
function ignoreAction(document: TextDocument, kind: DocumentKind, diagnostic: Diagnostic, code: string, queryStart: number): CodeAction {
  const line = kind === 'sql' ? diagnostic.range.start.line : document.positionAt(queryStart).line;
  const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const indentation = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  const comment = kind === 'python' ? '#' : kind === 'sql' ? '--' : '//';
  return {
    title: `Ignore ${code} for this query`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: {
      changes: {
        [document.uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indentation}${comment} query-lens-ignore ${code}\n` }],
      },
    },
  };
}

declare const QUERY_LENS_VERSION: string | undefined;
/** Set by the bundler from package.json; "dev" when run from sources. */
const SERVER_VERSION = typeof QUERY_LENS_VERSION === 'string' ? QUERY_LENS_VERSION : 'dev';

documents.listen(connection);
connection.listen();
