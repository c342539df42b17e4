/**
 * Parentheses in SQL expressions as PostgreSQL prints them (`pg_get_indexdef`, EXPLAIN's
 * conditions): counted outside single- and double-quoted text, where a `(` is only a character.
 */

/** Opening minus closing parentheses outside quotes. */
export function parenthesisDepth(text: string): number {
  let depth = 0;
  forEachParenthesis(text, 0, (delta) => {
    depth += delta;
    return false;
  });
  return depth;
}

/** The index of the parenthesis that closes the one at `open`; -1 when none does. */
export function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  return forEachParenthesis(text, open, (delta) => (depth += delta) === 0);
}

/** `a, lower(b), c` → its three parts, commas inside parentheses or quotes kept. */
export function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  forEachParenthesis(
    list,
    0,
    (delta) => {
      depth += delta;
      return false;
    },
    (comma) => {
      if (depth === 0) {
        parts.push(list.slice(start, comma).trim());
        start = comma + 1;
      }
    },
  );
  const last = list.slice(start).trim();
  if (last !== '') parts.push(last);
  return parts;
}

/**
 * Calls `onParenthesis` with +1 or -1 for each parenthesis outside quotes from `from` on (and
 * `onComma` for each comma there) until it returns true; returns that parenthesis's index, or -1.
 */
function forEachParenthesis(text: string, from: number, onParenthesis: (delta: 1 | -1) => boolean, onComma?: (index: number) => void): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if ((c === '(' || c === ')') && onParenthesis(c === '(' ? 1 : -1)) return i;
    else if (c === ',') onComma?.(i);
  }
  return -1;
}
