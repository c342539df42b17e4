/**
 * Reads the Python expression that builds a SQL string into pieces: literal text (with the
 * document range of every character) and holes (values spliced in by an f-string, `%`,
 * `.format()` or `+`). Handles string literals of every form, implicit concatenation,
 * parentheses, and constants (a name assigned once) where the whole SQL, a `%` template or a
 * `.format()` template is one.
 */
import type { SyntaxNode } from '@lezer/common';
import { cookStringPart, readStringToken, type StringToken } from './stringLiterals';
import { applyBraceFormat, applyPercentFormat } from './stringFormatting';
import { binaryOperator, readArguments, unwrapParentheses, type CallArguments } from './syntaxNodes';

/** Literal SQL text of one string token. */
export interface TextPiece {
  kind: 'text';
  value: string;
  /** Document range of what was written for each character. */
  starts: number[];
  ends: number[];
  token: StringToken;
}

/** How a value got into the SQL text. */
/** `composition`: an argument of psycopg's `sql.SQL(…).format(…)`, a `Composable` psycopg renders safely. */
export type HoleKind = 'f-string' | 'format' | 'concatenation' | 'composition';

/** A value spliced into the SQL text. */
export interface HolePiece {
  kind: 'hole';
  via: HoleKind;
  /** What a finding on the value underlines: the expression (f-string, `+`) or the `%s`/`{}` standing for it. */
  docStart: number;
  docEnd: number;
  /** The host expression as written (for a `%`/`.format()` value: the argument it takes). */
  expression: string;
  /** The expression's node, when it is one node. */
  valueNode: SyntaxNode | null;
  /** What the hole replaces in the host code: `{...}`, `%s`, `{}`, or the concatenated operand. */
  sourceFrom: number;
  sourceTo: number;
  /** `%(name)s` and `{name}`. */
  name?: string;
  /** The `%` conversion as written (`%s`, `%(id)d`, `%-5s`), for `%` holes. */
  spec?: string;
  /** `{x=}` (prints `x=` before the value) or `%*d` (takes two values). */
  unusual?: boolean;
  /** What the code says of a name spliced in (see `QueryParameter.declaredType`). */
  declaredType?: string;
  definition?: string;
}

export type Piece = TextPiece | HolePiece;

/** The outermost operation of the expression, which the parameterisation fix rewrites. */
export type ExpressionShape =
  | { kind: 'literal' }
  | { kind: 'percent'; template: SyntaxNode; values: SyntaxNode }
  | { kind: 'format'; template: SyntaxNode; call: SyntaxNode; args: CallArguments }
  | { kind: 'concatenation'; operands: SyntaxNode[] }
  /** psycopg's `sql.SQL("…")`, formatted or not: composed from safe pieces, nothing to fix. */
  | { kind: 'composition' };

export interface SqlExpression {
  /** The node the expression was read from (the argument or the constant's value). */
  node: SyntaxNode;
  pieces: Piece[];
  /** Every string token read, in document order. */
  tokens: StringToken[];
  shape: ExpressionShape;
  /** Constants' values read on the way (their literals belong to this query). */
  constants: SyntaxNode[];
}

export interface ExpressionContext {
  text: string;
  /** The value assigned once to a name, seen from where the expression is; null if none. */
  resolveConstant(name: SyntaxNode): SyntaxNode | null;
  /**
   * The string literals of constants whose text was written into the SQL (`{sql_update}` in an
   * f-string): read here, so not a query of their own.
   */
  inlined?: SyntaxNode[];
}

/** Nesting of `%`, `.format()`, `+` inside parentheses and constants read, at most. */
const MAX_DEPTH = 32;

/**
 * Reads `node` as a SQL-building expression, or null when it does not build a string (a number,
 * a call, bytes, a name that is not a constant). `followConstant` resolves a bare name.
 */
export function readSqlExpression(node: SyntaxNode, context: ExpressionContext, followConstant = true): SqlExpression | null {
  return read(node, context, 0, followConstant);
}

function read(start: SyntaxNode, context: ExpressionContext, depth: number, followConstant: boolean): SqlExpression | null {
  if (depth > MAX_DEPTH) {
    return null;
  }
  const node = unwrapParentheses(start);
  if (!node) {
    return null;
  }
  const { text } = context;
  switch (node.name) {
    case 'String':
    case 'FormatString': {
      const pieces: Piece[] = [];
      const token = readLiteral(node, context, pieces);
      return token ? { node: start, pieces, tokens: [token], shape: { kind: 'literal' }, constants: [] } : null;
    }
    case 'ContinuedString': {
      const pieces: Piece[] = [];
      const tokens: StringToken[] = [];
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name !== 'String' && child.name !== 'FormatString') continue;
        const token = readLiteral(child, context, pieces);
        if (!token) return null;
        tokens.push(token);
      }
      return tokens.length > 0 ? { node: start, pieces, tokens, shape: { kind: 'literal' }, constants: [] } : null;
    }
    case 'BinaryExpression': {
      const binary = binaryOperator(node, text);
      if (!binary) return null;
      if (binary.operator === '+') {
        return readConcatenation(start, node, context, depth);
      }
      if (binary.operator === '%') {
        const template = read(binary.left, context, depth + 1, true);
        if (!template) return null;
        return {
          node: start,
          pieces: applyPercentFormat(template.pieces, binary.right, text, (value) => constantText(value, context)),
          tokens: template.tokens,
          shape: { kind: 'percent', template: binary.left, values: binary.right },
          constants: template.constants,
        };
      }
      return null;
    }
    case 'CallExpression': {
      const callee = node.firstChild;
      const list = node.lastChild;
      if (callee && list?.name === 'ArgList' && composableName(callee, text) === 'SQL') {
        // psycopg's `sql.SQL("…")`: its text, to be formatted with Composables.
        const args = readArguments(list, text);
        const inner = args.positional.length === 1 && !args.spread ? read(args.positional[0], context, depth + 1, true) : null;
        return inner ? { ...inner, node: start, shape: { kind: 'composition' } } : null;
      }
      const property = callee?.lastChild;
      if (!callee || callee.name !== 'MemberExpression' || !property || property.name !== 'PropertyName' || text.slice(property.from, property.to) !== 'format' || !list || list.name !== 'ArgList') {
        return null;
      }
      const receiver = callee.firstChild;
      const template = receiver && read(receiver, context, depth + 1, true);
      if (!receiver || !template) return null;
      const args = readArguments(list, text);
      if (template.shape.kind === 'composition') {
        // `sql.SQL("… {} …").format(sql.Identifier("t"), sql.Literal(x))`: psycopg accepts only
        // Composables there, each rendered safely. Identifiers, SQL text and placeholders of
        // literals are text; anything else is a hole psycopg fills (a value, a name, SQL).
        const pieces = applyBraceFormat(template.pieces, args, text, (value) => composableText(value, context));
        return {
          node: start,
          pieces: pieces.map((piece) => (piece.kind === 'hole' ? { ...piece, via: 'composition' as const } : piece)),
          tokens: template.tokens,
          shape: { kind: 'composition' },
          constants: template.constants,
        };
      }
      return {
        node: start,
        pieces: applyBraceFormat(template.pieces, args, text, (value) => constantText(value, context)),
        tokens: template.tokens,
        shape: { kind: 'format', template: receiver, call: node, args },
        constants: template.constants,
      };
    }
    case 'VariableName': {
      if (!followConstant) return null;
      const value = context.resolveConstant(node);
      const constant = value && read(value, context, depth + 1, true);
      if (!value || !constant) return null;
      return { ...constant, constants: [value, ...constant.constants] };
    }
    default:
      return null;
  }
}

/**
 * `a + b + c` is a left-leaning tree; its operands are collected by walking down the left spine,
 * so a long chain costs no recursion. Operands that build strings contribute their pieces; any
 * other operand is a hole.
 */
function readConcatenation(start: SyntaxNode, node: SyntaxNode, context: ExpressionContext, depth: number): SqlExpression | null {
  const { text } = context;
  const operands: SyntaxNode[] = [];
  let current: SyntaxNode = node;
  for (;;) {
    const binary = current.name === 'BinaryExpression' ? binaryOperator(current, text) : null;
    if (!binary || binary.operator !== '+') {
      operands.push(current);
      break;
    }
    operands.push(binary.right);
    current = binary.left;
  }
  operands.reverse();
  const pieces: Piece[] = [];
  const tokens: StringToken[] = [];
  const constants: SyntaxNode[] = [];
  let strings = 0;
  for (const operand of operands) {
    // A name in a concatenation is a hole even when it is a constant: its text is elsewhere in
    // the file, and a query's characters must run in document order.
    const part = read(operand, context, depth + 1, false);
    if (part) {
      strings++;
      // Loops, not push(...): a spread passes each element on the stack, and a long
      // concatenation's pieces are unbounded (past about 120,000 a RangeError).
      for (const piece of part.pieces) pieces.push(piece);
      for (const token of part.tokens) tokens.push(token);
      for (const constant of part.constants) constants.push(constant);
    } else {
      pieces.push({
        kind: 'hole',
        via: 'concatenation',
        docStart: operand.from,
        docEnd: operand.to,
        expression: text.slice(operand.from, operand.to),
        valueNode: operand,
        sourceFrom: operand.from,
        sourceTo: operand.to,
      });
    }
  }
  return strings > 0 ? { node: start, pieces, tokens, shape: { kind: 'concatenation', operands }, constants } : null;
}

/** Adds the pieces of one `String`/`FormatString` token; null for bytes and non-strings. */
function readLiteral(node: SyntaxNode, context: ExpressionContext, pieces: Piece[]): StringToken | null {
  const { text } = context;
  const token = readStringToken(text, node.from, node.to);
  if (!token || token.bytes) {
    return null;
  }
  if (!token.format) {
    pushText(pieces, text, token, token.bodyFrom, token.bodyTo);
    return token;
  }
  let at = token.bodyFrom;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'FormatReplacement' || child.from < at || child.to > token.bodyTo) continue;
    pushText(pieces, text, token, at, child.from);
    pushReplacement(pieces, context, token, child);
    at = child.to;
  }
  pushText(pieces, text, token, at, token.bodyTo);
  return token;
}

function pushText(pieces: Piece[], text: string, token: StringToken, from: number, to: number): void {
  if (to > from) {
    const cooked = cookStringPart(text, token, from, to);
    if (cooked.value.length > 0) {
      pieces.push({ kind: 'text', value: cooked.value, starts: cooked.starts, ends: cooked.ends, token });
    }
  }
}

/**
 * `{expr}`, `{expr!r:>10}`, `{expr=}`: the expression runs from after `{` to the conversion,
 * format spec, `=` or `}`, whichever comes first.
 */
function pushReplacement(pieces: Piece[], context: ExpressionContext, token: StringToken, field: SyntaxNode): void {
  const { text } = context;
  let first: SyntaxNode | null = null;
  let last: SyntaxNode | null = null;
  let count = 0;
  let selfDocumenting: SyntaxNode | null = null;
  for (let child = field.firstChild; child; child = child.nextSibling) {
    const name = child.name;
    if (name === '{' || name === '}' || name === 'FormatConversion' || name === 'FormatSpec') continue;
    if (name === 'FormatSelfDoc') {
      selfDocumenting = child;
      continue;
    }
    if (child.type.isError && child.from === child.to) continue;
    if (selfDocumenting) continue;
    first ??= child;
    last = child;
    if (name !== ',') count++;
  }
  const exprFrom = first ? first.from : field.from + 1;
  const exprTo = last ? last.to : exprFrom;
  if (selfDocumenting) {
    // f"{x=}" prints the text before `=` (spaces included), then the value.
    const label = text.slice(field.from + 1, selfDocumenting.to);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < label.length; i++) {
      starts.push(field.from + 1 + i);
      ends.push(field.from + 2 + i);
    }
    pieces.push({ kind: 'text', value: label, starts, ends, token });
  }
  const single = count === 1 && first === last ? first : null;
  const constant = single && !selfDocumenting ? constantText(single, context) : null;
  if (constant !== null) {
    // `{MAX_ROWS}`, `{'ASC' if up else 'DESC'}`: text the program writes, mapped to the field.
    pieces.push(textAt(constant, field.from, field.to, token));
    return;
  }
  const hole: HolePiece = {
    kind: 'hole',
    via: 'f-string',
    docStart: exprFrom,
    docEnd: exprTo,
    expression: text.slice(exprFrom, exprTo),
    valueNode: count === 1 && first === last ? first : null,
    sourceFrom: field.from,
    sourceTo: field.to,
  };
  if (selfDocumenting) {
    hole.unusual = true;
  }
  pieces.push(hole);
}

/** How deep a constant's value is followed through other constants. */
const MAX_CONSTANT_DEPTH = 8;

/**
 * The text a value is always formatted as, when the program fixes it: a string or number literal,
 * a conditional between two of them (`'true' if x else 'false'`: either way the SQL has the same
 * shape, so the first is read), or a name bound once to one of these. Null for anything else.
 */
export function constantText(node: SyntaxNode, context: ExpressionContext, depth = 0): string | null {
  const inner = unwrapParentheses(node);
  if (!inner || depth > MAX_CONSTANT_DEPTH) return null;
  const { text } = context;
  switch (inner.name) {
    case 'Number':
      return text.slice(inner.from, inner.to);
    case 'String': {
      const token = readStringToken(text, inner.from, inner.to);
      return token && !token.bytes && !token.format ? cookStringPart(text, token, token.bodyFrom, token.bodyTo).value : null;
    }
    case 'ConditionalExpression': {
      const branches: SyntaxNode[] = [];
      for (let child = inner.firstChild; child; child = child.nextSibling) {
        if (child.name !== 'if' && child.name !== 'else') branches.push(child);
      }
      if (branches.length !== 3) return null;
      const whenTrue = constantText(branches[0], context, depth + 1);
      return whenTrue !== null && constantText(branches[2], context, depth + 1) !== null ? whenTrue : null;
    }
    case 'VariableName': {
      const value = context.resolveConstant(inner);
      const written = value ? constantText(value, context, depth + 1) : null;
      if (written !== null && value?.name === 'String') context.inlined?.push(value);
      return written;
    }
    default:
      return null;
  }
}

/** A text piece whose every character maps to the range [from, to) of the document. */
export function textAt(value: string, from: number, to: number, token: StringToken): TextPiece {
  const starts = new Array<number>(value.length).fill(from);
  const ends = new Array<number>(value.length).fill(to);
  return { kind: 'text', value, starts, ends, token };
}

/** psycopg's `sql` module names, as imported (`sql.SQL`, `pysql.SQL`, `psycopg.sql.SQL`, `SQL`). */
const COMPOSABLES = new Set(['SQL', 'Identifier', 'Literal', 'Placeholder', 'Composed']);

/** `SQL` for `sql.SQL`, `pysql.SQL` or a bare `SQL`: the Composable a callee names, if any. */
export function composableName(callee: SyntaxNode, text: string): string | undefined {
  const name = callee.name === 'VariableName' ? callee : callee.name === 'MemberExpression' ? callee.lastChild : null;
  if (!name || (name.name !== 'VariableName' && name.name !== 'PropertyName')) return undefined;
  const word = text.slice(name.from, name.to);
  return COMPOSABLES.has(word) ? word : undefined;
}

/**
 * The text psycopg renders for a Composable known here: `sql.Identifier("schema", "t")` of
 * literals as `"schema"."t"`, `sql.SQL("…")` of a literal as that text, `sql.Placeholder()` as
 * `%s` (`%(name)s` when named), and `sql.SQL(", ").join([…])` of those. Null for anything else
 * (a value, a name known at run time).
 */
function composableText(node: SyntaxNode, context: ExpressionContext): string | null {
  const call = unwrapParentheses(node);
  if (!call || call.name !== 'CallExpression') return null;
  const callee = call.firstChild;
  const list = call.lastChild;
  if (!callee || list?.name !== 'ArgList') return null;
  if (callee.name === 'MemberExpression' && callee.lastChild && context.text.slice(callee.lastChild.from, callee.lastChild.to) === 'join') {
    // `sql.SQL(", ").join([sql.Identifier("a"), sql.Identifier("b")])`: the parts, glued.
    const glue = callee.firstChild && composableText(callee.firstChild, context);
    const items = readArguments(list, context.text).positional;
    const sequence = items.length === 1 ? unwrapParentheses(items[0]) : null;
    if (glue === null || glue === undefined || !sequence || !['ArrayExpression', 'TupleExpression'].includes(sequence.name)) return null;
    const parts: string[] = [];
    for (let item = sequence.firstChild; item; item = item.nextSibling) {
      if (item.name === '[' || item.name === ']' || item.name === '(' || item.name === ')' || item.name === ',' || item.name === 'Comment') continue;
      const part = composableText(item, context);
      if (part === null) return null;
      parts.push(part);
    }
    return parts.join(glue);
  }
  const kind = composableName(callee, context.text);
  const args = readArguments(list, context.text);
  if (args.spread || args.keywords.size > 0) return null;
  const literals = args.positional.map((arg) => constantText(arg, context));
  if (literals.some((literal) => literal === null)) return null;
  switch (kind) {
    case 'Identifier':
      return literals.length > 0 ? literals.map((part) => `"${part!.replace(/"/g, '""')}"`).join('.') : null;
    case 'SQL':
      return literals.length === 1 ? literals[0] : null;
    case 'Placeholder':
      return literals.length === 0 ? '%s' : literals.length === 1 ? `%(${literals[0]})s` : null;
    default:
      return null;
  }
}
