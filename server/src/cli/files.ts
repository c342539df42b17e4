import * as fs from 'fs';
import * as path from 'path';
import { documentKindOfPath, DocumentKind, languageIdOfPath, SUPPORTED_EXTENSIONS } from '../extract/query';
import { formatSize } from '../analyze/analyzeDocument';

/**
 * Folders never walked: dependencies, version control, virtual environments and build output
 * (bundled or generated code holds other people's SQL, not the project's). Named directly, a
 * file in one of them is still read.
 */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', 'coverage', '.next', '.nuxt', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache']);

export interface SourceFile {
  /** The path as shown to the user (relative to the working directory where possible). */
  displayPath: string;
  absolutePath: string;
  kind: DocumentKind;
  languageId?: string;
}

export class PathError extends Error {}

/**
 * The files to analyse under the given paths: files named directly (whatever their kind, so
 * the user hears when one is not supported) and, for folders, every supported file below them,
 * sorted, skipping dependency and VCS folders and symbolic links to folders.
 * Throws `PathError` for a path that does not exist or cannot be read.
 */
export function collectFiles(paths: string[], notes: (line: string) => void): SourceFile[] {
  const files: SourceFile[] = [];
  const seen = new Set<string>();
  const add = (absolutePath: string) => {
    if (!seen.has(absolutePath)) {
      seen.add(absolutePath);
      files.push({ displayPath: displayPathOf(absolutePath), absolutePath, kind: documentKindOfPath(absolutePath), languageId: languageIdOfPath(absolutePath) });
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      throw new PathError(`cannot read '${given}': ${describeFsError(error)}`);
    }
    if (stat.isDirectory()) {
      walk(absolute, add, notes);
    } else if (stat.isFile()) {
      if (documentKindOfPath(absolute) === 'unsupported') {
        notes(`skipped ${displayPathOf(absolute)}: not a file Query Lens reads (${SUPPORTED_EXTENSIONS.join(', ')})`);
      } else {
        add(absolute);
      }
    } else {
      throw new PathError(`cannot read '${given}': not a file or folder`);
    }
  }
  return files;
}

function walk(folder: string, add: (absolutePath: string) => void, notes: (line: string) => void): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    notes(`skipped ${displayPathOf(folder)}: ${describeFsError(error)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) {
        walk(full, add, notes);
      }
    } else if (entry.isFile() && documentKindOfPath(full) !== 'unsupported') {
      add(full);
    }
  }
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Reads a file as text: over the size limit or binary (a NUL byte), it is not read, with the
 * reason; text that is not valid UTF-8 is read as Latin-1, with a note.
 */
export function readSourceFile(file: SourceFile, maxBytes: number, notes: (line: string) => void): ReadResult {
  let size: number;
  try {
    size = fs.statSync(file.absolutePath).size;
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
  if (size > maxBytes) {
    return { ok: false, reason: `${formatSize(size)}, over the ${formatSize(maxBytes)} limit (--max-file-size-kb)` };
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file.absolutePath);
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
  if (bytes.indexOf(0) >= 0) {
    return { ok: false, reason: 'binary file (it holds NUL bytes)' };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { ok: true, text };
  } catch {
    notes(`${file.displayPath}: not valid UTF-8; read as Latin-1`);
    // The UTF-8 byte order mark is no text in Latin-1 either (it would read as `ï»¿`).
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return { ok: true, text: bytes.toString('latin1', bom) };
  }
}

function displayPathOf(absolutePath: string): string {
  const relative = path.relative(process.cwd(), absolutePath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolutePath;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
