/**
 * "Query Lens: Open a File with Queries": the walkthrough's "Open a query" step, and a way into
 * an unfamiliar project. The server finds the files whose queries it would analyse (application
 * code, not migrations or tests); the person picks one and lands on its first query.
 */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { QueryFilesRequest } from '../../server/src/protocol';
import { requestFromServer } from './serverRequests';

export const OPEN_QUERY_FILE_COMMAND = 'queryLens.openQueryFile';

export async function openFileWithQueries(client: LanguageClient, output: vscode.OutputChannel): Promise<void> {
  const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Query Lens: looking for queries' }, () =>
    requestFromServer(client, output, 'Open a File with Queries', (server) => server.sendRequest(QueryFilesRequest.type)),
  );
  if (!found) return;
  if (found.files.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      `Query Lens found no queries in this workspace's ${found.read} SQL, TypeScript, JavaScript and Python files (migrations, schema files and tests are not counted).`,
      'Open a File',
    );
    if (choice) await vscode.commands.executeCommand('workbench.action.quickOpen');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    found.files.map((file) => ({
      label: vscode.workspace.asRelativePath(vscode.Uri.parse(file.uri)),
      description: file.queries === 1 ? '1 query' : `${file.queries} queries`,
      file,
    })),
    {
      title: 'Open a File with Queries',
      placeHolder: `${found.files.length} of ${found.read} files hold queries: pick one to open at its first`,
      matchOnDescription: true,
      // Run from the walkthrough, the step's check-off moves the focus to the next step.
      ignoreFocusOut: true,
    },
  );
  if (!picked) return;
  const start = new vscode.Position(picked.file.firstQueryLine, 0);
  await vscode.window.showTextDocument(vscode.Uri.parse(picked.file.uri), { selection: new vscode.Range(start, start) });
}
