/**
 * Finds the files a workspace's schema is written in (a schema dump, a migrations folder), in the
 * order they load, and the hash that keys the embedded database built from them. Runs in the
 * language server: plain `fs` and our SQL scanner, no PGlite.
 */
import { createHash } from 'crypto';
import { promises as fsp, Dirent } from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { createsTable, schemaStatements } from './schemaStatements';

export interface WorkspaceSchema {
  /** The workspace folder the globs are relative to. */
  root: string;
  /**
   * Absolute paths, in the order they are first loaded: glob by glob as configured, in path order
   * within a glob (the files that create tables: in path order).
   */
  files: string[];
  /**
   * `schemaFiles`: matched by `queryLens.schemaFiles`; `createTable`: none matched, and these are
   * the workspace's `.sql` files that create a table.
   */
  foundBy: 'schemaFiles' | 'createTable';
  /** For the status bar: `migrations/` when every file is under one folder, else the single file's relative path, else `3 files`. */
  label: string;
  /** Hex SHA-256 over our format version and each file's relative path and contents: keys the data directory. */
  hash: string;
}

/**
 * Changes whenever the way a schema is loaded changes (which statements are skipped or tried again,
 * the data directory layout), so that data directories built the old way are not reused.
 */
export const SCHEMA_FORMAT_VERSION = 'query-lens-embedded-schema-2';

/**
 * Folders a wildcard never enters: version control, dependencies, virtual environments and build
 * output hold other people's SQL, or copies of ours. A glob that names one (`vendor/db/*.sql`)
 * still reaches it.
 */
const SKIPPED_FOLDERS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'bower_components',
  'vendor',
  '.venv',
  'venv',
  '.tox',
  '__pycache__',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.next',
  '.nuxt',
]);

/** A glob would need to match more files than any schema has: the search stops there. */
const MAX_FILES = 5000;
/** Folders listed for one search (`**` in a monorepo): enough for any project's own tree. */
const MAX_FOLDERS = 20_000;
/**
 * The search for tables reads no `.sql` file larger than this: likely a data dump rather than a
 * schema, and 32 read at once must fit the language server's memory.
 */
const MAX_SEARCHED_FILE_BYTES = 4 * 1024 * 1024;

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/**
 * The schema files under `root` that `globs` match (workspace-relative, as VS Code users write
 * them: `**`, `*`, `?`, `{a,b}`, `[0-9]`, `!(…)`). Only the folders a glob can reach are listed (a
 * glob's leading folders are looked up, not searched), never a dependency or build folder unless
 * named, so a big workspace costs a handful of `readdir` calls. A file matched by several globs
 * loads at its first glob's turn.
 *
 * When no glob matches a file, the defaults included: the workspace's `.sql` files that create a
 * table (`admin/sql/create_tables.sql`, `sql/0001.sql`, `src/schema/users.sql`: layouts no list
 * of globs foresees), in path order, from one source (see `oneSchemaSource`). Undefined when
 * there are none either.
 */
export async function findWorkspaceSchema(root: string, globs: readonly string[]): Promise<WorkspaceSchema | undefined> {
  const files: string[] = [];
  const seen = new Set<string>();
  const budget: SearchBudget = { files: MAX_FILES, folders: MAX_FOLDERS };
  for (const glob of globs) {
    const compiled = compileGlob(glob);
    if (compiled === undefined) {
      continue;
    }
    for (const relative of await filesMatching(root, compiled, budget)) {
      if (!seen.has(relative)) {
        seen.add(relative);
        files.push(relative);
      }
    }
  }
  let readable = await readFiles(root, files);
  let foundBy: WorkspaceSchema['foundBy'] = 'schemaFiles';
  if (readable.length === 0) {
    readable = await filesCreatingTables(root);
    foundBy = 'createTable';
  }
  if (readable.length === 0) {
    return undefined;
  }
  return {
    root,
    files: readable.map((file) => path.join(root, ...file.relativePath.split('/'))),
    foundBy,
    label: schemaLabel(readable.map((file) => file.relativePath)),
    hash: schemaHash(readable),
  };
}

/**
 * The `.sql` files of the workspace with a statement that creates a table, in path order, read
 * with the splitter the schema is loaded with: a `CREATE TABLE` in a comment, a string or a
 * function body does not count. Dependency and build folders are not searched.
 */
async function filesCreatingTables(root: string): Promise<{ relativePath: string; contents: Buffer }[]> {
  const sqlFiles: string[] = [];
  const budget: SearchBudget = { files: MAX_FILES, folders: MAX_FOLDERS };
  await walk(root, '', budget, (entry) => {
    if (!entry.isFile) {
      return !SKIPPED_FOLDERS.has(entry.name);
    }
    if (/\.sql$/i.test(entry.name)) {
      sqlFiles.push(entry.relative);
      budget.files--;
    }
    return false;
  });
  const creating = await readFiles(root, sqlFiles, {
    maxBytes: MAX_SEARCHED_FILE_BYTES,
    keep: (contents) => {
      const text = contents.toString('utf8').replace(/^\uFEFF/, '');
      // Most `.sql` files of an application hold queries: the word alone rules them out cheaply.
      return /\btable\b/i.test(text) && schemaStatements(text).some((statement) => createsTable(statement.text));
    },
  });
  const chosen = oneSchemaSource(creating.map((file) => file.relativePath), sqlFiles);
  const byPath = new Map(creating.map((file) => [file.relativePath, file]));
  const rest = await readFiles(
    root,
    chosen.filter((relative) => !byPath.has(relative)),
    { maxBytes: MAX_SEARCHED_FILE_BYTES },
  );
  for (const file of rest) byPath.set(file.relativePath, file);
  return chosen.flatMap((relative) => byPath.get(relative) ?? []);
}

/** A folder that holds a migrations chain: each file changes what the files before it made. */
const MIGRATIONS_FOLDER = /^(?:migrations?|migrate|schema_?changes|deltas?|upgrades?)$/i;
/** A folder of tests, whose schema is a fixture's. */
const TEST_FOLDER = /^(?:tests?|__tests__|spec|fixtures?)$/i;

/**
 * Of the `.sql` files that create tables (`creating`, in path order), the one source of the
 * schema to load: the files outside migration folders (a dump such as `pkg/sql/schema.sql`, or a
 * baseline such as `admin/sql/create_tables.sql` that already holds what `admin/schema_changes/`
 * added); else the whole chain of each migrations folder, the files that only alter included
 * (`sql/migrations/0002_add_priority.sql`). Mixing a dump with the migrations that create tables
 * loaded the oldest `CREATE TABLE jobs` first, and the dump's own failed as a table that exists:
 * the columns added since were reported unknown. Tests' files only when nothing else creates a
 * table.
 */
export function oneSchemaSource(creating: readonly string[], sqlFiles: readonly string[]): string[] {
  const folders = (relative: string) => relative.split('/').slice(0, -1);
  const applications = creating.filter((relative) => !folders(relative).some((folder) => TEST_FOLDER.test(folder)));
  const pool = applications.length > 0 ? applications : creating;
  const chainOf = (relative: string) => {
    const parts = folders(relative);
    const at = parts.findIndex((folder) => MIGRATIONS_FOLDER.test(folder));
    return at < 0 ? undefined : `${parts.slice(0, at + 1).join('/')}/`;
  };
  const baseline = pool.filter((relative) => chainOf(relative) === undefined);
  if (baseline.length > 0) return baseline;
  const chains = new Set(pool.map(chainOf));
  return sqlFiles.filter((relative) => chains.has(chainOf(relative)));
}

/**
 * The contents of `relativePaths`, a few at a time (thousands of migrations at once would run out
 * of file handles); a file that cannot be read (gone meanwhile, no permission), is larger than
 * `maxBytes`, or that `keep` rejects is left out (and not held on to: the language server's
 * memory is small).
 */
async function readFiles(
  root: string,
  relativePaths: readonly string[],
  { maxBytes = Infinity, keep = () => true }: { maxBytes?: number; keep?: (contents: Buffer) => boolean } = {},
): Promise<{ relativePath: string; contents: Buffer }[]> {
  const readable: { relativePath: string; contents: Buffer }[] = [];
  const read = async (file: string): Promise<Buffer | undefined> => {
    if (maxBytes !== Infinity && (await fsp.stat(file)).size > maxBytes) {
      return undefined;
    }
    return fsp.readFile(file);
  };
  for (let i = 0; i < relativePaths.length; i += 32) {
    const batch = relativePaths.slice(i, i + 32);
    const contents = await Promise.all(batch.map((relative) => read(path.join(root, ...relative.split('/'))).catch(() => undefined)));
    for (const [j, relativePath] of batch.entries()) {
      const read = contents[j];
      if (read && keep(read)) {
        readable.push({ relativePath, contents: read });
      }
    }
  }
  return readable;
}

/**
 * The globs of a comma-separated list (`query-lens --schema 'db/{schema,views}.sql,sql/*.sql'`),
 * split at the commas outside braces and character classes, trimmed, empty ones dropped.
 */
export function splitGlobList(list: string): string[] {
  const globs: string[] = [];
  let braces = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = list[i];
    if (i === list.length || (c === ',' && braces === 0 && !inClass)) {
      globs.push(list.slice(start, i).trim());
      start = i + 1;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
    } else if (c === '{') {
      braces++;
    } else if (c === '}' && braces > 0) {
      braces--;
    }
  }
  return globs.filter((glob) => glob !== '');
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

/** A glob ready for the walk: where it starts, how deep it can reach, and what it matches. */
interface CompiledGlob {
  /** The folders the glob spells out before its first wildcard (`db/migrations` of `db/migrations/**`), `/`-separated; '' for the root. */
  base: string;
  /** Whether the glob names one file and no wildcard (`db/schema.sql`): looked up, never listed. */
  literal: boolean;
  /** The whole glob against a path relative to the root. */
  matches: picomatch.Matcher;
  /**
   * For each folder level below `base`, which folder names can lead to a match (`db` and `sql`
   * for `{db,sql}/*.sql`); the levels from the first `**` (or a brace or extglob that spans
   * folders) on are not listed: any folder there may.
   */
  folderLevels: { matches: picomatch.Matcher; literal: boolean }[];
  /** How many folder levels below `base` a match can be: unbounded with `**`. */
  maxFolderDepth: number;
}

/**
 * Matching as VS Code users write globs: `*` and `?` within a folder name, `**` across folders,
 * `{a,b}`, `[0-9]`, `!(…)` and the other extglobs; dot files match like any other (VS Code's
 * globs have no dot rule); names compare as the file system compares them.
 */
const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, nocase: caseInsensitive, windows: false };

/** A glob compiled for the walk; undefined for one that cannot match inside the workspace (absolute, `..`, empty, negated). */
function compileGlob(glob: string): CompiledGlob | undefined {
  // Backslashes are folder separators, as Windows users type them (so no escapes: `[*]` is a literal `*`).
  let normalised = glob.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (normalised.startsWith('./')) {
    normalised = normalised.slice(2);
  }
  // VS Code negates a character class with `[!…]`, picomatch with `[^…]`.
  normalised = normalised.replace(/\/$/, '').replace(/\[!/g, '[^');
  if (normalised === '' || normalised === '.' || normalised.startsWith('/') || /^[a-zA-Z]:/.test(normalised) || normalised.split('/').includes('..')) {
    return undefined;
  }
  const scanned = picomatch.scan(normalised, GLOB_OPTIONS);
  if (scanned.negated) {
    return undefined; // `!x` names every file but x: not a way to name schema files
  }
  if (!scanned.isGlob) {
    return { base: normalised, literal: true, matches: picomatch(normalised, GLOB_OPTIONS), folderLevels: [], maxFolderDepth: 0 };
  }
  const parts = picomatch.scan(scanned.glob, { ...GLOB_OPTIONS, parts: true }).parts ?? [scanned.glob];
  const folderLevels: CompiledGlob['folderLevels'] = [];
  for (const part of parts.slice(0, -1)) {
    if (part.includes('**') || part.includes('/')) {
      break;
    }
    folderLevels.push({ matches: picomatch(part, GLOB_OPTIONS), literal: !picomatch.scan(part, GLOB_OPTIONS).isGlob });
  }
  const spansFolders = scanned.glob.includes('**');
  return {
    base: scanned.base,
    literal: false,
    matches: picomatch(normalised, GLOB_OPTIONS),
    folderLevels,
    // Without `**`, a brace or extglob can add folders only by the separators written in it.
    maxFolderDepth: spansFolders ? Infinity : scanned.glob.split('/').length - 1,
  };
}

/** Bounds on one search: files found and folders listed. */
interface SearchBudget {
  files: number;
  folders: number;
}

/** The files under `root` one glob matches, in path order (at most `budget.files`). */
async function filesMatching(root: string, glob: CompiledGlob, budget: SearchBudget): Promise<string[]> {
  const start = path.join(root, ...glob.base.split('/').filter((part) => part !== ''));
  // One stat instead of a listing: `db/migrations/**` costs nothing in a folder without `db`.
  const stat = await fsp.stat(start).catch(() => undefined);
  if (glob.literal) {
    if (!stat?.isFile() || budget.files <= 0) {
      return [];
    }
    budget.files--;
    return [glob.base];
  }
  if (!stat?.isDirectory()) {
    return [];
  }
  const matched: string[] = [];
  await walk(start, glob.base, budget, (entry) => {
    if (entry.isFile) {
      if (glob.matches(entry.relative)) {
        matched.push(entry.relative);
        budget.files--;
      }
      return false;
    }
    const level = glob.folderLevels[entry.depth];
    if (entry.depth >= glob.maxFolderDepth || (level && !level.matches(entry.name))) {
      return false;
    }
    // A dependency or build folder is entered only when the glob names it.
    return !SKIPPED_FOLDERS.has(entry.name) || level?.literal === true;
  });
  return matched.sort(comparePaths);
}

/**
 * The project's files (workspace-relative, `/` separators), dependency and build folders left
 * out, at most MAX_FILES: what a migration's place and name are decided from.
 */
export async function listProjectFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const budget: SearchBudget = { files: MAX_FILES, folders: MAX_FOLDERS };
  await walk(root, '', budget, (entry) => {
    if (!entry.isFile) return !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.');
    files.push(entry.relative);
    budget.files--;
    return false;
  });
  return files;
}

/** A directory entry met by `walk`; `depth` counts the folders between the walk's start and it. */
interface WalkEntry {
  name: string;
  relative: string;
  depth: number;
  isFile: boolean;
}

/**
 * Lists `folder` (`relative` to the root) and the folders below it that `visit` says to enter
 * (it returns true for those; files are offered to it too), in path order, until the budget is
 * spent. Links to folders are never entered (they could loop); links to files are files.
 */
async function walk(folder: string, relative: string, budget: SearchBudget, visit: (entry: WalkEntry) => boolean, depth = 0): Promise<void> {
  if (budget.files <= 0 || budget.folders <= 0) {
    return;
  }
  budget.folders--;
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(folder, { withFileTypes: true });
  } catch {
    return; // unreadable or gone: nothing to match here
  }
  entries.sort((a, b) => comparePaths(a.name, b.name));
  for (const entry of entries) {
    if (budget.files <= 0) {
      return;
    }
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      isFile = (await fsp.stat(path.join(folder, entry.name)).catch(() => undefined))?.isFile() ?? false;
    }
    const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const enter = visit({ name: entry.name, relative: childRelative, depth, isFile });
    if (enter && entry.isDirectory()) {
      await walk(path.join(folder, entry.name), childRelative, budget, visit, depth + 1);
    }
  }
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
