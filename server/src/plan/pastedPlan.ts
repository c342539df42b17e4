/**
 * Plans arrive pasted from wherever people ran EXPLAIN: psql (aligned or not, ASCII or Unicode
 * frames, `+`/`↵` marks on multi-line JSON cells, a translated `(3 lignes)` footer, the echoed
 * command before the plan), pgAdmin or a CSV export (every line in double quotes), DBeaver (a
 * `|` after every line), or a terminal that hard-wrapped long lines. This module takes that
 * decoration off, so that the parsers see only what PostgreSQL printed.
 */

/** A plan that cannot be read: not EXPLAIN output, or cut off. */
export class PlanParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanParseError';
  }
}

/** What is left of a pasted plan: its lines, and whether psql's `QUERY PLAN` header was found. */
export interface PastedLines {
  lines: string[];
  /** True when the plan follows a `QUERY PLAN` header: its first line is then the root node. */
  afterHeader: boolean;
}

const HEADER = 'QUERY PLAN';
/** psql's row count, in any language: `(9 rows)`, `(1 row)`, `(3 lignes)`. */
const FOOTER = /^\(\d+ [^\s()]+\)$/;
/**
 * Characters of the rules psql and GUIs draw above, below and between rows (`─`, `═`, `┼`, …),
 * escaped: the bundle keeps regular expressions as written, and a bundle that is all ASCII takes
 * half the memory (scripts/bundle.mjs, compactForNode).
 */
const RULE_LINE = /^[\s+\-\u2500\u2550\u250c\u2510\u2514\u2518\u251c\u2524\u252c\u2534\u253c\u2554\u2557\u255a\u255d\u255f\u2562\u2560\u2563\u255e\u2561\u2564\u2567\u256a\u256b\u256c\u2552\u2555\u2558\u255b\u2553\u2556\u2559\u255c|\u2502\u2551]+$/;
const RULE_STROKES = /[-\u2500\u2550]/g;
const BORDERS = new Set(['|', '│', '║']);
/** psql marks a cell's line that continues on the next line with `+` (ASCII) or `↵` (Unicode). */
const CONTINUATION_MARK = /\s*[+\u21b5]$/;

/** The lines of a pasted plan, without frames, quotes, header, footer or what came before. */
export function pastedPlanLines(text: string): PastedLines {
  let lines = text.split(/\r\n|\r|\n/);
  lines = unquoteLines(lines);
  lines = lines.filter((line) => !isRuleLine(line));
  lines = stripBorders(lines);
  lines = stripContinuationMarks(lines);

  const header = findHeader(lines);
  let afterHeader = false;
  if (header) {
    lines = lines.slice(header.next);
    afterHeader = true;
  }
  const footer = lines.findIndex((line) => FOOTER.test(line.trim()));
  if (footer >= 0) lines = lines.slice(0, footer);
  return { lines, afterHeader };
}

/**
 * The JSON document in a pasted `EXPLAIN (FORMAT JSON)` output: as is when it parses, else the
 * first `[` or `{` that starts a line up to its matching bracket, once the decoration is off.
 * Throws SyntaxError when there is none.
 */
export function pastedPlanJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not bare JSON: look for it inside the decoration.
  }
  const trimmed = text.trim();
  // A CSV export quotes the whole cell and doubles every quote inside it.
  const source = trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.includes('""') ? trimmed.slice(1, -1).replace(/""/g, '"') : text;
  const joined = pastedPlanLines(source).lines.join('\n');
  const start = joined.search(/^\s*[[{]/m);
  if (start < 0) throw new SyntaxError('no JSON array or object starts a line');
  const open = joined.slice(start).search(/[[{]/) + start;
  return JSON.parse(joined.slice(open, matchingBracketEnd(joined, open)));
}

/** The index just past the bracket that closes the one at `open`, skipping JSON strings. */
function matchingBracketEnd(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
    } else if (char === ']' || char === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/**
 * pgAdmin and CSV exports put every line in double quotes, doubling the quotes inside; other
 * tools use single quotes without doubling, or leave only the closing quote. A quote counts as
 * decoration when every line has it.
 */
function unquoteLines(lines: string[]): string[] {
  const filled = lines.filter((line) => line.trim() !== '');
  if (filled.length === 0) return lines;
  for (const quote of ['"', "'"]) {
    const opens = filled.every((line) => line.trimStart().startsWith(quote));
    const closes = filled.every((line) => line.trimEnd().endsWith(quote) && line.trim().length > (opens ? 1 : 0));
    if (!opens && !closes) continue;
    return lines.map((line) => {
      if (line.trim() === '') return line;
      // The plan's own indentation is inside the quotes.
      let text = opens ? line.trimStart().slice(1) : line;
      if (closes) text = text.trimEnd().slice(0, -1);
      return opens && closes && quote === '"' ? text.replace(/""/g, '"') : text;
    });
  }
  return lines;
}

function isRuleLine(line: string): boolean {
  return RULE_LINE.test(line) && (line.match(RULE_STROKES)?.length ?? 0) >= 2;
}

/**
 * Frames drawn around every row (`| … |`, `│ … │`, `║ … ║`) or after it (DBeaver's `… |`). A
 * side counts as framed when most lines have a border there, so that one plan line that happens
 * to end with `|` keeps it.
 */
function stripBorders(lines: string[]): string[] {
  const filled = lines.filter((line) => line.trim() !== '');
  const leftFramed = filled.filter((line) => BORDERS.has(line.trimStart()[0])).length * 2 > filled.length;
  const rightFramed = filled.filter((line) => BORDERS.has(line.trimEnd().slice(-1))).length * 2 > filled.length;
  if (!leftFramed && !rightFramed) return lines;
  return lines.map((line) => {
    let result = line;
    if (leftFramed) {
      const start = result.length - result.trimStart().length;
      if (BORDERS.has(result[start])) result = result.slice(start + 1);
    }
    if (rightFramed) {
      const end = result.trimEnd().length;
      if (BORDERS.has(result[end - 1])) result = result.slice(0, end - 1);
    }
    return result;
  });
}

/** The `+`/`↵` marks of a multi-line cell (JSON output), when most lines carry one. */
function stripContinuationMarks(lines: string[]): string[] {
  const filled = lines.filter((line) => line.trim() !== '');
  const marked = filled.filter((line) => CONTINUATION_MARK.test(line)).length;
  if (marked * 2 <= filled.length) return lines;
  return lines.map((line) => line.replace(CONTINUATION_MARK, ''));
}

/**
 * The `QUERY PLAN` header, also when a narrow terminal wrapped it (`QUERY PLA` / `N`); `next`
 * is the index of the first line after it.
 */
function findHeader(lines: string[]): { next: number } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === HEADER) return { next: i + 1 };
    if (text.length >= 5 && HEADER.startsWith(text) && i + 1 < lines.length && text + lines[i + 1].trim() === HEADER) {
      return { next: i + 2 };
    }
  }
  return undefined;
}
