/**
 * The Query Lens language server: LSP wiring only. It keeps the open documents, pulls each
 * document's settings, runs the analysis after a short pause in typing, and publishes the
 * findings as diagnostics. Runs in plain Node (no `vscode` import), over IPC from the extension
 * or over stdio from any other editor and from the tests.
 */
import './v8Flags';
import {
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
import { documentKindOfLanguage } from './extract/query';
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
    const result = analysis.run(document.getText(), documentKindOfLanguage(document.languageId), settings);
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
  void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
}

function toDiagnostic(document: TextDocument, finding: Finding): Diagnostic {
  return {
    range: { start: document.positionAt(finding.start), end: document.positionAt(finding.end) },
    severity: SEVERITY[finding.severity],
    source: 'query-lens',
    code: finding.code,
    message: finding.message,
  };
}

declare const QUERY_LENS_VERSION: string | undefined;
/** Set by the bundler from package.json; "dev" when run from sources. */
const SERVER_VERSION = typeof QUERY_LENS_VERSION === 'string' ? QUERY_LENS_VERSION : 'dev';

documents.listen(connection);
connection.listen();
