/**
 * The one SQL scanner. Every pass that reads SQL text (splitting a script, finding placeholders,
 * psql variables, template holes, placing findings, normalising for the plan cache, building the
 * parameterisation fix) reads it through this scanner, so that they all agree on what is quoted,
 * commented or a placeholder: PostgreSQL itself reads SQL once, with one scanner (`scan.l`), and
 * every later stage trusts it.
 *
 * One scanner per dialect family: PostgreSQL (E'…' escapes, dollar quotes, nested comments,
 * PostgreSQL's operator rules), MySQL/MariaDB (backslash escapes, `#` comments, backticks) and
 * SQLite (`[…]` and backtick identifiers). On top of the dialect, the placeholder syntaxes of the
 * drivers, loaders and template engines that fill SQL in before the database sees it can be
 * turned on (`ScanSyntax`): a token then says what it is, and each pass decides what to do with it.
 *
 * It is a cursor, not a list: `next()` moves to the next token and returns its kind, and the
 * token's range and details are fields of the scanner. Scanning a whole file allocates nothing
 * per token, which keeps splitting a 5,000-line file at about a millisecond per 200 KB.
 */

/** What a token is. */
export const enum Tok {
  /** No more tokens. */
  End = 0,
  /** An identifier or a keyword. */
  Word = 1,
  /** `"name"`, `U&"name"`, and in MySQL and SQLite `` `name` ``, in SQLite `[name]`. */
  QuotedIdentifier = 2,
  /** `'…'` with any prefix (`E`, `B`, `X`, `N`, `U&`), continued across lines as PostgreSQL does; MySQL's `"…"`. */
  String = 3,
  /** `$$…$$` or `$tag$…$tag$`. */
  DollarString = 4,
  Number = 5,
  /** PostgreSQL's own parameter, `$1`. */
  Parameter = 6,
  /** A placeholder of a driver, loader or ORM (see `Placeholder` for which). */
  Placeholder = 7,
  /** A psql variable: `:name`, `:'name'`, `:"name"`, `:{?name}`. */
  PsqlVariable = 8,
  /** A psql meta-command: a backslash outside quotes, to the end of the line. */
  PsqlCommand = 9,
  Operator = 10,
  /** `(` `)` `[` `]` `,` `;` `.` `:` and `::`, `:=`. */
  Punctuation = 11,
  LineComment = 12,
  BlockComment = 13,
  /** A hole of the host language (a NUL character stands for it): a value or text spliced in at run time. */
  Hole = 14,
  /** A template engine's placeholder filled in before the driver sees the text: `{{x}}`, `{% … %}`, `{x:Type}`, `%x%`. */
  TemplateHole = 15,
}
export type TokenKind = Tok;

/** Which placeholder a `Tok.Placeholder` is. */
export const enum Placeholder {
  /** `?`: a positional value (mysql2, sqlite3, knex, yesql). */
  Question = 1,
  /** `??`: knex's identifier binding. */
  QuestionIdentifier = 2,
  /** `%s` (also psycopg's `%b` and `%t`): a positional value. */
  FormatPositional = 3,
  /** `%(name)s`: a named value. */
  FormatNamed = 4,
  /** `%%`: a literal percent sign once formatted. */
  FormatPercent = 5,
  /** `:name` (SQLAlchemy, aiosql, yesql, HugSQL), `@name` (sqlc), `$name` (PgTyped): a named value. */
  Named = 6,
  /** A list of values spread where one goes: PgTyped's `$$name`, HugSQL's `:v*:name`, sqlc's `sqlc.slice(name)`. */
  NamedList = 7,
  /** HugSQL's `:i:name` and `:i*:name`: an identifier; `:sql:name`, `:snip:name`: SQL text. */
  NamedText = 8,
}
export type PlaceholderKind = Placeholder;

/** Placeholder syntaxes to recognise besides the dialect's own SQL (a bit set). */
export const enum ScanSyntax {
  None = 0,
  /** `?` and `??`. */
  Question = 1,
  /** `%s`, `%(name)s`, `%%` (Python's `%` formatting: psycopg, MySQL drivers, Django). */
  Format = 2,
  /** `:name` by SQLAlchemy's rule, and HugSQL's `:v*:name` / `:i:name` forms. */
  Colon = 4,
  /** `@name` (sqlc). */
  At = 8,
  /** `$name`, `$$name` (PgTyped). */
  DollarName = 16,
  /** psql: meta-commands and `:name` / `:'name'` / `:"name"` variables. */
  Psql = 32,
  /** Template holes: `{{…}}`, `{%…%}`, `{#…#}`, `{name}` / `{name:Type}`, `%name%`. */
  Templates = 64,
}

export type DialectFamily = 'postgresql' | 'mysql' | 'sqlite';

/** Token flags. */
export const enum TokenFlag {
  /** A quote, dollar quote, quoted identifier or comment that the text ends inside. */
  Unterminated = 1,
  /** `E'…'`: backslash escapes are read. */
  EscapeString = 2,
}

/** The hole marker the embedded-SQL builder writes where a host expression is spliced in. */
export const HOLE_CHAR = 0;

const CH_TAB = 9;
const CH_NEWLINE = 10;
const CH_VT = 11;
const CH_FF = 12;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_BANG = 33;
const CH_DQUOTE = 34;
const CH_HASH = 35;
const CH_DOLLAR = 36;
const CH_PERCENT = 37;
const CH_AMP = 38;
const CH_SQUOTE = 39;
const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_STAR = 42;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;
const CH_COLON = 58;
const CH_SEMI = 59;
const CH_EQUALS = 61;
const CH_QUESTION = 63;
const CH_AT = 64;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_BACKTICK = 96;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_NEWLINE || c === CH_TAB || c === CH_CR || c === CH_FF || c === CH_VT;
}

/** PostgreSQL's `ident_start`: letters, `_` and every non-ASCII character. */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

/** PostgreSQL's `ident_cont`: also digits and `$`. */
export function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= CH_0 && c <= CH_9) || c === CH_DOLLAR;
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** `[A-Za-z0-9_]`: a word character of the placeholder syntaxes (Python's `\w` on ASCII). */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= CH_0 && c <= CH_9);
}

/** PostgreSQL's operator characters (`op_chars`); `?` and `%` only where no placeholder takes them. */
function isOperatorChar(c: number): boolean {
  switch (c) {
    case 126: // ~
    case CH_BANG:
    case CH_AT:
    case CH_HASH:
    case 94: // ^
    case CH_AMP:
    case 124: // |
    case CH_BACKTICK:
    case CH_QUESTION:
    case CH_PLUS:
    case CH_MINUS:
    case CH_STAR:
    case CH_SLASH:
    case CH_PERCENT:
    case 60: // <
    case 62: // >
    case CH_EQUALS:
      return true;
    default:
      return false;
  }
}

/** An operator may end in `+` or `-` only if it holds one of these (PostgreSQL's rule). */
function isSpecialOperatorChar(c: number): boolean {
  return c === 126 || c === CH_BANG || c === CH_AT || c === CH_HASH || c === 94 || c === CH_AMP || c === 124 || c === CH_BACKTICK || c === CH_QUESTION || c === CH_PERCENT;
}

/**
 * Reads SQL text a token at a time:
 *
 *   const scanner = new SqlScanner(text, 'postgresql', ScanSyntax.Question);
 *   for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
 *     // scanner.start, scanner.end, scanner.flags …
 *   }
 *
 * White space is skipped; comments are tokens (splitting and named-query headers need them).
 * Unterminated quotes and comments run to the end of the text, flagged `Unterminated`.
 */
export class SqlScanner {
  /** The current token's range in the text. */
  start = 0;
  end = 0;
  kind: TokenKind = Tok.End;
  /** `TokenFlag` bits of the current token. */
  flags = 0;
  /** For a placeholder: which one. */
  placeholder: PlaceholderKind | 0 = 0;
  /** For a named placeholder, psql variable or template hole: the range of its name (empty when it has none). */
  nameStart = 0;
  nameEnd = 0;
  /** Where the next token is looked for. */
  position: number;
  /** Depth of `[` brackets: `a[1:n]` is a slice, not a `:n` placeholder or variable. */
  private bracketDepth = 0;

  private readonly postgres: boolean;
  private readonly mysql: boolean;
  private readonly sqlite: boolean;

  constructor(
    readonly text: string,
    readonly family: DialectFamily = 'postgresql',
    /** `ScanSyntax` bits; a pass may add some as it learns what the text is (a PgTyped header). */
    public syntax: number = ScanSyntax.None,
    from = 0,
    /** Where scanning stops (exclusive). */
    readonly limit = text.length,
  ) {
    this.position = from;
    this.postgres = family === 'postgresql';
    this.mysql = family === 'mysql';
    this.sqlite = family === 'sqlite';
  }

  /** Moves scanning to `position` (a custom delimiter, skipped COPY data). */
  moveTo(position: number): void {
    this.position = position;
  }

  /** The current token's text. */
  get tokenText(): string {
    return this.text.slice(this.start, this.end);
  }

  /** The current token's name (placeholder, variable, template hole). */
  get name(): string {
    return this.text.slice(this.nameStart, this.nameEnd);
  }

  /** Moves to the next token and returns its kind; `Tok.End` at the end of the text. */
  next(): TokenKind {
    const text = this.text;
    const n = this.limit;
    let i = this.position;
    while (i < n) {
      const w = text.charCodeAt(i);
      if (w !== CH_SPACE && w !== CH_NEWLINE && !(w >= CH_TAB && w <= CH_CR)) break;
      i++;
    }
    this.start = i;
    this.flags = 0;
    this.placeholder = 0;
    if (i >= n) {
      this.end = n;
      this.position = n;
      return (this.kind = Tok.End);
    }
    const c = text.charCodeAt(i);
    // Words are most tokens: read first, without the checks below (a word cannot start any of
    // them, and `E'…'`-style prefixes are read by `word`).
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= CH_0 && d <= CH_9) || d === 95 || d === CH_DOLLAR || d >= 128)) break;
        j++;
      }
      // One letter may be a string's prefix (`E'…'`, `U&"…"`): `word` reads those.
      if (j - i === 1) {
        return this.word(i);
      }
      this.end = j;
      this.position = j;
      return (this.kind = Tok.Word);
    }
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    const syntax = this.syntax;

    if (c === HOLE_CHAR) {
      return this.token(Tok.Hole, i + 1);
    }
    // Comments: `--` everywhere (MySQL wants white space after it), `#` in MySQL.
    if (c === CH_MINUS && next === CH_MINUS && (!this.mysql || i + 2 >= n || isSpace(text.charCodeAt(i + 2)))) {
      return this.token(Tok.LineComment, this.endOfLine(i));
    }
    if (c === CH_HASH && this.mysql) {
      return this.token(Tok.LineComment, this.endOfLine(i));
    }
    if (c === CH_SLASH && next === CH_STAR) {
      return this.blockComment(i);
    }
    if (c === CH_BACKSLASH && syntax & ScanSyntax.Psql) {
      return this.token(Tok.PsqlCommand, this.endOfLine(i));
    }
    if (c === CH_SQUOTE) {
      return this.quoted(i + 1, CH_SQUOTE, this.mysql, Tok.String);
    }
    if (c === CH_DQUOTE) {
      return this.quoted(i + 1, CH_DQUOTE, this.mysql, this.mysql ? Tok.String : Tok.QuotedIdentifier);
    }
    if (c === CH_BACKTICK && !this.postgres) {
      return this.quoted(i + 1, CH_BACKTICK, false, Tok.QuotedIdentifier);
    }
    if (c === CH_LBRACKET && this.sqlite) {
      const close = text.indexOf(']', i + 1);
      if (close < 0 || close >= n) {
        this.flags = TokenFlag.Unterminated;
        return this.token(Tok.QuotedIdentifier, n);
      }
      return this.token(Tok.QuotedIdentifier, close + 1);
    }
    // `$%NAME%$`: SQL a loader fills in per engine before running the file (Synapse's schema
    // deltas write `$%AUTO_INCREMENT_PRIMARY_KEY%$` for a column's type).
    if (c === CH_DOLLAR && next === CH_PERCENT && syntax & ScanSyntax.Templates) {
      const end = this.wordEnd(i + 2);
      if (end > i + 2 && end + 1 < n && text.charCodeAt(end) === CH_PERCENT && text.charCodeAt(end + 1) === CH_DOLLAR) {
        this.setName(i + 2, end);
        return this.token(Tok.TemplateHole, end + 2);
      }
    }
    if (c === CH_DOLLAR) {
      const dollar = this.dollar(i);
      if (dollar !== Tok.End) {
        return dollar;
      }
    }
    if (isDigit(c) || (c === CH_DOT && isDigit(next))) {
      return this.number(i);
    }
    if (isIdentStart(c)) {
      return this.word(i);
    }
    if (syntax & ScanSyntax.Templates && (c === CH_LBRACE || (c === CH_PERCENT && isIdentStart(next)))) {
      const template = this.templateHole(i);
      if (template !== Tok.End) {
        return template;
      }
    }
    if (c === CH_COLON) {
      if (next === CH_COLON || next === CH_EQUALS) {
        return this.token(Tok.Punctuation, i + 2);
      }
      const colon = this.colon(i);
      if (colon !== Tok.End) {
        return colon;
      }
      return this.token(Tok.Punctuation, i + 1);
    }
    if (c === CH_QUESTION && syntax & ScanSyntax.Question) {
      if (next === CH_QUESTION) {
        this.placeholder = Placeholder.QuestionIdentifier;
        return this.token(Tok.Placeholder, i + 2);
      }
      this.placeholder = Placeholder.Question;
      return this.token(Tok.Placeholder, i + 1);
    }
    if (c === CH_PERCENT && syntax & ScanSyntax.Format) {
      const format = this.formatPlaceholder(i);
      if (format !== Tok.End) {
        return format;
      }
    }
    if (c === CH_AT && syntax & ScanSyntax.At && isIdentStart(next)) {
      const end = this.wordEnd(i + 1);
      this.setName(i + 1, end);
      this.placeholder = Placeholder.Named;
      return this.token(Tok.Placeholder, end);
    }
    if (c === CH_LBRACKET) {
      this.bracketDepth++;
      return this.token(Tok.Punctuation, i + 1);
    }
    if (c === CH_RBRACKET) {
      if (this.bracketDepth > 0) this.bracketDepth--;
      return this.token(Tok.Punctuation, i + 1);
    }
    if (c === CH_LPAREN || c === CH_RPAREN || c === CH_COMMA || c === CH_SEMI || c === CH_DOT) {
      return this.token(Tok.Punctuation, i + 1);
    }
    if (isOperatorChar(c)) {
      return this.operator(i);
    }
    // Anything else (`{`, `}`, a stray character) is a token of one character.
    return this.token(Tok.Operator, i + 1);
  }

  private token(kind: TokenKind, end: number): TokenKind {
    this.end = end;
    this.position = end;
    return (this.kind = kind);
  }

  private setName(from: number, to: number): void {
    this.nameStart = from;
    this.nameEnd = to;
  }

  private endOfLine(from: number): number {
    const nl = this.text.indexOf('\n', from);
    return nl < 0 || nl > this.limit ? this.limit : nl;
  }

  private wordEnd(from: number): number {
    const text = this.text;
    let j = from;
    while (j < this.limit && isIdentChar(text.charCodeAt(j))) {
      j++;
    }
    return j;
  }

  /** Block comments; PostgreSQL nests them, the others do not. */
  private blockComment(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    let depth = 1;
    let j = i + 2;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === CH_STAR && text.charCodeAt(j + 1) === CH_SLASH && j + 1 < n) {
        j += 2;
        if (--depth === 0) {
          return this.token(Tok.BlockComment, j);
        }
      } else if (this.postgres && d === CH_SLASH && text.charCodeAt(j + 1) === CH_STAR && j + 1 < n) {
        depth++;
        j += 2;
      } else {
        j++;
      }
    }
    this.flags = TokenFlag.Unterminated;
    return this.token(Tok.BlockComment, n);
  }

  /**
   * A quoted string or identifier whose opening quote is at `open - 1` (the token started at
   * `this.start`, before any prefix). A doubled quote stands for itself; with `backslashEscapes` a
   * backslash escapes the next character. PostgreSQL continues a string literal after white
   * space holding a newline (`'a'\n'b'` is one literal).
   */
  private quoted(open: number, quote: number, backslashEscapes: boolean, kind: TokenKind): TokenKind {
    let end = this.closeQuote(open, quote, backslashEscapes);
    if (end < 0) {
      this.flags |= TokenFlag.Unterminated;
      return this.token(kind, this.limit);
    }
    if (this.postgres && kind === Tok.String) {
      for (;;) {
        const continued = this.continuation(end);
        if (continued < 0) {
          break;
        }
        end = this.closeQuote(continued + 1, CH_SQUOTE, backslashEscapes);
        if (end < 0) {
          this.flags |= TokenFlag.Unterminated;
          return this.token(kind, this.limit);
        }
      }
    }
    return this.token(kind, end);
  }

  /** Just past the closing quote, or -1 when the text ends first. */
  private closeQuote(from: number, quote: number, backslashEscapes: boolean): number {
    const text = this.text;
    const n = this.limit;
    let j = from;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (backslashEscapes && d === CH_BACKSLASH) {
        j += 2;
        continue;
      }
      if (d === quote) {
        if (j + 1 < n && text.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return -1;
  }

  /** Where a continuing quote is, after white space with a newline; -1 when the literal does not go on. */
  private continuation(from: number): number {
    const text = this.text;
    let j = from;
    let newline = false;
    while (j < this.limit) {
      const d = text.charCodeAt(j);
      if (d === CH_NEWLINE) {
        newline = true;
      } else if (!(d === CH_SPACE || d === CH_TAB || d === CH_CR || d === CH_FF)) {
        break;
      }
      j++;
    }
    return newline && j < this.limit && text.charCodeAt(j) === CH_SQUOTE ? j : -1;
  }

  /** `$1`, `$$…$$`, `$tag$…$tag$`, and PgTyped's `$name` / `$$name`. End when none of them. */
  private dollar(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (this.sqlite && (isIdentStart(next) || isDigit(next))) {
      // SQLite's own `$name` parameter.
      const end = this.wordEnd(i + 1);
      this.setName(i + 1, end);
      this.placeholder = Placeholder.Named;
      return this.token(Tok.Placeholder, end);
    }
    if (!this.postgres) {
      return Tok.End;
    }
    if (isDigit(next)) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      return this.token(Tok.Parameter, j);
    }
    if (this.syntax & ScanSyntax.DollarName) {
      // PgTyped: `$$ids` spreads a list, `$id` is one value; both may pick fields `(a, b)` or end in `!`.
      const list = next === CH_DOLLAR;
      const nameFrom = list ? i + 2 : i + 1;
      if (nameFrom < n && isIdentStart(text.charCodeAt(nameFrom))) {
        let j = nameFrom;
        while (j < n && isWordChar(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== CH_DOLLAR) {
          this.setName(nameFrom, j);
          if (text.charCodeAt(j) === CH_BANG) j++;
          this.placeholder = list ? Placeholder.NamedList : Placeholder.Named;
          return this.token(Tok.Placeholder, j);
        }
      }
    }
    // A dollar quote: `$` then an optional tag (an identifier without `$`) then `$`.
    let j = i + 1;
    if (j < n && isIdentStart(text.charCodeAt(j))) {
      j++;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!isIdentChar(d) || d === CH_DOLLAR) break;
        j++;
      }
    }
    if (j < n && text.charCodeAt(j) === CH_DOLLAR) {
      const tag = text.slice(i, j + 1);
      const close = text.indexOf(tag, j + 1);
      if (close < 0 || close + tag.length > n) {
        this.flags = TokenFlag.Unterminated;
        return this.token(Tok.DollarString, n);
      }
      return this.token(Tok.DollarString, close + tag.length);
    }
    return Tok.End;
  }

  /** PostgreSQL's numbers: decimal, hexadecimal/octal/binary, `_` separators, exponents. */
  private number(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    let j = i;
    const c = text.charCodeAt(j);
    const radix = c === CH_0 && j + 1 < n ? text.charCodeAt(j + 1) | 32 : 0;
    if (radix === 120 /* x */ || radix === 111 /* o */ || radix === 98 /* b */) {
      j += 2;
      while (j < n) {
        const d = text.charCodeAt(j);
        const lower = d | 32;
        if (!(isDigit(d) || (lower >= 97 && lower <= 102) || d === 95)) break;
        j++;
      }
      return this.token(Tok.Number, j);
    }
    while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
    // `1..2` is not a number followed by `.2`: PostgreSQL reads `1.` only when no second dot follows.
    if (j < n && text.charCodeAt(j) === CH_DOT && text.charCodeAt(j + 1) !== CH_DOT) {
      j++;
      while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
    }
    const e = j < n ? text.charCodeAt(j) | 32 : 0;
    if (e === 101 /* e */) {
      let k = j + 1;
      const sign = text.charCodeAt(k);
      if (sign === CH_PLUS || sign === CH_MINUS) k++;
      if (k < n && isDigit(text.charCodeAt(k))) {
        j = k;
        while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
      }
    }
    return this.token(Tok.Number, j);
  }

  /** A word, or a string with a prefix (`E'…'`, `B'…'`, `X'…'`, `N'…'`, `U&'…'`, `U&"…"`). */
  private word(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    const j = this.wordEnd(i + 1);
    const length = j - i;
    const after = j < n ? text.charCodeAt(j) : -1;
    if (length === 1 && after === CH_SQUOTE) {
      const letter = text.charCodeAt(i) | 32;
      if (letter === 101 /* e */) {
        this.flags = TokenFlag.EscapeString;
        return this.quoted(j + 1, CH_SQUOTE, true, Tok.String);
      }
      if (letter === 98 /* b */ || letter === 120 /* x */ || letter === 110 /* n */) {
        return this.quoted(j + 1, CH_SQUOTE, this.mysql, Tok.String);
      }
    }
    if (this.postgres && length === 1 && (text.charCodeAt(i) | 32) === 117 /* u */ && after === CH_AMP) {
      const quote = j + 1 < n ? text.charCodeAt(j + 1) : -1;
      if (quote === CH_SQUOTE) {
        return this.quoted(j + 2, CH_SQUOTE, false, Tok.String);
      }
      if (quote === CH_DQUOTE) {
        return this.quoted(j + 2, CH_DQUOTE, false, Tok.QuotedIdentifier);
      }
    }
    return this.token(Tok.Word, j);
  }

  /**
   * After a `:` that is not `::` or `:=`: a psql variable (`:name`, `:'name'`, `:"name"`,
   * `:{?name}`) or a colon placeholder (`:name`, HugSQL's `:v*:name`), when either syntax is on
   * and the colon is not inside `[…]` (an array slice) or right after a word (`a:b`).
   */
  private colon(i: number): TokenKind {
    const syntax = this.syntax;
    if (!(syntax & (ScanSyntax.Psql | ScanSyntax.Colon)) || this.bracketDepth > 0) {
      return Tok.End;
    }
    const text = this.text;
    const n = this.limit;
    if (i > 0) {
      const before = text.charCodeAt(i - 1);
      if (isWordChar(before) || before === CH_BACKSLASH || before === CH_COLON) {
        return Tok.End;
      }
    }
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (syntax & ScanSyntax.Psql && (next === CH_SQUOTE || next === CH_DQUOTE)) {
      const close = text.indexOf(String.fromCharCode(next), i + 2);
      if (close > i + 2 && close < n && /^[A-Za-z_0-9\u0080-\uffff]+$/.test(text.slice(i + 2, close))) {
        this.setName(i + 2, close);
        return this.token(Tok.PsqlVariable, close + 1);
      }
      return Tok.End;
    }
    if (syntax & ScanSyntax.Psql && next === CH_LBRACE && text.charCodeAt(i + 2) === CH_QUESTION) {
      const close = text.indexOf('}', i + 3);
      if (close > 0 && close < n) {
        this.setName(i + 3, close);
        return this.token(Tok.PsqlVariable, close + 1);
      }
      return Tok.End;
    }
    if (!isIdentStart(next)) {
      return Tok.End;
    }
    let j = i + 1;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    if (syntax & ScanSyntax.Colon) {
      // HugSQL: `:v*:ids` (a value list), `:i:col` / `:i*:cols` (identifiers), `:sql:x`, `:snip:x`.
      if (j < n && text.charCodeAt(j) === CH_COLON && text.charCodeAt(j + 1) !== CH_COLON) {
        const kind = text.slice(i + 1, j);
        const star = false;
        return this.hugsqlParameter(i, j, kind, star);
      }
      if (j + 1 < n && text.charCodeAt(j) === CH_STAR && text.charCodeAt(j + 1) === CH_COLON) {
        return this.hugsqlParameter(i, j + 1, text.slice(i + 1, j), true);
      }
      this.setName(i + 1, j);
      this.placeholder = Placeholder.Named;
      return this.token(Tok.Placeholder, j);
    }
    this.setName(i + 1, j);
    return this.token(Tok.PsqlVariable, j);
  }

  /** HugSQL's typed parameters: `:<type>:<name>` where the type is `v`, `v*`, `i`, `i*`, `t`, `t*`, `sql`, `snip`. */
  private hugsqlParameter(i: number, colonAt: number, type: string, star: boolean): TokenKind {
    const text = this.text;
    const nameFrom = colonAt + 1;
    if (!/^(v|i|t|value|identifier|tuple|sql|snip|snip\*)$/.test(type) || !isIdentStart(text.charCodeAt(nameFrom))) {
      // `:a:b` that is not HugSQL's: the first name alone.
      this.setName(i + 1, colonAt - (star ? 1 : 0));
      this.placeholder = Placeholder.Named;
      return this.token(Tok.Placeholder, colonAt - (star ? 1 : 0));
    }
    let j = nameFrom;
    while (j < this.limit && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === CH_MINUS)) j++;
    this.setName(nameFrom, j);
    this.placeholder = type === 'i' || type === 'identifier' || type === 'sql' || type.startsWith('snip') ? Placeholder.NamedText : star || type === 't' || type === 'tuple' ? Placeholder.NamedList : Placeholder.Named;
    return this.token(Tok.Placeholder, j);
  }

  /** `%s`, `%b`, `%t`, `%(name)s`, `%%`. End when the `%` is none of them (an operator). */
  private formatPlaceholder(i: number): TokenKind {
    const text = this.text;
    const next = i + 1 < this.limit ? text.charCodeAt(i + 1) : -1;
    if (next === CH_PERCENT) {
      this.placeholder = Placeholder.FormatPercent;
      return this.token(Tok.Placeholder, i + 2);
    }
    if (next === 115 /* s */ || next === 98 /* b */ || next === 116 /* t */) {
      if (!isWordChar(text.charCodeAt(i + 2))) {
        this.placeholder = Placeholder.FormatPositional;
        return this.token(Tok.Placeholder, i + 2);
      }
      return Tok.End;
    }
    if (next === CH_LPAREN) {
      const close = text.indexOf(')', i + 2);
      if (close > i + 2 && close + 1 < this.limit) {
        const conversion = text.charCodeAt(close + 1);
        if ((conversion === 115 || conversion === 98 || conversion === 116) && !/[\s()]/.test(text.slice(i + 2, close))) {
          this.setName(i + 2, close);
          this.placeholder = Placeholder.FormatNamed;
          return this.token(Tok.Placeholder, close + 2);
        }
      }
    }
    return Tok.End;
  }

  /**
   * Template holes: `{{ … }}`, `{% … %}`, `{# … #}`, `{name}` / `{name:Type}` / `{name: Type}`,
   * and `%name%`. End when the text at `i` is none of them.
   */
  private templateHole(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (c === CH_PERCENT) {
      const end = this.wordEnd(i + 1);
      if (end < n && text.charCodeAt(end) === CH_PERCENT && !isIdentChar(text.charCodeAt(end + 1))) {
        this.setName(i + 1, end);
        return this.token(Tok.TemplateHole, end + 1);
      }
      return Tok.End;
    }
    if (next === CH_LBRACE || next === CH_PERCENT || next === CH_HASH) {
      const closing = next === CH_LBRACE ? '}}' : next === CH_PERCENT ? '%}' : '#}';
      const close = text.indexOf(closing, i + 2);
      if (close < 0 || close + 2 > n) {
        return Tok.End;
      }
      const inner = text.slice(i + 2, close);
      const name = /[A-Za-z_][A-Za-z_0-9.]*/.exec(inner);
      if (name) {
        this.setName(i + 2 + name.index, i + 2 + name.index + name[0].length);
      } else {
        this.setName(i + 2, i + 2);
      }
      return this.token(Tok.TemplateHole, close + 2);
    }
    // `{name}`, `{name:Type}` (ClickHouse's parameters), `{0}`: one line, no nested braces.
    let j = i + 1;
    while (j < n && text.charCodeAt(j) === CH_SPACE) j++;
    const nameFrom = j;
    while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === CH_DOT)) j++;
    const nameTo = j;
    if (nameTo === nameFrom) {
      return Tok.End;
    }
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === CH_RBRACE) {
        this.setName(nameFrom, nameTo);
        return this.token(Tok.TemplateHole, j + 1);
      }
      if (d === CH_LBRACE || d === CH_NEWLINE || d === CH_SEMI || d === CH_SQUOTE) {
        return Tok.End;
      }
      j++;
    }
    return Tok.End;
  }

  /**
   * An operator by PostgreSQL's rules: the longest run of operator characters, cut before `--`
   * and `/*`, and without a trailing `+` or `-` unless it holds a special character (`a<-1` is
   * `<` then `-1`). Placeholder characters that a syntax claims (`?`, `%`) end the run.
   */
  private operator(i: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    const question = (this.syntax & ScanSyntax.Question) !== 0;
    if (!this.postgres && text.charCodeAt(i) === CH_MINUS) {
      return this.token(Tok.Operator, i + 1); // MySQL's `--x` is two minus signs
    }
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (!isOperatorChar(d)) break;
      if ((d === CH_MINUS && text.charCodeAt(j + 1) === CH_MINUS) || (d === CH_SLASH && text.charCodeAt(j + 1) === CH_STAR)) break;
      if (question && d === CH_QUESTION) break;
      if (d === CH_PERCENT && this.syntax & (ScanSyntax.Format | ScanSyntax.Templates)) break;
      if (d === CH_AT && this.syntax & ScanSyntax.At && j + 1 < n && isIdentStart(text.charCodeAt(j + 1))) break;
      j++;
    }
    if (j - i > 1 && this.postgres) {
      let special = false;
      for (let k = i; k < j; k++) {
        if (isSpecialOperatorChar(text.charCodeAt(k))) {
          special = true;
          break;
        }
      }
      if (!special) {
        while (j - i > 1 && (text.charCodeAt(j - 1) === CH_PLUS || text.charCodeAt(j - 1) === CH_MINUS)) j--;
      }
    }
    return this.token(Tok.Operator, j);
  }
}

/** Whether a token is a comment. */
export function isComment(kind: TokenKind): boolean {
  return kind === Tok.LineComment || kind === Tok.BlockComment;
}

/** The dialect family of a dialect setting. */
export function familyOf(dialect: 'postgresql' | 'mysql' | 'mariadb' | 'sqlite'): DialectFamily {
  return dialect === 'mariadb' ? 'mysql' : dialect;
}
