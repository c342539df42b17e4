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

  show(params: StatusParams): void {
    const icon = params.state === 'error' ? '$(error)' : params.state === 'starting' ? '$(sync~spin)' : '$(database)';
    this.item.text = `${icon} Query Lens: ${params.text}`;
    this.item.tooltip = `${params.detail}\nClick for Reconnect, Configure Connection, Refresh Schema and the log.`;
    this.item.backgroundColor = backgroundFor(params);
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
