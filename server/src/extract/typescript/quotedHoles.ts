import type { Dialect } from '../../settings';
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
export function moveHolesOutOfQuotes(pieces: readonly SqlPiece[], dialect: Dialect): SqlPiece[] {
  if (!pieces.some((piece) => piece.kind === 'hole')) {
    return [...pieces];
  }
  const postgres = dialect === 'postgresql';
  const out: SqlPiece[] = [];
  let mode: 'normal' | 'quoted' | 'line-comment' | 'block-comment' | 'dollar-quoted' = 'normal';
  let quote = '';
  let dollarTag = '';
  /** The pieces of the quoted text being read, from its opening quote on. */
  let quoted: SqlPiece[] = [];
  let quotedHasHole = false;

  for (const piece of pieces) {
    if (piece.kind === 'hole') {
      if (mode === 'quoted') {
        quoted.push(piece);
        quotedHasHole = true;
      } else if (mode === 'normal') {
        out.push(piece);
      } else {
        // Spliced into a comment or a function body: text, not a parameter.
        out.push({ kind: 'reference', value: 'x', start: piece.start, end: piece.end, expression: piece.expression, textOnly: false });
      }
      continue;
    }
    if (piece.kind === 'synthetic') {
      (mode === 'quoted' ? quoted : out).push(piece);
      continue;
    }
    const value = piece.kind === 'text' ? piece.text.value : piece.value;
    let segmentStart = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      switch (mode) {
        case 'normal':
          if (c === "'" || c === '"' || (c === '`' && !postgres)) {
            pushSlice(out, piece, segmentStart, i);
            segmentStart = i;
            mode = 'quoted';
            quote = c;
            quoted = [];
            quotedHasHole = false;
          } else if (c === '-' && value[i + 1] === '-') {
            mode = 'line-comment';
          } else if (c === '/' && value[i + 1] === '*') {
            mode = 'block-comment';
            i++;
          } else if (c === '$' && postgres && !/[A-Za-z0-9_]/.test(value[i - 1] ?? '')) {
            const tag = /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.exec(value.slice(i, i + 64));
            if (tag) {
              mode = 'dollar-quoted';
              dollarTag = tag[0];
              i += dollarTag.length - 1;
            }
          }
          break;
        case 'quoted':
          if (c === '\\' && !postgres) {
            i++;
          } else if (c === quote) {
            if (value[i + 1] === quote) {
              i++; // a doubled quote is a quote character
              break;
            }
            pushSlice(quoted, piece, segmentStart, i + 1);
            segmentStart = i + 1;
            out.push(...closeQuoted(quoted, quotedHasHole, quote, dialect, true));
            mode = 'normal';
          }
          break;
        case 'line-comment':
          if (c === '\n') {
            mode = 'normal';
          }
          break;
        case 'block-comment':
          if (c === '*' && value[i + 1] === '/') {
            mode = 'normal';
            i++;
          }
          break;
        case 'dollar-quoted':
          if (value.startsWith(dollarTag, i)) {
            mode = 'normal';
            i += dollarTag.length - 1;
          }
          break;
      }
    }
    pushSlice(mode === 'quoted' ? quoted : out, piece, segmentStart, value.length);
  }
  if (mode === 'quoted') {
    out.push(...closeQuoted(quoted, quotedHasHole, quote, dialect, false));
  }
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
      items.push([piece]);
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
    joined.push(...item);
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
