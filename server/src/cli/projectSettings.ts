/**
 * The project's own Query Lens settings for the CLI: the `queryLens.*` entries of the workspace's
 * `.vscode/settings.json`, so that CI checks a project the way its editor does (its rules, its
 * one-off files, the databases `queryLens.connections` maps folders to). Options on the command
 * line win over the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** Where VS Code keeps a folder's settings; read when `--settings` is not given. */
export const DEFAULT_SETTINGS_FILE = path.join('.vscode', 'settings.json');

/** Settings VS Code applies per editor or machine that mean nothing to a CI run. */
const EDITOR_ONLY = new Set(['enable', 'debounceMs', 'plans', 'connection', 'useEnvFile', 'embeddedIdleMinutes']);

export interface ProjectSettings {
  /** The `queryLens.` entries, without that prefix, as `normaliseSettings` takes them. */
  raw: Record<string, unknown>;
  /** The names read, for the one line that says where the run's settings came from. */
  names: string[];
  /** One line per problem in the file (VS Code reads what it can of a damaged file; so do we). */
  problems: string[];
}

/**
 * Reads a settings file written as VS Code writes them (JSON with comments and trailing commas).
 * A file that does not exist gives nothing when it was only the default; a named one must exist.
 */
export function readProjectSettings(file: string, named: boolean): ProjectSettings | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!named && code === 'ENOENT') {
      return { raw: {}, names: [], problems: [] };
    }
    return { error: `cannot read the settings file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}` };
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems = errors.slice(0, 1).map((e) => {
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const column = e.offset - before.lastIndexOf('\n');
    return `${file}:${line}:${column}: ${printParseErrorCode(e.error)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}; read what could be read`;
  });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { raw: {}, names: [], problems: problems.length > 0 ? problems : [`${file}: not a JSON object; no settings read`] };
  }
  const raw: Record<string, unknown> = {};
  const names: string[] = [];
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const name = key.startsWith('queryLens.') ? key.slice('queryLens.'.length) : undefined;
    if (name && !EDITOR_ONLY.has(name)) {
      raw[name] = entry;
      names.push(key);
    }
  }
  return { raw, names, problems };
}
