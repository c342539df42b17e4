/**
 * Finds the files a workspace's schema is written in (a schema dump, a migrations folder), in the
 * order they load, and the hash that keys the embedded database built from them. Runs in the
 * language server: plain `fs`, no PGlite.
 */
import { createHash } from 'crypto';
import { promises as fsp, Dirent } from 'fs';
import * as path from 'path';

export interface WorkspaceSchema {
  /** The workspace folder the globs are relative to. */
  root: string;
  /** Absolute paths, in load order: glob by glob as configured, in path order within a glob. */
  files: string[];
  /** For the status bar: `migrations/` when every file is under one folder, else the single file's relative path, else `3 files`. */
  label: string;
  /** Hex SHA-256 over our format version and each file's relative path and contents: keys the data directory. */
  hash: string;
}

/**
 * Changes whenever the way a schema is loaded changes (which statements are skipped, the data
 * directory layout), so that data directories built the old way are not reused.
 */
export const SCHEMA_FORMAT_VERSION = 'query-lens-embedded-schema-1';

/** Folders never searched, even when a glob's `**` would reach them. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** A glob would need to match more files than any schema has: the search stops there. */
const MAX_FILES = 5000;

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/**
 * The schema files under `root` that `globs` (workspace-relative, `/`-separated; `**`, `*` and
 * `?`) match, or undefined when none does. Only folders a glob can match are read, and never
 * `node_modules` or `.git`, so a big workspace costs a handful of `readdir` calls. A file matched
 * by several globs loads at its first glob's turn.
 */
export async function findWorkspaceSchema(root: string, globs: readonly string[]): Promise<WorkspaceSchema | undefined> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const glob of globs) {
    const segments = globSegments(glob);
    if (segments === undefined) {
      continue;
    }
    const matched: string[] = [];
    await walk(root, '', segments, matched);
    matched.sort(comparePaths);
    for (const relative of matched) {
      if (!seen.has(relative) && files.length < MAX_FILES) {
        seen.add(relative);
        files.push(relative);
      }
    }
  }
  // Read a few at a time (thousands of migrations at once would run out of file handles); a file
  // that cannot be read (gone meanwhile, no permission) is left out.
  const readable: { relativePath: string; contents: Buffer }[] = [];
  for (let i = 0; i < files.length; i += 32) {
    const batch = files.slice(i, i + 32);
    const contents = await Promise.all(batch.map((relative) => fsp.readFile(path.join(root, ...relative.split('/'))).catch(() => undefined)));
    for (const [j, relativePath] of batch.entries()) {
      const read = contents[j];
      if (read) {
        readable.push({ relativePath, contents: read });
      }
    }
  }
  if (readable.length === 0) {
    return undefined;
  }
  return {
    root,
    files: readable.map((file) => path.join(root, ...file.relativePath.split('/'))),
    label: schemaLabel(readable.map((file) => file.relativePath)),
    hash: schemaHash(readable),
  };
}

/**
 * The hash of a schema: our format version, then each file's `/`-separated relative path and
 * contents, length-prefixed so that no two different file lists hash alike. The embedded process
 * recomputes it over what it loads, to notice a file that changed in between.
 */
export function schemaHash(files: readonly { relativePath: string; contents: Buffer }[]): string {
  const hash = createHash('sha256');
  hash.update(`${SCHEMA_FORMAT_VERSION}\0${files.length}\0`);
  for (const file of files) {
    const name = Buffer.from(file.relativePath, 'utf8');
    hash.update(`${name.length}\0`);
    hash.update(name);
    hash.update(`\0${file.contents.length}\0`);
    hash.update(file.contents);
  }
  return hash.digest('hex');
}

/** `migrations/` (the folder all files share), `db/schema.sql` (one file) or `3 files`. */
export function schemaLabel(relativePaths: readonly string[]): string {
  if (relativePaths.length === 1) {
    return relativePaths[0];
  }
  const folders = relativePaths.map((relative) => relative.split('/').slice(0, -1));
  let common = folders[0];
  for (const folder of folders.slice(1)) {
    let n = 0;
    while (n < common.length && n < folder.length && common[n] === folder[n]) {
      n++;
    }
    common = common.slice(0, n);
  }
  return common.length > 0 ? `${common.join('/')}/` : `${relativePaths.length} files`;
}

type Segment = { kind: 'globstar' } | { kind: 'literal'; name: string } | { kind: 'pattern'; regex: RegExp };

/** A glob as path segments; undefined for one that cannot match inside the workspace (absolute, `..`, empty). */
function globSegments(glob: string): Segment[] | undefined {
  const parts = glob
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || glob.trim().startsWith('/') || /^[a-zA-Z]:/.test(glob.trim()) || parts.includes('..')) {
    return undefined;
  }
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === '**') {
      if (segments[segments.length - 1]?.kind !== 'globstar') {
        segments.push({ kind: 'globstar' });
      }
    } else if (/[*?]/.test(part)) {
      const source = part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '[^/]*').replace(/\?/g, '[^/]');
      segments.push({ kind: 'pattern', regex: new RegExp(`^${source}$`, caseInsensitive ? 'i' : '') });
    } else {
      segments.push({ kind: 'literal', name: part });
    }
  }
  return segments;
}

function segmentMatches(segment: Segment, name: string): boolean {
  switch (segment.kind) {
    case 'globstar':
      return true;
    case 'literal':
      return caseInsensitive ? segment.name.toLowerCase() === name.toLowerCase() : segment.name === name;
    case 'pattern':
      return segment.regex.test(name);
  }
}

/**
 * Matches `segments` below `folder` (`relative` to the root), adding the files that match to
 * `matched`. A literal segment is looked up rather than listed; `**` lists folders, skipping the
 * dependency and VCS ones and links to folders (which could loop).
 */
async function walk(folder: string, relative: string, segments: readonly Segment[], matched: string[]): Promise<void> {
  if (matched.length >= MAX_FILES || segments.length === 0) {
    return;
  }
  const segment = segments[0];
  if (segment.kind === 'literal' && !caseInsensitive) {
    // One stat instead of a listing: `db/migrations/**` costs nothing in a folder without `db`.
    const full = path.join(folder, segment.name);
    const stat = await fsp.stat(full).catch(() => undefined);
    if (!stat) {
      return;
    }
    await visit(full, join(relative, segment.name), stat.isDirectory(), stat.isFile(), false, segments, matched);
    return;
  }
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(folder, { withFileTypes: true });
  } catch {
    return; // unreadable or gone: nothing to match here
  }
  entries.sort((a, b) => comparePaths(a.name, b.name));
  for (const entry of entries) {
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    const isLink = entry.isSymbolicLink();
    if (isLink) {
      const stat = await fsp.stat(path.join(folder, entry.name)).catch(() => undefined);
      isDirectory = stat?.isDirectory() ?? false;
      isFile = stat?.isFile() ?? false;
    }
    await visit(path.join(folder, entry.name), join(relative, entry.name), isDirectory, isFile, isLink, segments, matched);
  }
}

/** One directory entry against the segments from `segments[0]` on. */
async function visit(
  full: string,
  relative: string,
  isDirectory: boolean,
  isFile: boolean,
  isLink: boolean,
  segments: readonly Segment[],
  matched: string[],
): Promise<void> {
  const [segment, ...rest] = segments;
  const name = path.basename(relative);
  if (segment.kind === 'globstar') {
    // `**` matches no folder (try the rest here) or this folder and maybe more below it.
    if (rest.length > 0) {
      await visit(full, relative, isDirectory, isFile, isLink, rest, matched);
    } else if (isFile) {
      matched.push(relative);
    }
    if (isDirectory && !isLink && !SKIPPED_FOLDERS.has(name)) {
      await walk(full, relative, segments, matched);
    }
    return;
  }
  if (!segmentMatches(segment, name)) {
    return;
  }
  if (rest.length === 0) {
    if (isFile) {
      matched.push(relative);
    }
  } else if (isDirectory && !(SKIPPED_FOLDERS.has(name) && segment.kind !== 'literal')) {
    await walk(full, relative, rest, matched);
  }
}

function join(relative: string, name: string): string {
  return relative === '' ? name : `${relative}/${name}`;
}

/**
 * Path order as migration tools mean it: folder by folder, and runs of digits by their value, so
 * `V2__x.sql` loads before `V10__y.sql` and zero-padded timestamps keep their order.
 */
export function comparePaths(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const order = compareNames(as[i], bs[i]);
    if (order !== 0) {
      return order;
    }
  }
  return as.length - bs.length;
}

function compareNames(a: string, b: string): number {
  const chunks = /(\d+|\D+)/g;
  const ac = a.match(chunks) ?? [];
  const bc = b.match(chunks) ?? [];
  for (let i = 0; i < Math.min(ac.length, bc.length); i++) {
    const x = ac[i];
    const y = bc[i];
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const xv = x.replace(/^0+/, '');
      const yv = y.replace(/^0+/, '');
      if (xv.length !== yv.length) {
        return xv.length - yv.length;
      }
      if (xv !== yv) {
        return xv < yv ? -1 : 1;
      }
      if (x.length !== y.length) {
        return x.length - y.length; // `01` before `1`: any stable choice
      }
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return ac.length - bc.length;
}
