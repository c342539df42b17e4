/**
 * Python's two string-formatting operations applied to SQL pieces: `template % values` and
 * `template.format(...)`. Each conversion (`%s`, `%(name)s`, `{}`, `{name}`) becomes a hole
 * standing where the conversion is written, with the argument that fills it as its expression;
 * `%%`, `{{` and `}}` become the one character Python makes of them.
 */
import type { SyntaxNode } from '@lezer/common';
import { textAt, type HolePiece, type Piece, type TextPiece } from './sqlExpression';
import { readStringToken, cookStringPart } from './stringLiterals';
import type { CallArguments } from './syntaxNodes';

/** A `%` conversion: `%s`, `%(name)s`, `%-10.3f`, `%*d`, and `%%`. */
const PERCENT_SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/y;

interface Match {
  piece: number;
  from: number;
  to: number;
  replacement: Piece;
}

/** `template % values`. */
export function applyPercentFormat(pieces: Piece[], values: SyntaxNode, text: string, constant: (value: SyntaxNode) => string | null): Piece[] {
  const found: { piece: number; from: number; to: number; name?: string; spec: string; stars: number }[] = [];
  pieces.forEach((piece, index) => {
    if (piece.kind !== 'text') return;
    const value = piece.value;
    for (let k = value.indexOf('%'); k >= 0 && k < value.length; k = value.indexOf('%', k)) {
      PERCENT_SPEC.lastIndex = k;
      const m = PERCENT_SPEC.exec(value);
      if (!m || (m[5] === '%' && m[0].length !== 2)) {
        k++;
        continue;
      }
      const stars = (m[3] === '*' ? 1 : 0) + (m[4] === '*' ? 1 : 0);
      found.push({ piece: index, from: k, to: k + m[0].length, name: m[1], spec: m[0], stars });
      k += m[0].length;
    }
  });
  const args = percentValues(values, text);
  const conversions = found.filter((f) => f.spec !== '%%').length;
  let position = 0;
  const matches: Match[] = found.map((f): Match => {
    const piece = pieces[f.piece] as TextPiece;
    const docStart = piece.starts[f.from];
    const docEnd = piece.ends[f.to - 1];
    if (f.spec === '%%') {
      return { ...f, replacement: textOf(piece, '%', docStart, docEnd) };
    }
    position += f.stars;
    let valueNode: SyntaxNode | null = null;
    let expression: string;
    if (f.name !== undefined) {
      valueNode = args.mapping?.get(f.name) ?? null;
      expression = valueNode ? source(valueNode, text) : `${source(values, text)}[${JSON.stringify(f.name)}]`;
    } else if (args.positional) {
      valueNode = args.positional[position] ?? null;
      expression = valueNode ? source(valueNode, text) : `${source(values, text)}[${position}]`;
    } else if (conversions === 1 && f.stars === 0) {
      valueNode = values;
      expression = source(values, text);
    } else {
      expression = `${source(values, text)}[${position}]`;
    }
    if (f.name === undefined) position++;
    const fixed = valueNode && f.stars === 0 && /^%[sdi]$|^%\([^)]*\)[sdi]$/.test(f.spec) ? constant(valueNode) : null;
    if (fixed !== null) {
      return { ...f, replacement: textAt(fixed, docStart, docEnd, piece.token) };
    }
    const hole: HolePiece = { kind: 'hole', via: 'format', docStart, docEnd, expression, valueNode, sourceFrom: docStart, sourceTo: docEnd, spec: f.spec };
    if (f.name !== undefined) hole.name = f.name;
    if (f.stars > 0) hole.unusual = true;
    return { ...f, replacement: hole };
  });
  return splice(pieces, matches);
}

/** `template.format(*args, **kwargs)`. f-string text is left alone: its braces are already read. */
export function applyBraceFormat(pieces: Piece[], args: CallArguments, text: string, constant: (value: SyntaxNode) => string | null): Piece[] {
  const matches: Match[] = [];
  let auto = 0;
  pieces.forEach((piece, index) => {
    if (piece.kind !== 'text' || piece.token.format) return;
    const value = piece.value;
    for (let k = 0; k < value.length; k++) {
      const c = value[k];
      if (c !== '{' && c !== '}') continue;
      if (value[k + 1] === c) {
        matches.push({ piece: index, from: k, to: k + 2, replacement: textOf(piece, c, piece.starts[k], piece.ends[k + 1]) });
        k++;
        continue;
      }
      if (c === '}') continue; // a lone `}` is a Python error; read it as text
      let depth = 1;
      let j = k + 1;
      for (; j < value.length; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}' && --depth === 0) break;
      }
      if (j >= value.length) break;
      const field = value.slice(k + 1, j);
      const fieldName = /^[^!:]*/.exec(field)![0];
      const parts = /^([A-Za-z_]\w*|\d+)?((?:\.[A-Za-z_]\w*|\[[^\]]*\])*)$/.exec(fieldName);
      let argument: SyntaxNode | undefined;
      let name: string | undefined;
      if (parts) {
        const base = parts[1];
        if (base === undefined) {
          argument = args.positional[auto++];
        } else if (/^\d+$/.test(base)) {
          argument = args.positional[Number(base)];
        } else {
          name = base;
          argument = args.keywords.get(base);
        }
      }
      // `{0.name}` and `{d[key]}` take an attribute or item of the argument: not a node.
      const accessor = parts?.[2] ?? '';
      const valueNode = argument && !accessor ? argument : null;
      const expression = argument ? source(argument, text) + accessor : `{${field}}`;
      const docStart = piece.starts[k];
      const docEnd = piece.ends[j];
      const fixed = valueNode && !field.includes(':') && !field.includes('!') ? constant(valueNode) : null;
      if (fixed !== null) {
        matches.push({ piece: index, from: k, to: j + 1, replacement: textAt(fixed, docStart, docEnd, piece.token) });
        k = j;
        continue;
      }
      const hole: HolePiece = { kind: 'hole', via: 'format', docStart, docEnd, expression, valueNode, sourceFrom: docStart, sourceTo: docEnd };
      if (name !== undefined) hole.name = name;
      matches.push({ piece: index, from: k, to: j + 1, replacement: hole });
      k = j;
    }
  });
  return splice(pieces, matches);
}

/** What `% values` supplies: a tuple's items, a dict literal's entries, or one value. */
function percentValues(values: SyntaxNode, text: string): { positional: SyntaxNode[] | null; mapping: Map<string, SyntaxNode> | null } {
  if (values.name === 'TupleExpression') {
    const items: SyntaxNode[] = [];
    for (let child = values.firstChild; child; child = child.nextSibling) {
      const name = child.name;
      // A comment between items (`x,  # why`) is no item.
      if (name === '(' || name === ')' || name === ',' || name === 'Comment') continue;
      if (name === '*' || child.type.isError) return { positional: null, mapping: null };
      items.push(child);
    }
    return { positional: items, mapping: null };
  }
  if (values.name === 'DictionaryExpression') {
    const mapping = new Map<string, SyntaxNode>();
    let key: string | null = null;
    let expectValue = false;
    for (let child = values.firstChild; child; child = child.nextSibling) {
      const name = child.name;
      if (name === 'Comment') continue;
      if (name === '{' || name === '}' || name === ',' || name === '**') {
        key = null;
        expectValue = false;
        continue;
      }
      if (name === ':') {
        expectValue = key !== null;
        continue;
      }
      if (expectValue && key !== null) {
        mapping.set(key, child);
        key = null;
        expectValue = false;
        continue;
      }
      key = name === 'String' ? stringValue(child, text) : null;
    }
    return { positional: null, mapping };
  }
  return { positional: null, mapping: null };
}

function stringValue(node: SyntaxNode, text: string): string | null {
  const token = readStringToken(text, node.from, node.to);
  return token && !token.bytes && !token.format ? cookStringPart(text, token, token.bodyFrom, token.bodyTo).value : null;
}

function source(node: SyntaxNode, text: string): string {
  return text.slice(node.from, node.to);
}

function textOf(piece: TextPiece, value: string, start: number, end: number): TextPiece {
  return { kind: 'text', value, starts: [start], ends: [end], token: piece.token };
}

/** Replaces the matched ranges of text pieces; matches are in order, per piece. */
function splice(pieces: Piece[], matches: Match[]): Piece[] {
  if (matches.length === 0) {
    return pieces;
  }
  const out: Piece[] = [];
  let m = 0;
  pieces.forEach((piece, index) => {
    if (piece.kind !== 'text' || m >= matches.length || matches[m].piece !== index) {
      out.push(piece);
      return;
    }
    let at = 0;
    for (; m < matches.length && matches[m].piece === index; m++) {
      const match = matches[m];
      if (match.from > at) out.push(slicePiece(piece, at, match.from));
      out.push(match.replacement);
      at = match.to;
    }
    if (at < piece.value.length) out.push(slicePiece(piece, at, piece.value.length));
  });
  return out;
}

function slicePiece(piece: TextPiece, from: number, to: number): TextPiece {
  return { kind: 'text', value: piece.value.slice(from, to), starts: piece.starts.slice(from, to), ends: piece.ends.slice(from, to), token: piece.token };
}
