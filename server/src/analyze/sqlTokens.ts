/** A token of a PostgreSQL statement, comments left out. */
export interface SqlToken {
  /** Offsets (UTF-16) into the statement. */
  start: number;
  end: number;
  /** The token's text, lower-cased (keywords are compared case-insensitively). */
  text: string;
}

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';
const NUMBER = /0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/y;
/** White space with a newline, then a quote: the literal before it goes on. */
const CONTINUATION = /[ \t\f\r]*\n[ \t\n\f\r]*'/y;
/** A multi-character operator may end in + or - only if it holds one of these (PostgreSQL's rule). */
const OPERATOR_SPECIAL = '~!@#%^&|`?';

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c >= '\u0080';
}

function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}

/**
 * Splits a statement into tokens the way PostgreSQL's scanner does, for placing findings: names,
 * keywords, numbers, string and dollar-quoted literals (with their E, B, X, N and U& prefixes),
 * quoted identifiers, parameters, operators (PostgreSQL's longest-match rule) and punctuation.
 * Written in JavaScript because placing a finding must be cheap: the WebAssembly scanner costs
 * about 0.2 ms a statement, twice as much as parsing it. Unterminated literals and comments run
 * to the end of the text.
 */
export function scanSqlTokens(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  const push = (start: number, end: number) => tokens.push({ start, end, text: sql.slice(start, end).toLowerCase() });
  const closeQuote = (from: number, quote: string, backslashEscapes: boolean): number => {
    let j = from;
    while (j < n) {
      const d = sql[j];
      if (backslashEscapes && d === '\\') {
        j += 2;
        continue;
      }
      if (d === quote) {
        if (sql[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return n;
  };
  /**
   * SQL continues a string literal after white space holding a newline: `'a'\n'b'` is one
   * literal. Returns where the (possibly continued) literal ends.
   */
  const continued = (end: number, backslashEscapes: boolean): number => {
    for (;;) {
      CONTINUATION.lastIndex = end;
      const gap = CONTINUATION.exec(sql);
      if (!gap || end >= n || sql[end - 1] !== "'") {
        return end;
      }
      end = closeQuote(end + gap[0].length, "'", backslashEscapes);
    }
  };
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else {
          j++;
        }
      }
      i = j;
      continue;
    }
    if (c === "'") {
      const end = continued(closeQuote(i + 1, "'", false), false);
      push(i, end);
      i = end;
      continue;
    }
    if (c === '"') {
      const end = closeQuote(i + 1, '"', false);
      push(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      const numbered = /^\$\d+/.exec(sql.slice(i, i + 12));
      if (numbered) {
        push(i, i + numbered[0].length);
        i += numbered[0].length;
        continue;
      }
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? n : close + tag[0].length;
        push(i, end);
        i = end;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '.' && sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(sql);
      const end = i + (number ? number[0].length : 1);
      push(i, end);
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql[j])) {
        j++;
      }
      const word = sql.slice(i, j).toLowerCase();
      // String prefixes: E'…' (backslash escapes), B'…', X'…', N'…', U&'…' and U&"…".
      if (sql[j] === "'" && (word === 'e' || word === 'b' || word === 'x' || word === 'n')) {
        const end = continued(closeQuote(j + 1, "'", word === 'e'), word === 'e');
        push(i, end);
        i = end;
        continue;
      }
      if (word === 'u' && sql[j] === '&' && (sql[j + 1] === "'" || sql[j + 1] === '"')) {
        const end = closeQuote(j + 2, sql[j + 1], false);
        push(i, end);
        i = end;
        continue;
      }
      push(i, j);
      i = j;
      continue;
    }
    if (c === ':' && (sql[i + 1] === ':' || sql[i + 1] === '=')) {
      push(i, i + 2);
      i += 2;
      continue;
    }
    if (OPERATOR_CHARS.includes(c)) {
      let j = i + 1;
      while (j < n && OPERATOR_CHARS.includes(sql[j]) && !(sql[j] === '-' && sql[j + 1] === '-') && !(sql[j] === '/' && sql[j + 1] === '*')) {
        j++;
      }
      // `a<-1` is `<` then `-1`: a trailing + or - belongs to the operator only in special ones.
      while (j - i > 1 && (sql[j - 1] === '+' || sql[j - 1] === '-') && ![...sql.slice(i, j)].some((ch) => OPERATOR_SPECIAL.includes(ch))) {
        j--;
      }
      push(i, j);
      i = j;
      continue;
    }
    push(i, i + 1);
    i++;
  }
  return tokens;
}
