/**
 * The quick fix for SQL built by splicing values into its text: rewrite the SQL argument of a
 * driver call into a plain string with the driver's placeholders and pass the values as
 * parameters.
 *
 *   cursor.execute(f"SELECT * FROM t WHERE id = {uid}")    → cursor.execute("SELECT * FROM t WHERE id = %s", (uid,))
 *   conn.fetch("SELECT * FROM t WHERE id = " + str(uid))   → conn.fetch("SELECT * FROM t WHERE id = $1", uid)
 *
 * The string is edited in place, so its quotes, prefix, line breaks and escapes stay as written.
 * A fix is only offered where it keeps the query's meaning: every spliced value must stand where
 * SQL takes a value (after `=`, in `VALUES (...)`, `LIMIT`, as the whole of a `'...'` literal,
 * whose quotes then go), never where it is a name, a keyword or a list (`FROM {table}`,
 * `IN ({ids})`, `ORDER BY {column}`).
 */
import type { SyntaxNode } from '@lezer/common';
import { SqlScanner, Tok } from '../../scan/sqlScanner';
import type { ParameterisationFix, TextEdit } from '../query';
import type { DatabaseCall } from './driverCalls';
import type { HolePiece, Piece, SqlExpression, TextPiece } from './sqlExpression';
import type { StringToken } from './stringLiterals';
import { unwrapParentheses } from './syntaxNodes';

/** The placeholders a fix can write. */
export type FixStyle = 'format' | 'question' | 'dollar';

/** Keyword arguments that already pass parameters. */
const PARAMETER_KEYWORDS = new Set(['params', 'parameters', 'args', 'vars', 'seq_of_parameters', 'param', 'values']);

/**
 * The fix for a call whose SQL argument splices values in, or undefined when none can be written
 * safely (the call already passes parameters, the SQL comes from a constant, a value stands
 * where SQL wants a name, …).
 */
export function parameterisationFix(text: string, call: DatabaseCall, expression: SqlExpression, style: FixStyle): ParameterisationFix | undefined {
  if (!fixableCall(call) || expression.constants.length > 0 || expression.tokens.some((t) => !t.terminated)) {
    return undefined;
  }
  const holes = expression.pieces.filter((p): p is HolePiece => p.kind === 'hole');
  if (holes.length === 0 || holes.some((h) => h.unusual || h.expression.trim() === '')) {
    return undefined;
  }
  if (hasPlaceholderText(expression.pieces, style)) {
    return undefined; // written for parameters already, yet none are passed: not ours to guess
  }
  const contexts = holeContexts(expression.pieces);
  if (!contexts) {
    return undefined;
  }
  const writer = new FixWriter(text, style);
  for (const piece of expression.pieces) {
    if (piece.kind === 'text') writer.textEdits(piece, expression.shape.kind === 'percent', contexts.deletions);
  }
  let ok: boolean;
  switch (expression.shape.kind) {
    case 'literal':
      ok = writer.literal(expression, holes, call.sql);
      break;
    case 'percent':
      ok = writer.percent(expression, holes, expression.shape.template, expression.shape.values);
      break;
    case 'format':
      ok = writer.format(expression, holes, expression.shape.template, expression.shape.call);
      break;
    case 'concatenation':
      ok = writer.concatenation(expression, holes, expression.shape.operands, call.sql);
      break;
    case 'composition':
      ok = false; // psycopg renders every piece safely: nothing to fix
      break;
  }
  const edits = ok ? writer.finish() : null;
  if (!edits) {
    return undefined;
  }
  return { title: title(writer.parameterNames, writer.placeholders, call.origin), edits };
}

function fixableCall(call: DatabaseCall): boolean {
  if (!call.sqlIsFirstPositional || call.args.spread || call.args.positional.length > 1) {
    return false;
  }
  if (call.args.items.some((item) => item.kind === 'other') || [...call.args.keywords.keys()].some((k) => PARAMETER_KEYWORDS.has(k))) {
    return false;
  }
  switch (call.kind) {
    case 'dbapi':
      // executemany's parameters are one sequence per row; a spliced value is not one of them.
      return call.method === 'execute' || call.method === 'exec_driver_sql' || call.method === 'mogrify';
    case 'asyncpg':
      return call.method !== 'prepare';
    case 'raw':
      return true;
    default:
      return false;
  }
}

function hasPlaceholderText(pieces: Piece[], style: FixStyle): boolean {
  const pattern = style === 'format' ? /%(\([^)]*\))?s/ : style === 'question' ? /\?/ : /\$\d/;
  return pieces.some((p) => p.kind === 'text' && pattern.test(p.value));
}

class FixWriter {
  private readonly edits: TextEdit[] = [];
  readonly parameterNames: string[] = [];
  readonly placeholders: string[] = [];
  private readonly dollarIndex = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly style: FixStyle,
  ) {}

  edit(start: number, end: number, newText: string): void {
    this.edits.push({ start, end, newText });
  }

  /** Sorted edits, or null when two overlap (a shape this writer did not foresee). */
  finish(): TextEdit[] | null {
    const edits = this.edits.filter((e) => e.end > e.start || e.newText !== '').sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < edits.length; i++) {
      if (edits[i].start < edits[i - 1].end) return null;
    }
    return edits;
  }

  /**
   * Edits of the literal characters: `{{` → `{` once braces are no longer special, `%` → `%%`
   * once `%` is (format style), `%%` → `%` once it is not, and the quotes around a value that
   * becomes a parameter.
   */
  textEdits(piece: TextPiece, percentTemplate: boolean, deletions: Set<number>): void {
    for (let i = 0; i < piece.value.length; i++) {
      const c = piece.value[i];
      const start = piece.starts[i];
      const end = piece.ends[i];
      if (deletions.has(start)) {
        this.edit(start, end, '');
        continue;
      }
      const written = this.text.slice(start, end);
      if ((c === '{' || c === '}') && written === c + c) {
        this.edit(start, end, c);
      } else if (c === '%') {
        if (written === '%%' && percentTemplate) {
          if (this.style !== 'format') this.edit(start, end, '%');
        } else if (this.style === 'format') {
          this.edit(start, start, '%');
        }
      }
    }
  }

  /** The placeholder for the next parameter, and its expression added to the parameters. */
  parameter(expression: string, name?: string): string {
    const shown = expression.length > 40 ? expression.slice(0, 39) + '…' : expression;
    if (this.style === 'dollar') {
      const simple = /^[A-Za-z_][\w.]*$/.test(expression);
      const known = simple ? this.dollarIndex.get(expression) : undefined;
      if (known !== undefined) return `$${known}`;
      const index = this.placeholders.length + 1;
      if (simple) this.dollarIndex.set(expression, index);
      this.parameterNames.push(shown);
      this.placeholders.push(`$${index}`);
      return `$${index}`;
    }
    const placeholder = name === undefined ? (this.style === 'format' ? '%s' : '?') : this.style === 'format' ? `%(${name})s` : `:${name}`;
    this.parameterNames.push(shown);
    this.placeholders.push(placeholder);
    return placeholder;
  }

  /** The parameters as written after the SQL: `(a, b)` or, for asyncpg, `a, b`. */
  private parameterList(expressions: string[]): string {
    if (this.style === 'dollar') return expressions.join(', ');
    return expressions.length === 1 ? `(${expressions[0]},)` : `(${expressions.join(', ')})`;
  }

  /** `f"... {a} ..."`, `"..." f"{b}"`: the fields become placeholders, the `f` goes. */
  literal(expression: SqlExpression, holes: HolePiece[], argument: SyntaxNode): boolean {
    if (holes.some((h) => h.via !== 'f-string' || !h.valueNode)) return false;
    for (const token of expression.tokens) {
      if (token.format) {
        const f = token.prefix.search(/[fF]/);
        this.edit(token.from + f, token.from + f + 1, '');
      }
    }
    const expressions: string[] = [];
    for (const hole of holes) {
      const before = this.placeholders.length;
      this.edit(hole.sourceFrom, hole.sourceTo, this.parameter(hole.expression));
      if (this.placeholders.length > before) expressions.push(hole.expression);
    }
    this.edit(argument.to, argument.to, `, ${this.parameterList(expressions)}`);
    return true;
  }

  /** `"... %s ..." % values`: the conversions become placeholders and `values` the parameters. */
  percent(expression: SqlExpression, holes: HolePiece[], template: SyntaxNode, values: SyntaxNode): boolean {
    if (!plainLiteral(template, expression.tokens) || holes.some((h) => h.via !== 'format' || h.spec === undefined)) return false;
    const named = holes.filter((h) => h.name !== undefined).length;
    if (named !== 0 && named !== holes.length) return false;
    if (named > 0 && this.style === 'dollar') return false; // asyncpg has no named parameters
    for (const hole of holes) {
      this.edit(hole.sourceFrom, hole.sourceTo, this.parameter(hole.expression, hole.name));
    }
    this.edit(template.to, values.from, ', ');
    const inner = unwrapParentheses(values);
    if (named > 0 || values.name === 'TupleExpression') {
      if (this.style === 'dollar') {
        // asyncpg takes the values as arguments: `(a, b)` → `a, b`.
        const items = holes.map((h) => h.valueNode);
        if (items.some((n) => !n)) return false;
        this.edit(values.from, values.to, items.map((n) => this.text.slice(n!.from, n!.to)).join(', '));
      }
      return true;
    }
    if (!inner) return false;
    const value = this.text.slice(inner.from, inner.to);
    if (holes.length === 1) {
      this.edit(values.from, values.to, this.parameterList([value]));
    } else if (this.style === 'dollar') {
      this.edit(values.from, values.to, `*${value}`); // a sequence at run time
    }
    return true;
  }

  /** `"... {} ...".format(a)`: the fields become placeholders and the arguments the parameters. */
  format(expression: SqlExpression, holes: HolePiece[], template: SyntaxNode, call: SyntaxNode): boolean {
    if (!plainLiteral(template, expression.tokens) || holes.some((h) => h.via !== 'format' || !h.valueNode)) return false;
    const expressions: string[] = [];
    for (const hole of holes) {
      const before = this.placeholders.length;
      this.edit(hole.sourceFrom, hole.sourceTo, this.parameter(hole.expression));
      if (this.placeholders.length > before) expressions.push(hole.expression);
    }
    this.edit(template.to, call.to, `, ${this.parameterList(expressions)}`);
    return true;
  }

  /**
   * `"... = " + str(a) + " AND ..."`: literals on either side of the spliced values merge into
   * one with the placeholders between them.
   */
  concatenation(expression: SqlExpression, holes: HolePiece[], operands: SyntaxNode[], argument: SyntaxNode): boolean {
    if (expression.tokens.some((t) => t.format) || holes.some((h) => h.via !== 'concatenation' || !h.valueNode)) return false;
    const expressions: string[] = [];
    let pending: HolePiece[] = [];
    let previous: StringToken | null = null;
    const placeholdersFor = (list: HolePiece[]) =>
      list
        .map((hole) => {
          const value = unwrapStr(hole.valueNode!, this.text);
          const before = this.placeholders.length;
          const placeholder = this.parameter(value);
          if (this.placeholders.length > before) expressions.push(value);
          return placeholder;
        })
        .join('');
    for (const operand of operands) {
      const hole = holes.find((h) => h.sourceFrom === operand.from && h.sourceTo === operand.to);
      if (hole) {
        pending.push(hole);
        continue;
      }
      if (operand.name !== 'String' && operand.name !== 'ContinuedString') return false; // parenthesised or nested
      const tokens = expression.tokens.filter((t) => t.from >= operand.from && t.to <= operand.to);
      if (tokens.length === 0) return false;
      const first = tokens[0];
      if (!previous) {
        if (pending.length > 0) {
          this.edit(operands[0].from, first.bodyFrom, this.text.slice(first.from, first.bodyFrom) + placeholdersFor(pending));
        }
      } else {
        if (previous.quote !== first.quote || previous.raw !== first.raw) return false;
        this.edit(previous.bodyTo, first.bodyFrom, placeholdersFor(pending));
      }
      pending = [];
      previous = tokens[tokens.length - 1];
    }
    if (!previous) return false;
    if (pending.length > 0) {
      this.edit(previous.bodyTo, operands[operands.length - 1].to, placeholdersFor(pending) + previous.quote);
    }
    this.edit(argument.to, argument.to, `, ${this.parameterList(expressions)}`);
    return true;
  }
}

/** A template that is string literals only (no f-string, no constant, no operation). */
function plainLiteral(template: SyntaxNode, tokens: StringToken[]): boolean {
  const inner = unwrapParentheses(template);
  return !!inner && (inner.name === 'String' || inner.name === 'ContinuedString') && tokens.every((t) => !t.format);
}

/** `str(x)` spliced into SQL is `x` as a parameter. */
function unwrapStr(node: SyntaxNode, text: string): string {
  const callee = node.name === 'CallExpression' ? node.firstChild : null;
  const list = node.lastChild;
  if (callee?.name === 'VariableName' && text.slice(callee.from, callee.to) === 'str' && list?.name === 'ArgList') {
    const inner = list.firstChild?.nextSibling;
    if (inner && inner.nextSibling?.name === ')' && !inner.type.isError && inner.name !== '*' && inner.name !== '**') {
      return text.slice(inner.from, inner.to);
    }
  }
  return text.slice(node.from, node.to);
}

function title(names: string[], placeholders: string[], origin: string): string {
  if (names.length === 1) {
    return `Pass ${names[0]} as parameter ${placeholders[0]} of ${origin}`;
  }
  if (names.length <= 3) {
    return `Pass ${names.join(', ')} as parameters ${placeholders.join(', ')} of ${origin}`;
  }
  return `Pass ${names.length} values as parameters of ${origin}`;
}

/** Words before which a parenthesis opens a list of values, not a function's arguments. */
const NOT_FUNCTIONS = new Set(['WHERE', 'AND', 'OR', 'NOT', 'ON', 'SELECT', 'FROM', 'JOIN', 'IN', 'EXISTS', 'AS', 'BY', 'HAVING', 'USING', 'INTO', 'TABLE', 'SET', 'WITH', 'UNION', 'RETURNING', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'OVER', 'FILTER', 'WITHIN']);
const VALUE_OPERATORS = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '+', '-', '/', '%', '||']);
const VALUE_KEYWORDS = new Set(['LIMIT', 'OFFSET', 'LIKE', 'ILIKE', 'THEN', 'ELSE', 'WHEN', 'BETWEEN', 'FETCH']);

/**
 * Reads the SQL around each hole with the one SQL scanner: whether it stands where SQL takes a
 * value, and the document offsets of quote characters to delete (`'{x}'`). Null when some hole is
 * not a value.
 */
function holeContexts(pieces: Piece[]): { deletions: Set<number> } | null {
  // The SQL with each hole as NUL, and the document offset of every character.
  let text = '';
  const starts: number[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'hole') {
      text += '\u0000';
      starts.push(piece.sourceFrom);
    } else {
      text += piece.value;
      for (let i = 0; i < piece.value.length; i++) starts.push(piece.starts[i]);
    }
  }
  const deletions = new Set<number>();
  const tokens: string[] = [];
  /** For each open parenthesis: the token before it and the one before that. */
  const parens: { opener: string; beforeOpener: string }[] = [];
  const glued = (at: number) => at >= 0 && at < text.length && /[\w."$\u0000]/.test(text[at]);
  const scanner = new SqlScanner(text, 'postgresql');
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    const { start, end } = scanner;
    const hasHole = kind !== Tok.Hole && text.indexOf('\u0000', start) >= 0 && text.indexOf('\u0000', start) < end;
    switch (kind) {
      case Tok.Hole:
        // Glued to a name (`t_{n}`, `schema.{table}`): not a value.
        if (glued(start - 1) || glued(end) || !valuePosition(tokens, parens)) return null;
        tokens.push('<value>');
        break;
      case Tok.String:
        if (hasHole) {
          // `'{x}'`: the value is the whole literal; its quotes go with the splice.
          if (text.slice(start, end) !== "'\u0000'" || !valuePosition(tokens, parens)) return null;
          deletions.add(starts[start]);
          deletions.add(starts[end - 1]);
        }
        tokens.push('<value>');
        break;
      case Tok.QuotedIdentifier:
        if (hasHole) return null;
        tokens.push('<name>');
        break;
      case Tok.LineComment:
      case Tok.BlockComment:
      case Tok.DollarString:
        if (hasHole) return null;
        break;
      case Tok.Punctuation: {
        const c = text.slice(start, end);
        if (c === '(') {
          parens.push({ opener: tokens[tokens.length - 1] ?? '', beforeOpener: tokens[tokens.length - 2] ?? '' });
        } else if (c === ')') {
          parens.pop();
        }
        tokens.push(c);
        break;
      }
      default:
        tokens.push(text.slice(start, end).toUpperCase());
    }
  }
  return { deletions };
}

function valuePosition(tokens: string[], parens: { opener: string; beforeOpener: string }[]): boolean {
  const previous = tokens[tokens.length - 1] ?? '';
  if (VALUE_OPERATORS.has(previous) || VALUE_KEYWORDS.has(previous)) {
    return true;
  }
  if (previous === 'AND') {
    return tokens[tokens.length - 3] === 'BETWEEN';
  }
  if (previous === '(' || previous === ',') {
    const open = parens[parens.length - 1];
    if (!open) return false; // a top-level list: select list, ORDER BY, SET a = 1, b = …
    if (open.opener === 'VALUES' || open.opener === 'ANY' || open.opener === 'ALL' || open.opener === 'SOME') return true;
    // `lower(x)`, `coalesce(a, x)`: a function's arguments; `INSERT INTO t (a, b)` names columns.
    return /^[A-Z_][A-Z_0-9]*$/.test(open.opener) && !NOT_FUNCTIONS.has(open.opener) && open.beforeOpener !== 'INTO' && open.beforeOpener !== 'TABLE';
  }
  return false;
}
