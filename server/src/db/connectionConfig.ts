/**
 * Which database to plan against, found the way libpq users expect: `queryLens.connection`,
 * else `DATABASE_URL`, else the `PG*` variables, each optionally read from the workspace's
 * `.env` file. Passwords are looked up only when the server asks for one (VS Code's
 * SecretStorage through the client, `PGPASSWORD`, `~/.pgpass`), and never logged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parsePgUrl } from 'pg-connection-string';
// pgpass ships no types: its line parser and libpq's matching rules, as pg uses them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pgpass = require('pgpass/lib/helper') as {
  parseLine(line: string): { host: string; port: string; database: string; user: string; password: string } | null;
  isValidEntry(entry: object): boolean;
  match(connection: { host: string; port: number; database: string; user: string }, entry: object): boolean;
};
import type { ConnectionFields, Settings } from '../settings';

/** A connection as the server uses it: libpq's parts, never a password. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode?: string;
  /** Where the target came from, for the log: `queryLens.connection`, `DATABASE_URL`, `PG* variables`, `.env`. */
  source: string;
  /** A password written into the setting's or variable's URL (discouraged, but libpq accepts it). */
  inlinePassword?: string;
}

/** The key under which "Configure Connection" stores the password: `user@host:port/database`. */
export function secretKey(target: Pick<ConnectionTarget, 'user' | 'host' | 'port' | 'database'>): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}

/** `host:port` as libpq prints it in its errors; a socket folder as is. */
export function describeAddress(target: Pick<ConnectionTarget, 'host' | 'port'>): string {
  return target.host.startsWith('/') ? `${target.host}/.s.PGSQL.${target.port}` : `${target.host}:${target.port}`;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * `text` with every password a connection string can carry replaced by `***`: the one in a
 * URL's user info (`postgres://app:***@db/app`, up to the last `@` before the path), and
 * `password=` as a URL parameter or a libpq keyword. Every line that may hold a URL or a driver's
 * error goes through it before it is printed, logged or shown in the status (the messages are
 * written not to repeat URLs; this is what holds if one ever does).
 */
export function redactPasswords(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@/gi, '$1:***@')
    .replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)/gi, '$1***');
}

/**
 * The connection target for a workspace folder, or undefined when nothing is configured (the
 * embedded database is then used). A malformed URL is an error with a one-line reason.
 */
export function resolveConnection(settings: Pick<Settings, 'connection' | 'useEnvFile'>, workspaceRoot: string | undefined, env: Environment = process.env): ConnectionTarget | undefined {
  const fileEnv = settings.useEnvFile && workspaceRoot ? readEnvFile(workspaceRoot) : {};
  // The process's own variables win over the file's, as with dotenv and docker compose.
  const merged: Environment = { ...fileEnv, ...env };
  const sourceOf = (name: string) => (env[name] !== undefined ? name : `${name} in .env`);
  if (settings.connection) {
    if ('url' in settings.connection) {
      return parseConnectionUrl(settings.connection.url, 'queryLens.connection', merged);
    }
    return fromFields(settings.connection, 'queryLens.connection', merged);
  }
  const databaseUrl = merged.DATABASE_URL;
  if (databaseUrl && /^postgres(ql)?:/i.test(databaseUrl)) {
    return parseConnectionUrl(databaseUrl, sourceOf('DATABASE_URL'), merged);
  }
  const pgNames = ['PGHOST', 'PGDATABASE', 'PGUSER', 'PGPORT', 'PGHOSTADDR'];
  const named = pgNames.find((name) => merged[name] !== undefined && merged[name] !== '');
  if (named) {
    return fromFields({}, env[named] !== undefined ? 'PG* variables' : 'PG* variables in .env', merged);
  }
  return undefined;
}

/**
 * A `postgres://` URL as libpq reads it, parsed by pg's own pg-connection-string with libpq's
 * semantics: `?host=` (a socket folder too), `?port=`, `?user=`, `?password=`, `?dbname=` and
 * `?sslmode=` override the parts before them, and the parts left out come from PG*. A malformed
 * URL is an Error with one line that names `source` and the part at fault, never the URL itself:
 * it may hold a password.
 */
export function parseConnectionUrl(text: string, source: string, env: Environment = process.env): ConnectionTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme !== undefined && !/^postgres(ql)?$/i.test(scheme)) {
    throw new Error(`${source} must start with postgres:// or postgresql://, not ${scheme}://`);
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below, in the words of the expected form
  }
  if (scheme === undefined || url === undefined) {
    throw new Error(`${source} is not a valid URL (expected postgres://user@host:5432/database)`);
  }
  const badlyEncoded = misencodedPart(url);
  if (badlyEncoded) {
    throw new Error(`${source}: the ${badlyEncoded} is not percent-encoded correctly (write % as %25; @ : / ? # as %40 %3A %2F %3F %23)`);
  }
  let parsed: ReturnType<typeof parsePgUrl>;
  try {
    parsed = parsePgUrl(text, { useLibpqCompat: true });
  } catch (error) {
    throw new Error(`${source}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const given = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const portText = given(parsed.port);
  const fields: ConnectionFields = {
    host: given(parsed.host),
    port: portText === undefined ? undefined : Number(portText),
    // libpq's `?dbname=` wins over the path; pg-connection-string keeps it under its own name.
    database: given(parsed.dbname) ?? given(parsed.database),
    user: given(parsed.user),
    sslmode: given(parsed.sslmode),
  };
  const target = fromFields(fields, source, env);
  const password = given(parsed.password);
  return password === undefined ? target : { ...target, inlinePassword: password };
}

/** The first part of the URL whose %-escapes do not decode (`%zz`, a lone `%`), by name. */
function misencodedPart(url: URL): string | undefined {
  const decodes = (value: string) => {
    try {
      decodeURIComponent(value);
      return true;
    } catch {
      return false;
    }
  };
  const parts: [string, string][] = [
    ['user name', url.username],
    ['password', url.password],
    ['host', url.hostname],
    ['database name', url.pathname],
  ];
  for (const pair of url.search.replace(/^\?/, '').split('&')) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    parts.push([decodes(name) ? `value of the ${decodeURIComponent(name)} parameter` : 'name of a parameter', equals < 0 ? name : pair.slice(equals + 1)]);
  }
  return parts.find(([, value]) => !decodes(value))?.[0];
}

/** libpq's defaults: the PG* variables, then localhost:5432, the OS user, a database named after the user. */
function fromFields(fields: ConnectionFields, source: string, env: Environment): ConnectionTarget {
  const user = fields.user ?? env.PGUSER ?? osUser();
  const port = fields.port ?? (env.PGPORT ? Number(env.PGPORT) : 5432);
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
    throw new Error(`${source}: port ${String(fields.port ?? env.PGPORT)} is not a port number`);
  }
  return {
    host: fields.host ?? env.PGHOST ?? env.PGHOSTADDR ?? 'localhost',
    port,
    database: fields.database ?? env.PGDATABASE ?? user,
    user,
    sslmode: fields.sslmode ?? env.PGSSLMODE,
    source,
  };
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'postgres';
  }
}

function readEnvFile(root: string): Record<string, string> {
  try {
    return parseDotenv(fs.readFileSync(path.join(root, '.env')));
  } catch {
    return {}; // no .env file: nothing to add
  }
}

/**
 * The password for a target, when the server asks for one: the secret the user stored with
 * "Configure Connection", the URL's own, `PGPASSWORD`, then `~/.pgpass` (or `PGPASSFILE`).
 */
export async function lookUpPassword(target: ConnectionTarget, fromSecretStorage: () => Promise<string | undefined>, env: Environment = process.env): Promise<string | undefined> {
  const stored = await fromSecretStorage().catch(() => undefined);
  if (stored) {
    return stored;
  }
  if (target.inlinePassword !== undefined) {
    return target.inlinePassword;
  }
  if (env.PGPASSWORD) {
    return env.PGPASSWORD;
  }
  return readPgpass(target, env);
}

/**
 * The password ~/.pgpass (or `PGPASSFILE`) holds for a target, each line read and matched by
 * `pgpass`, the package `pg` itself uses (libpq's rules: `*` wildcards, `\:` and `\\` escapes).
 * The first matching line wins, as in libpq: pgpass's own streaming reader lets a later line of
 * the same chunk overwrite an earlier match, so the lines are walked here. A file others can
 * read is ignored, as libpq ignores it.
 */
export function readPgpass(target: Pick<ConnectionTarget, 'host' | 'port' | 'database' | 'user'>, env: Environment = process.env): string | undefined {
  const file = env.PGPASSFILE ?? path.join(os.homedir(), '.pgpass');
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)) {
      return undefined;
    }
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // A socket directory is `localhost` to libpq's password file.
  const wanted = { host: target.host.startsWith('/') ? 'localhost' : target.host, port: target.port, database: target.database, user: target.user };
  for (const line of text.split(/\r?\n/)) {
    if (line.trimStart().startsWith('#')) continue;
    const entry = pgpass.parseLine(line);
    if (entry && pgpass.isValidEntry(entry) && pgpass.match(wanted, entry)) return entry.password;
  }
  return undefined;
}
