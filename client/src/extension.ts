/**
 * The Query Lens extension: starts the language server, registers the commands, and shows what
 * the server reports in the status bar, the output channel and the plan viewer. Everything that
 * can run without VS Code lives in the server.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import {
  InitializationOptions,
  PasswordRequest,
  ReconnectRequest,
  RefreshSchemaRequest,
  StatusNotification,
  WorkspaceTrustedNotification,
} from '../../server/src/protocol';
import { configureConnection, passwordFromSecretStorage } from './connection';
import { OPEN_DOCS_COMMAND, openDocs, renderedDocsLinks } from './docsLinks';
import { PlanPanel } from './planPanel';
import { OPEN_QUERY_FILE_COMMAND, openFileWithQueries } from './queryFiles';
import { requestFromServer } from './serverRequests';
import { ServerStatusItem, STATUS_ACTIONS_COMMAND, showStatusActions } from './statusItem';
// V8 flags the server is started with (also read by `npm run bench`): a 4 MB young generation
// keeps the server's memory near 105 MB on a 5,000-line file instead of 135–150 MB, at no
// measurable cost in speed. (Flags set from inside the process come too late for the heap.)
import serverNodeFlags from '../../server/node-flags.json';

/** The documents the server reads: SQL files and the host languages SQL hides in. */
const DOCUMENT_LANGUAGES = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'];

let client: LanguageClient | undefined;
/**
 * The cursor in the query editor used last. "Show Query Plan" from the walkthrough, the plan
 * viewer or any editor that is not a query's plans the query under it: the editors merely
 * visible beside them (an index migration just written, say) are not the one the person means.
 */
let lastQueryCursor: { uri: string; position: vscode.Position } | undefined;

/** Where "Show Query Plan" without arguments looks: the active query editor, else the last one still open. */
function queryCursor(): { document: vscode.TextDocument; position: vscode.Position } | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && DOCUMENT_LANGUAGES.includes(active.document.languageId)) return { document: active.document, position: active.selection.active };
  const last = lastQueryCursor;
  const document = last && vscode.workspace.textDocuments.find((open) => open.uri.toString() === last.uri && !open.isClosed);
  return document && last ? { document, position: last.position } : undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('Query Lens');
  // Every line carries the time of day: ours, and the server's log lines (the language client
  // writes those as they come; its own `[Error - 16:41:07]` lines have a time already).
  const output = stamped(channel);
  const status = new ServerStatusItem();
  context.subscriptions.push(channel, status);
  // The server keeps embedded databases here and expects the folder to exist. Failing to create
  // it is logged, not fatal: static analysis needs no folder.
  await vscode.workspace.fs.createDirectory(context.globalStorageUri).then(undefined, (error: unknown) =>
    output.appendLine(`[client] could not create ${context.globalStorageUri.fsPath}: ${String(error)}`),
  );

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: serverNodeFlags } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...serverNodeFlags, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    outputChannel: output,
    // A diagnostic's docs link opens its page rendered, not as Markdown source.
    middleware: renderedDocsLinks(vscode.Uri.joinPath(context.extensionUri, 'docs')),
    // Settings are pulled per document by the server (workspace/configuration); this only
    // tells it when they changed.
    synchronize: { configurationSection: 'queryLens' },
    // A function, so that a restart after the person trusted the workspace tells the server so.
    initializationOptions: (): InitializationOptions => ({
      workspaceTrusted: vscode.workspace.isTrusted,
      storagePath: context.globalStorageUri.fsPath,
    }),
  };
  const languageClient = new LanguageClient('queryLens', 'Query Lens', serverOptions, clientOptions);
  client = languageClient;
  const planPanel = new PlanPanel(context, languageClient, output);
  context.subscriptions.push(planPanel);

  context.subscriptions.push(
    languageClient.onDidChangeState((event) => {
      if (event.newState === State.Starting) {
        status.show({ state: 'starting', text: 'starting', detail: 'The Query Lens language server is starting.' });
      } else if (event.newState === State.Stopped) {
        status.show({ state: 'error', text: 'stopped', detail: 'The Query Lens language server stopped. Run "Query Lens: Restart Server".' });
      }
    }),
    languageClient.onNotification(StatusNotification.type, (params) => {
      status.show(params);
      output.appendLine(`[status] ${params.detail}`);
    }),
    languageClient.onRequest(PasswordRequest.type, (params) => passwordFromSecretStorage(context.secrets, output, params)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // A stopped server learns it from the initialization options when it starts again.
      languageClient.sendNotification(WorkspaceTrustedNotification.type, { trusted: true }).catch(() => undefined);
    }),
    vscode.commands.registerCommand('queryLens.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('queryLens.restartServer', async () => {
      // Works whether or not the server is running: a stopped client is simply started.
      output.appendLine('[client] restarting the server');
      if (languageClient.isRunning()) {
        await languageClient.restart();
      } else {
        await languageClient.start();
      }
    }),
    vscode.commands.registerCommand('queryLens.configureConnection', () => configureConnection(context.secrets, languageClient, output)),
    // A person's actions show they are under way (the item spins) and how they ended.
    vscode.commands.registerCommand('queryLens.reconnect', () =>
      status.during('reconnecting', () => requestFromServer(languageClient, output, 'Reconnect', (server) => server.sendRequest(ReconnectRequest.type).then(() => true))),
    ),
    vscode.commands.registerCommand('queryLens.refreshSchema', () =>
      status.during('refreshing the schema', () => requestFromServer(languageClient, output, 'Refresh Schema', (server) => server.sendRequest(RefreshSchemaRequest.type).then(() => true))),
    ),
    // From the CodeLens and the plan findings' quick fixes (uri, queryStart); from the palette
    // and the editor's context menu, the query under the cursor.
    vscode.commands.registerCommand('queryLens.showPlan', async (uri: unknown, queryStart: unknown) => {
      if (typeof uri === 'string' && typeof queryStart === 'number') return planPanel.show(uri, { queryStart });
      const cursor = queryCursor();
      if (!cursor) {
        void vscode.window.showInformationMessage('Query Lens: open a file and put the cursor in a query to see its plan.');
        return false;
      }
      return planPanel.show(cursor.document.uri.toString(), { at: cursor.document.offsetAt(cursor.position) });
    }),
    vscode.commands.registerCommand('queryLens.explainAnalyze', (uri: unknown, queryStart: unknown) =>
      planPanel.explainAnalyze(typeof uri === 'string' ? uri : undefined, typeof queryStart === 'number' ? queryStart : undefined),
    ),
    vscode.commands.registerCommand('queryLens.openPlan', () => planPanel.open()),
    vscode.commands.registerCommand(OPEN_QUERY_FILE_COMMAND, () => openFileWithQueries(languageClient, output)),
    vscode.commands.registerCommand(OPEN_DOCS_COMMAND, openDocs),
    vscode.commands.registerCommand(STATUS_ACTIONS_COMMAND, showStatusActions),
    // The index quick fix's "Copy the CREATE INDEX statement": the server has no clipboard.
    vscode.commands.registerCommand('queryLens.copyIndexStatement', async (statement: unknown) => {
      if (typeof statement !== 'string') return;
      await vscode.env.clipboard.writeText(statement);
      void vscode.window.setStatusBarMessage('Query Lens: CREATE INDEX statement copied', 4000);
    }),
  );

  // The walkthrough's "Open a query" step is checked off when this context key turns true (a
  // walkthrough's `onContext:` is evaluated in the window's context, where `editorLangId` is never
  // set), or by its "Open a File with Queries" button. The button is needed: the walkthrough
  // service starts when the walkthrough is first shown, and a key already true then is taken as
  // seen for the whole session, so with a query's editor already open the step would never check.
  const noticeCursor = (editor: vscode.TextEditor) => {
    if (DOCUMENT_LANGUAGES.includes(editor.document.languageId)) lastQueryCursor = { uri: editor.document.uri.toString(), position: editor.selection.active };
  };
  const noticeQueryEditor = (editor: vscode.TextEditor | undefined) => {
    if (editor) noticeCursor(editor);
    void vscode.commands.executeCommand('setContext', 'queryLens.queryEditorActive', editor !== undefined && DOCUMENT_LANGUAGES.includes(editor.document.languageId));
  };
  noticeQueryEditor(vscode.window.activeTextEditor);
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(noticeQueryEditor),
    vscode.window.onDidChangeTextEditorSelection((event) => noticeCursor(event.textEditor)),
  );

  try {
    await languageClient.start();
  } catch (error) {
    status.show({ state: 'error', text: 'failed to start', detail: `The Query Lens server failed to start: ${String(error)}` });
    output.appendLine(`[client] server failed to start: ${String(error)}`);
  }
}

/**
 * The channel with each appended line led by the time of day (`[16:41:07.123]`). The language
 * client logs every exit of the server as an error, a clean one after Restart or a reload too
 * (`[Error - 16:41:07] Server process exited with code 0.`): that one is said as what it is.
 */
function stamped(channel: vscode.OutputChannel): vscode.OutputChannel {
  return new Proxy(channel, {
    get(target, property, receiver) {
      if (property === 'appendLine') return (line: string) => target.appendLine(stampedLine(line));
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const CLEAN_EXIT = /^\[Error - ([^\]]+)\] Server process exited with code 0\.$/;

/** A line as the channel shows it: the language client's own lines have their time already. */
function stampedLine(line: string): string {
  if (CLEAN_EXIT.test(line)) return line.replace(CLEAN_EXIT, '[Info  - $1] The server process ended normally (exit code 0).');
  return /^\[(?:Info|Warn|Error|Trace)\s*-/.test(line) ? line : `[${timeOfDay(new Date())}] ${line}`;
}

/** `16:41:07.123`, local time. */
function timeOfDay(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds()).padStart(3, '0')}`;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
