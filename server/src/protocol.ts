/**
 * The custom messages between the Query Lens client (and webview) and its language server.
 * Every method is prefixed `queryLens/`; each namespace holds the method name and its type.
 * This module is imported by both sides, so it must not import `vscode`.
 */
import { NotificationType } from 'vscode-languageserver-protocol';

/** What the server is doing, for the status bar. */
export type ServerState = 'starting' | 'ready' | 'error';

export interface StatusParams {
  state: ServerState;
  /** One short line for the status bar, e.g. "PostgreSQL · static analysis". */
  text: string;
  /** A longer explanation for the tooltip and the output channel. */
  detail: string;
}

/** Sent by the server whenever its state changes (after start-up, on settings changes). */
export namespace StatusNotification {
  export const method = 'queryLens/status';
  export const type = new NotificationType<StatusParams>(method);
}
