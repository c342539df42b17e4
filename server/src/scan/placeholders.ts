import { Placeholder, ScanSyntax, SqlScanner, Tok } from './sqlScanner';

/** The placeholders a SQL text uses, outside its quotes and comments. */
export interface PlaceholderUse {
  /** Highest `$n` number, 0 when there is none. */
  maxDollar: number;
  /** `?` placeholders (knex's `??` identifiers and PostgreSQL's `?|` / `?&` operators excluded). */
  questionMarks: number;
  /**
   * Those of them where an operand goes: after an operator, `(`, `,` or a keyword (`= ?`,
   * `IN (?, ?)`, `LIMIT ?`). jsonb's and hstore's `?` operator follows an operand (`data ? 'k'`).
   */
  valueQuestionMarks: number;
  /** `:name` placeholders (casts `::type` excluded). */
  colonNames: number;
  /** `%s` and `%(name)s`, also inside string literals (Python's `%` formatting does not know SQL quotes); `%%`. */
  formatPlaceholders: number;
}

const HOLE = /\u0000/g;

/**
 * Counts the placeholders of every style in `sql` with the one SQL scanner, so that the style of
 * a call shared by several drivers (`.query`, `execute`) can be read from the SQL itself. Holes
 * (NUL) count as nothing.
 */
export function placeholderUse(sql: string): PlaceholderUse {
  const use: PlaceholderUse = { maxDollar: 0, questionMarks: 0, valueQuestionMarks: 0, colonNames: 0, formatPlaceholders: 0 };
  // The token before the current one, comments left out: says whether an operand goes here.
  let operandBefore = false;
  // A hole may stand for an operator (`ts {op} ?`): read as one, so that a `?` after it is where
  // a value goes. It is no placeholder of any style.
  const text = sql.indexOf('\u0000') >= 0 ? sql.replace(HOLE, '+') : sql;
  const scanner = new SqlScanner(text, 'postgresql', ScanSyntax.Question | ScanSyntax.Colon | ScanSyntax.Format);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.LineComment || kind === Tok.BlockComment) continue;
    const afterOperand = operandBefore;
    operandBefore = endsOperand(kind, text, scanner.start, scanner.end);
    if (kind === Tok.Parameter) {
      use.maxDollar = Math.max(use.maxDollar, Number(text.slice(scanner.start + 1, Math.min(scanner.end, scanner.start + 8))));
    } else if (kind === Tok.Placeholder) {
      switch (scanner.placeholder) {
        case Placeholder.Question: {
          // `?|` and `?&` are PostgreSQL's jsonb operators.
          const next = text.charCodeAt(scanner.end);
          if (next !== 124 /* | */ && next !== 38 /* & */) {
            use.questionMarks++;
            if (!afterOperand) use.valueQuestionMarks++;
          }
          break;
        }
        case Placeholder.Named:
        case Placeholder.NamedList:
        case Placeholder.NamedText:
          use.colonNames++;
          break;
        case Placeholder.FormatPositional:
        case Placeholder.FormatNamed:
        case Placeholder.FormatPercent:
          use.formatPlaceholders++;
          break;
      }
    } else if (kind === Tok.String && text.indexOf('%', scanner.start) < scanner.end && /%(?:%|s|\([^)\s]+\)s)/.test(text.slice(scanner.start, scanner.end))) {
      use.formatPlaceholders++;
    }
  }
  return use;
}

/**
 * Keywords after which an operand comes (`WHERE ?`, `LIMIT ?`): read as words, they end no
 * operand. Also what tells a hole that stands for an operator (analyze/analyzeDocument.ts).
 */
export const OPERAND_FOLLOWS: ReadonlySet<string> = new Set(['select', 'where', 'to', 'with', 'and', 'or', 'not', 'in', 'values', 'limit', 'offset', 'then', 'else', 'when', 'between', 'like', 'ilike', 'is', 'set', 'by', 'on', 'join', 'as', 'using', 'into', 'having', 'return', 'returning', 'any', 'all', 'distinct', 'from', 'case', 'fetch', 'first', 'next']);

/** Whether a token ends an operand, so that a `?` after it is an operator (`data ? 'key'`). */
function endsOperand(kind: Tok, text: string, start: number, end: number): boolean {
  switch (kind) {
    case Tok.Word:
      return !OPERAND_FOLLOWS.has(text.slice(start, end).toLowerCase());
    case Tok.QuotedIdentifier:
    case Tok.String:
    case Tok.DollarString:
    case Tok.Number:
    case Tok.Parameter:
    case Tok.Placeholder:
    case Tok.Hole:
    case Tok.TemplateHole:
      return true;
    case Tok.Punctuation: {
      const c = text.charCodeAt(start);
      return c === 41 /* ) */ || c === 93 /* ] */;
    }
    default:
      return false;
  }
}

/**
 * The style a SQL text's own placeholders say it is written in: `$n` first (PostgreSQL's own),
 * then `?`, then `:name`; `none` when it has none.
 */
export function styleOfContent(sql: string): 'dollar' | 'question' | 'colon' | 'none' {
  const use = placeholderUse(sql);
  if (use.maxDollar > 0) {
    return 'dollar';
  }
  if (use.questionMarks > 0) {
    return 'question';
  }
  if (use.colonNames > 0) {
    return 'colon';
  }
  return 'none';
}
