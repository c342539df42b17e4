/**
 * Finds the SQL in a Python file: what DB-API drivers (psycopg, psycopg2, sqlite3, MySQL
 * drivers), asyncpg, SQLAlchemy and Django are handed, constants that flow into those calls, and
 * any other string literal that PostgreSQL's parser reads as a query. Every query maps back to
 * the exact characters written, through escapes, implicit concatenation, f-string fields and
 * `%`/`.format()`/`+` splicing.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import type { Dialect } from '../../settings';
import { EmbeddedSqlBuilder, type PlaceholderStyle } from '../embeddedSql';
import { runTimeQuery, type ParameterisationFix, type Query } from '../query';
import { looksLikeSql, looksLikeSqlQuery, startsWithDriverSqlKeyword, startsWithSqlKeyword } from '../sqlDetector';
import { enclosingLoop } from './enclosingLoop';
import { DatabaseImports, isDatabaseMethod, type DatabaseCall, placeholderStyle, placeholderStyleOfText, recogniseDatabaseCall } from './driverCalls';
import { parameterisationFix } from './parameterisationFix';
import { parsePython, pythonNodeNames } from './pythonSyntaxTree';

export { forgetPythonText } from './pythonSyntaxTree';
import { cookStringPart, readStringToken } from './stringLiterals';
import { bindAssignment, bindOther, Scope } from './scopes';
import { composableName, readSqlExpression, type ExpressionContext, type Piece, type SqlExpression } from './sqlExpression';
import { binaryOperator, lastSegment } from './syntaxNodes';
import { branchEngineCondition, enclosingClassNames, enclosingFunctionName, inBackgroundUpdate } from './enclosingFunction';
import { BULK_INTENT, engineNamed, type EngineHint } from '../engines';

/**
 * Every query in a Python document, sorted by start offset. Never throws: syntax errors, binary
 * junk and very long lines yield whatever queries can still be read. PostgreSQL's parser
 * (`initParsers`) must be loaded for string literals outside driver calls to be recognised.
 */
export function extractQueriesFromPython(text: string, options: { dialect: Dialect }): Query[] {
  const found = collect(text);
  const { rangeKey } = found;
  const queries: Query[] = [];
  /** The expressions already read as a query (a constant used by two calls is one query). */
  const claimed = new Set<number>();

  const fileEngine = found.imports.engine();
  /** The engine a query at `node` is for: its function's name, its receiver's, else the file's driver. */
  const engineAt = (node: SyntaxNode, receiver?: string): { functionName?: string; engine?: EngineHint } => {
    const functionName = enclosingFunctionName(node, text);
    const className = enclosingClassNames(node, text).find((name) => engineNamed(name));
    return { functionName, engine: engineNamed(branchEngineCondition(node, text)) ?? engineNamed(functionName) ?? engineNamed(receiver) ?? engineNamed(className) ?? fileEngine };
  };
  /** The query's dialect and engine, and the function it is in, set on the query. */
  const place = (query: Query, where: { functionName?: string; engine?: EngineHint }): Query => {
    if (where.functionName !== undefined && (where.engine || BULK_INTENT.test(where.functionName))) query.enclosingFunction = where.functionName;
    if (where.engine && options.dialect === 'postgresql') {
      if (where.engine.dialect) query.dialect = where.engine.dialect;
      else query.otherEngine = where.engine.name;
    }
    return query;
  };

  for (const { node, scope } of found.calls) {
    const call = recogniseDatabaseCall(node, text, found.imports);
    if (!call) continue;
    const where = engineAt(node, call.origin.split('.')[0]);
    const dialect = options.dialect === 'postgresql' && where.engine?.dialect ? where.engine.dialect : options.dialect;
    const context = expressionContext(text, scope);
    const expression = readSqlExpression(call.sql, context);
    if (expression) describeHoles(expression, scope, text);
    if (!expression) {
      // `cur.execute(sql)` where `sql` is built at run time: listed and counted, not analysed.
      if (call.certain && call.kind !== 'text' && isBuiltValue(call.sql, text) && !claimed.has(rangeKey(call.sql))) {
        queries.push(runTimeQuery(text.slice(call.sql.from, call.sql.to), call.sql.from, call.sql.to, call.origin));
      }
      continue;
    }
    if (!startsWithDriverSqlKeyword(leadingText(expression.pieces))) continue;
    const sources = [expression.node, ...expression.constants];
    if (sources.some((n) => claimed.has(rangeKey(n)))) continue;
    const style = placeholderStyle(call, found.imports, leadingText(expression.pieces, Infinity));
    if (!call.certain && !looksLikeSql(buildQuery(expression, call.origin, style, 'postgresql').sql)) continue;
    // A constant written into this query's text is no query of its own; another query may write it too.
    for (const n of [...sources, ...(context.inlined ?? [])]) claimed.add(rangeKey(n));
    const fixStyle = style === 'format' || style === 'question' || style === 'dollar' ? style : null;
    const fix = fixStyle && knowsParameterStyle(call, found.imports) ? parameterisationFix(text, call, expression, fixStyle) : undefined;
    const query = place(buildQuery(expression, call.origin, style, dialect, fix), where);
    if ((style === 'format' || style === 'question') && !found.imports.bindsOnServer) query.clientSideParameters = true;
    if (inBackgroundUpdate(node, text)) query.backgroundUpdate = true;
    const loop = enclosingLoop(node, text);
    if (loop) {
      query.loop = loop;
    }
    queries.push(query);
  }

  for (const { node, scope } of found.strings) {
    if (claimed.has(rangeKey(node)) || !mayBeSql(node, text) || !startsLikeSql(node, text)) continue;
    // `sql = "SELECT …"`, then `sql += " GROUP BY room_id"`: what runs is longer than this string;
    // the call that sends it is listed as built at run time.
    if (extendedLater(node, text)) continue;
    const expression = readSqlExpression(node, expressionContext(text, scope), false);
    if (!expression) continue;
    describeHoles(expression, scope, text);
    const leading = leadingText(expression.pieces);
    // One keyword alone ("SELECT", "DELETE") is a word, not a query, though PostgreSQL accepts `SELECT`.
    if (!startsWithSqlKeyword(leading) || !/\S\s+\S/.test(leading)) continue;
    const style = placeholderStyleOfText(leadingText(expression.pieces, Infinity), found.imports);
    // looksLikeSql parses with PostgreSQL's parser, which wants `$n` parameters.
    const candidate = buildQuery(expression, 'string', style, 'postgresql');
    if (!looksLikeSqlQuery(candidate)) continue;
    const where = engineAt(node);
    const dialect = options.dialect === 'postgresql' && where.engine?.dialect ? where.engine.dialect : options.dialect;
    queries.push(place(dialect === 'postgresql' ? candidate : buildQuery(expression, 'string', style, dialect), where));
  }

  return queries.sort((a, b) => a.start - b.start);
}

interface Collected {
  imports: DatabaseImports;
  calls: { node: SyntaxNode; scope: Scope }[];
  /** Outermost string-building expressions, for the content-based search. */
  strings: { node: SyntaxNode; scope: Scope }[];
  /** A number that identifies a node of this document by its range. */
  rangeKey(node: SyntaxNode): number;
}

/**
 * One pass over the syntax tree with a cursor (iterative: deep nesting costs no stack):
 * imports, bindings per scope, the calls that may be database calls, and the outermost
 * string-building expressions, found by climbing from each string literal.
 */
function collect(text: string): Collected {
  const imports = new DatabaseImports();
  const calls: Collected['calls'] = [];
  const strings: Collected['strings'] = [];
  const seenRoots = new Set<number>();
  const rootOf = new Map<number, SyntaxNode>();
  // Exact below 94 million characters (the product stays under 2^53), far above any file analysed.
  const span = text.length + 1;
  const rangeKey = (node: SyntaxNode) => node.from * span + (node.to - node.from);
  let scope = new Scope('module', null, text.length);
  const tree = parseOrNull(text);
  if (!tree) {
    return { imports, calls, strings, rangeKey };
  }
  const cursor = tree.cursor();
  do {
    const from = cursor.from;
    while (scope.parent && from >= scope.end) {
      scope = scope.parent;
    }
    switch (NODE_NAMES[cursor.type.id]) {
      case 'ImportStatement':
        imports.read(cursor.node, text);
        break;
      case 'FunctionDefinition':
      case 'LambdaExpression':
        scope = new Scope('function', scope, cursor.to);
        break;
      case 'ClassDefinition':
        scope = new Scope('class', scope, cursor.to);
        break;
      case 'AssignStatement':
        bindAssignment(scope, cursor.node, text);
        break;
      case 'UpdateStatement':
      case 'NamedExpression':
      case 'ForStatement':
      case 'WithStatement':
      case 'ParamList':
        bindOther(scope, cursor.node, text);
        break;
      case 'CallExpression': {
        const node = cursor.node;
        // Only calls by a database method's name, or of SQLAlchemy's `text` (imported before
        // use, as imports are), are kept for the second pass.
        const callee = node.firstChild;
        const property = callee?.name === 'MemberExpression' ? callee.lastChild : null;
        if (property ? property.name === 'PropertyName' && isDatabaseMethod(text.slice(property.from, property.to)) : callee?.name === 'VariableName' && imports.textFunctions.has(text.slice(callee.from, callee.to))) {
          calls.push({ node, scope });
        }
        break;
      }
      case 'String':
      case 'FormatString': {
        const node = cursor.node;
        if (isBytes(text, node.from)) break;
        const root = stringRoot(node, text, rootOf, rangeKey);
        const key = rangeKey(root);
        if (!seenRoots.has(key)) {
          seenRoots.add(key);
          strings.push({ node: root, scope });
        }
        break;
      }
    }
  } while (cursor.next());
  return { imports, calls, strings, rangeKey };
}

/** The node types the walk acts on, by type id (the others map to ''). */
const NODE_NAMES: string[] = pythonNodeNames([
  'ImportStatement',
  'FunctionDefinition',
  'LambdaExpression',
  'ClassDefinition',
  'AssignStatement',
  'UpdateStatement',
  'NamedExpression',
  'ForStatement',
  'WithStatement',
  'ParamList',
  'CallExpression',
  'String',
  'FormatString',
]);

/**
 * Lezer builds its trees recursively, so nesting tens of thousands deep can exhaust the stack
 * (`((((...))))` 50,000 deep does). Such a file has no queries worth finding.
 */
function parseOrNull(text: string): Tree | null {
  try {
    return parsePython(text);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function isBytes(text: string, from: number): boolean {
  for (let i = from; i < from + 3; i++) {
    const c = text[i];
    if (c === 'b' || c === 'B') return true;
    if (c === "'" || c === '"') return false;
  }
  return false;
}

/**
 * The outermost expression a string literal is part of as text: climbs through parentheses,
 * implicit concatenation, `+`, the template side of `%` and the receiver of `.format()`.
 */
function stringRoot(literal: SyntaxNode, text: string, rootOf: Map<number, SyntaxNode>, rangeKey: (node: SyntaxNode) => number): SyntaxNode {
  // The expressions climbed through remember their root: the strings of a long `+` chain then
  // cost one step each instead of the chain's depth.
  const path: number[] = [];
  let node = literal;
  let root: SyntaxNode | undefined;
  while (!root) {
    const next = enclosingTextExpression(node, text);
    if (!next) {
      root = node;
      break;
    }
    const key = rangeKey(next);
    root = rootOf.get(key);
    path.push(key);
    node = next;
  }
  for (const key of path) rootOf.set(key, root);
  return root;
}

/** The expression `node` is text of, if any: `(node)`, `node "…"`, `node + x`, `node % x`, `node.format()`, `sql.SQL(node)`. */
function enclosingTextExpression(node: SyntaxNode, text: string): SyntaxNode | null {
  const parent = node.parent;
  if (!parent) return null;
  switch (parent.name) {
    case 'ParenthesizedExpression':
    case 'ContinuedString':
      return parent;
    case 'BinaryExpression': {
      const binary = binaryOperator(parent, text);
      return binary && (binary.operator === '+' || (binary.operator === '%' && binary.left.from === node.from)) ? parent : null;
    }
    case 'ArgList': {
      // psycopg's `sql.SQL("…")`: the call is the text's expression (formatted or not).
      const call = parent.parent;
      const callee = call?.firstChild;
      return call?.name === 'CallExpression' && callee && callee.name !== 'ArgList' && composableName(callee, text) === 'SQL' && parent.firstChild?.nextSibling?.from === node.from ? call : null;
    }
    case 'MemberExpression': {
      const property = parent.lastChild;
      const call = parent.parent;
      const isFormat = parent.firstChild?.from === node.from && property?.name === 'PropertyName' && text.slice(property.from, property.to) === 'format';
      return isFormat && call?.name === 'CallExpression' && call.firstChild?.from === parent.from ? call : null;
    }
    default:
      return null;
  }
}

/**
 * A cheap first test for the content-based search, before the whole expression is read: the
 * leftmost literal's first characters start with a SQL keyword.
 */
function startsLikeSql(root: SyntaxNode, text: string): boolean {
  let node: SyntaxNode | null = root;
  for (let step = 0; node && step < 64; step++) {
    switch (node.name) {
      case 'String':
      case 'FormatString': {
        const token = readStringToken(text, node.from, node.to);
        if (!token || token.bytes) return false;
        const end = Math.min(token.bodyTo, token.bodyFrom + 256);
        const prefix = text.slice(token.bodyFrom, end);
        // Without a backslash the text is its own value for this test (CR is white space, and
        // `{{` cannot be part of a keyword): nothing to cook.
        return startsWithSqlKeyword(prefix.includes('\\') ? cookStringPart(text, token, token.bodyFrom, end).value : prefix);
      }
      case 'ContinuedString':
      case 'ParenthesizedExpression':
        node = node.firstChild?.name === '(' ? node.firstChild.nextSibling : node.firstChild;
        continue;
      case 'BinaryExpression':
        node = node.firstChild;
        continue;
      case 'CallExpression':
        node = node.firstChild?.firstChild ?? null; // the receiver of `.format`
        continue;
      default:
        return false;
    }
  }
  return false;
}

/** Log calls: SQL in a log message is not run. */
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);
const LOGGER = /^_*(log|logger|logging)$|logger$/i;

/**
 * Whether a string found by the walk may be a query by where it is: a string that is a whole
 * statement (a docstring, or a string used as a comment) is thrown away, and arguments of
 * `print` and of log calls are messages.
 */
function mayBeSql(node: SyntaxNode, text: string): boolean {
  const parent = node.parent;
  // A whole statement is a docstring or a comment; `sql += "…"` appends a piece to a query built
  // at run time, which is not a query of its own.
  if (!parent || parent.name === 'ExpressionStatement' || parent.name === 'UpdateStatement') {
    return false;
  }
  if (parent.name === 'ArgList') {
    const callee = parent.parent?.firstChild;
    if (callee?.name === 'VariableName' && text.slice(callee.from, callee.to) === 'print') return false;
    if (callee?.name === 'MemberExpression') {
      const property = callee.lastChild;
      const receiver = callee.firstChild;
      if (property && receiver && LOG_METHODS.has(text.slice(property.from, property.to)) && LOGGER.test(lastSegment(receiver, text))) return false;
    }
  }
  return true;
}

/**
 * Whether the driver's parameter style is known well enough to write a fix. SQLAlchemy's
 * `session.execute` takes `text()` and a dict, and its `exec_driver_sql` whatever the driver
 * underneath takes: in a file that imports SQLAlchemy and no driver, `%s` would be a guess.
 */
function knowsParameterStyle(call: DatabaseCall, imports: DatabaseImports): boolean {
  return call.kind !== 'dbapi' || !imports.sqlalchemy || imports.formatDriver || imports.sqlite || imports.django || (imports.asyncpg && call.awaited);
}

/**
 * What the code says of each name spliced into the SQL text: its annotation (`min: int = 0`) and
 * the value it is bound to once, for the rules to tell a value that cannot break the SQL text.
 */
function describeHoles(expression: SqlExpression, scope: Scope, text: string): void {
  for (const piece of expression.pieces) {
    if (piece.kind !== 'hole') continue;
    // `%d`, `%.2f`: the format itself makes a number of whatever it is given.
    if (piece.spec !== undefined && /[diouxXeEfFgG]$/.test(piece.spec)) piece.declaredType = 'int';
    if (piece.valueNode?.name !== 'VariableName') continue;
    const name = text.slice(piece.valueNode.from, piece.valueNode.to);
    const type = scope.declaredType(name);
    if (type !== undefined) piece.declaredType ??= type;
    const value = scope.resolve(name);
    if (value) piece.definition = text.slice(value.from, value.to);
  }
}

/** Whether the string is assigned to a name that `+=` extends later in the same function (or module). */
function extendedLater(node: SyntaxNode, text: string): boolean {
  const assignment = node.parent;
  if (assignment?.name !== 'AssignStatement' || assignment.lastChild?.from !== node.from) return false;
  const target = assignment.firstChild;
  if (target?.name !== 'VariableName') return false;
  let body: SyntaxNode | null = assignment.parent;
  while (body && body.name !== 'Body' && body.name !== 'Script') body = body.parent;
  // Up to the function's body (a branch's body is inside it).
  for (let outer = body; outer; outer = outer.parent) {
    if (outer.name === 'FunctionDefinition' || outer.name === 'Script') {
      body = outer;
      break;
    }
  }
  if (!body) return false;
  const name = text.slice(target.from, target.to);
  return new RegExp(`(?<![\\w.])${name}\\s*\\+=`).test(text.slice(assignment.to, body.to));
}

function expressionContext(text: string, scope: Scope): ExpressionContext {
  return { text, resolveConstant: (name) => scope.resolve(text.slice(name.from, name.to)), inlined: [] };
}

/** The SQL text up to `limit` characters, holes as NUL: enough to test how it starts. */
function leadingText(pieces: Piece[], limit = 400): string {
  let out = '';
  for (const piece of pieces) {
    out += piece.kind === 'text' ? piece.value : '\u0000';
    if (out.length >= limit) break;
  }
  return out;
}

function buildQuery(expression: SqlExpression, origin: string, style: PlaceholderStyle, dialect: Dialect, fix?: ParameterisationFix): Query {
  const builder = new EmbeddedSqlBuilder();
  let construction: Query['construction'];
  for (const piece of expression.pieces) {
    if (piece.kind === 'hole') {
      if (piece.via === 'composition') {
        // psycopg fills it with a Composable it renders safely: SQL it writes, not a splice.
        builder.hole(piece.docStart, piece.docEnd, 'template', piece.expression, piece);
        continue;
      }
      construction ??= piece.via;
      builder.hole(piece.docStart, piece.docEnd, 'interpolated', piece.expression, piece);
      continue;
    }
    const { value, starts, ends } = piece;
    if (value.length === 0) continue;
    const end = ends[ends.length - 1];
    // Most literals are written as they read: pass one offset rather than one per character.
    const contiguous = end - starts[0] === value.length && starts[starts.length - 1] === starts[0] + value.length - 1;
    builder.text(value, contiguous ? starts[0] : starts, end);
  }
  return builder.build({ origin, style, dialect, shape: 'statement', construction, parameterisationFix: fix });
}

/**
 * Whether an argument is something a program builds SQL in (a name, an attribute, a call, a
 * string operation), rather than a value that is plainly not SQL (a number, a list, a dict, None).
 */
function isBuiltValue(node: SyntaxNode, text: string): boolean {
  const textOf = (n: SyntaxNode) => text.slice(n.from, n.to);
  switch (node.name) {
    case 'CallExpression': {
      // `text(sql)`, `sql.SQL(…)`: a query of its own (or a composition), read where it is built.
      const callee = node.firstChild;
      const name = callee?.name === 'MemberExpression' ? callee.lastChild : callee;
      return !(name && /^(?:text|TextClause|SQL|Composed|literal_column)$/.test(name.name === 'PropertyName' || name.name === 'VariableName' ? textOf(name) : ''));
    }
    case 'VariableName':
    case 'MemberExpression':
    case 'BinaryExpression':
    case 'ConditionalExpression':
    case 'FormatString':
      return true;
    default:
      return false;
  }
}
