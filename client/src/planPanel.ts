/**
 * The plan viewer panel: a webview (media/planViewer, bundled to dist/media) showing the plan of
 * one query. It follows the query: its start is moved along with edits above it, and each time
 * the server publishes new diagnostics for the document (it has planned again) the panel asks
 * for the plan again; a plan that differs becomes the compare view's "before".
 *
 * Everything the panel knows comes from the server (PlanRequest, ExplainAnalyze*, ReadPlan);
 * "Create index" on a tip takes the same quick fix as the light bulb, so it writes the same
 * migration in the project's convention.
 */
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import {
  ExplainAnalyzeRequest,
  ExplainAnalyzeTargetRequest,
  PlanRequest,
  PlanViewer,
  ReadPlanRequest,
  type PlanResult,
} from '../../server/src/protocol';
import { planViewerHtml } from './planViewerHtml';
import { requestFromServer } from './serverRequests';

export const PLAN_VIEW_TYPE = 'queryLens.plan';

/** The query a panel follows: its document, and where it starts there now. */
interface FollowedQuery {
  uri: string;
  queryStart: number;
}

/** One panel, reused for every "Show Query Plan" (as pev2's page and the Markdown preview are). */
export class PlanPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private followed: FollowedQuery | undefined;
  private current: PlanViewer.ShowMessage | undefined;
  /** The plan before the latest change of the followed query, for Compare. */
  private previous: PlanViewer.ShowMessage['previous'];
  private readonly subscriptions: vscode.Disposable[] = [];
  private refreshing: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly output: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(PLAN_VIEW_TYPE, {
        // After a window reload: the webview draws its last plan from its state at once; the
        // query it followed is asked for again when it says it is ready.
        deserializeWebviewPanel: async (panel, state: PlanViewer.State | undefined) => {
          this.adopt(panel);
          this.current = state?.show;
          this.followed = state?.show?.source;
        },
      }),
      vscode.workspace.onDidChangeTextDocument((event) => this.followEdits(event)),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (this.followed && event.uris.some((uri) => uri.toString() === this.followed!.uri)) this.refreshSoon();
      }),
    );
  }

  /** "Show Query Plan": the query that starts at `queryStart`, or the one under the cursor. */
  async show(uri: string, where: { queryStart: number } | { at: number }): Promise<boolean> {
    const result = await requestFromServer(this.client, this.output, 'Show Query Plan', (server) =>
      server.sendRequest(PlanRequest.type, 'queryStart' in where ? { uri, queryStart: where.queryStart } : { uri, at: where.at }),
    );
    if (result === undefined) return false;
    if (result === null) {
      void vscode.window.showInformationMessage(
        'Query Lens: no plan for a query here yet: put the cursor in a query Query Lens has planned (it shows a CodeLens above it). The status bar says whether a database is connected.',
      );
      return false;
    }
    const queryStart = result.queryStart ?? ('queryStart' in where ? where.queryStart : 0);
    const sameQuery = this.followed?.uri === uri && this.followed.queryStart === queryStart;
    if (!sameQuery) this.previous = undefined;
    this.followed = { uri, queryStart };
    this.reveal();
    this.post(this.showMessage(result, sameQuery));
    return true;
  }

  /** "Open Plan": a plan from the clipboard or a file, EXPLAIN's JSON or text. */
  async open(): Promise<void> {
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'Paste from the clipboard', source: 'clipboard' as const },
        { label: 'Open a file…', source: 'file' as const },
      ],
      { title: 'Query Lens: Open Plan (EXPLAIN output, JSON or text)' },
    );
    if (!choice) return;
    let text: string;
    let title: string;
    if (choice.source === 'clipboard') {
      text = await vscode.env.clipboard.readText();
      title = 'Pasted plan';
    } else {
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'EXPLAIN output': ['json', 'txt', 'plan', 'sql', 'log'], 'All files': ['*'] } });
      if (!files?.[0]) return;
      text = Buffer.from(await vscode.workspace.fs.readFile(files[0])).toString('utf8');
      title = path.basename(files[0].fsPath);
    }
    const read = await requestFromServer(this.client, this.output, 'Open Plan', (server) => server.sendRequest(ReadPlanRequest.type, { text }));
    if (!read) return;
    if ('error' in read) {
      void vscode.window.showErrorMessage(`Query Lens: that is not a plan EXPLAIN printed: ${read.error}`);
      return;
    }
    this.followed = undefined;
    this.previous = this.current ? { report: this.current.report, sql: this.current.sql } : undefined;
    this.reveal();
    this.post({ type: 'show', report: read.report, sql: '', database: 'saved plan (no database)', title, json: read.json, text: read.text, ...(this.previous ? { previous: this.previous } : {}) });
  }

  /**
   * "Explain Analyze": runs the query (EXPLAIN ANALYZE executes it) only once the user has said
   * yes, and a second time for a database on another machine; parameters are asked for (and
   * remembered per query) first.
   */
  async explainAnalyze(uri?: string, queryStart?: number): Promise<void> {
    const target = uri !== undefined && queryStart !== undefined ? { uri, queryStart } : this.followed ?? (await this.queryUnderCursor());
    if (!target) {
      void vscode.window.showInformationMessage('Query Lens: put the cursor in a planned query (or open its plan) to Explain Analyze it.');
      return;
    }
    const about = await requestFromServer(this.client, this.output, 'Explain Analyze', (server) => server.sendRequest(ExplainAnalyzeTargetRequest.type, target));
    if (!about) return;
    if ('error' in about) {
      void vscode.window.showErrorMessage(`Query Lens: cannot Explain Analyze: ${about.error}`);
      return;
    }
    const values = await this.askValues(target, about.parameterCount);
    if (values === undefined) return;
    const run = 'Run it';
    const writes = about.changesData ? ' It changes data: it runs inside a transaction that is rolled back, so its changes are undone (sequences excepted).' : '';
    const first = await vscode.window.showWarningMessage(
      `EXPLAIN ANALYZE runs this query in ${about.database} and reports how it ran.${writes}`,
      { modal: true, detail: about.sql.trim().slice(0, 500) },
      run,
    );
    if (first !== run) return;
    if (!about.local) {
      const really = 'Run it there';
      const second = await vscode.window.showWarningMessage(
        `${about.database} is not on this machine. If it is a production database, the query adds its load there. Run it anyway?`,
        { modal: true },
        really,
      );
      if (second !== really) return;
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Query Lens: EXPLAIN ANALYZE in ${about.database}…` }, () =>
      requestFromServer(this.client, this.output, 'Explain Analyze', (server) => server.sendRequest(ExplainAnalyzeRequest.type, { ...target, ...(values.length > 0 ? { values } : {}) })),
    );
    if (!result) return;
    if ('error' in result) {
      void vscode.window.showErrorMessage(`Query Lens: EXPLAIN ANALYZE failed: ${result.error}`);
      return;
    }
    const sameQuery = this.followed?.uri === target.uri && this.followed.queryStart === target.queryStart;
    this.followed = target;
    this.reveal();
    this.post(this.showMessage(result.plan, sameQuery, ' · EXPLAIN ANALYZE'));
  }

  dispose(): void {
    this.panel?.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private async queryUnderCursor(): Promise<FollowedQuery | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const uri = editor.document.uri.toString();
    const result = await requestFromServer(this.client, this.output, 'Explain Analyze', (server) => server.sendRequest(PlanRequest.type, { uri, at: editor.document.offsetAt(editor.selection.active) }));
    return result?.queryStart !== undefined ? { uri, queryStart: result.queryStart } : undefined;
  }

  /** The parameters' values, remembered per query text; [] when it has none; undefined if cancelled. */
  private async askValues(target: FollowedQuery, count: number): Promise<(string | null)[] | undefined> {
    if (count === 0) return [];
    const key = `queryLens.parameters.${target.uri}#${target.queryStart}`;
    const remembered = this.context.workspaceState.get<(string | null)[]>(key) ?? [];
    const values: (string | null)[] = [];
    for (let i = 0; i < count; i++) {
      const value = await vscode.window.showInputBox({
        title: `Query Lens: Explain Analyze — value of $${i + 1} (of ${count})`,
        prompt: 'As you would write it in SQL without quotes; NULL for NULL.',
        value: remembered[i] === null ? 'NULL' : remembered[i] ?? '',
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      values.push(value.trim().toUpperCase() === 'NULL' ? null : value);
    }
    await this.context.workspaceState.update(key, values);
    return values;
  }

  private showMessage(result: PlanResult, sameQuery: boolean, suffix = ''): PlanViewer.ShowMessage {
    if (sameQuery && this.current && JSON.stringify(this.current.json) !== JSON.stringify(result.json)) {
      this.previous = { report: this.current.report, sql: this.current.sql };
    }
    const message: PlanViewer.ShowMessage = {
      type: 'show',
      report: result.report,
      sql: result.sql,
      database: result.database + suffix,
      title: this.followed ? describePlace(this.followed) : 'Query plan',
      json: result.json,
      text: result.text,
      sourceRanges: result.sourceRanges,
      ...(this.previous ? { previous: this.previous } : {}),
      ...(this.followed ? { source: { ...this.followed, documentRanges: result.documentRanges } } : {}),
    };
    return message;
  }

  private reveal(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PLAN_VIEW_TYPE, 'Query plan', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media')],
    });
    this.adopt(panel);
  }

  /** Sets the page of a new or restored panel and listens to it. */
  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.html = planViewerHtml({
      cspSource: panel.webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'planViewer.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'planViewer.css')).toString(),
    });
    panel.webview.onDidReceiveMessage((message: PlanViewer.FromWebview) => this.received(message), undefined, this.subscriptions);
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.followed = undefined;
        this.current = undefined;
        this.previous = undefined;
      }
    });
  }

  private post(message: PlanViewer.ToWebview): void {
    if (message.type === 'show') {
      this.current = message;
      if (this.panel) this.panel.title = `Plan · ${message.title}`;
    }
    void this.panel?.webview.postMessage(message);
  }

  private async received(message: PlanViewer.FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.followed) await this.refresh();
        else if (this.current) this.post(this.current);
        return;
      case 'selectNode':
        await this.revealSource(message.id);
        return;
      case 'createIndex':
        await this.createIndex(message.tipNode, message.statement);
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        void vscode.window.setStatusBarMessage('Query Lens: copied', 3000);
        return;
      case 'save':
        await this.save(message.format);
        return;
      case 'compare':
        void vscode.window.showInformationMessage(
          'Query Lens: no earlier plan of this query yet. Change the query, create an index or run Explain Analyze, and the panel compares the new plan with the one before.',
        );
        return;
      case 'explainAnalyze':
        await this.explainAnalyze();
        return;
    }
  }

  /** The part of the query a node comes from, selected in its editor. */
  private async revealSource(id: number): Promise<void> {
    const source = this.current?.source;
    const range = source?.documentRanges?.[id];
    if (!source || !range) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
    const selection = new vscode.Range(document.positionAt(source.queryStart + range.start), document.positionAt(source.queryStart + range.end));
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: true, selection });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /**
   * "Create index" on a tip: the quick fix the light bulb offers on the query's plan finding,
   * taken as the light bulb would (its migration edit, then its command), so both write the same.
   */
  private async createIndex(tipNode: number, statement: string): Promise<void> {
    const followed = this.followed;
    if (!followed) {
      void vscode.window.showInformationMessage('Query Lens: this plan is not of a query in the workspace; copy the statement instead.');
      return;
    }
    const uri = vscode.Uri.parse(followed.uri);
    const document = await vscode.workspace.openTextDocument(uri);
    // The query's plan findings: a seq scan's sits on the table the tip's node reads (its
    // source range); any other lies within the query (getDiagnostics drops the data naming it).
    const nodeRange = this.current?.source?.documentRanges?.[tipNode];
    const within = (d: vscode.Diagnostic) => {
      const at = document.offsetAt(d.range.start);
      return nodeRange ? at === followed.queryStart + nodeRange.start : at >= followed.queryStart && at <= followed.queryStart + 4 * Math.max(this.current?.sql.length ?? 0, 100);
    };
    // A code with a docs link comes as { value, target }.
    const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
    const findings = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'query-lens' && (codeOf(d) === 'plan-seq-scan' || codeOf(d) === 'plan-sort-spill') && within(d));
    const offered: vscode.CodeAction[] = [];
    for (const finding of findings) {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, finding.range, vscode.CodeActionKind.QuickFix.value);
      offered.push(...(actions ?? []).filter((action) => /^Create index(?:es)? on /.test(action.title) && action.edit));
    }
    // The tip's table, when the query has findings on several.
    const table = /\bON (?:(?:"(?:[^"]|"")+"|[\w$]+)\.)?("(?:[^"]|"")+"|[\w$]+) /.exec(statement)?.[1]?.replace(/^"|"$/g, '');
    const create = offered.find((action) => table !== undefined && (action.title.startsWith(`Create index on ${table} (`) || action.title.startsWith(`Create indexes on ${table} (`))) ?? offered[0];
    if (!create?.edit) {
      void vscode.window.showWarningMessage('Query Lens: the finding behind this tip has changed since; no index to create for it now.');
      await this.refresh();
      return;
    }
    if (!(await vscode.workspace.applyEdit(create.edit))) {
      void vscode.window.showErrorMessage('Query Lens: the migration could not be written.');
      return;
    }
    if (create.command) await vscode.commands.executeCommand(create.command.command, ...(create.command.arguments ?? []));
  }

  private async save(format: 'json' | 'text'): Promise<void> {
    const current = this.current;
    if (!current) return;
    const base = current.title.replace(/[^\w.-]+/g, '_');
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${base}.plan.${format === 'json' ? 'json' : 'txt'}`), filters: format === 'json' ? { JSON: ['json'] } : { Text: ['txt'] } });
    if (!target) return;
    const content = format === 'json' ? JSON.stringify(current.json, null, 2) : current.text;
    await vscode.workspace.fs.writeFile(target, Buffer.from(content + '\n', 'utf8'));
  }

  /** Keeps the followed query's start where its text went: edits above it move it. */
  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    const followed = this.followed;
    if (!followed || event.document.uri.toString() !== followed.uri || event.contentChanges.length === 0) return;
    let start = followed.queryStart;
    for (const change of event.contentChanges) {
      if (change.rangeOffset + change.rangeLength <= start) start += change.text.length - change.rangeLength;
    }
    this.followed = { ...followed, queryStart: start };
    this.post({ type: 'stale', stale: true });
  }

  /** After the server has published again: the new plan, shortly (publishes come in bursts). */
  private refreshSoon(): void {
    if (this.refreshing) clearTimeout(this.refreshing);
    this.refreshing = setTimeout(() => {
      this.refreshing = undefined;
      void this.refresh();
    }, 150);
  }

  private async refresh(): Promise<void> {
    const followed = this.followed;
    if (!followed || !this.panel) return;
    let result: PlanResult | null;
    try {
      result = await this.client.sendRequest(PlanRequest.type, { uri: followed.uri, queryStart: followed.queryStart });
    } catch {
      return;
    }
    if (!result) return; // still planning, or the query is gone: the stale banner stays
    this.post(this.showMessage(result, true));
  }
}

/** `orders.ts:12` (the line of the query's start, when its document is open), else the file name. */
function describePlace(followed: FollowedQuery): string {
  const name = path.posix.basename(vscode.Uri.parse(followed.uri).path);
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === followed.uri);
  return document ? `${name}:${document.positionAt(followed.queryStart).line + 1}` : name;
}
