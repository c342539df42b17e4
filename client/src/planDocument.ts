/**
 * "Show plan": the plan of one query as a read-only text document beside the editor, served from
 * memory by a content provider on the `query-lens-plan` scheme. (A webview plan viewer replaces
 * it later.)
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { PlanRequest, PlanResult } from '../../server/src/protocol';
import { requestFromServer } from './serverRequests';

export const PLAN_SCHEME = 'query-lens-plan';

/** The texts of the plan documents, by their uri; a plan is forgotten when its document closes. */
export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => this.texts.delete(document.uri.toString())),
      this.changed,
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    // Reached when a closed plan is reopened (Reopen Closed Editor): its text is gone.
    return this.texts.get(uri.toString()) ?? 'This plan is no longer in memory: run "Show plan" above the query again.';
  }

  /** Shows `text` beside the active editor; an open document of the same uri is updated in place. */
  async show(uri: vscode.Uri, text: string): Promise<void> {
    const isOpen = vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString());
    this.texts.set(uri.toString(), text);
    if (isOpen) {
      this.changed.fire(uri);
    }
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/**
 * `queryLens.showPlan(uri, queryStart)`, run by the server's "Show plan" CodeLens: asks the server
 * for the plan of the query that starts at document offset `queryStart` and shows it.
 */
export async function showPlan(client: LanguageClient, output: vscode.OutputChannel, documents: PlanDocuments, uri: unknown, queryStart: unknown): Promise<void> {
  if (typeof uri !== 'string' || typeof queryStart !== 'number') {
    void vscode.window.showErrorMessage('Query Lens: Show Plan runs from the "Show plan" lens above a query.');
    return;
  }
  const result = await requestFromServer(client, output, 'Show Plan', (server) => server.sendRequest(PlanRequest.type, { uri, queryStart }));
  if (result === undefined) {
    return; // requestFromServer has told the person why
  }
  if (result === null) {
    void vscode.window.showInformationMessage(
      'No plan for this query yet: Query Lens has no database to plan it against, or is still planning it. The status bar says which.',
    );
    return;
  }
  const where = describeQueryPlace(uri, queryStart);
  // The path is the tab's title, ending in `· plan` so that no language claims it by its file
  // extension (`orders.ts`); the query keeps plans of same-named files apart.
  const planUri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${where} · plan`, query: new URLSearchParams({ uri, at: String(queryStart) }).toString() });
  await documents.show(planUri, planDocumentText(result, where));
}

/** `orders.ts:12` when the document is open (the line of the query's start), else the file name. */
function describeQueryPlace(uri: string, queryStart: number): string {
  const name = path.posix.basename(vscode.Uri.parse(uri).path);
  const source = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri);
  return source ? `${name}:${source.positionAt(queryStart).line + 1}` : name;
}

/** The plan document: where the plan came from, the SQL, the insights, then the plan as EXPLAIN draws it. */
function planDocumentText(result: PlanResult, where: string): string {
  const insights = result.insights.map((insight) => `${insight.severity.padEnd(11)} ${insight.code}: ${insight.message}`);
  return [
    `Query Lens plan of ${where}`,
    `Database: ${result.database}`,
    '',
    'SQL',
    '---',
    result.sql.trim(),
    '',
    `Insights (${result.insights.length})`,
    '--------',
    ...(insights.length > 0 ? insights : ['none']),
    '',
    'Plan',
    '----',
    result.text.trimEnd(),
    '',
  ].join('\n');
}
