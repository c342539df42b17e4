/**
 * The Query Lens language server: LSP wiring only. It keeps the open documents, pulls each
 * document's settings, runs the analysis after a short pause in typing, and publishes the
 * findings as diagnostics. Runs in plain Node (no `vscode` import), over IPC from the extension
 * or over stdio from any other editor and from the tests.
 */
import './v8Flags';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentAnalysis, Finding, Severity, engineDescription } from './analyze/analyzeDocument';
import { dialectLabel, initParsers } from './analyze/parse';
import { DocumentKind, documentKindOfLanguage, ParameterisationFix } from './extract/query';
import { StatusNotification } from './protocol';
import { DEFAULT_SETTINGS, normaliseSettings, Settings } from './settings';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let clientPullsConfiguration = false;
let clientWatchesConfiguration = false;

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
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'query-lens', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  if (clientWatchesConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'queryLens' });
  }
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
  void connection.sendNotification(StatusNotification.type, {
    state: 'ready',
    text: `${dialectLabel(settings.dialect)} · static only`,
    detail: `Query Lens ${SERVER_VERSION}: ${engineDescription(settings.dialect)}. No database is used yet.`,
  });
}

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

documents.onDidClose((event) => {
  const uri = event.document.uri;
  pendingRuns.get(uri)?.();
  pendingRuns.delete(uri);
  analysisByUri.delete(uri);
  publishedByUri.delete(uri);
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
  try {
    const result = analysis.run(document.getText(), documentKindOfLanguage(document.languageId), settings, document.languageId);
    diagnostics = result.findings.map((finding) => toDiagnostic(document, finding));
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
  publishedByUri.set(uri, diagnostics);
  void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
}

/** What a diagnostic carries for its code actions. */
interface DiagnosticData {
  /** Document offset where the finding's query starts. */
  queryStart: number;
  fix?: ParameterisationFix;
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
    const fix = (finding.data as { fix?: ParameterisationFix } | undefined)?.fix;
    const data: DiagnosticData = { queryStart: finding.queryStart ?? finding.start, ...(fix ? { fix } : {}) };
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

connection.onCodeAction((params: CodeActionParams): CodeAction[] => {
  const document = documents.get(params.textDocument.uri);
  if (!document) {
    return [];
  }
  const kind = documentKindOfLanguage(document.languageId);
  const actions: CodeAction[] = [];
  const seenFixes = new Set<string>();
  // Editors send the diagnostics under the cursor, but not always all of them (or their data):
  // ours are taken from what was published where the request's range touches them.
  const requested = params.context.diagnostics.filter((d) => d.source === 'query-lens' && d.data !== undefined);
  const diagnostics = requested.length > 0 ? requested : (publishedByUri.get(document.uri) ?? []).filter((d) => touches(d.range, params.range));
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'query-lens' || typeof diagnostic.code !== 'string') {
      continue;
    }
    const data = diagnostic.data as DiagnosticData | undefined;
    if (!data || typeof data.queryStart !== 'number') {
      continue; // checks such as syntax-error carry no data: nothing to fix or ignore
    }
    if (data.fix && !seenFixes.has(data.fix.title)) {
      seenFixes.add(data.fix.title);
      actions.push({
        title: data.fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: {
          changes: {
            [document.uri]: data.fix.edits.map((edit) => ({
              range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) },
              newText: edit.newText,
            })),
          },
        },
      });
    }
    actions.push(ignoreAction(document, kind, diagnostic, diagnostic.code, data.queryStart));
  }
  return actions;
});

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
