/**
 * Python string literals as written and as Python reads them: prefixes, quotes, escapes, line
 * continuations and f-string braces, with the document range of every character of the value.
 */

/** One string literal token: `'a'`, `rb"..."`, `f'''...'''`. */
export interface StringToken {
  from: number;
  to: number;
  /** The prefix letters as written: ``, `r`, `Rb`, `f`, `rf`, `u`. */
  prefix: string;
  /** `'`, `"`, `'''` or `"""`. */
  quote: string;
  /** The characters between the quotes. */
  bodyFrom: number;
  bodyTo: number;
  /** `r`: backslashes are kept as written. */
  raw: boolean;
  /** `b`: bytes, never taken for SQL. */
  bytes: boolean;
  /** `f`: an f-string; `{...}` are replacement fields and `{{`/`}}` literal braces. */
  format: boolean;
  /** False when the closing quote is missing (the parser recovered from a syntax error). */
  terminated: boolean;
}

/**
 * A piece of a string's value: its characters, and for each the document range of what was
 * written for it (`\n` is one character written with two; `{{` in an f-string likewise).
 */
export interface CookedText {
  value: string;
  starts: number[];
  ends: number[];
}

const BACKSLASH = 92;
const CR = 13;
const LF = 10;

/** Reads the token at [from, to), or null when the text there is not a string literal. */
export function readStringToken(text: string, from: number, to: number): StringToken | null {
  let i = from;
  let raw = false;
  let bytes = false;
  let format = false;
  while (i < to && i - from < 3) {
    const c = text[i];
    if (c === 'r' || c === 'R') raw = true;
    else if (c === 'b' || c === 'B') bytes = true;
    else if (c === 'f' || c === 'F') format = true;
    else if (c !== 'u' && c !== 'U') break;
    i++;
  }
  const q = text[i];
  if (q !== "'" && q !== '"') {
    return null;
  }
  const quote = text[i + 1] === q && text[i + 2] === q && i + 2 < to ? q + q + q : q;
  const bodyFrom = i + quote.length;
  const terminated = to - quote.length >= bodyFrom && text.startsWith(quote, to - quote.length);
  return {
    from,
    to,
    prefix: text.slice(from, i),
    quote,
    bodyFrom,
    bodyTo: terminated ? to - quote.length : to,
    raw,
    bytes,
    format,
    terminated,
  };
}

/**
 * The value of the token's body between `from` and `to` (a part of the body: f-strings are read
 * between their replacement fields). Applies what Python applies: escapes unless raw,
 * backslash-newline as nothing, CRLF and CR as LF (Python reads source files with universal
 * newlines), and in f-strings `{{`/`}}` as one brace.
 */
export function cookStringPart(text: string, token: StringToken, from: number, to: number): CookedText {
  if (isPlain(text, token, from, to)) {
    // Most SQL is written as it reads: no per-character work beyond the offsets.
    const starts = new Array<number>(to - from);
    const ends = new Array<number>(to - from);
    for (let i = from; i < to; i++) {
      starts[i - from] = i;
      ends[i - from] = i + 1;
    }
    return { value: text.slice(from, to), starts, ends };
  }
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (value: string, start: number, end: number) => {
    chars.push(value);
    starts.push(start);
    ends.push(end);
  };
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH && !token.raw) {
      i = cookEscape(text, i, to, token.bytes, push);
      continue;
    }
    if (code === CR) {
      const end = text.charCodeAt(i + 1) === LF && i + 1 < to ? i + 2 : i + 1;
      push('\n', i, end);
      i = end;
      continue;
    }
    if (code === BACKSLASH) {
      // Raw: the backslash stays, and so does what follows (even a quote or a newline).
      push('\\', i, i + 1);
      i++;
      continue;
    }
    const c = text[i];
    if (token.format && (c === '{' || c === '}') && text[i + 1] === c && i + 1 < to) {
      push(c, i, i + 2);
      i += 2;
      continue;
    }
    push(c, i, i + 1);
    i++;
  }
  return { value: chars.join(''), starts, ends };
}

/** Whether [from, to) reads as written: no backslash, no CR, no f-string braces. */
function isPlain(text: string, token: StringToken, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH || code === CR || (token.format && (code === 123 || code === 125))) return false;
  }
  return true;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * A few `\N{...}` names. Without Unicode's name table the others read as U+FFFD, still one
 * character, so every position stays exact; the character itself hardly matters to SQL.
 */
const NAMED_CHARACTERS: Record<string, string> = {
  SPACE: ' ',
  'NO-BREAK SPACE': '\u00a0',
  'CHARACTER TABULATION': '\t',
  'LINE FEED': '\n',
  'CARRIAGE RETURN': '\r',
  APOSTROPHE: "'",
  'QUOTATION MARK': '"',
  'PERCENT SIGN': '%',
  'EN DASH': '\u2013',
  'EM DASH': '\u2014',
  'DEGREE SIGN': '\u00b0',
  'EURO SIGN': '\u20ac',
  BULLET: '\u2022',
  'HORIZONTAL ELLIPSIS': '\u2026',
};

/** Reads the escape at `at` (a backslash); returns where reading goes on. */
function cookEscape(text: string, at: number, to: number, bytes: boolean, push: (value: string, start: number, end: number) => void): number {
  const next = at + 1;
  if (next >= to) {
    push('\\', at, next);
    return next;
  }
  const e = text[next];
  if (e === '\n') {
    return next + 1; // a line continuation inside the string: nothing
  }
  if (e === '\r') {
    return text[next + 1] === '\n' && next + 1 < to ? next + 2 : next + 1;
  }
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) {
    push(simple, at, next + 1);
    return next + 1;
  }
  if (e >= '0' && e <= '7') {
    let end = next + 1;
    while (end < to && end < next + 3 && text[end] >= '0' && text[end] <= '7') {
      end++;
    }
    push(String.fromCharCode(parseInt(text.slice(next, end), 8)), at, end);
    return end;
  }
  const hexLength = e === 'x' ? 2 : !bytes && e === 'u' ? 4 : !bytes && e === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = text.slice(next + 1, next + 1 + hexLength);
    if (next + 1 + hexLength <= to && /^[0-9a-fA-F]+$/.test(digits) && digits.length === hexLength) {
      const codePoint = parseInt(digits, 16);
      const end = next + 1 + hexLength;
      const value = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\ufffd';
      for (const unit of value.length === 1 ? [value] : [value[0], value[1]]) {
        push(unit, at, end);
      }
      return end;
    }
  }
  if (e === 'N' && !bytes && text[next + 1] === '{') {
    const close = text.indexOf('}', next + 2);
    if (close >= 0 && close < to) {
      push(NAMED_CHARACTERS[text.slice(next + 2, close).toUpperCase()] ?? '\ufffd', at, close + 1);
      return close + 1;
    }
  }
  // Not an escape: Python keeps the backslash, and the character after it is read as usual.
  push('\\', at, next);
  return next;
}
