import { scanSqlTokens } from '../../scan/sqlTokens';
import { utf8OffsetTable } from '../../text/offsets';
import type { DocumentKind, Query } from '../../extract/query';
import type { HoleRole } from '../holeRoles';

import type { Severity } from '../analyzeDocument';

/** One finding of a rule, in offsets (UTF-16) into `Query.sql`. */
export interface RuleFinding {
  start: number;
  end: number;
  /** What is wrong, why it is slow or unsafe, and what to do, with figures where there are any. */
  message: string;
  /** What a quick fix needs (sent as the diagnostic's `data`). */
  data?: unknown;
}

/** A statement of libpg-query's parse result. */
export interface PgStatement {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

export interface RuleContext {
  readonly query: Query;
  /** `query.sql`: what the parser read. */
  readonly sql: string;
  readonly documentKind: DocumentKind;
  /** The statements of the query, as PostgreSQL's parser returns them (JSON parse tree). */
  readonly statements: readonly PgStatement[];
  /**
   * What each hole spliced in at run time stands for (by index in `query.parameters`): a value,
   * or a piece of SQL (a condition, a name…). Holes that are the driver's placeholders are values.
   */
  readonly holeRoles: ReadonlyMap<number, HoleRole>;
  /** The offset in `sql` of a parse-tree `location` (PostgreSQL counts UTF-8 bytes). */
  offsetOf(location: number): number;
  /**
   * The range in `sql` of a parse-tree node: from its first token to the end of its last,
   * closing parentheses included. Undefined for a node without locations.
   */
  rangeOf(node: unknown): [number, number] | undefined;
  report(finding: RuleFinding): void;
}

/**
 * A rule: one module in `rules/`, registered in `rules/index.ts`, documented in
 * `docs/rules/<id>.md`, with fixtures that fire and fixtures that stay quiet.
 */
export interface Rule {
  /** Stable kebab-case id: the diagnostic's code and the key in `queryLens.rules`. */
  id: string;
  /** One line: what the rule finds. */
  summary: string;
  /** Performance findings are warnings or information; style is a hint; never error. */
  defaultSeverity: Exclude<Severity, 'error'>;
  /** `application-code`: only queries found in TypeScript, JavaScript or Python. */
  scope: 'all' | 'application-code';
  /**
   * Whether it applies to migrations and one-off scripts too (see `documentRole.ts`): rules about
   * correctness and safety do; performance advice and `require-where-on-update-delete` do not,
   * since such a script runs once and its whole-table writes are its point.
   */
  inOneOffFiles: boolean;
  /** Whether it runs on tests too, when not `inOneOffFiles` (tests are one-off files with no outside input). */
  inTestFiles?: boolean;
  check(context: RuleContext): void;
}

/** A host-language expression quoted for a message: on one line, at most 40 characters. */
export function quoteHostExpression(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ');
  return `\`${oneLine.length > 40 ? oneLine.slice(0, 39) + '…' : oneLine}\``;
}

/**
 * Calls `visit` for every node of a libpg-query parse tree, depth first. A node is an object
 * with a single capitalised key (`{ "SelectStmt": { … } }`); `visit` gets the type, the node's
 * fields and the chain of enclosing nodes (outermost first). Return `false` to skip children.
 */
export function walkNodes(
  root: unknown,
  visit: (type: string, fields: Record<string, unknown>, ancestors: readonly { type: string; fields: Record<string, unknown> }[]) => boolean | void,
): void {
  const ancestors: { type: string; fields: Record<string, unknown> }[] = [];
  // An explicit stack: parse trees of generated SQL can be deeper than the JS call stack allows.
  const stack: { value: unknown; exit?: boolean }[] = [{ value: root }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry.exit) {
      ancestors.pop();
      continue;
    }
    const value = entry.value;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i] });
      }
      continue;
    }
    if (value === null || typeof value !== 'object') {
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0])) {
      const type = keys[0];
      const fields = (value as Record<string, unknown>)[type];
      if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
        if (visit(type, fields as Record<string, unknown>, ancestors) === false) {
          continue;
        }
        ancestors.push({ type, fields: fields as Record<string, unknown> });
        stack.push({ value: undefined, exit: true });
        pushChildren(fields as Record<string, unknown>, stack);
        continue;
      }
    }
    pushChildren(value as Record<string, unknown>, stack);
  }
}

function pushChildren(fields: Record<string, unknown>, stack: { value: unknown }[]): void {
  const keys = Object.keys(fields);
  for (let i = keys.length - 1; i >= 0; i--) {
    const child = fields[keys[i]];
    if (child !== null && typeof child === 'object') {
      stack.push({ value: child });
    }
  }
}

/** The node's own type and fields when `value` is a wrapped node of that type. */
export function asNode(value: unknown, type: string): Record<string, unknown> | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && type in value) {
    return (value as Record<string, Record<string, unknown>>)[type];
  }
  return undefined;
}

/** The type of a wrapped node (`{ "ColumnRef": … }` → `ColumnRef`). */
export function nodeType(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    return keys.length === 1 ? keys[0] : undefined;
  }
  return undefined;
}

interface Token {
  start: number;
  end: number;
  text: string;
}

/**
 * Builds the context the rules run in; the scanner's tokens (for node ranges) and the offset
 * table are computed only when a rule asks for a range.
 */
export function createRuleContext(
  query: Query,
  sql: string,
  documentKind: DocumentKind,
  statements: readonly PgStatement[],
  holeRoles: ReadonlyMap<number, HoleRole>,
  report: (finding: RuleFinding) => void,
): RuleContext {
  let ascii: boolean | undefined;
  let tokens: Token[] | undefined;
  let byteToIndex: Int32Array | undefined;
  // Locations are UTF-8 byte offsets: for non-ASCII SQL, one table built in a single pass
  // (converting each location from the start would be quadratic on long queries).
  const offsetOf = (location: number) => {
    ascii ??= !/[^\x00-\x7f]/.test(sql);
    if (ascii) {
      return Math.min(location, sql.length);
    }
    byteToIndex ??= utf8OffsetTable(sql);
    return byteToIndex[Math.min(Math.max(location, 0), byteToIndex.length - 1)];
  };
  const scanTokens = (): Token[] => {
    tokens ??= scanSqlTokens(sql);
    return tokens;
  };
  const rangeOf = (node: unknown): [number, number] | undefined => {
    let min = Infinity;
    let max = -1;
    const consider = (location: unknown) => {
      if (typeof location === 'number' && location >= 0) {
        min = Math.min(min, location);
        max = Math.max(max, location);
      }
    };
    if (node !== null && typeof node === 'object') {
      walkNodes(node, (_type, fields) => {
        consider(fields.location);
      });
      consider((node as Record<string, unknown>).location);
    }
    if (max < 0) {
      return undefined;
    }
    const start = offsetOf(min);
    const last = offsetOf(max);
    const list = scanTokens();
    let index = list.findIndex((t) => t.start === last);
    if (index < 0) {
      return [start, last + 1];
    }
    // Close the parentheses the node opened: `lower(email` → `lower(email)`.
    let depth = 0;
    for (const token of list) {
      if (token.start >= start && token.start <= last) {
        if (token.text === '(') depth++;
        else if (token.text === ')') depth--;
      }
    }
    while (depth > 0 && index + 1 < list.length) {
      index++;
      if (list[index].text === '(') depth++;
      else if (list[index].text === ')') depth--;
    }
    return [start, list[index].end];
  };
  return { query, sql, documentKind, statements, holeRoles, offsetOf, rangeOf, report };
}
