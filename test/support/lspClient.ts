/**
 * A minimal LSP client for tests: starts the bundled server (`dist/server.js`) as a separate
 * process over stdio and drives it as an editor does: initialize, open/change/close documents,
 * answer `workspace/configuration`, and collect published diagnostics.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  CodeAction,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeLens,
  CodeLensRefreshRequest,
  CodeLensRequest,
  ConfigurationParams,
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  LogTraceNotification,
  ShowDocumentRequest,
  ShowMessageRequest,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { InitializationOptions, PasswordRequest, StatusNotification, StatusParams } from '../../server/src/protocol';

/** How a test server is started. */
export interface StartOptions {
  /** The `queryLens` settings answered for every document without its own (default `{ debounceMs: 0 }`). */
  settings?: Record<string, unknown>;
  /** The workspace folder (a file: URI); none by default. */
  rootUri?: string;
  initializationOptions?: InitializationOptions;
  /** Variables added to the server's environment. DATABASE_URL and PG* are never inherited from the test run. */
  env?: Record<string, string>;
  /**
   * Whether the client asks for code actions' edits with `codeAction/resolve`, as VS Code does
   * (default true); without it, the server sends each edit with its action.
   */
  resolvesCodeActions?: boolean;
  /**
   * Holds the answer to the workspace's own settings request (the one scoped to the workspace
   * folder, which configures the database) until this settles, as a slow editor start would;
   * documents' own settings are answered at once.
   */
  workspaceSettingsAfter?: Promise<void>;
  /** The trace level the editor sets (`queryLens.trace.server`): at `verbose`, routine lines come too ($/logTrace), into `logs`. */
  trace?: 'off' | 'messages' | 'verbose';
}

/** The server's environment: the test run's, without the libpq variables a developer may have set. */
function serverEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== 'DATABASE_URL' && !name.startsWith('PG')) {
      env[name] = value;
    }
  }
  return { ...env, ...extra };
}

export const SERVER_PATH = path.resolve(__dirname, '../../../dist/server.js');

/** The `codeDescription` the server gives a diagnostic of `code`: its docs page, shipped beside dist/. */
export function docsLink(code: string): { href: string } {
  return { href: pathToFileURL(path.resolve(__dirname, '../../../docs/rules', `${code}.md`)).href };
}

export class TestLspClient {
  readonly connection: ProtocolConnection;
  readonly statuses: StatusParams[] = [];
  /** What the server asked for with workspace/configuration, in order. */
  readonly configurationRequests: ConfigurationParams[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly versions = new Map<string, number>();
  stderr = '';
  /** Settings returned for `queryLens` by uri (missing: `defaultSettings`). */
  settingsByUri = new Map<string, Record<string, unknown>>();
  defaultSettings: Record<string, unknown> = {};
  private workspaceSettingsAfter: Promise<void> | undefined;
  private rootUri: string | undefined;
  /** What the client answers to `queryLens/password`, by key; and the keys asked. */
  secrets = new Map<string, string>();
  readonly passwordRequests: string[] = [];
  /** How many times the server asked for the CodeLenses to be fetched again. */
  codeLensRefreshes = 0;
  /** The server's log lines (window/logMessage), oldest first. */
  readonly logs: string[] = [];
  /**
   * The messages the server showed with `window/showMessageRequest` (vscode-languageserver sends
   * every message that way), and the button this client answers with.
   */
  readonly asked: string[] = [];
  answer: string | undefined;
  /** The documents the server asked the editor to show (`window/showDocument`), in order. */
  readonly shownDocuments: string[] = [];

  private constructor(env?: Record<string, string>) {
    this.child = spawn(process.execPath, [SERVER_PATH, '--stdio'], { stdio: 'pipe', env: serverEnvironment(env) });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const list = this.published.get(params.uri) ?? [];
      list.push(params);
      this.published.set(params.uri, list);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.accept(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onNotification(StatusNotification.type, (params) => this.statuses.push(params));
    this.connection.onRequest(ConfigurationRequest.type, async (params) => {
      this.configurationRequests.push(params);
      if (this.workspaceSettingsAfter && params.items.some((item) => item.scopeUri === undefined || item.scopeUri === this.rootUri)) {
        await this.workspaceSettingsAfter;
      }
      return params.items.map((item) => (item.section === 'queryLens' ? this.settingsByUri.get(item.scopeUri ?? '') ?? this.defaultSettings : null));
    });
    this.connection.onRequest(RegistrationRequest.type, () => undefined);
    this.connection.onRequest(PasswordRequest.type, (params) => {
      this.passwordRequests.push(params.key);
      const password = this.secrets.get(params.key);
      return password === undefined ? {} : { password };
    });
    this.connection.onNotification(LogMessageNotification.type, (params) => this.logs.push(params.message));
    this.connection.onNotification(LogTraceNotification.type, (params) => this.logs.push(params.message));
    this.connection.onRequest(ShowMessageRequest.type, (params) => {
      this.asked.push(params.message);
      return params.actions?.find((action) => action.title === this.answer) ?? null;
    });
    this.connection.onRequest(ShowDocumentRequest.type, (params) => {
      this.shownDocuments.push(params.uri);
      return { success: true };
    });
    this.connection.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes++;
    });
    this.connection.listen();
  }

  /** Starts the server and completes the initialize handshake. */
  static async start(options: StartOptions = {}): Promise<TestLspClient> {
    const client = new TestLspClient(options.env);
    client.defaultSettings = options.settings ?? { debounceMs: 0 };
    client.workspaceSettingsAfter = options.workspaceSettingsAfter;
    client.rootUri = options.rootUri;
    await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      trace: options.trace ?? 'off',
      rootUri: options.rootUri ?? null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, codeLens: { refreshSupport: true }, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        window: { showDocument: { support: true } },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          ...(options.resolvesCodeActions === false ? {} : { codeAction: { dataSupport: true, resolveSupport: { properties: ['edit'] } } }),
        },
      },
      workspaceFolders: options.rootUri ? [{ uri: options.rootUri, name: 'workspace' }] : null,
      initializationOptions: options.initializationOptions,
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, languageId: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri, (p) => p.version === 1 || p.version === undefined);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return published;
  }

  /** Sends changes (incremental or full) and waits for the diagnostics of the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const published = this.nextDiagnostics(uri, (p) => p.version === version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return published;
  }

  /** Closes a document and waits for its diagnostics to be cleared. */
  async close(uri: string): Promise<PublishDiagnosticsParams> {
    const published = this.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    return published;
  }

  /** Tells the server a document was saved. */
  async save(uri: string): Promise<void> {
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Tells the server the settings changed (it pulls them again). */
  async settingsChanged(): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Resolves with the next diagnostics for `uri` that `accept` takes; rejects after `timeoutMs`. */
  nextDiagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 15_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; server stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        uri,
        accept,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  /**
   * The latest diagnostics for `uri` that `accept` takes: the last published if it does, else
   * the next that does (plan diagnostics follow the static ones).
   */
  diagnosticsWhere(uri: string, accept: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 15_000): Promise<PublishDiagnosticsParams> {
    const last = this.allPublished(uri).at(-1);
    return last && accept(last) ? Promise.resolve(last) : this.nextDiagnostics(uri, accept, timeoutMs);
  }

  /**
   * The code actions for `diagnostic`, as an editor asks for them (the diagnostic in the
   * context), without their edits when the server leaves those to `codeAction/resolve`.
   */
  async codeActions(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    const result = await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    return (result ?? []) as CodeAction[];
  }

  /** A code action with its edit, as an editor applies it: resolved first when it has none. */
  async resolved(action: CodeAction): Promise<CodeAction> {
    return action.edit ? action : this.connection.sendRequest(CodeActionResolveRequest.type, action);
  }

  codeLenses(uri: string): Promise<CodeLens[]> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }).then((lenses) => lenses ?? []);
  }

  /** Every publish seen for `uri`, oldest first. */
  allPublished(uri: string): PublishDiagnosticsParams[] {
    return this.published.get(uri) ?? [];
  }

  /** Resolves with the first log line (past or future) that `accept` takes. */
  waitForLog(accept: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    return firstFound(this.logs, accept, timeoutMs, 'log line');
  }

  waitForStatus(accept: (s: StatusParams) => boolean, timeoutMs = 10_000): Promise<StatusParams> {
    return firstFound(this.statuses, accept, timeoutMs, 'status');
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      try {
        await this.connection.sendRequest(ShutdownRequest.type);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        this.child.kill();
      }
      // The grace timer is cleared once the server has exited: left pending, it kept the test
      // process alive for up to 3 s after its last test.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (grace = setTimeout(resolve, 3000)))]);
      clearTimeout(grace);
      if (!this.exited) {
        this.child.kill('SIGKILL');
      }
    }
    this.connection.dispose();
  }
}

/** The first item of a list the server keeps adding to that `accept` takes, polled until `timeoutMs`. */
async function firstFound<T>(items: readonly T[], accept: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = items.find(accept);
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`no matching ${what}; got ${JSON.stringify(items.slice(-20))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Registers mocha hooks that start a fresh server before each test and stop it after, and
 * returns the current client. Call it inside a `describe`.
 */
export function freshServerPerTest(options?: StartOptions | (() => StartOptions)): () => TestLspClient {
  let client: TestLspClient | undefined;
  beforeEach(async () => {
    client = await TestLspClient.start(typeof options === 'function' ? options() : options);
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });
  return () => {
    if (!client) throw new Error('no server: freshServerPerTest() hooks run only inside tests');
    return client;
  };
}

/** The range of the `occurrence`-th appearance of `needle` in `text`, as LSP positions. */
export function rangeOf(text: string, needle: string, occurrence = 1): Diagnostic['range'] {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) {
      throw new Error(`'${needle}' occurs fewer than ${occurrence} times`);
    }
  }
  return { start: positionOf(text, index), end: positionOf(text, index + needle.length) };
}

export function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
