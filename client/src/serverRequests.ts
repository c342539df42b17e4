/**
 * Requests that a person started with a command. The server may be stopped, still starting, or
 * older than the request: the person is told so instead of the command failing silently.
 */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

/**
 * Runs `send` against the language server; on failure logs it, shows `Query Lens: <action>
 * failed: …` and resolves to undefined.
 */
export async function requestFromServer<R>(
  client: LanguageClient,
  output: vscode.OutputChannel,
  action: string,
  send: (client: LanguageClient) => Promise<R>,
): Promise<R | undefined> {
  try {
    return await send(client);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.appendLine(`[client] ${action} failed: ${reason}`);
    void vscode.window.showErrorMessage(`Query Lens: ${action} failed: ${reason}`);
    return undefined;
  }
}
