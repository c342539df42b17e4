/**
 * The embedded PostgreSQL, seen from the language server: when no database is configured, plans
 * come from PGlite (PostgreSQL compiled to WebAssembly) loaded with the workspace's own schema.
 *
 * PGlite runs in a process of its own (embeddedProcess.ts, bundled as `dist/embeddedDb.js`): it
 * needs 250 MB serving and up to 820 MB building, the language server has a 120 MB budget. It is
 * started lazily, on a data directory kept in `<storageDir>/embedded/<schema hash>/` so the next
 * session reopens it in about 0.3 s instead of building it in about 2.5 s, and stopped when
 * unused. The rest of the server talks to it with `pg` over 127.0.0.1, exactly as to a real
 * PostgreSQL, over one connection (see MAX_CONNECTIONS in embeddedProcess.ts).
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { BUILD_INFO_FILE, BuildInfo, ChildMessage, isProcessAlive, ParentMessage } from './processMessages';
import type { WorkspaceSchema } from './workspaceSchema';

/**
 * A statement of the schema that did not load, after being tried again when it wanted something
 * not created yet: it was skipped, and loading went on.
 */
export interface SchemaProblem {
  /** Absolute path of the schema file. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (as editors count). */
  column: number;
  /** PostgreSQL's message: `relation "orders" does not exist`. */
  message: string;
  /** SQLSTATE, e.g. `42P01`. */
  code?: string;
}

export interface EmbeddedDatabase {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `embedded (schema from migrations/)` */
  readonly label: string;
  /** `server_version`, e.g. `18.6`. */
  readonly serverVersion: string;
  /** Statements of the schema that did not load (skipped; the rest loaded), in file order. */
  readonly schemaProblems: SchemaProblem[];
  /** From the call to ready, building included when it built. */
  readonly startupMs: number;
  /** An existing data directory was reused (no build). */
  readonly reopened: boolean;
  /** The process's id (for the log). */
  readonly pid: number;
  /** Call on every use: restarts the idle timer. */
  touch(): void;
  /**
   * Called once when the process has ended, with why: `idle` (stopped after `idleMs` unused),
   * `closed` (close() was called), `unresponsive: …` (killed after not answering), or
   * `crashed: …`. Called at once (asynchronously) if it has already ended.
   */
  onExit(listener: (reason: string) => void): void;
  /** Stops the process gracefully (PGlite flushes its data directory); resolves when it has exited. */
  close(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  schema: WorkspaceSchema;
  /** A folder we may write to; data directories go in `<storageDir>/embedded/<hash>/`. */
  storageDir: string;
  /** Stop after this long without touch(). */
  idleMs: number;
  log: (line: string) => void;
  /** The process's entry script; default `embeddedDb.js` beside the running bundle. */
  processScript?: string;
  /**
   * Kill the process when it has not answered a ping for this long while serving (default 15 s;
   * at least 60 s while building or opening). PGlite runs each statement to its end, ignoring
   * `statement_timeout`, and answers nothing meanwhile: this is what ends a runaway statement.
   * A few seconds more than the statement timeout is right.
   */
  unresponsiveMs?: number;
}

/** A build loads the whole schema: generous, but a schema that takes longer is not one to plan against. */
const BUILD_TIMEOUT_MS = 5 * 60_000;
/** Opening a built directory takes well under a second; a slow disk or a cold start gets more. */
const OPEN_TIMEOUT_MS = 60_000;
/** close() waits this long for PGlite to flush before killing the process. */
const CLOSE_TIMEOUT_MS = 10_000;
const DEFAULT_UNRESPONSIVE_MS = 15_000;
/**
 * While building and opening, WebAssembly work blocks the process for seconds at a time (initdb
 * alone takes 2–3 s): it is given at least this long to answer a ping.
 */
const STARTUP_UNRESPONSIVE_MS = 60_000;
/** Data directories kept (the newest used), each about 40 MB; older ones are removed. */
const KEEP_DATA_DIRECTORIES = 3;
/**
 * Beside `embedded/`: the initialised data directory every build starts from, one per PGlite
 * build (embeddedProcess.ts keeps it and removes other PGlites' ones).
 */
const INITDB_FOLDER = 'embedded-initdb';

/** Starts are serialised: two at once would need twice the memory, and may race for one directory. */
let startQueue: Promise<unknown> = Promise.resolve();
let privateDirectoryCount = 0;

/** Whether a data directory was built for this schema before: starting is then a reopen (~2 s, not ~7 s). */
export function hasStoredDatabase(storageDir: string, schemaHash: string): boolean {
  return fs.existsSync(path.join(storageDir, 'embedded', schemaHash, BUILD_INFO_FILE));
}

/**
 * Starts an embedded PostgreSQL holding `schema`: reopens its data directory when one was built
 * before, builds one otherwise (in a process of its own, which then exits, so the serving process
 * stays small). When another process (another window) serves the same directory, a private one is
 * built and removed after use. Rejects with one line saying why it could not start.
 */
export function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const started = startQueue.then(() => start(options));
  startQueue = started.catch(() => undefined);
  return started;
}

async function start(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const began = performance.now();
  const { schema, log } = options;
  const script = options.processScript ?? path.join(__dirname, 'embeddedDb.js');
  if (!fs.existsSync(script)) {
    throw new Error(`the embedded database's program is missing: ${script}`);
  }
  const base = path.join(options.storageDir, 'embedded');
  await fs.promises.mkdir(base, { recursive: true });
  const dataDir = path.join(base, schema.hash);
  const lockFile = `${dataDir}.lock`;
  const unresponsiveMs = options.unresponsiveMs ?? DEFAULT_UNRESPONSIVE_MS;
  const startupUnresponsiveMs = Math.max(unresponsiveMs, STARTUP_UNRESPONSIVE_MS);

  const build = async (target: string, inPlace: boolean): Promise<BuildInfo> => {
    log(`building from ${schema.label} (${schema.files.length} file${schema.files.length === 1 ? '' : 's'})…`);
    const child = forkProcess(script, log);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let outcome: Outcome;
    try {
      outcome = await request(
        child,
        { type: 'build', root: schema.root, files: schema.files, hash: schema.hash, dataDir: target, inPlace, initdbDir: path.join(options.storageDir, INITDB_FOLDER) },
        BUILD_TIMEOUT_MS,
        startupUnresponsiveMs,
        'building',
      );
    } catch (error) {
      // A killed build leaves its temporary directory (named after its pid) behind.
      await exited;
      const leftover = `${path.basename(target)}.tmp-${child.pid}-`;
      for (const name of await fs.promises.readdir(base).catch(() => [] as string[])) {
        if (name.startsWith(leftover)) {
          await fs.promises.rm(path.join(base, name), { recursive: true, force: true });
        }
      }
      throw error;
    }
    if (outcome.type !== 'built') {
      throw new Error(outcome.type === 'failed' ? outcome.message : `unexpected answer: ${outcome.type}`);
    }
    const { total, loaded, failed, skipped } = outcome.info.statements;
    log(`built in ${outcome.info.buildMs} ms (peak memory ${outcome.peakMemoryMb} MB): ${total} statements, ${loaded} loaded, ${failed} failed, ${skipped} skipped`);
    return outcome.info;
  };
  const serve = async (target: string, lock: string | undefined, removeOnClose: boolean) => {
    const child = forkProcess(script, log);
    const message = await request(child, { type: 'serve', dataDir: target, lockFile: lock, removeOnClose }, OPEN_TIMEOUT_MS, startupUnresponsiveMs, 'opening');
    return { child, message };
  };

  let reopened = hasStoredDatabase(options.storageDir, schema.hash);
  if (!reopened) {
    await build(dataDir, false);
  }
  let served = await serve(dataDir, lockFile, false);
  if (served.message.type === 'failed' && served.message.unusable && reopened) {
    // Left by a crash mid-write, or by a PGlite whose format differs: built again, once.
    log(`${served.message.message}; building it again`);
    await fs.promises.rm(dataDir, { recursive: true, force: true });
    reopened = false;
    await build(dataDir, false);
    served = await serve(dataDir, lockFile, false);
  }
  let privateDir: string | undefined;
  if (served.message.type === 'busy') {
    // PGlite does not lock its data directory: two processes on one would corrupt it.
    log(`the data directory is in use by process ${served.message.pid} (another window?): building a private one`);
    privateDir = path.join(base, `${schema.hash}.private-${process.pid}-${++privateDirectoryCount}`);
    reopened = false;
    try {
      await build(privateDir, true);
      served = await serve(privateDir, undefined, true);
    } catch (error) {
      await fs.promises.rm(privateDir, { recursive: true, force: true });
      throw error;
    }
  }
  const { child, message } = served;
  if (message.type !== 'ready') {
    child.kill('SIGKILL');
    if (privateDir) {
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      await fs.promises.rm(privateDir, { recursive: true, force: true });
    }
    throw new Error(message.type === 'failed' ? message.message : `unexpected answer: ${message.type}`);
  }
  const startupMs = performance.now() - began;
  log(
    `PostgreSQL ${message.serverVersion} (PGlite) ${reopened ? 'reopened' : 'started'} on 127.0.0.1:${message.port} in ${Math.round(startupMs)} ms` +
      ` (data directory opened in ${message.openMs} ms; pid ${child.pid}, ${message.memoryMb} MB)`,
  );
  void pruneDataDirectories(base, schema.hash).then(
    (removed) => removed.length > 0 && log(`removed ${removed.length} old data director${removed.length === 1 ? 'y' : 'ies'}`),
    (error: Error) => log(`could not remove old data directories: ${error.message}`),
  );
  return new RunningEmbeddedDatabase(child, {
    port: message.port,
    label: `embedded (schema from ${schema.label})`,
    serverVersion: message.serverVersion,
    schemaProblems: message.info.problems.map((problem) => ({
      file: path.join(schema.root, ...problem.relativePath.split('/')),
      line: problem.line,
      column: problem.column,
      message: problem.message,
      code: problem.code,
    })),
    startupMs,
    reopened,
    idleMs: options.idleMs,
    unresponsiveMs,
    log,
  });
}

/** The last lines a process wrote to stderr, kept to say why it died. */
const stderrTails = new WeakMap<ChildProcess, string[]>();

/**
 * V8 flags of the embedded database's process. Not the language server's (its
 * `--max-old-space-size` and young-generation limit are for a 120 MB budget; PGlite's memory is
 * WebAssembly memory, outside the V8 heap). `--liftoff-only` keeps PGlite on V8's baseline
 * WebAssembly compiler; measured on examples/db/schema.sql (2 cores): serving takes 250 MB instead
 * of 310 MB, EXPLAIN of a five-table join 1.4–1.6 ms median instead of 1.8–2.1 ms (no tier-up
 * competing for the CPU), a build 1.7–2.4 s instead of 2.4–3.3 s.
 */
const PROCESS_FLAGS = ['--liftoff-only'];

/**
 * Forks the embedded database's process: our flags only (PROCESS_FLAGS), its output into the log
 * (never onto the language server's own stdout), IPC for the messages.
 */
function forkProcess(script: string, log: (line: string) => void): ChildProcess {
  const child = fork(script, [], { execArgv: PROCESS_FLAGS, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
  const tail: string[] = [];
  stderrTails.set(child, tail);
  const forward = (stream: Readable | null, isError: boolean): void => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        log(line);
        if (isError) {
          tail.push(line);
          tail.splice(0, tail.length - 5);
        }
      }
    });
  };
  forward(child.stdout, false);
  forward(child.stderr, true);
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'log') {
      log(message.line);
    }
  });
  child.on('error', (error) => log(`embedded database process: ${error.message}`));
  return child;
}

function describeExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): string {
  const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
  const last = stderrTails.get(child)?.slice(-1)[0];
  return last ? `${how} (${last.trim().slice(0, 200)})` : how;
}

type Outcome = Exclude<ChildMessage, { type: 'log' } | { type: 'pong' }>;

/**
 * Sends the process its one request and waits for the answer that settles it. A process that
 * stops answering pings for `unresponsiveMs` (a schema statement that never ends) is killed.
 */
function request(child: ChildProcess, message: ParentMessage, timeoutMs: number, unresponsiveMs: number, doing: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      done();
      child.kill('SIGKILL');
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail(`${doing} the embedded database took longer than ${formatDuration(timeoutMs)}`), timeoutMs);
    let ping: { id: number; since: number } | undefined;
    let pings = 0;
    const heartbeat = setInterval(() => {
      if (ping && performance.now() - ping.since > unresponsiveMs) {
        fail(`the embedded database stopped answering while ${doing} (no answer for ${formatDuration(unresponsiveMs)})`);
      } else if (!ping && child.connected) {
        ping = { id: ++pings, since: performance.now() };
        child.send({ type: 'ping', id: ping.id } satisfies ParentMessage);
      }
    }, heartbeatInterval(unresponsiveMs));
    const onMessage = (answer: ChildMessage): void => {
      if (answer.type === 'pong') {
        if (answer.id === ping?.id) {
          ping = undefined;
        }
      } else if (answer.type !== 'log') {
        done();
        resolve(answer);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`the embedded database process ${describeExit(child, code, signal)} while ${doing}`));
    };
    const done = (): void => {
      clearTimeout(timer);
      clearInterval(heartbeat);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

function heartbeatInterval(unresponsiveMs: number): number {
  return Math.max(50, Math.min(5000, unresponsiveMs / 3));
}

interface RunningFields {
  port: number;
  label: string;
  serverVersion: string;
  schemaProblems: SchemaProblem[];
  startupMs: number;
  reopened: boolean;
  idleMs: number;
  unresponsiveMs: number;
  log: (line: string) => void;
}

class RunningEmbeddedDatabase implements EmbeddedDatabase {
  readonly host = '127.0.0.1';
  readonly user = 'postgres';
  readonly database = 'postgres';
  readonly port: number;
  readonly label: string;
  readonly serverVersion: string;
  readonly schemaProblems: SchemaProblem[];
  readonly startupMs: number;
  readonly reopened: boolean;
  readonly pid: number;

  private readonly listeners: ((reason: string) => void)[] = [];
  /** Why it ended, once it has. */
  private exitReason: string | undefined;
  /** Why we are stopping it, before it has ended. */
  private stopReason: string | undefined;
  private readonly exited: Promise<void>;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private killTimer: NodeJS.Timeout | undefined;
  private ping: { id: number; since: number } | undefined;
  private pings = 0;

  constructor(
    private readonly child: ChildProcess,
    fields: RunningFields,
  ) {
    this.port = fields.port;
    this.label = fields.label;
    this.serverVersion = fields.serverVersion;
    this.schemaProblems = fields.schemaProblems;
    this.startupMs = fields.startupMs;
    this.reopened = fields.reopened;
    this.pid = child.pid ?? 0;
    const log = fields.log;

    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(this.idleTimer);
        clearInterval(this.heartbeat);
        clearTimeout(this.killTimer);
        this.exitReason = this.stopReason ?? `crashed: ${describeExit(child, code, signal)}`;
        for (const listener of this.listeners.splice(0)) {
          try {
            listener(this.exitReason);
          } catch (error) {
            log(`an onExit listener failed: ${(error as Error).message}`);
          }
        }
        resolve();
      });
    });

    this.idleTimer = setTimeout(() => {
      log(`stopping after ${formatDuration(fields.idleMs)} unused`);
      void this.stop('idle');
    }, fields.idleMs);
    this.idleTimer.unref();

    // PGlite answers nothing while a statement runs; one that runs far longer than any plan takes is ended here.
    this.heartbeat = setInterval(
      () => {
        if (this.ping && performance.now() - this.ping.since > fields.unresponsiveMs) {
          log(`no answer for ${formatDuration(fields.unresponsiveMs)}: killing the process (pid ${child.pid})`);
          this.stopReason ??= `unresponsive: no answer for ${formatDuration(fields.unresponsiveMs)}`;
          child.kill('SIGKILL');
        } else if (!this.ping && child.connected) {
          this.ping = { id: ++this.pings, since: performance.now() };
          child.send({ type: 'ping', id: this.ping.id } satisfies ParentMessage);
        }
      },
      heartbeatInterval(fields.unresponsiveMs),
    );
    this.heartbeat.unref();
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'pong' && message.id === this.ping?.id) {
        this.ping = undefined;
      }
    });

    // The language server may exit without closing: the process notices its parent went away and closes itself.
    child.unref();
    child.channel?.unref();
    (child.stdout as (Readable & { unref?: () => void }) | null)?.unref?.();
    (child.stderr as (Readable & { unref?: () => void }) | null)?.unref?.();
  }

  touch(): void {
    if (this.exitReason === undefined && this.stopReason === undefined) {
      this.idleTimer.refresh();
    }
  }

  onExit(listener: (reason: string) => void): void {
    if (this.exitReason !== undefined) {
      const reason = this.exitReason;
      queueMicrotask(() => listener(reason));
    } else {
      this.listeners.push(listener);
    }
  }

  close(): Promise<void> {
    return this.stop('closed');
  }

  private stop(reason: string): Promise<void> {
    if (this.exitReason === undefined && this.stopReason === undefined) {
      this.stopReason = reason;
      if (this.child.connected) {
        this.child.send({ type: 'close' } satisfies ParentMessage);
      } else {
        this.child.kill();
      }
      this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    }
    return this.exited;
  }
}

function formatDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/**
 * Removes what is no longer needed under `<storageDir>/embedded/`: data directories beyond the
 * KEEP_DATA_DIRECTORIES most recently used (never the current one, never one a live process
 * holds), and what dead processes left (temporary build directories, private copies, locks).
 * Returns the names removed.
 */
export async function pruneDataDirectories(base: string, currentHash: string): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (name: string): Promise<void> => {
    await fs.promises.rm(path.join(base, name), { recursive: true, force: true });
    removed.push(name);
  };
  const lockHolder = (hash: string): number => {
    try {
      return Number(fs.readFileSync(path.join(base, `${hash}.lock`), 'utf8').trim());
    } catch {
      return NaN;
    }
  };
  const dataDirectories: { name: string; usedMs: number }[] = [];
  for (const name of await fs.promises.readdir(base)) {
    const match = /^([0-9a-f]{64})(?:\.(lock)|\.(?:tmp|private)-(\d+)-\d+)?$/.exec(name);
    if (!match) {
      continue; // not ours
    }
    const [, hash, lock, ownerPid] = match;
    if (lock) {
      if (!isProcessAlive(lockHolder(hash))) {
        await remove(name);
      }
    } else if (ownerPid) {
      if (!isProcessAlive(Number(ownerPid))) {
        await remove(name);
      }
    } else if (hash !== currentHash) {
      const usedMs = await fs.promises.stat(path.join(base, name, BUILD_INFO_FILE)).then(
        (stat) => stat.mtimeMs,
        () => 0,
      );
      dataDirectories.push({ name, usedMs });
    }
  }
  dataDirectories.sort((a, b) => b.usedMs - a.usedMs);
  for (const { name } of dataDirectories.slice(KEEP_DATA_DIRECTORIES - 1)) {
    if (!isProcessAlive(lockHolder(name))) {
      await remove(name);
    }
  }
  return removed;
}
