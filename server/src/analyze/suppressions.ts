import { LineIndex } from '../text/offsets';

/**
 * `query-lens-ignore` comments. `-- query-lens-ignore <id>[, <id>…]` in SQL, or the host
 * language's own comment (`// …`, `# …`, `/* … *\/`), silences the named rules' findings that
 * start on the comment's line or the line below it, or that belong to a query starting on one of
 * the two lines below it (so a comment above `pool.query(` covers the SQL on the next line).
 * Without ids it silences every rule; syntax errors are silenced only when named.
 */
const DIRECTIVE = /(?:--|\/\/|#|\/\*)[ \t]*query-lens-ignore\b([ \t]+[a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)?/g;

export const ALL_RULES = '*';

export class Suppressions {
  /** Line → the rule ids silenced by a directive on it (`*`: all rules). */
  private readonly byLine = new Map<number, Set<string>>();

  private constructor(private readonly lines: LineIndex | undefined) {}

  /** Finds the directives of a document; cheap when there are none (one indexOf). */
  static of(text: string): Suppressions {
    if (text.indexOf('query-lens-ignore') < 0) {
      return new Suppressions(undefined);
    }
    const lines = new LineIndex(text);
    const suppressions = new Suppressions(lines);
    DIRECTIVE.lastIndex = 0;
    for (let match = DIRECTIVE.exec(text); match; match = DIRECTIVE.exec(text)) {
      const line = lines.positionAt(match.index).line;
      const ids = match[1] ? match[1].split(',').map((id) => id.trim()) : [ALL_RULES];
      const set = suppressions.byLine.get(line) ?? new Set<string>();
      ids.forEach((id) => set.add(id));
      suppressions.byLine.set(line, set);
    }
    return suppressions;
  }

  get isEmpty(): boolean {
    return this.byLine.size === 0;
  }

  /** Whether a finding of `code` starting at `start`, in a query starting at `queryStart`, is silenced. */
  silences(code: string, start: number, queryStart: number, isRule: boolean): boolean {
    if (!this.lines) {
      return false;
    }
    const findingLine = this.lines.positionAt(start).line;
    const queryLine = this.lines.positionAt(queryStart).line;
    for (const line of [findingLine, findingLine - 1, queryLine - 1, queryLine - 2]) {
      const ids = this.byLine.get(line);
      if (ids && (ids.has(code) || (isRule && ids.has(ALL_RULES)))) {
        return true;
      }
    }
    return false;
  }
}
