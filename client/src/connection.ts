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
 * `queryLens.connection` in the workspace's or the user's settings (asked, when a folder is open),
 * and has the server connect again. Escape on any box changes nothing.
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

  // Where the URL goes: the workspace's settings are shared with whoever clones the project
  // when .vscode/settings.json is committed (the URL holds no password, but names a host and a
  // user); the user's settings stay on this machine and serve every workspace.
  const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  let target = vscode.ConfigurationTarget.Global;
  if (hasFolder) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Workspace settings', description: '.vscode/settings.json', detail: 'For this project only. Often committed: whoever clones the project gets this URL (never the password).', target: vscode.ConfigurationTarget.Workspace },
        { label: 'User settings', description: 'this machine', detail: 'For every workspace you open, and never committed.', target: vscode.ConfigurationTarget.Global },
      ],
      { title: 'Query Lens: where to keep the connection URL', ignoreFocusOut: true },
    );
    if (!picked) {
      return;
    }
    target = picked.target;
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

  const inWorkspace = target === vscode.ConfigurationTarget.Workspace;
  await settings.update('connection', parts.url, target);
  output.appendLine(
    `[client] queryLens.connection set to ${parts.url} in the ${inWorkspace ? 'workspace' : 'user'} settings; ` +
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
