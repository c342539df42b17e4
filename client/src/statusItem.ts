/**
 * The status bar item: what the server is using (parser, database, or why it has none), and a
 * click for the actions that change it.
 */
import * as vscode from 'vscode';
import { StatusParams } from '../../server/src/protocol';

/** The command the item runs when clicked: the quick pick of `showStatusActions`. */
export const STATUS_ACTIONS_COMMAND = 'queryLens.statusActions';

export class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('queryLens.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Query Lens';
    this.item.command = STATUS_ACTIONS_COMMAND;
    this.show({ state: 'starting', text: 'starting', detail: 'The Query Lens language server is starting.' });
    this.item.show();
  }

  /** The server's last word, shown again when an action ends. */
  private last: StatusParams | undefined;
  /** What is running (`reconnecting`), shown with a spinning icon until it ends. */
  private running: string | undefined;

  show(params: StatusParams): void {
    this.last = params;
    this.draw();
  }

  /**
   * Runs a person's action (Reconnect, Refresh Schema) with the item spinning and saying so, then
   * says how it ended: the server's new status for a few seconds in the status bar, or the failure.
   */
  async during<T>(doing: string, work: () => Promise<T | undefined>): Promise<T | undefined> {
    this.running = doing;
    this.draw();
    try {
      const result = await work();
      const now = this.last?.text ?? '';
      void vscode.window.setStatusBarMessage(result === undefined ? `Query Lens: ${doing} failed (see the log)` : `Query Lens: ${doing} done — ${now}`, 5000);
      return result;
    } finally {
      this.running = undefined;
      this.draw();
    }
  }

  private draw(): void {
    const params = this.last;
    if (!params) return;
    const icon = this.running || params.state === 'starting' ? '$(sync~spin)' : params.state === 'error' ? '$(error)' : '$(database)';
    this.item.text = `${icon} Query Lens: ${this.running ? `${this.running}…` : params.text}`;
    this.item.tooltip = `${params.detail}\nClick for Reconnect, Configure Connection, Refresh Schema and the log.`;
    this.item.backgroundColor = this.running ? undefined : backgroundFor(params);
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** Red when the server is down; yellow when a database was wanted but the server fell back to static analysis. */
function backgroundFor(params: StatusParams): vscode.ThemeColor | undefined {
  if (params.state === 'error') {
    return new vscode.ThemeColor('statusBarItem.errorBackground');
  }
  if (params.database?.mode === 'static' && params.database.reason) {
    return new vscode.ThemeColor('statusBarItem.warningBackground');
  }
  return undefined;
}

interface StatusAction extends vscode.QuickPickItem {
  command: string;
}

const STATUS_ACTIONS: readonly StatusAction[] = [
  { label: '$(debug-restart) Reconnect', detail: 'Forget the connection state and connect to the database again.', command: 'queryLens.reconnect' },
  { label: '$(plug) Configure Connection', detail: "The database URL; its password goes to VS Code's secret storage.", command: 'queryLens.configureConnection' },
  { label: '$(refresh) Refresh Schema', detail: 'Read the schema again and make every plan anew.', command: 'queryLens.refreshSchema' },
  { label: '$(output) Show Log', detail: 'The Query Lens output channel.', command: 'queryLens.showOutput' },
];

/** The quick pick behind the status bar item; runs the chosen action's command. */
export async function showStatusActions(): Promise<void> {
  const choice = await vscode.window.showQuickPick(STATUS_ACTIONS, { title: 'Query Lens', placeHolder: 'Choose an action' });
  if (choice) {
    await vscode.commands.executeCommand(choice.command);
  }
}
