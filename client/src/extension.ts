/**
 * The Query Lens extension: starts the language server, and shows what it reports in the status
 * bar and the output channel. Everything that can run without VS Code lives in the server.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { StatusNotification, StatusParams } from '../../server/src/protocol';
// V8 flags the server is started with (also read by `npm run bench`): a 4 MB young generation
// keeps the server's memory near 105 MB on a 5,000-line file instead of 135–150 MB, at no
// measurable cost in speed. (Flags set from inside the process come too late for the heap.)
import serverNodeFlags from '../../server/node-flags.json';

/** The documents the server reads: SQL files and the host languages SQL hides in. */
const DOCUMENT_LANGUAGES = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'];

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Query Lens');
  const status = new ServerStatusItem();
  context.subscriptions.push(output, status);

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
    // Settings are pulled per document by the server (workspace/configuration); this only
    // tells it when they changed.
    synchronize: { configurationSection: 'queryLens' },
  };
  client = new LanguageClient('queryLens', 'Query Lens', serverOptions, clientOptions);

  context.subscriptions.push(
    client.onDidChangeState((event) => {
      if (event.newState === State.Starting) {
        status.show({ state: 'starting', text: 'starting', detail: 'The Query Lens language server is starting.' });
      } else if (event.newState === State.Stopped) {
        status.show({ state: 'error', text: 'stopped', detail: 'The Query Lens language server stopped. Run "Query Lens: Restart Server".' });
      }
    }),
    client.onNotification(StatusNotification.type, (params) => {
      status.show(params);
      output.appendLine(`[status] ${params.detail}`);
    }),
    vscode.commands.registerCommand('queryLens.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('queryLens.restartServer', async () => {
      // Works whether or not the server is running: a stopped client is simply started.
      if (!client) {
        return;
      }
      output.appendLine('[client] restarting the server');
      if (client.isRunning()) {
        await client.restart();
      } else {
        await client.start();
      }
    }),
  );

  try {
    await client.start();
  } catch (error) {
    status.show({ state: 'error', text: 'failed to start', detail: `The Query Lens server failed to start: ${String(error)}` });
    output.appendLine(`[client] server failed to start: ${String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** The status bar item: what the server is using, and a click to show the log. */
class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('queryLens.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Query Lens';
    this.item.command = 'queryLens.showOutput';
    this.show({ state: 'starting', text: 'starting', detail: 'The Query Lens language server is starting.' });
    this.item.show();
  }

  show(params: StatusParams): void {
    const icon = params.state === 'error' ? '$(error)' : params.state === 'starting' ? '$(sync~spin)' : '$(database)';
    this.item.text = `${icon} Query Lens: ${params.text}`;
    this.item.tooltip = `${params.detail}\nClick to show the Query Lens output.`;
    this.item.backgroundColor = params.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
