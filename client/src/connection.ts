/**
 * The development database, as a person sets it up: "Configure Connection" writes the URL to the
 * settings and the password to VS Code's secret storage, and the server's password requests are
 * answered from there. A password never reaches the settings, the log or the output channel.
 */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { PasswordParams, ReconnectRequest } from '../../server/src/protocol';
import { connectionUrlProblem, splitConnectionUrl } from './connectionUrl';
import { requestFromServer } from './serverRequests';

/**
 * `queryLens.configureConnection`: asks for a URL (and, when it has none, an optional password),
 * stores the password under the key the server will ask for, writes the password-free URL to
 * `queryLens.connection`, and has the server connect again. Escape on either box changes nothing.
 */
export async function configureConnection(secrets: vscode.SecretStorage, client: LanguageClient, output: vscode.OutputChannel): Promise<void> {
  const settings = vscode.workspace.getConfiguration('queryLens');
  const current = settings.get<unknown>('connection');
  const input = await vscode.window.showInputBox({
    title: 'Query Lens: Configure Connection',
    prompt: "The development database to plan queries against. A password in the URL goes to VS Code's secret storage, not to the settings.",
    placeHolder: 'postgres://user@localhost:5432/appdb',
    value: typeof current === 'string' ? current : undefined,
    ignoreFocusOut: true,
    validateInput: connectionUrlProblem,
  });
  if (input === undefined) {
    return;
  }
  const parts = splitConnectionUrl(input);
  if ('error' in parts) {
    // Reached only when the box was accepted before its validation had run.
    void vscode.window.showErrorMessage(`Query Lens: ${parts.error}`);
    return;
  }

  let password = parts.password;
  if (password === undefined) {
    password = await vscode.window.showInputBox({
      title: `Query Lens: password for ${parts.secretKey}`,
      prompt: "Optional, kept in VS Code's secret storage. Leave empty to use ~/.pgpass or no password.",
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) {
      return;
    }
  }
  // The secret before the setting: changing the setting makes the server connect, and ask for it.
  try {
    if (password === '') {
      // A password stored earlier would win over ~/.pgpass on the server: "empty" must remove it.
      await secrets.delete(parts.secretKey);
    } else {
      await secrets.store(parts.secretKey, password);
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`Query Lens: the password could not be kept in VS Code's secret storage (${reason(error)}); the connection was not changed.`);
    return;
  }

  const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  await settings.update('connection', parts.url, hasFolder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  output.appendLine(
    `[client] queryLens.connection set to ${parts.url} in the ${hasFolder ? 'workspace' : 'user'} settings; ` +
      (password === '' ? 'no stored password' : `password stored for ${parts.secretKey}`),
  );
  if (!vscode.workspace.isTrusted) {
    // The server connects to nothing in an untrusted workspace: reconnecting would do nothing.
    void vscode.window.showInformationMessage('Query Lens: the connection is saved. Plans stay off until you trust this workspace.');
    return;
  }
  await requestFromServer(client, output, 'Reconnect', (server) => server.sendRequest(ReconnectRequest.type));
}

/** Answers the server's `queryLens/password`: the stored secret for `key`, or `{}` when there is none. */
export async function passwordFromSecretStorage(secrets: vscode.SecretStorage, output: vscode.OutputChannel, { key }: PasswordParams): Promise<{ password?: string }> {
  try {
    const password = await secrets.get(key);
    return password === undefined ? {} : { password };
  } catch (error) {
    // No keyring (a headless Linux, say): the server goes on to PGPASSWORD and ~/.pgpass.
    output.appendLine(`[client] VS Code's secret storage could not be read for ${key}: ${reason(error)}`);
    return {};
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
