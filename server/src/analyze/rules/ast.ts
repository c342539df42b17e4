/**
 * Helpers the rules share for reading libpg-query parse trees: exact source ranges of nodes,
 * constants, column references, the WHERE and JOIN conditions of every statement, and the
 * tables a statement reads (to name them in messages and suggestions).
 */
import * as pgQuery from 'libpg-query';
import { scanSqlTokens } from '../../scan/sqlTokens';
import { FRAGMENT_TABLE } from '../../extract/embeddedSql';
import type { QueryParameter } from '../../extract/query';
import { asNode, nodeType, type RuleContext } from './rule';

/** The fields of a parse-tree node (`{ "ColumnRef": fields }`). */
export type Fields = Record<string, unknown>;

/** A `[start, end)` range in offsets (UTF-16) into `RuleContext.sql`. */
export type Span = [number, number];

/** The node types that own a WHERE clause. */
const STATEMENT_TYPES = new Set(['SelectStmt', 'UpdateStmt', 'DeleteStmt']);

// ---------------------------------------------------------------------------------------------
// Walking the tree
// ---------------------------------------------------------------------------------------------

/** An enclosing node, as `walkTree` passes it. */
export interface Ancestor {
  type: string;
  fields: Fields;
}

/**
 * Fields that hold a node without the `{ "Type": … }` wrapper: libpg-query writes a field
 * declared as a specific struct (not `Node *`) bare. `SELECT … UNION SELECT …` keeps its
 * branches in `larg`/`rarg`, and `x::date` its type in `typeName`, this way.
 */
const BARE_NODE_FIELDS = new Map([
  ['larg', 'SelectStmt'],
  ['rarg', 'SelectStmt'],
  ['typeName', 'TypeName'],
  ['relation', 'RangeVar'],
  ['withClause', 'WithClause'],
  ['over', 'WindowDef'],
  ['into', 'IntoClause'],
  ['onConflictClause', 'OnConflictClause'],
  ['infer', 'InferClause'],
]);

/** Marks, on the walk's stack, the end of a node's children. */
const END_OF_NODE = {};

/**
 * Like `walkNodes`, and also visits the nodes libpg-query writes bare (see `BARE_NODE_FIELDS`),
 * so that the branches of a UNION are SelectStmts and a cast's type has its location. Depth
 * first in source order, iterative; return `false` from `visit` to skip a node's children.
 */
export function walkTree(root: unknown, visit: (type: string, fields: Fields, ancestors: readonly Ancestor[]) => boolean | void): void {
  const ancestors: Ancestor[] = [];
  walk(
    root,
    (type, fields) => {
      if (visit(type, fields, ancestors) === false) return false;
      ancestors.push({ type, fields });
      return true;
    },
    () => ancestors.pop(),
  );
}

/**
 * The walk under `walkTree` and `nodesOf`: `enter` is called for each node and returns whether
 * to go into its children, `exit` after the children of each node entered. Every rule's
 * questions start with a walk of every tree, so this one allocates as little as it can.
 */
function walk(root: unknown, enter: (type: string, fields: Fields) => boolean, exit: () => void): void {
  // Two parallel stacks: values, and the name of the field each was found in.
  const values: unknown[] = [root];
  const fieldNames: (string | undefined)[] = [undefined];
  while (values.length > 0) {
    const value = values.pop();
    const fieldName = fieldNames.pop();
    if (value === END_OF_NODE) {
      exit();
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (item !== null && typeof item === 'object') {
          values.push(item);
          fieldNames.push(undefined);
        }
      }
      continue;
    }
    let type: string | undefined;
    let fields = value as Fields;
    // A wrapped node is an object with one key, the type's capitalised name.
    let onlyKey: string | undefined;
    let keyCount = 0;
    for (const key in value) {
      onlyKey = key;
      if (++keyCount > 1) break;
    }
    if (keyCount === 1 && isCapital(onlyKey!.charCodeAt(0))) {
      const inner = (value as Fields)[onlyKey!];
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        type = onlyKey;
        fields = inner as Fields;
      }
    }
    if (type === undefined && fieldName !== undefined) {
      type = BARE_NODE_FIELDS.get(fieldName);
    }
    if (type !== undefined) {
      if (!enter(type, fields)) continue;
      values.push(END_OF_NODE);
      fieldNames.push(undefined);
    }
    // Children in field order, then reversed in place so that they pop in source order: a
    // `for … in` over the fields allocates nothing, where `Object.keys` makes an array per node.
    const firstChild = values.length;
    for (const key in fields) {
      const child = fields[key];
      if (child !== null && typeof child === 'object') {
        values.push(child);
        fieldNames.push(key);
      }
    }
    reverseFrom(values, firstChild);
    reverseFrom(fieldNames, firstChild);
  }
}

/** Reverses `list[from…]` in place. */
function reverseFrom(list: unknown[], from: number): void {
  for (let i = from, j = list.length - 1; i < j; i++, j--) {
    const item = list[i];
    list[i] = list[j];
    list[j] = item;
  }
}

function isCapital(code: number): boolean {
  return code >= 65 && code <= 90;
}

/** The node types `nodesOf` finds: those the rules start from, and those they look up to. */
export type IndexedType = 'SelectStmt' | 'UpdateStmt' | 'DeleteStmt' | 'InsertStmt' | 'MergeStmt' | 'JoinExpr' | 'A_Expr' | 'BoolExpr' | 'SubLink';
const INDEXED_TYPES: ReadonlySet<string> = new Set<IndexedType>(['SelectStmt', 'UpdateStmt', 'DeleteStmt', 'InsertStmt', 'MergeStmt', 'JoinExpr', 'A_Expr', 'BoolExpr', 'SubLink']);

/** A node of a query's parse trees, as `nodesOf` finds it. */
export interface TreeNode {
  type: string;
  fields: Fields;
  /** The nearest enclosing node of an indexed type; undefined at the top. */
  parent: TreeNode | undefined;
}

interface TreeIndex {
  statements: readonly unknown[];
  /** The nodes of the indexed types, in source order (a query has a few dozen at most). */
  nodes: TreeNode[];
  /** What `filterConditions` lists, once asked for. */
  conditions?: FilterCondition[];
}

// Every rule asks about the same trees, one query after another: the nodes of the query's
// statements are indexed in one walk, kept until the next query's are asked for.
let lastIndex: TreeIndex | undefined;

/**
 * The nodes of the given types in the query's statements, in source order. One walk of the
 * trees serves all the rules that run on a query; each call filters its few indexed nodes.
 */
export function nodesOf(ctx: RuleContext, ...types: IndexedType[]): readonly TreeNode[] {
  const found: TreeNode[] = [];
  for (const node of treeIndexOf(ctx).nodes) {
    if (types.includes(node.type as IndexedType)) found.push(node);
  }
  return found;
}

function treeIndexOf(ctx: RuleContext): TreeIndex {
  if (lastIndex?.statements !== ctx.statements) {
    const nodes: TreeNode[] = [];
    const parents: (TreeNode | undefined)[] = [];
    let current: TreeNode | undefined;
    for (const statement of ctx.statements) {
      walk(
        statement.stmt,
        (type, fields) => {
          parents.push(current);
          if (INDEXED_TYPES.has(type)) {
            current = { type, fields, parent: current };
            nodes.push(current);
          }
          return true;
        },
        () => {
          current = parents.pop();
        },
      );
    }
    lastIndex = { statements: ctx.statements, nodes };
  }
  return lastIndex;
}

/** The indexed nodes enclosing a node, outermost first: statements, joins, expressions, subqueries. */
export function ancestorsOf(node: TreeNode): Ancestor[] {
  const ancestors: Ancestor[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) ancestors.push(parent);
  return ancestors.reverse();
}

// ---------------------------------------------------------------------------------------------
// Tokens and exact ranges
// ---------------------------------------------------------------------------------------------

interface Token {
  start: number;
  end: number;
  /** Lower-cased text (keywords are compared case-insensitively). */
  text: string;
}

// One entry: rules report on the query being analysed, so the last scan is nearly always the
// one asked for again.
let scannedSql: string | undefined;
let scannedTokens: Token[] = [];

/** The tokens of `ctx.sql` as PostgreSQL's scanner splits it, comments left out. */
function tokensOf(ctx: RuleContext): readonly Token[] {
  if (scannedSql !== ctx.sql) {
    scannedSql = ctx.sql;
    scannedTokens = scanSqlTokens(ctx.sql);
  }
  return scannedTokens;
}

/** Index of the first token that starts at or after `offset`. */
function tokenIndexAt(tokens: readonly Token[], offset: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].start < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Words that continue a type name after its first word: `character varying`, `timestamp with time zone`. */
const TYPE_WORDS = new Set(['varying', 'precision', 'with', 'without', 'time', 'zone', 'to', 'year', 'month', 'day', 'hour', 'minute', 'second']);
/** Words that end `x IS [NOT] NULL` and `x IS [NOT] TRUE`, after the `IS` the node points at. */
const TEST_WORDS = new Set(['not', 'null', 'true', 'false', 'unknown']);

function isNameToken(token: Token | undefined): boolean {
  return token !== undefined && (token.text === '*' || /^(?:"|u&"|[a-z_\u0080-\uffff])/.test(token.text));
}

/**
 * The exact range of a node in `ctx.sql`, from its first token to its last. Parse trees record
 * where some tokens start but not where a node ends, so the range is completed with the scanner:
 * qualified names (`u.email`, `t.*`), parentheses, brackets and `CASE … END` are closed,
 * parentheses around the node's first operand are included (`(a + b) * 2`), and the words that
 * carry no location are added (`timestamp with time zone`, `IS NOT NULL`, `COLLATE "C"`).
 * Undefined for a node without any location.
 */
export function spanOf(ctx: RuleContext, node: unknown): Span | undefined {
  let min = Infinity;
  let max = -1;
  let lastType = '';
  let lastInType = false;
  const consider = (type: string, location: unknown, inType: boolean) => {
    if (typeof location === 'number' && location >= 0) {
      min = Math.min(min, location);
      if (location >= max) {
        max = location;
        lastType = type;
        lastInType = inType || type === 'TypeName';
      }
    }
  };
  if (node === null || typeof node !== 'object') {
    return undefined;
  }
  const ownType = nodeType(node);
  if (ownType === undefined || !/^[A-Z]/.test(ownType)) {
    consider('', (node as Fields).location, false); // the fields of a node, not a wrapped node
  }
  walkTree(node, (type, fields, ancestors) => {
    consider(type, fields.location, ancestors.some((a) => a.type === 'TypeName'));
  });
  if (max < 0) {
    return undefined;
  }
  const tokens = tokensOf(ctx);
  const start = ctx.offsetOf(min);
  const last = ctx.offsetOf(max);
  let first = tokenIndexAt(tokens, start);
  let index = tokenIndexAt(tokens, last);
  if (index >= tokens.length || tokens[index].start !== last || tokens[first]?.start !== start) {
    return ctx.rangeOf(node); // the scanner disagrees with the tree: trust the context's range
  }
  const qualify = () => {
    while (tokens[index + 1]?.text === '.' && isNameToken(tokens[index + 2])) index += 2;
  };
  qualify();
  if (lastType === 'A_Const' && (tokens[index].text === '-' || tokens[index].text === '+') && index + 1 < tokens.length) {
    index++; // a negative number is one constant located at its sign: `-3`
  }
  if ((lastType === 'FuncCall' || lastType === 'RowExpr') && tokens[index + 1]?.text === '(') {
    index++; // no argument has a location (`random()`, `count(*)`): the balancing below closes it
  } else if (lastType === 'A_ArrayExpr' && tokens[index + 1]?.text === '[') {
    index++; // `ARRAY[]`
  }
  if (lastInType) {
    while (index + 1 < tokens.length && TYPE_WORDS.has(tokens[index + 1].text)) index++;
  } else if (lastType === 'NullTest' || lastType === 'BooleanTest') {
    while (index + 1 < tokens.length && TEST_WORDS.has(tokens[index + 1].text)) index++;
  } else if (lastType === 'CollateClause' && index + 1 < tokens.length) {
    index++;
    qualify();
  }
  // Close what the node opened, and open what it closes (the parse tree drops parentheses).
  let depth = 0;
  let lowest = 0;
  for (let i = first; i <= index; i++) {
    depth += nesting(tokens[i].text);
    lowest = Math.min(lowest, depth);
  }
  // After its lowest point the range opened `depth - lowest` brackets it has not closed.
  for (let unclosed = depth - lowest; unclosed > 0 && index + 1 < tokens.length; ) {
    index++;
    unclosed += nesting(tokens[index].text);
  }
  for (let unopened = -lowest; unopened > 0 && first > 0; ) {
    first--;
    unopened -= nesting(tokens[first].text);
  }
  qualify();
  return [tokens[first].start, tokens[index].end];
}

function nesting(text: string): number {
  return text === '(' || text === '[' || text === 'case' ? 1 : text === ')' || text === ']' || text === 'end' ? -1 : 0;
}

/**
 * The range of a FROM item with what the tree gives no location: a table with its alias and
 * column aliases (`orders AS o (a, b)`), a join with its right side's alias and its
 * `USING (…)` list.
 */
export function fromItemSpan(ctx: RuleContext, item: unknown): Span | undefined {
  const join = asNode(item, 'JoinExpr');
  let span: Span | undefined;
  if (join) {
    const left = fromItemSpan(ctx, join.larg);
    const right = fromItemSpan(ctx, join.rarg);
    const quals = join.quals ? spanOf(ctx, join.quals) : undefined;
    if (!left || !right) return spanOf(ctx, item);
    span = [left[0], Math.max(right[1], quals?.[1] ?? 0)];
    if (Array.isArray(join.usingClause)) span = extendOver(ctx, span, 'using');
  } else {
    span = spanOf(ctx, item);
  }
  const fields = item !== null && typeof item === 'object' ? (Object.values(item as Fields)[0] as Fields | undefined) : undefined;
  const alias = fields && typeof fields === 'object' ? (fields.alias as Fields | undefined) : undefined;
  if (!span || typeof alias?.aliasname !== 'string') return span;
  // `[AS] alias [(column, …)]` follows the item.
  const tokens = tokensOf(ctx);
  let index = tokenIndexAt(tokens, span[1]);
  if (tokens[index]?.text === 'as') index++;
  const written = tokens[index] ? ctx.sql.slice(tokens[index].start, tokens[index].end) : '';
  const name = written.startsWith('"') ? written.slice(1, -1).replace(/""/g, '"') : written.toLowerCase();
  if (name !== alias.aliasname) return span;
  span = [span[0], tokens[index].end];
  return Array.isArray(alias.colnames) && tokens[index + 1]?.text === '(' ? extendOver(ctx, span, '(') : span;
}

/** Extends a range over an optional keyword and the parenthesised list after it. */
function extendOver(ctx: RuleContext, span: Span, keyword: string): Span {
  const tokens = tokensOf(ctx);
  let index = tokenIndexAt(tokens, span[1]);
  if (keyword !== '(' && tokens[index]?.text === keyword) index++;
  if (tokens[index]?.text !== '(') return span;
  let depth = 0;
  for (; index < tokens.length; index++) {
    depth += nesting(tokens[index].text);
    if (depth === 0) return [span[0], tokens[index].end];
  }
  return span;
}

/** The source text of a node, as written. */
export function textOf(ctx: RuleContext, node: unknown): string | undefined {
  const span = spanOf(ctx, node);
  return span ? ctx.sql.slice(span[0], span[1]) : undefined;
}

/**
 * The text of an expression with its columns' table qualifiers removed (`lower(u.email)` →
 * `lower(email)`), as an index definition needs it.
 */
export function unqualifiedTextOf(ctx: RuleContext, node: unknown): string | undefined {
  const span = spanOf(ctx, node);
  if (!span) {
    return undefined;
  }
  const tokens = tokensOf(ctx);
  const cuts: Span[] = [];
  for (const ref of columnRefs(node)) {
    const refSpan = Array.isArray(ref.fields) && ref.fields.length > 1 ? spanOf(ctx, { ColumnRef: ref }) : undefined;
    if (!refSpan) continue;
    // Cut up to the last `.` token of the name (a quoted name may hold dots of its own).
    for (let i = tokenIndexAt(tokens, refSpan[1]) - 1; i >= 0 && tokens[i].start >= refSpan[0]; i--) {
      if (tokens[i].text === '.') {
        cuts.push([refSpan[0], tokens[i].end]);
        break;
      }
    }
  }
  let text = '';
  let at = span[0];
  for (const [from, to] of cuts.sort((a, b) => a[0] - b[0])) {
    text += ctx.sql.slice(at, from);
    at = to;
  }
  return text + ctx.sql.slice(at, span[1]);
}

/** The range of the first token that starts at or after `from`. */
export function firstTokenFrom(ctx: RuleContext, from: number): Span | undefined {
  const tokens = tokensOf(ctx);
  const token = tokens[tokenIndexAt(tokens, from)];
  return token ? [token.start, token.end] : undefined;
}

/** The range of the last token before `before` that `test` accepts: keywords have no location. */
export function findTokenBefore(ctx: RuleContext, before: number, test: (text: string) => boolean): Span | undefined {
  const tokens = tokensOf(ctx);
  for (let i = tokenIndexAt(tokens, before) - 1; i >= 0; i--) {
    if (test(tokens[i].text)) return [tokens[i].start, tokens[i].end];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Constants, names and operators
// ---------------------------------------------------------------------------------------------

export type Constant =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; integer: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

/**
 * The value of a constant (`A_Const`), looking through casts (`'2024'::int`, `1000::bigint`).
 * libpg-query leaves out fields that hold their default, so `{ ival: {} }` is 0 and
 * `{ sval: {} }` is the empty string.
 */
export function constantOf(node: unknown): Constant | undefined {
  let value = node;
  for (let cast = asNode(value, 'TypeCast'); cast; cast = asNode(value, 'TypeCast')) {
    value = cast.arg;
  }
  const constant = asNode(value, 'A_Const');
  if (!constant) {
    return undefined;
  }
  if (constant.isnull) return { kind: 'null' };
  if (constant.ival) return { kind: 'number', value: Number((constant.ival as Fields).ival ?? 0), integer: true };
  if (constant.fval) return { kind: 'number', value: Number((constant.fval as Fields).fval ?? 0), integer: false };
  if (constant.sval) return { kind: 'string', value: String((constant.sval as Fields).sval ?? '') };
  if (constant.boolval) return { kind: 'boolean', value: Boolean((constant.boolval as Fields).boolval) };
  return undefined; // bit strings
}

/** The numeric value of a constant, when it is one (`1000`, `1e4`, `'50'::int` is not). */
export function numberOf(node: unknown): number | undefined {
  const constant = constantOf(node);
  return constant?.kind === 'number' ? constant.value : undefined;
}

/** The strings of a name list (`[{ String: { sval } }]`), e.g. a function's or an operator's name. */
export function namesOf(list: unknown): string[] {
  return Array.isArray(list) ? list.map((item) => String(asNode(item, 'String')?.sval ?? '')) : [];
}

/** A function call's name without its schema, lower case as PostgreSQL folds it (`pg_catalog.lower` → `lower`). */
export function functionName(call: Fields): string {
  const names = namesOf(call.funcname);
  return names[names.length - 1] ?? '';
}

/** An operator expression's operator (`=`, `~~`, `||`). */
export function operatorOf(expr: Fields): string {
  const names = namesOf(expr.name);
  return names[names.length - 1] ?? '';
}

/** Whether a node of `type` is anywhere in `root` (the walk stops at the first). */
export function contains(root: unknown, type: string): boolean {
  let found = false;
  walkTree(root, (visited) => {
    if (found) return false;
    if (visited === type) found = true;
    return !found;
  });
  return found;
}

/**
 * The hole a `$n` of the parse tree stands for, by its number: the parameter and its index in
 * `ctx.query.parameters` (whose `holeRoles` say what it stands for). Undefined for anything else.
 */
export function holeOf(ctx: RuleContext, node: unknown): { parameter: QueryParameter; index: number } | undefined {
  const number = asNode(node, 'ParamRef')?.number;
  if (number === undefined) return undefined;
  const index = ctx.query.parameters.findIndex((p) => p.index === number);
  return index < 0 ? undefined : { parameter: ctx.query.parameters[index], index };
}

/** Whether `node` is a query parameter (`$1`), however cast. */
export function isParameter(node: unknown): boolean {
  let value = node;
  for (let cast = asNode(value, 'TypeCast'); cast; cast = asNode(value, 'TypeCast')) value = cast.arg;
  return asNode(value, 'ParamRef') !== undefined;
}

/** A constant or a parameter, however cast: what the caller supplies, not a column. */
export function isValue(node: unknown): boolean {
  return constantOf(node) !== undefined || isParameter(node);
}

/** SQL for a message: on one line, cut to `max` characters with an ellipsis. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}…` : flat;
}

export { formatCount } from '../../text/numbers';

/**
 * An identifier as SQL needs it written: bare when PostgreSQL would fold it to itself and it is
 * no reserved word, double-quoted otherwise (`user` → `"user"`).
 */
export function quoteIdent(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = `"${name.replace(/"/g, '""')}"`;
    if (/^[a-z_][a-z0-9_$]*$/.test(name)) {
      try {
        // PostgreSQL's scanner knows its keywords (the WebAssembly call is slow: remembered).
        const [token] = pgQuery.scanSync(name).tokens;
        if (token && token.keywordName !== 'RESERVED_KEYWORD' && token.keywordName !== 'TYPE_FUNC_NAME_KEYWORD') {
          quoted = name;
        }
      } catch {
        // quoted stays quoted
      }
    }
    if (quotedNames.size > 10_000) quotedNames.clear();
    quotedNames.set(name, quoted);
  }
  return quoted;
}

const quotedNames = new Map<string, string>();

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

/**
 * The column references of an expression, in source order, without those of its subqueries
 * (a subquery's columns are its own business; outer references in it do not make the
 * expression depend on a column of this row's table).
 */
export function columnRefs(expr: unknown): Fields[] {
  const refs: Fields[] = [];
  walkTree(expr, (type, fields) => {
    if (type === 'SelectStmt') return false;
    if (type === 'ColumnRef') refs.push(fields);
    return undefined;
  });
  return refs;
}

/** A column reference's parts: `u.email` → `{ qualifier: 'u', column: 'email' }`; `*` for stars. */
export function columnParts(ref: Fields): { qualifier?: string; column: string } {
  const fields = Array.isArray(ref.fields) ? ref.fields : [];
  const names = fields.map((field) => (asNode(field, 'A_Star') ? '*' : String(asNode(field, 'String')?.sval ?? '')));
  return { qualifier: names.length > 1 ? names[names.length - 2] : undefined, column: names[names.length - 1] ?? '' };
}

/** Whether the expression is a plain column reference (`email`, `u.email`), not a star. */
export function isBareColumn(node: unknown): boolean {
  const ref = asNode(node, 'ColumnRef');
  return ref !== undefined && columnParts(ref).column !== '*';
}

/** The operands of an `AND` (nested `AND`s flattened); the expression itself otherwise. */
export function conjuncts(expr: unknown): unknown[] {
  const result: unknown[] = [];
  const stack = [expr];
  while (stack.length > 0) {
    const item = stack.pop();
    const bool = asNode(item, 'BoolExpr');
    if (bool && bool.boolop === 'AND_EXPR' && Array.isArray(bool.args)) {
      for (let i = bool.args.length - 1; i >= 0; i--) stack.push(bool.args[i]);
    } else {
      result.push(item);
    }
  }
  return result;
}

/**
 * Calls `visit` for each condition of a predicate: what `AND`, `OR` and `NOT` combine, with
 * whether an odd number of `NOT`s negates it. Only these can be answered from an index; a
 * comparison inside `CASE` or a function argument cannot, so it is not visited.
 */
function forEachCondition(predicate: unknown, visit: (condition: unknown, negated: boolean, place: ConditionPlace | undefined) => void): void {
  const stack: { node: unknown; negated: boolean; place: ConditionPlace | undefined }[] = [{ node: predicate, negated: false, place: undefined }];
  while (stack.length > 0) {
    const { node, negated, place } = stack.pop()!;
    const bool = asNode(node, 'BoolExpr');
    if (bool && Array.isArray(bool.args)) {
      const inner = bool.boolop === 'NOT_EXPR' ? !negated : negated;
      const args = bool.args as unknown[];
      for (let i = args.length - 1; i >= 0; i--) {
        stack.push({ node: args[i], negated: inner, place: { boolop: String(bool.boolop), args, index: i, parent: place } });
      }
    } else {
      visit(node, negated, place);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statements, their tables and their filters
// ---------------------------------------------------------------------------------------------

/** A table a statement reads, as its FROM clause (or UPDATE/DELETE target) names it. */
export interface Relation {
  /** How the statement refers to it: the alias, else the table name. */
  refName: string;
  /** The table, schema-qualified as written and quoted where needed (`public.users`, `"user"`); computed when read. */
  readonly table: string;
  rangeVar: Fields;
}

/** The tables of one SELECT, UPDATE or DELETE, and the names of its other FROM items. */
export interface Scope {
  statementType: string;
  statement: Fields;
  relations: Relation[];
  /** Aliases of subqueries, functions, and references to WITH queries: no table to index. */
  derived: string[];
}

/** The display name of a `RangeVar`: `schema.table`, quoted where needed. */
export function tableName(rangeVar: Fields): string {
  // A fragment (`whereRaw(…)`) is read inside a stand-in table: its real table is not known.
  if (rangeVar.relname === FRAGMENT_TABLE && rangeVar.schemaname === undefined) return '<table>';
  const name = quoteIdent(String(rangeVar.relname ?? ''));
  return typeof rangeVar.schemaname === 'string' ? `${quoteIdent(rangeVar.schemaname)}.${name}` : name;
}

/** The alias of a FROM item, when it has one. */
export function aliasOf(item: Fields): string | undefined {
  const alias = item.alias as Fields | undefined;
  return typeof alias?.aliasname === 'string' ? alias.aliasname : undefined;
}

/**
 * The FROM items of a statement, the explicit joins opened up (`a JOIN b ON …` → `a`, `b`).
 * For UPDATE and DELETE the target table comes first.
 */
export function fromItems(statementType: string, statement: Fields, openJoins = true): unknown[] {
  const items: unknown[] = [];
  if (statementType === 'UpdateStmt' || statementType === 'DeleteStmt') {
    items.push({ RangeVar: statement.relation });
  }
  const list = statementType === 'DeleteStmt' ? statement.usingClause : statement.fromClause;
  const stack = Array.isArray(list) ? [...list].reverse() : [];
  while (stack.length > 0) {
    const item = stack.pop();
    const join = asNode(item, 'JoinExpr');
    if (join && openJoins && !aliasOf(join)) {
      stack.push(join.rarg, join.larg);
    } else {
      items.push(item);
    }
  }
  return items;
}

/** The names of the WITH queries visible in a statement: its own and its enclosing statements'. */
export function cteNames(statement: Fields, ancestors: readonly Ancestor[]): Set<string> {
  const names = new Set<string>();
  const addNames = (owner: Fields) => {
    const ctes = (owner.withClause as Fields | undefined)?.ctes;
    if (Array.isArray(ctes)) {
      for (const cte of ctes) {
        const name = asNode(cte, 'CommonTableExpr')?.ctename;
        if (typeof name === 'string') names.add(name);
      }
    }
  };
  addNames(statement);
  for (const ancestor of ancestors) addNames(ancestor.fields);
  return names;
}

/** A table of a FROM clause; its display name is made when read (most are never named in a message). */
class FromRelation implements Relation {
  constructor(
    public refName: string,
    public rangeVar: Fields,
  ) {}

  get table(): string {
    return tableName(this.rangeVar);
  }
}

/** The tables and other FROM items of a statement, WITH queries told apart from tables. */
export function scopeOf(statementType: string, statement: Fields, ctes: ReadonlySet<string>): Scope {
  const relations: Relation[] = [];
  const derived: string[] = [];
  for (const item of fromItems(statementType, statement)) {
    const rangeVar = asNode(item, 'RangeVar') ?? (asNode(asNode(item, 'RangeTableSample')?.relation, 'RangeVar'));
    if (rangeVar && typeof rangeVar.relname === 'string') {
      const refName = aliasOf(rangeVar) ?? rangeVar.relname;
      if (rangeVar.schemaname === undefined && ctes.has(rangeVar.relname)) derived.push(refName);
      else relations.push(new FromRelation(refName, rangeVar));
    } else {
      const fields = item !== null && typeof item === 'object' ? Object.values(item as Fields)[0] : undefined;
      const alias = fields && typeof fields === 'object' ? aliasOf(fields as Fields) : undefined;
      derived.push(alias ?? '');
    }
  }
  return { statementType, statement, relations, derived };
}

/**
 * The table a column belongs to: by its qualifier, or, unqualified, when the statement reads
 * exactly one table and nothing else. Undefined when it cannot be told (or is not a table).
 */
/**
 * PostgreSQL's own catalogs and views (`pg_indexes`, `pg_catalog.pg_class`,
 * `information_schema.columns`): small, and no user may index them, so no index advice applies.
 */
export function isSystemCatalog(table: string): boolean {
  return /^(?:pg_catalog\.|information_schema\.)?pg_\w+$|^information_schema\./.test(table);
}

export function tableOfColumn(scope: Scope, ref: Fields): Relation | undefined {
  const { qualifier } = columnParts(ref);
  if (qualifier !== undefined) {
    return scope.relations.find((r) => r.refName === qualifier);
  }
  return scope.relations.length === 1 && scope.derived.length === 0 ? scope.relations[0] : undefined;
}

/** Where a filter was found: a statement's WHERE or a join's ON. */
interface Filter {
  clause: 'where' | 'join';
  predicate: unknown;
  scope: Scope;
}

/** One condition of a WHERE clause or JOIN … ON, as `filterConditions` lists them. */
/**
 * Where a condition sits in the `AND`/`OR`/`NOT` tree of its clause: the operand `index` of
 * `args`, inside `parent`. Kept as links, not lists: most rules never ask.
 */
export interface ConditionPlace {
  boolop: string;
  args: readonly unknown[];
  index: number;
  parent: ConditionPlace | undefined;
}

/**
 * The other arms of the innermost `OR` a condition is in: an index serves an `OR` only when it
 * serves every arm (a BitmapOr), so one arm no index can serve makes advice on the others idle.
 */
export function alternativesOf(place: ConditionPlace | undefined): unknown[] {
  for (let p = place; p; p = p.parent) {
    if (p.boolop === 'OR_EXPR') return p.args.filter((_, i) => i !== p.index);
  }
  return [];
}

/** The conditions `AND`ed with a condition (up to the innermost `OR`): a row must pass them too. */
export function conjunctsOf(place: ConditionPlace | undefined): unknown[] {
  const conjuncts: unknown[] = [];
  for (let p = place; p && p.boolop !== 'OR_EXPR'; p = p.parent) {
    if (p.boolop === 'AND_EXPR') {
      // A loop, not push(...): an AND has as many arguments as the query has conditions.
      for (let i = 0; i < p.args.length; i++) if (i !== p.index) conjuncts.push(p.args[i]);
    }
  }
  return conjuncts;
}

export interface FilterCondition {
  /** What `AND`, `OR` and `NOT` combine (see `forEachCondition`). */
  condition: unknown;
  /** Whether an odd number of `NOT`s negates it. */
  negated: boolean;
  /** Where it sits among the conditions it is combined with (see `alternativesOf`, `conjunctsOf`). */
  place: ConditionPlace | undefined;
  /** The tables of the statement it filters. */
  scope: Scope;
}

/**
 * The conditions of every WHERE clause (SELECT, UPDATE, DELETE) and JOIN … ON of the query,
 * subqueries and WITH queries included, in source order, each with the scope it filters.
 * Several rules read them: they are listed once per query, with the index.
 */
export function filterConditions(ctx: RuleContext): readonly FilterCondition[] {
  const index = treeIndexOf(ctx);
  if (!index.conditions) {
    const conditions: FilterCondition[] = [];
    forEachFilter(ctx, ({ predicate, scope }) => {
      forEachCondition(predicate, (condition, negated, place) => {
        conditions.push({ condition, negated, scope, place });
      });
    });
    index.conditions = conditions;
  }
  return index.conditions;
}

/**
 * Calls `visit` for every WHERE clause (SELECT, UPDATE, DELETE) and JOIN … ON condition of the
 * query, subqueries and WITH queries included, each with the scope it filters.
 */
function forEachFilter(ctx: RuleContext, visit: (filter: Filter) => void): void {
  const scopes = new Map<Fields, Scope>();
  const scopeFor = (type: string, fields: Fields, ancestors: readonly Ancestor[]) => {
    let scope = scopes.get(fields);
    if (!scope) {
      scope = scopeOf(type, fields, cteNames(fields, ancestors));
      scopes.set(fields, scope);
    }
    return scope;
  };
  for (const node of nodesOf(ctx, 'SelectStmt', 'UpdateStmt', 'DeleteStmt', 'JoinExpr')) {
    const { type, fields } = node;
    if (STATEMENT_TYPES.has(type) && fields.whereClause) {
      visit({ clause: 'where', predicate: fields.whereClause, scope: scopeFor(type, fields, ancestorsOf(node)) });
    } else if (type === 'JoinExpr' && fields.quals) {
      const ancestors = ancestorsOf(node);
      for (let i = ancestors.length - 1; i >= 0; i--) {
        if (STATEMENT_TYPES.has(ancestors[i].type)) {
          const owner = ancestors[i];
          visit({ clause: 'join', predicate: fields.quals, scope: scopeFor(owner.type, owner.fields, ancestors.slice(0, i)) });
          break;
        }
      }
    }
  }
}

/** Joins names for messages: `a`, `a and b`, `a, b and c`. */
export function listNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
