/**
 * `queryLens.connections`: which database a file's queries run against. Shared by the language
 * server and the CLI, so that a project configured for the editor is planned the same way in CI.
 */
import picomatch from 'picomatch';
import type { ConnectionSetting } from '../settings';

const matchers = new Map<string, (path: string) => boolean>();

function matcherOf(glob: string): (path: string) => boolean {
  let matcher = matchers.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, { dot: true });
    matchers.set(glob, matcher);
  }
  return matcher;
}

/**
 * The first entry of `connections` whose glob matches the project-relative path (`/`
 * separators), or whose key names a folder that holds it; undefined when none does (the
 * project's own database applies).
 */
export function mappedConnection(
  projectPath: string | undefined,
  connections: Readonly<Record<string, ConnectionSetting>>,
): { glob: string; setting: ConnectionSetting } | undefined {
  if (projectPath === undefined) return undefined;
  for (const [glob, setting] of Object.entries(connections)) {
    const folder = glob.replace(/\/+$/, '');
    if (projectPath.startsWith(`${folder}/`) || matcherOf(glob)(projectPath)) {
      return { glob, setting };
    }
  }
  return undefined;
}
