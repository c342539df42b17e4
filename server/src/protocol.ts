/**
 * The custom messages between the Query Lens client (and webview) and its language server.
 * Every method is prefixed `queryLens/`; each namespace holds the method name and its type.
 * This module is imported by both sides, so it must not import `vscode`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** What the server is doing, for the status bar. */
export type ServerState = 'starting' | 'ready' | 'error';

/**
 * Where plans come from: a configured database, the embedded one built from the workspace
 * schema, or none (static analysis only; `reason` says why).
 */
export type DatabaseMode = 'connected' | 'embedded' | 'static' | 'connecting';

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

/** The plan of the query that starts at `queryStart` (a document offset) in `uri`. */
export interface PlanParams {
  uri: string;
  queryStart: number;
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
}

export namespace PlanRequest {
  export const method = 'queryLens/plan';
  export const type = new RequestType<PlanParams, PlanResult | null, void>(method);
}
