/**
 * What the language server and the embedded database's own process share: the messages between
 * them (IPC, JSON) and the data directory's conventions. Neither side imports the other's code,
 * so PGlite stays out of the server bundle.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A schema statement that did not load, as the process reports it (paths relative to the root). */
export interface LoadProblem {
  /** `/`-separated, relative to the workspace root. */
  relativePath: string;
  line: number;
  column: number;
  message: string;
  /** SQLSTATE, e.g. `42P01`. */
  code?: string;
}

/**
 * What a build leaves in the data directory (`query-lens-build.json`): read again when the
 * directory is reopened, so a reopened database reports the same schema problems.
 */
export interface BuildInfo {
  formatVersion: string;
  hash: string;
  /** `version()` when it was built: `PostgreSQL 18.6 (PGlite 0.5.14) on wasm32…`. */
  version: string;
  problems: LoadProblem[];
  /** The PGlite extension bundles the schema asked for (`CREATE EXTENSION`): loaded on every open. */
  extensions: string[];
  statements: { total: number; loaded: number; failed: number; skipped: number };
  buildMs: number;
}

/** The file in the data directory that says it is complete. */
export const BUILD_INFO_FILE = 'query-lens-build.json';

/** Builds a data directory from the schema files, then exits. */
export interface BuildRequest {
  type: 'build';
  root: string;
  files: string[];
  /** The hash the files had when found; the process checks it against what it reads. */
  hash: string;
  dataDir: string;
  /**
   * false: build in a temporary directory beside `dataDir` and rename it into place when complete
   * (a crash never leaves a half-built directory that would be reused); true: build right there
   * (a private directory, removed after use).
   */
  inPlace: boolean;
  /**
   * Where the freshly initialised data directory a build starts from is kept (one per PGlite
   * build, see embeddedProcess.ts); without it, every build runs initdb.
   */
  initdbDir?: string;
}

/** Opens a built data directory and serves it on 127.0.0.1 until told to close. */
export interface ServeRequest {
  type: 'serve';
  dataDir: string;
  /** Held while serving: one process per data directory (PGlite does not lock it itself). */
  lockFile?: string;
  /** Remove the data directory after closing (a private one). */
  removeOnClose: boolean;
}

export type ParentMessage = BuildRequest | ServeRequest | { type: 'close' } | { type: 'ping'; id: number };

export type ChildMessage =
  | { type: 'log'; line: string }
  /** `peakMemoryMb`: the build process's peak resident memory. */
  | { type: 'built'; info: BuildInfo; peakMemoryMb: number }
  /** `memoryMb`: the serving process's resident memory once ready. */
  | { type: 'ready'; port: number; serverVersion: string; info: BuildInfo; openMs: number; memoryMb: number }
  /** Another live process serves this data directory. */
  | { type: 'busy'; pid: number }
  /** `unusable`: the data directory itself would not open (a crash mid-write, an older PGlite). */
  | { type: 'failed'; message: string; unusable?: boolean }
  | { type: 'pong'; id: number };

/** Whether a process with this id is running (the owner of a lock file or a temporary directory). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes from `initdbDir` the initialised data directories of other PGlite builds than `key`
 * (each about 40 MB), and the temporary ones of processes that died making one; a live process's
 * temporary one, and names not of this form, stay. Returns the names removed.
 */
export function pruneInitialisedDirectories(initdbDir: string, key: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(initdbDir)) {
    const match = /^[0-9a-f]{16}(?:\.tmp-(\d+)-\d+)?$/.exec(name);
    if (match && name !== key && !(match[1] !== undefined && isProcessAlive(Number(match[1])))) {
      fs.rmSync(path.join(initdbDir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
