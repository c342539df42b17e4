/**
 * Splits the URL typed into "Query Lens: Configure Connection" into what the settings keep (the
 * URL without its password) and what VS Code's secret storage keeps (the password, under the
 * key the server asks for in `queryLens/password`). No `vscode` import: unit-tested in Node.
 */
import { resolveConnection, secretKey } from '../../server/src/db/connectionConfig';

export interface ConnectionUrlParts {
  /** The URL for `queryLens.connection`: no password, neither before the `@` nor as `?password=`. */
  url: string;
  /** `user@host:port/database`, the parts the URL leaves out filled in exactly as the server fills them. */
  secretKey: string;
  /** The password the URL carried, %-decoded; undefined when it carried none. */
  password?: string;
}

export type ConnectionUrlResult = ConnectionUrlParts | { error: string };

const EXAMPLE = 'postgres://user@localhost:5432/appdb';

/**
 * Reads a `postgres://` or `postgresql://` URL. `env` supplies the `PG*` defaults for the parts
 * the URL leaves out, as libpq (and the server, which inherits the editor's environment) reads them.
 */
export function splitConnectionUrl(input: string, env: Readonly<Record<string, string | undefined>> = process.env): ConnectionUrlResult {
  const text = input.trim();
  if (!/^postgres(ql)?:\/\//i.test(text)) {
    return { error: `Enter a URL that starts with postgres:// or postgresql://, e.g. ${EXAMPLE}` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `This is not a valid URL: check the port, and %-encode special characters in the user name or password (@ as %40, : as %3A). Example: ${EXAMPLE}` };
  }
  let password: string | undefined;
  let target;
  try {
    // libpq reads `?password=` after the user info, so the query's password wins.
    password = nonEmpty(decodeURIComponent(removeQueryParameter(url, 'password') ?? '')) ?? nonEmpty(decodeURIComponent(url.password));
    url.password = '';
    // The workspace's `.env` (queryLens.useEnvFile) is the server's to read, per folder: a URL
    // that leaves a part to a PG* variable set only there gets a key without it.
    target = resolveConnection({ connection: { url: url.toString() }, useEnvFile: false }, undefined, env);
  } catch (error) {
    if (error instanceof URIError) {
      return { error: 'The URL has a malformed %-escape: write a literal % as %25.' };
    }
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (target === undefined) {
    return { error: `Enter a URL that starts with postgres:// or postgresql://, e.g. ${EXAMPLE}` };
  }
  return { url: url.toString(), secretKey: secretKey(target), password };
}

/** The input box's validation: the reason the URL cannot be used, or undefined when it can. */
export function connectionUrlProblem(input: string): string | undefined {
  const result = splitConnectionUrl(input);
  return 'error' in result ? result.error : undefined;
}

/**
 * Removes every `name=…` pair from the query and returns the last value, still %-encoded. The
 * other pairs are kept byte for byte: URLSearchParams would re-encode them, writing a space as
 * `+`, which libpq does not read as a space.
 */
function removeQueryParameter(url: URL, name: string): string | undefined {
  let value: string | undefined;
  const kept: string[] = [];
  for (const pair of url.search.replace(/^\?/, '').split('&')) {
    const equals = pair.indexOf('=');
    if ((equals < 0 ? pair : pair.slice(0, equals)) === name) {
      value = equals < 0 ? '' : pair.slice(equals + 1);
    } else if (pair !== '') {
      kept.push(pair);
    }
  }
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  return value;
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}
