import * as ts from 'typescript';
import type { PlaceholderStyle } from '../embeddedSql';
import type { ParameterisationFix, TextEdit } from '../query';
import type { SqlCall } from './driverCalls';
import { namePath, shortName, unwrapExpression } from './expressionShapes';
import { placeholderUse } from '../../scan/placeholders';
import { Placeholder, ScanSyntax, SqlScanner, Tok } from '../../scan/sqlScanner';
import type { SqlPiece } from './sqlPieces';

/**
 * The quick fix for SQL built by splicing values into its text, written for the driver the call
 * belongs to:
 *
 *   pool.query(`SELECT * FROM users WHERE id = ${id}`)          → pool.query('SELECT * FROM users WHERE id = $1', [id])
 *   connection.execute('SELECT * FROM t WHERE a = ' + a)          → connection.execute('SELECT * FROM t WHERE a = ?', [a])
 *   prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = ${a}`)      → prisma.$queryRaw`SELECT * FROM t WHERE a = ${a}`
 *
 * Offered only when the spliced SQL is the call's first argument itself, every spliced piece is a
 * value written there (not one coming from a constant, nor a list joined into text as in
 * `IN (${ids.join(',')})`), and the call's values can be extended: no second argument yet, or an
 * array literal (whose existing placeholders keep their numbers).
 */
export function parameterisationFixFor(
  site: SqlCall,
  pieces: readonly SqlPiece[],
  style: PlaceholderStyle,
  source: string,
  sourceFile: ts.SourceFile,
): ParameterisationFix | undefined {
  if (!site.direct || site.values === 'none') {
    return undefined;
  }
  const holes = pieces.filter((piece): piece is Extract<SqlPiece, { kind: 'hole' }> => piece.kind === 'hole');
  if (holes.length === 0 || holes.some((hole) => hole.source !== 'interpolated' || hole.carriedBy !== undefined || hole.joinedList)) {
    return undefined;
  }
  if (pieces.some((piece) => piece.kind === 'reference' && !piece.textOnly)) {
    return undefined;
  }
  const eol = lineBreakOf(source);
  if (site.values === 'tagged-twin') {
    return taggedTwinFix(site, pieces, holes, sourceFile, eol);
  }
  if (style !== 'dollar' && style !== 'question') {
    return undefined;
  }
  return placeholderFix(site, pieces, style, source, sourceFile, eol);
}

/** The line break a fix writes: the one the file's first line ends with. */
export function lineBreakOf(source: string): string {
  return /\r\n/.test(source.slice(0, source.indexOf('\n') + 1)) ? '\r\n' : '\n';
}

type Hole = Extract<SqlPiece, { kind: 'hole' }>;

function placeholderFix(site: SqlCall, pieces: readonly SqlPiece[], style: 'dollar' | 'question', source: string, sourceFile: ts.SourceFile, eol: string): ParameterisationFix | undefined {
  const argument = site.call.arguments[0];
  const valuesArgument = site.call.arguments[1];
  let existingValues: string[] = [];
  if (valuesArgument) {
    const array = unwrapExpression(valuesArgument);
    if (site.values !== 'array-argument' || !ts.isArrayLiteralExpression(array) || array.elements.some(ts.isSpreadElement)) {
      return undefined;
    }
    existingValues = array.elements.map((element) => source.slice(element.getStart(sourceFile), element.end));
  }
  // The SQL with each hole as NUL, to see where the holes stand among existing placeholders.
  const sqlWithHoles = pieces.map((piece) => (piece.kind === 'hole' ? '\u0000' : piece.kind === 'text' ? piece.text.value : piece.value)).join('');
  const existing = placeholderUse(sqlWithHoles.replace(/\u0000/g, ' '));

  const parts: LiteralPart[] = [];
  let values: string[];
  let placeholders: string[];
  if (style === 'dollar') {
    if (existing.questionMarks > 0) {
      return undefined;
    }
    // New parameters are numbered after every existing one; a repeated expression reuses its number.
    let next = Math.max(existing.maxDollar, existingValues.length) + 1;
    const numbers = new Map<string, number>();
    values = [...existingValues];
    placeholders = [];
    for (const piece of pieces) {
      if (piece.kind !== 'hole') {
        parts.push(literalPart(piece));
        continue;
      }
      let number = numbers.get(piece.expression);
      if (number === undefined) {
        number = next++;
        numbers.set(piece.expression, number);
        values.push(piece.expression);
        placeholders.push(`$${number}`);
      }
      parts.push({ text: `$${number}` });
    }
  } else {
    if (existing.maxDollar > 0 || existing.colonNames > 0) {
      return undefined;
    }
    // `?` binds by position: the values are merged in the order their placeholders appear.
    const order = questionMarkOrder(sqlWithHoles);
    if (order.filter((kind) => kind === 'existing').length !== existingValues.length) {
      return undefined;
    }
    const remaining = [...existingValues];
    const holeQueue: Hole[] = [];
    for (const piece of pieces) {
      if (piece.kind === 'hole') {
        holeQueue.push(piece);
        parts.push({ text: '?' });
      } else {
        parts.push(literalPart(piece));
      }
    }
    values = order.map((kind) => (kind === 'existing' ? remaining.shift()! : holeQueue.shift()!.expression));
    placeholders = [];
  }
  const newLiteral = writeLiteral(parts, eol);
  const edits: TextEdit[] = [{ start: argument.getStart(sourceFile), end: argument.end, newText: newLiteral }];
  const list = `[${values.join(', ')}]`;
  if (valuesArgument) {
    edits.push({ start: valuesArgument.getStart(sourceFile), end: valuesArgument.end, newText: list });
  } else {
    edits.push({ start: argument.end, end: argument.end, newText: site.values === 'replacements-option' ? `, { replacements: ${list} }` : `, ${list}` });
  }
  const names = uniqueExpressions(pieces);
  const title =
    names.length > MAX_TITLE_NAMES
      ? `Pass ${names.length} values as parameters of ${site.origin}`
      : style === 'dollar'
        ? `Pass ${names.join(', ')} as ${names.length === 1 ? 'parameter' : 'parameters'} ${placeholders.join(', ')} of ${site.origin}`
        : `Pass ${names.join(', ')} as ${names.length === 1 ? 'a parameter' : 'parameters'} of ${site.origin}`;
  return { title, edits };
}

/** `$queryRawUnsafe(`…${a}`)` → `$queryRaw`…${a}``, `sql.unsafe(`…${a}`)` → `sql`…${a}``. */
function taggedTwinFix(site: SqlCall, pieces: readonly SqlPiece[], holes: Hole[], sourceFile: ts.SourceFile, eol: string): ParameterisationFix | undefined {
  const call = site.call;
  const callee = unwrapExpression(call.expression);
  // Values already passed, constants spliced in (they would become bound values) and optional calls have no twin.
  if (call.arguments.length !== 1 || call.questionDotToken || !ts.isPropertyAccessExpression(callee) || pieces.some((piece) => piece.kind === 'reference')) {
    return undefined;
  }
  if (site.twin === '' && call.typeArguments) {
    return undefined;
  }
  const argument = call.arguments[0];
  const argumentStart = argument.getStart(sourceFile);
  const openParen = call.arguments.pos - 1;
  const edits: TextEdit[] = [];
  if (site.twin) {
    edits.push({ start: callee.name.getStart(sourceFile), end: callee.name.end, newText: site.twin });
  }
  const removeFrom = site.twin ? openParen : callee.expression.end;
  const keepsTemplate = ts.isTemplateExpression(unwrapExpression(argument)) && unwrapExpression(argument) === argument && !pieces.some((piece) => piece.kind === 'synthetic');
  if (keepsTemplate) {
    // The template as written: only the call around it changes.
    edits.push({ start: removeFrom, end: argumentStart, newText: '' });
    edits.push({ start: argument.end, end: call.end, newText: '' });
  } else {
    const template = pieces.map((piece) => (piece.kind === 'hole' ? '${' + piece.expression + '}' : escapeTemplateText(piece.kind === 'text' ? piece.text.value : piece.value, eol))).join('');
    edits.push({ start: removeFrom, end: call.end, newText: '`' + template + '`' });
  }
  const receiver = shortName(namePath(callee.expression));
  const tag = site.twin ? `${receiver.split('.').pop()}.${site.twin}` : receiver;
  const names = uniqueExpressions(holes);
  return {
    title: names.length > MAX_TITLE_NAMES ? `Pass ${names.length} values as bound parameters of ${tag}` : `Pass ${names.join(', ')} as ${names.length === 1 ? 'a bound parameter' : 'bound parameters'} of ${tag}`,
    edits,
  };
}

/** A part of the new literal: text to escape, or code to write as `${code}`. */
type LiteralPart = { text: string } | { code: string };

function literalPart(piece: SqlPiece): LiteralPart {
  switch (piece.kind) {
    case 'text':
      return { text: piece.text.value };
    case 'reference':
      return { code: piece.expression };
    default:
      return { text: (piece as { value: string }).value };
  }
}

/**
 * A JavaScript literal for the parts: single quotes when the text needs no escaping there, else
 * double quotes, else a template; a template when the SQL spans lines (kept as lines) or keeps a
 * constant (`${TABLE}`).
 */
function writeLiteral(parts: readonly LiteralPart[], eol = '\n'): string {
  const text = parts.map((part) => ('text' in part ? part.text : '')).join('');
  const hasCode = parts.some((part) => 'code' in part);
  if (hasCode || text.includes('\n')) {
    return '`' + parts.map((part) => ('text' in part ? escapeTemplateText(part.text, eol) : '${' + part.code + '}')).join('') + '`';
  }
  if (!text.includes("'")) {
    return "'" + escapeQuoted(text, "'") + "'";
  }
  if (!text.includes('"')) {
    return '"' + escapeQuoted(text, '"') + '"';
  }
  if (!text.includes('`') && !text.includes('${')) {
    return '`' + escapeTemplateText(text, eol) + '`';
  }
  return "'" + escapeQuoted(text, "'") + "'";
}

function escapeQuoted(text: string, quote: string): string {
  let out = '';
  for (const c of text) {
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\u2028':
        out += '\\u2028';
        break;
      case '\u2029':
        out += '\\u2029';
        break;
      default:
        out += c === quote ? '\\' + c : c;
    }
  }
  return out;
}

function escapeTemplateText(text: string, eol: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' || c === '`' || (c === '$' && text[i + 1] === '{')) {
      out += '\\' + c;
    } else if (c === '\r') {
      out += '\\r';
    } else if (c === '\n') {
      out += eol;
    } else {
      out += c;
    }
  }
  return out;
}

/** In which order `?` placeholders and holes (NUL) appear, outside quotes and comments. */
function questionMarkOrder(sql: string): ('existing' | 'hole')[] {
  const order: ('existing' | 'hole')[] = [];
  const scanner = new SqlScanner(sql, 'postgresql', ScanSyntax.Question);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.Hole) {
      order.push('hole');
    } else if (kind === Tok.Placeholder && scanner.placeholder === Placeholder.Question) {
      // `?|` and `?&` are PostgreSQL's jsonb operators, not placeholders.
      const next = sql.charCodeAt(scanner.end);
      if (next !== 124 /* | */ && next !== 38 /* & */) order.push('existing');
    }
  }
  return order;
}

/**
 * A title names the values up to this many, then counts them: a menu entry is one line, and a
 * query of thousands of holes made one of tens of KB (Python's fix says the same).
 */
const MAX_TITLE_NAMES = 3;

/** The holes' expressions, each once, for the fix's title. */
function uniqueExpressions(pieces: readonly SqlPiece[]): string[] {
  const names = new Set<string>();
  for (const piece of pieces) {
    if (piece.kind === 'hole') {
      names.add(displayExpression(piece.expression));
    }
  }
  return [...names];
}

function displayExpression(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? oneLine.slice(0, 39) + '…' : oneLine;
}
