import type { Dialect } from '../../settings';
import { familyOf, SqlScanner, Tok, TokenFlag, type TokenKind } from '../../scan/sqlScanner';
import { sliceCooked } from './literalText';
import type { SqlPiece } from './sqlPieces';

/**
 * Holes written inside SQL quotes or comments, as in
 *
 *   pool.query(`SELECT * FROM users WHERE name = '${name}' AND bio LIKE '%${term}%'`)
 *
 * splice a value into a SQL string literal. The parameterised form of the same query is
 * `name = $1 AND bio LIKE '%' || $2 || '%'`, and that is the SQL analysed (and what the
 * parameterisation fix writes): the values stand where PostgreSQL takes a parameter, the
 * string's own text keeps its positions, and only the quotes and `||` are ours.
 * (`EmbeddedSqlBuilder` copies quoted text verbatim, so a hole left inside quotes would not become
 * a parameter.) A hole inside a quoted identifier (`"${column}"`) becomes the identifier; one in a
 * comment or dollar-quoted body becomes text.
 */
/** What a quoted or commented run starts with. */
const QUOTING = /['"`$]|--|\/\*/;

export function moveHolesOutOfQuotes(pieces: readonly SqlPiece[], dialect: Dialect): SqlPiece[] {
  if (!pieces.some((piece) => piece.kind === 'hole')) {
    return [...pieces];
  }
  // Without a quote, a comment or a dollar sign in the text, no hole can be inside one.
  if (!pieces.some((piece) => piece.kind !== 'hole' && QUOTING.test(piece.kind === 'text' ? piece.text.value : piece.value))) {
    return [...pieces];
  }
  // The pieces' text, holes as NUL, read with the one SQL scanner: the tokens that hold a hole
  // are the quoted and commented runs to rewrite.
  let text = '';
  const pieceStarts: number[] = [];
  for (const piece of pieces) {
    pieceStarts.push(text.length);
    text += piece.kind === 'text' ? piece.text.value : piece.kind === 'hole' ? '\u0000' : piece.value;
  }
  const regions: { start: number; end: number; kind: TokenKind; unterminated: boolean }[] = [];
  const scanner = new SqlScanner(text, familyOf(dialect));
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.Hole || kind === Tok.Punctuation || kind === Tok.Word || kind === Tok.Operator || kind === Tok.Number) {
      continue;
    }
    const hole = text.indexOf('\u0000', scanner.start);
    if (hole >= 0 && hole < scanner.end) {
      regions.push({ start: scanner.start, end: scanner.end, kind, unterminated: (scanner.flags & TokenFlag.Unterminated) !== 0 });
    }
  }
  if (regions.length === 0) {
    return [...pieces];
  }
  const out: SqlPiece[] = [];
  /** Appends the parts of the pieces that lie in [from, to) of the text to `target`. */
  const take = (target: SqlPiece[], from: number, to: number) => {
    pieces.forEach((piece, index) => {
      const pieceStart = pieceStarts[index];
      const pieceEnd = index + 1 < pieces.length ? pieceStarts[index + 1] : text.length;
      if (pieceEnd <= from || pieceStart >= to) {
        return;
      }
      if (piece.kind === 'hole' || piece.kind === 'synthetic') {
        target.push(piece);
      } else {
        pushSlice(target, piece, Math.max(from, pieceStart) - pieceStart, Math.min(to, pieceEnd) - pieceStart);
      }
    });
  };
  let at = 0;
  for (const region of regions) {
    take(out, at, region.start);
    const inside: SqlPiece[] = [];
    take(inside, region.start, region.end);
    const quote = text[region.start];
    if ((region.kind === Tok.String || region.kind === Tok.QuotedIdentifier) && (quote === "'" || quote === '"' || quote === '`')) {
      // A loop, not push(...): the holes of one quoted region are unbounded.
      for (const piece of closeQuoted(inside, true, quote, dialect, !region.unterminated)) out.push(piece);
    } else {
      // Spliced into a comment, a dollar-quoted body or a prefixed literal: text, not a parameter.
      for (const piece of inside) {
        out.push(piece.kind === 'hole' ? { kind: 'reference', value: 'x', start: piece.start, end: piece.end, expression: piece.expression, textOnly: false } : piece);
      }
    }
    at = region.end;
  }
  take(out, at, text.length);
  return out;
}

function pushSlice(target: SqlPiece[], piece: SqlPiece, from: number, to: number): void {
  if (to <= from) {
    return;
  }
  if (piece.kind === 'text') {
    target.push(from === 0 && to === piece.text.value.length ? piece : { kind: 'text', text: sliceCooked(piece.text, from, to) });
  } else if (piece.kind === 'reference') {
    target.push(from === 0 && to === piece.value.length ? piece : { ...piece, value: piece.value.slice(from, to) });
  }
}

/**
 * The SQL for quoted text `quoted` (opening quote first, closing quote last when `terminated`).
 * Without holes it is unchanged; with holes, a string becomes the concatenation of its text parts
 * and the holes, and a quoted identifier becomes its first hole.
 */
function closeQuoted(quoted: SqlPiece[], hasHole: boolean, quote: string, dialect: Dialect, terminated: boolean): SqlPiece[] {
  if (!hasHole) {
    return quoted;
  }
  const inner: SqlPiece[] = [];
  quoted.forEach((piece, index) => {
    const length = piece.kind === 'text' ? piece.text.value.length : piece.kind === 'reference' ? piece.value.length : 0;
    const from = index === 0 && piece.kind !== 'hole' ? 1 : 0;
    const to = index === quoted.length - 1 && terminated && piece.kind !== 'hole' ? length - 1 : length;
    if (piece.kind === 'hole' || piece.kind === 'synthetic') {
      inner.push(piece);
    } else {
      pushSlice(inner, piece, from, to);
    }
  });
  if (quote !== "'") {
    const hole = inner.find((piece) => piece.kind === 'hole');
    return hole ? [hole] : [];
  }
  // Runs of text become string literals of their own; holes stand between them.
  const items: SqlPiece[][] = [];
  let run: SqlPiece[] = [];
  const closeRun = () => {
    if (run.length > 0) {
      items.push([{ kind: 'synthetic', value: "'", at: startOf(run[0]) }, ...run, { kind: 'synthetic', value: "'", at: endOf(run[run.length - 1]) }]);
      run = [];
    }
  };
  for (const piece of inner) {
    if (piece.kind === 'hole') {
      closeRun();
      items.push([{ ...piece, inString: true }]);
    } else {
      run.push(piece);
    }
  }
  closeRun();
  if (items.length === 1) {
    return items[0];
  }
  const mysqlLike = dialect === 'mysql' || dialect === 'mariadb';
  const at = startOf(items[0][0]);
  const joined: SqlPiece[] = mysqlLike ? [{ kind: 'synthetic', value: 'CONCAT(', at }] : [];
  items.forEach((item, index) => {
    if (index > 0) {
      joined.push({ kind: 'synthetic', value: mysqlLike ? ', ' : ' || ', at: startOf(item[0]) });
    }
    for (const piece of item) joined.push(piece);
  });
  if (mysqlLike) {
    joined.push({ kind: 'synthetic', value: ')', at: endOf(joined[joined.length - 1]) });
  }
  return joined;
}

function startOf(piece: SqlPiece): number {
  return piece.kind === 'text' ? piece.text.start : piece.kind === 'synthetic' ? piece.at : piece.start;
}

function endOf(piece: SqlPiece): number {
  return piece.kind === 'text' ? piece.text.end : piece.kind === 'synthetic' ? piece.at : piece.end;
}
