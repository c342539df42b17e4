/**
 * The cooked value of a JavaScript string or template piece, with the document offset of every
 * character, read from the source text between the node's delimiters.
 *
 * TypeScript's `node.text` gives the cooked value but not where each character came from, and
 * an escape (`\n`, `\'`, `\u{1F600}`, a line continuation) or a template's CRLF makes the two
 * differ; a diagnostic on the SQL must land on the characters the user wrote.
 */

/** Literal text and where it is in the document. */
export interface CookedText {
  /** The value the program sees. */
  value: string;
  /** Document offset of the first source character (just after the opening delimiter). */
  start: number;
  /** Document offset just past the last source character (before the closing delimiter). */
  end: number;
  /**
   * Document offset of each character of `value`, or undefined when `value` is exactly the
   * source text `[start, end)` (no escapes, no CRLF): the common case, kept allocation-free.
   */
  offsets?: number[];
}

const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/**
 * Cooks the source text `[start, end)` of a string literal (`template` false) or a template
 * piece (`template` true: CR and CRLF read as LF, no legacy octal escapes).
 */
export function cookLiteral(source: string, start: number, end: number, template: boolean): CookedText {
  if (!needsCooking(source, start, end, template)) {
    return { value: source.slice(start, end), start, end };
  }
  const chars: string[] = [];
  const offsets: number[] = [];
  let i = start;
  while (i < end) {
    const code = source.charCodeAt(i);
    if (code === CR && template) {
      chars.push('\n');
      offsets.push(i);
      i += i + 1 < end && source.charCodeAt(i + 1) === LF ? 2 : 1;
      continue;
    }
    if (code !== BACKSLASH || i + 1 >= end) {
      chars.push(source[i]);
      offsets.push(i);
      i++;
      continue;
    }
    const escaped = readEscape(source, i, end, template);
    if (escaped.value.length > 0) {
      // A character outside the BMP (`\u{1F600}`) is two UTF-16 units; both start at the escape.
      for (const unit of splitUnits(escaped.value)) {
        chars.push(unit);
        offsets.push(i);
      }
    }
    i = escaped.next;
  }
  return { value: chars.join(''), start, end, offsets };
}

function needsCooking(source: string, start: number, end: number, template: boolean): boolean {
  for (let i = start; i < end; i++) {
    const code = source.charCodeAt(i);
    if (code === BACKSLASH || (template && code === CR)) {
      return true;
    }
  }
  return false;
}

function splitUnits(value: string): string[] {
  return value.length === 1 ? [value] : value.split('');
}

/** Reads the escape sequence whose backslash is at `at`. */
function readEscape(source: string, at: number, end: number, template: boolean): { value: string; next: number } {
  const c = source[at + 1];
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) {
    return { value: simple, next: at + 2 };
  }
  switch (c) {
    case '\r':
      // A line continuation produces no character; CRLF counts as one line break.
      return { value: '', next: at + 2 < end && source[at + 2] === '\n' ? at + 3 : at + 2 };
    case '\n':
    case '\u2028':
    case '\u2029':
      return { value: '', next: at + 2 };
    case 'x': {
      const hex = source.slice(at + 2, Math.min(end, at + 4));
      return /^[0-9a-fA-F]{2}$/.test(hex) ? { value: String.fromCharCode(parseInt(hex, 16)), next: at + 4 } : { value: 'x', next: at + 2 };
    }
    case 'u':
      return readUnicodeEscape(source, at, end);
    default:
      break;
  }
  if (c >= '0' && c <= '7') {
    // `\0` not followed by a digit is NUL everywhere; other octal escapes are legacy (strings only).
    const next = source[at + 2];
    if (c === '0' && !(next >= '0' && next <= '9')) {
      return { value: '\0', next: at + 2 };
    }
    if (!template) {
      let digits = c;
      const max = c <= '3' ? 3 : 2;
      while (digits.length < max && at + 1 + digits.length < end && /[0-7]/.test(source[at + 1 + digits.length])) {
        digits += source[at + 1 + digits.length];
      }
      return { value: String.fromCharCode(parseInt(digits, 8)), next: at + 1 + digits.length };
    }
  }
  // Any other escaped character stands for itself (`\'`, `\"`, `\\`, `` \` ``, `\$`).
  return { value: c, next: at + 2 };
}

function readUnicodeEscape(source: string, at: number, end: number): { value: string; next: number } {
  if (source[at + 2] === '{') {
    const close = source.indexOf('}', at + 3);
    if (close > at + 3 && close < end && close - at <= 32) {
      const codePoint = parseInt(source.slice(at + 3, close), 16);
      if (Number.isFinite(codePoint) && codePoint <= 0x10ffff && /^[0-9a-fA-F]+$/.test(source.slice(at + 3, close))) {
        return { value: String.fromCodePoint(codePoint), next: close + 1 };
      }
    }
    return { value: 'u', next: at + 2 };
  }
  const hex = source.slice(at + 2, Math.min(end, at + 6));
  return /^[0-9a-fA-F]{4}$/.test(hex) ? { value: String.fromCharCode(parseInt(hex, 16)), next: at + 6 } : { value: 'u', next: at + 2 };
}

/** The document offset of character `index` of a cooked text. */
export function offsetOfCookedChar(text: CookedText, index: number): number {
  return text.offsets ? (index < text.offsets.length ? text.offsets[index] : text.end) : text.start + index;
}

/** Characters `[from, to)` of a cooked text, with their offsets. */
export function sliceCooked(text: CookedText, from: number, to: number): CookedText {
  const value = text.value.slice(from, to);
  if (!text.offsets) {
    return { value, start: text.start + from, end: text.start + to };
  }
  const start = offsetOfCookedChar(text, from);
  const end = offsetOfCookedChar(text, to);
  return { value, start, end, offsets: text.offsets.slice(from, to) };
}
