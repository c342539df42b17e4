/**
 * The custom messages between the Query Lens client (and webview) and its language server.
 * Every method is prefixed `queryLens/`; each namespace holds the method name and its type.
 * This module is imported by both sides, so it must not import `vscode`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { PlanReport } from './plan/planReport';

/** What the server is doing, for the status bar. */
export type ServerState = 'starting' | 'ready' | 'error';

/**
 * Where plans come from: a configured database, the embedded one built from the workspace
 * schema, or none (static analysis only; `reason` says why).
 */
/** `idle`: plans are on, and no query has needed one yet (nothing is opened before). */
export type DatabaseMode = 'connected' | 'embedded' | 'static' | 'connecting' | 'idle';

export interface StatusParams {
  state: ServerState;
  /**
   * One short line for the status bar: `PostgreSQL 15.18 · appdb`, `embedded (schema from
   * migrations/)`, `static only — connection refused at 127.0.0.1:5432`.
   */
  text: string;
  /** A longer explanation for the tooltip and the output channel. */
  detail: string;
  /** The database side of the state, when the server has one to tell. */
  database?: { mode: DatabaseMode; reason?: string };
}

/** Sent by the server whenever its state changes (after start-up, on settings changes). */
export namespace StatusNotification {
  export const method = 'queryLens/status';
  export const type = new NotificationType<StatusParams>(method);
}

/**
 * What the client tells the server at start-up (`initializationOptions`). Nothing here is a
 * setting: settings are pulled with `workspace/configuration`.
 */
export interface InitializationOptions {
  /** `vscode.workspace.isTrusted`: untrusted workspaces get static analysis only. */
  workspaceTrusted?: boolean;
  /** A folder the server may write to (the extension's global storage): embedded databases live here. */
  storagePath?: string;
}

/** Sent by the client when the user trusts the workspace (trust is never withdrawn in a session). */
export namespace WorkspaceTrustedNotification {
  export const method = 'queryLens/workspaceTrusted';
  export const type = new NotificationType<{ trusted: boolean }>(method);
}

/**
 * Asked by the server when a connection has no password of its own: the client answers from
 * VS Code's SecretStorage (stored there by "Query Lens: Configure Connection"). `key` is
 * `user@host:port/database`; the answer is `{}` when no secret is stored.
 */
export interface PasswordParams {
  key: string;
}
export namespace PasswordRequest {
  export const method = 'queryLens/password';
  export const type = new RequestType<PasswordParams, { password?: string }, void>(method);
}

/** "Reconnect": forget the connection state and connect again (client → server). */
export namespace ReconnectRequest {
  export const method = 'queryLens/reconnect';
  export const type = new RequestType0<void, void>(method);
}

/** "Refresh Schema": a new schema version; every plan is made again (client → server). */
export namespace RefreshSchemaRequest {
  export const method = 'queryLens/refreshSchema';
  export const type = new RequestType0<void, void>(method);
}

/**
 * The plan of the query that starts at `queryStart` (a document offset) in `uri`, or (without
 * it) of the query that holds the offset `at`: the one under the cursor.
 */
export interface PlanParams {
  uri: string;
  queryStart?: number;
  at?: number;
}

export interface PlanInsightInfo {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
}

export interface PlanResult {
  /** The SQL that was explained, as sent (parameters as `$n`). */
  sql: string;
  /** Where the plan came from, e.g. `PostgreSQL 15.18 · appdb` or `embedded (schema from migrations/)`. */
  database: string;
  /** EXPLAIN's own JSON output (`[{ "Plan": … }]`). */
  json: unknown;
  /** The plan drawn as text, as `EXPLAIN` prints it. */
  text: string;
  insights: PlanInsightInfo[];
  /** The plan read for the viewer: numbered nodes with their figures, and tips (index tips verified as the diagnostics are). */
  report: PlanReport;
  /** Per node id, the part of `sql` it comes from (a scan's table reference), as UTF-16 offsets. */
  sourceRanges: Record<number, { start: number; end: number }>;
  /**
   * The same ranges in the document the query is in, as offsets from the query's start (a plan is
   * shared by the queries of a document with the same SQL).
   */
  documentRanges: Record<number, { start: number; end: number }>;
  /** Where the query starts in its document (the offset `PlanParams.queryStart` names it by). */
  queryStart?: number;
}

export namespace PlanRequest {
  export const method = 'queryLens/plan';
  export const type = new RequestType<PlanParams, PlanResult | null, void>(method);
}

/** What "Explain Analyze" must tell the user before it runs a query (client → server). */
export interface ExplainAnalyzeTarget {
  /** `PostgreSQL 15.20 · appdb`. */
  database: string;
  /** The database's host is this machine (localhost, 127.0.0.1, ::1, a socket). */
  local: boolean;
  /** The statement writes (INSERT, UPDATE, DELETE, MERGE, or a CTE that does): it is rolled back. */
  changesData: boolean;
  /** Its highest `$n`: the values to ask for. */
  parameterCount: number;
  /** The statement as it would run. */
  sql: string;
}
export namespace ExplainAnalyzeTargetRequest {
  export const method = 'queryLens/explainAnalyzeTarget';
  export const type = new RequestType<{ uri: string; queryStart: number }, ExplainAnalyzeTarget | { error: string }, void>(method);
}

/**
 * "Explain Analyze", once the user has confirmed: runs `EXPLAIN (ANALYZE, BUFFERS)` of the query
 * in a transaction that is always rolled back, with these parameter values (`null`: NULL).
 */
export interface ExplainAnalyzeParams {
  uri: string;
  queryStart: number;
  values?: (string | null)[];
}
export namespace ExplainAnalyzeRequest {
  export const method = 'queryLens/explainAnalyze';
  export const type = new RequestType<ExplainAnalyzeParams, { plan: PlanResult } | { error: string }, void>(method);
}

/** "Open Plan": a saved or pasted plan (EXPLAIN's JSON or text, PostgreSQL 9.x–18) read into a report. */
export namespace ReadPlanRequest {
  export const method = 'queryLens/readPlan';
  export const type = new RequestType<{ text: string }, { report: PlanReport; json: unknown; text: string } | { error: string }, void>(method);
}

/**
 * "Open a File with Queries": the workspace's files that hold queries the application runs (not
 * migrations, schema files or tests), with how many and the line of the first, in path order
 * (client → server). Files over `queryLens.maxFileSizeKb` and binary files are passed over; an
 * open document is read as the editor holds it. `read` counts the files looked at.
 */
export interface QueryFile {
  uri: string;
  queries: number;
  /** 0-based. */
  firstQueryLine: number;
}
export namespace QueryFilesRequest {
  export const method = 'queryLens/queryFiles';
  export const type = new RequestType0<{ files: QueryFile[]; read: number }, void>(method);
}

/**
 * The plan viewer: a webview that draws a `PlanReport` (server/src/plan/planReport.ts). These are
 * `postMessage` payloads between the extension and the webview, not LSP messages: each carries a
 * `type` so both sides switch on one field, and the webview imports this module for types only.
 */
export namespace PlanViewer {
  /** A range of `sql`, as UTF-16 offsets (`sql.slice(start, end)`). */
  export interface SourceRange {
    start: number;
    end: number;
  }

  /** Extension → webview: draw this plan (sent after `ready`, and again whenever the plan changes). */
  export interface ShowMessage {
    type: 'show';
    report: PlanReport;
    /** The SQL that was explained. */
    sql: string;
    /** Where the plan came from, as the status bar says it: `PostgreSQL 15.18 · appdb`. */
    database: string;
    /** The panel's heading: the query's file and line, or the statement's first words. */
    title: string;
    /** EXPLAIN's own JSON output (`[{ "Plan": … }]`), for the raw tab and Save as JSON. */
    json: unknown;
    /** The plan as EXPLAIN's text format prints it, for the raw tab and Save as text. */
    text: string;
    /** Per node id, the part of `sql` the node comes from (a scan's table reference, a join's ON…). */
    sourceRanges?: Record<number, SourceRange>;
    /** The plan before the last change, for the compare view. */
    previous?: { report: PlanReport; sql: string };
    /** The query changed since this plan was made; a new one is on its way. */
    stale?: boolean;
    /**
     * For the extension only (kept in the webview's state so a restored panel follows its query
     * again): the document and query start the plan is of, and per node the range it comes from
     * as offsets from the query's start.
     */
    source?: { uri: string; queryStart: number; documentRanges?: Record<number, SourceRange> };
  }

  /** Extension → webview: the query changed (or stopped changing); toggles the stale banner only. */
  export interface StaleMessage {
    type: 'stale';
    stale: boolean;
  }

  export type ToWebview = ShowMessage | StaleMessage;

  /** Webview → extension: the app has loaded and listens; answer with `show`. */
  export interface ReadyMessage {
    type: 'ready';
  }
  /** Webview → extension: the user selected node `id`; highlight its `sourceRanges` entry in the editor. */
  export interface SelectNodeMessage {
    type: 'selectNode';
    id: number;
  }
  /** Webview → extension: "Create index" on the tip of node `tipNode`; `statement` is the tip's `index.statement`. */
  export interface CreateIndexMessage {
    type: 'createIndex';
    tipNode: number;
    statement: string;
  }
  /** Webview → extension: put `text` on the clipboard (the webview's own clipboard access is unreliable). */
  export interface CopyMessage {
    type: 'copy';
    text: string;
  }
  /** Webview → extension: save the plan (`json`: EXPLAIN's JSON; `text`: EXPLAIN's text) with a save dialog. */
  export interface SaveMessage {
    type: 'save';
    format: 'json' | 'text';
  }
  /** Webview → extension: the user asked for the compare view but has no `previous`; offer plans to compare with. */
  export interface CompareMessage {
    type: 'compare';
  }
  /** Webview → extension: plan the query again with EXPLAIN (ANALYZE, BUFFERS), after asking the user (it runs the query). */
  export interface ExplainAnalyzeMessage {
    type: 'explainAnalyze';
  }

  export type FromWebview =
    | ReadyMessage
    | SelectNodeMessage
    | CreateIndexMessage
    | CopyMessage
    | SaveMessage
    | CompareMessage
    | ExplainAnalyzeMessage;

  export type Metric = 'time' | 'cost' | 'rows' | 'misestimate' | 'buffers';
  export type View = 'tree' | 'icicle' | 'compare' | 'raw';

  /**
   * What the webview keeps with `setState` (and a WebviewPanelSerializer gets back in
   * `deserializeWebviewPanel`): the last `show`, so a restored panel draws at once, and how the
   * user was looking at it.
   */
  export interface State {
    show?: ShowMessage;
    metric: Metric;
    view: View;
    /** Ids of the nodes whose subtrees are folded; `undefined` until the user folds one (the default folding applies). */
    collapsed?: number[];
    selected?: number;
    search: string;
    zoom: number;
  }
}
