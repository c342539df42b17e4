import type { Dialect } from '../settings';
import { familyOf, Placeholder, ScanSyntax, SqlScanner, Tok, type TokenKind } from '../scan/sqlScanner';
import type { HoleFacts, ParameterisationFix, ParameterSource, Query, QueryParameter } from './query';

/**
 * The table named in the statement built around a fragment (`SELECT * FROM ql_fragment WHERE …`
 * for `whereRaw(…)`): rules treat it as unknown, never as a table to name in advice.
 */
export const FRAGMENT_TABLE = 'ql_fragment';

/** How the SQL text of a call writes its placeholders. */
export type PlaceholderStyle =
  /** `$1`, `$2` (pg, postgres.js, asyncpg, TypeORM on PostgreSQL): already PostgreSQL's. */
  | 'dollar'
  /** `?` (mysql2, sqlite3, knex, Sequelize replacements); knex's `??` is an identifier. */
  | 'question'
  /** `%s` and `%(name)s` (psycopg, psycopg2, mysqlclient, Django); `%%` is a literal `%`. */
  | 'format'
  /** `:name` (SQLAlchemy `text()`, sqlite3 named style, Sequelize named replacements). */
  | 'colon'
  /** No placeholders are recognised in the text. */
  | 'none';

/**
 * Builds the SQL of an embedded query from the pieces of a host-language string, keeping a map
 * from every SQL character back to the document:
 *
 *   const b = new EmbeddedSqlBuilder();
 *   b.text('SELECT * FROM users WHERE id = ', 120);   // literal text at document offset 120
 *   b.hole(153, 155, 'interpolated', 'id');            // `${id}` spans 151..157; the expression 153..155
 *   const query = b.build({ origin: 'pool.query', style: 'dollar', dialect: 'postgresql' });
 *
 * Literal text whose characters are not contiguous in the document (escapes such as `\n` or `\'`,
 * line continuations) is added with one document offset per character. Holes become parameters
 * (`$n`), and text placeholders of the given style are rewritten to `$n` as well, so the parser
 * sees valid SQL and every finding maps back to the characters the user wrote.
 */
export class EmbeddedSqlBuilder {
  private readonly chunks: string[] = [];
  /** Document offset of each SQL character so far, and just past it. */
  private readonly offsets = takeBuffer();
  private readonly ends = takeBuffer();
  /** Characters that belong to holes (already rewritten): not scanned for placeholders. */
  private readonly holes: ({ sqlStart: number; sqlEnd: number; docStart: number; docEnd: number; source: ParameterSource; expression?: string } & HoleFacts)[] = [];
  private length = 0;
  private lastDocEnd = -1;

  /**
   * Adds literal SQL text. `at` is the document offset of its first character when the text is
   * contiguous in the document, or one offset per character when escapes make it not so.
   */
  text(value: string, at: number | ArrayLike<number>, end?: number): this {
    value = withoutHoleMarks(value);
    if (typeof at === 'number') {
      this.offsets.pushRun(at, value.length);
      this.ends.pushRun(at + 1, value.length);
      if (value.length > 0) {
        this.lastDocEnd = at + value.length;
      }
    } else {
      if (at.length !== value.length) {
        throw new Error(`EmbeddedSqlBuilder.text: ${value.length} characters but ${at.length} offsets`);
      }
      // An escaped character ends where the next one starts: `\'` is two characters long.
      for (let i = 0; i < value.length; i++) {
        this.offsets.push(at[i]);
        this.ends.push(i + 1 < value.length ? at[i + 1] : (end ?? at[i] + 1));
      }
      if (value.length > 0) {
        this.lastDocEnd = end ?? at[value.length - 1] + 1;
      }
    }
    this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /**
   * Adds SQL that is not in the document (the statement around a fragment); its characters map
   * to `at`.
   */
  synthetic(value: string, at: number): this {
    value = withoutHoleMarks(value);
    this.offsets.pushSame(at, value.length);
    this.ends.pushSame(at, value.length);
    this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /**
   * Adds a hole: `${expr}`, `{expr}` or a concatenated expression. [docStart, docEnd) is what a
   * finding on it should underline (the expression). It becomes a parameter.
   */
  hole(docStart: number, docEnd: number, source: Exclude<ParameterSource, 'placeholder'>, expression?: string, facts?: HoleFacts): this {
    const marker = HOLE; // replaced by `$n` in build()
    const hole = { sqlStart: this.length, sqlEnd: this.length + 1, docStart, docEnd, source, expression } as (typeof this.holes)[number];
    if (facts?.declaredType !== undefined) hole.declaredType = facts.declaredType;
    if (facts?.definition !== undefined) hole.definition = facts.definition;
    if (facts?.carriedBy !== undefined) hole.carriedBy = facts.carriedBy;
    if (facts?.inString) hole.inString = true;
    this.holes.push(hole);
    this.offsets.push(docStart);
    this.ends.push(docEnd);
    this.chunks.push(marker);
    this.length += 1;
    this.lastDocEnd = docEnd;
    return this;
  }

  /** Whether any hole was added. */
  get hasHoles(): boolean {
    return this.holes.length > 0;
  }

  /** The raw text so far (holes shown as NUL), for detection heuristics. */
  peek(): string {
    return this.chunks.join('');
  }

  build(options: {
    origin: string;
    style: PlaceholderStyle;
    dialect: Dialect;
    /** The placeholder syntaxes to read (`ScanSyntax` bits), when not the style's own (a SQL file's loader). */
    syntax?: number;
    /** A named query's name (a SQL file of named queries). */
    name?: string;
    shape?: 'statement' | 'fragment';
    fragmentPrefixLength?: number;
    construction?: Query['construction'];
    parameterisationFix?: ParameterisationFix;
  }): Query {
    const raw = this.chunks.join('');
    const offsets = this.offsets.view();
    const endOffset = this.lastDocEnd >= 0 ? this.lastDocEnd : (offsets.length > 0 ? offsets[offsets.length - 1] : 0) + 1;
    const rewritten = rewritePlaceholders(raw, offsets, this.ends.view(), this.holes, {
      syntax: options.syntax ?? syntaxOfStyle(options.style),
      dollar: options.style === 'dollar',
      dialect: options.dialect,
      prefixRawLength: options.fragmentPrefixLength ?? 0,
    });
    // This builder is done with its buffers (a builder builds once).
    giveBack(this.offsets, this.ends);
    const map = rewritten.map;
    const ends = rewritten.ends;
    const docStart = firstRealOffset(map, rewritten.prefixLength);
    const query: Query = {
      sql: rewritten.sql,
      start: docStart,
      end: endOffset,
      origin: options.origin,
      shape: options.shape ?? 'statement',
      sqlOffsetToDocument: (offset) => (offset >= map.length ? endOffset : map[Math.max(0, offset)]),
      sqlRangeToDocument: (from, to) => {
        const start = from >= map.length ? endOffset : map[Math.max(0, from)];
        if (to <= from) {
          return [start, start];
        }
        const last = Math.min(to, map.length) - 1;
        return [start, Math.max(start, ends[last])];
      },
      parameters: rewritten.parameters,
    };
    if (options.fragmentPrefixLength !== undefined) {
      query.fragmentPrefixLength = rewritten.prefixLength;
    }
    if (options.construction) {
      query.construction = options.construction;
    }
    if (options.name !== undefined) {
      query.name = options.name;
    }
    if (rewritten.templateTags) {
      query.templateTags = true;
    }
    if (options.parameterisationFix) {
      query.parameterisationFix = options.parameterisationFix;
    }
    return query;
  }
}

/**
 * A growing list of document offsets, one per SQL character. Typed and doubled as it grows: a
 * query's characters are pushed one run at a time, and a plain array of numbers grown a
 * character at a time was most of what building 500 queries allocated.
 */
class OffsetBuffer {
  private data: Int32Array;
  private size = 0;

  constructor(capacity = 64) {
    this.data = new Int32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    this.reserve(1);
    this.data[this.size++] = value;
  }

  /** `count` offsets counting up from `first`. */
  pushRun(first: number, count: number): void {
    this.reserve(count);
    for (let i = 0; i < count; i++) {
      this.data[this.size++] = first + i;
    }
  }

  /** All of `values`, in order. */
  pushAll(values: Int32Array): void {
    this.reserve(values.length);
    this.data.set(values, this.size);
    this.size += values.length;
  }

  /** `count` times the same offset. */
  pushSame(value: number, count: number): void {
    this.reserve(count);
    this.data.fill(value, this.size, this.size + count);
    this.size += count;
  }

  /** The offsets so far (a view: valid until the next push). */
  view(): Int32Array {
    return this.data.subarray(0, this.size);
  }

  /** Copies the offsets so far into `target` from `at`. */
  copyInto(target: Int32Array, at: number): void {
    target.set(this.data.subarray(0, this.size), at);
  }

  /** Empties the buffer, keeping its room. */
  clear(): void {
    this.size = 0;
  }

  get capacity(): number {
    return this.data.length;
  }

  private reserve(count: number): void {
    if (this.size + count > this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, this.size + count));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
  }
}

/**
 * Buffers to build queries in, taken and given back by each build: a typed array larger than 64
 * bytes has its memory outside V8's heap, and allocating one is slow, so a query's four working
 * buffers (two in the builder, two in the placeholder pass) are reused, and only its final
 * position map is allocated (one array for both maps).
 */
const spareBuffers: OffsetBuffer[] = [];
/** Enough for the buffers of two builds at a time (a builder abandoned before `build` keeps its own). */
const SPARE_BUFFER_LIMIT = 8;
/** A buffer grown past this (a huge query) is not kept: it would hold its memory for good. */
const SPARE_BUFFER_MAX_CAPACITY = 1 << 16;

function takeBuffer(): OffsetBuffer {
  return spareBuffers.pop() ?? new OffsetBuffer(256);
}

function giveBack(...buffers: OffsetBuffer[]): void {
  for (const buffer of buffers) {
    if (spareBuffers.length < SPARE_BUFFER_LIMIT && buffer.capacity <= SPARE_BUFFER_MAX_CAPACITY) {
      buffer.clear();
      spareBuffers.push(buffer);
    }
  }
}

/** Marks a hole in the raw text; never in real SQL text (`withoutHoleMarks`). */
const HOLE = '\u0000';

/**
 * Text with its NUL characters, which a string's escapes can make (`\u0000`, `\x00`, `\0`), in
 * U+FFFD: taken for holes, they made the build look for holes that were never added (a
 * TypeError). PostgreSQL never sees a NUL in a query (the protocol ends the text there), so the
 * stand-in changes nothing the parser can be right about; one character for one, the map holds.
 */
function withoutHoleMarks(value: string): string {
  return value.indexOf(HOLE) < 0 ? value : value.replace(/\u0000/g, '\ufffd');
}

/** `sqlc.arg(name)`, `sqlc.narg('name')`, `sqlc.slice(name)`. */
const SQLC_CALL = /^sqlc\s*\.\s*(arg|narg|slice)\s*\(\s*([A-Za-z_]\w*|'[^']*'|"[^"]*")\s*\)/i;

/** The highest `$n` the text writes itself (0 when none). */
function highestDollarParameter(raw: string, dialect: Dialect): number {
  if (dialect !== 'postgresql' || !/\$\d/.test(raw)) {
    return 0;
  }
  let highest = 0;
  const scanner = new SqlScanner(raw);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.Parameter) {
      highest = Math.max(highest, Number(raw.slice(scanner.start + 1, scanner.end)));
    }
  }
  return highest;
}

/** The scanner syntax of each placeholder style; template holes are recognised in every style. */
export function syntaxOfStyle(style: PlaceholderStyle): number {
  switch (style) {
    case 'question':
      return ScanSyntax.Question | ScanSyntax.Templates;
    case 'format':
      return ScanSyntax.Format | ScanSyntax.Templates;
    case 'colon':
      return ScanSyntax.Colon | ScanSyntax.Templates;
    case 'dollar':
    case 'none':
      return ScanSyntax.Templates;
  }
}

/**
 * Type names that take a typed literal (`INTERVAL '1 day'`): a value a driver formats into the
 * text as a quoted literal (psycopg2's `INTERVAL %s`) is such a literal, which a parameter
 * cannot stand for, so it is written as a cast of the parameter instead.
 */
const TYPED_LITERAL_WORDS = new Set(['interval', 'date', 'time', 'timestamp', 'timestamptz']);

function firstRealOffset(map: Int32Array, prefixLength: number): number {
  return map.length > prefixLength ? map[prefixLength] : map.length > 0 ? map[0] : 0;
}

interface Rewritten {
  sql: string;
  /** Document offset of each SQL character. */
  map: Int32Array;
  /** Document offset just past each SQL character (a placeholder's last character ends at its end). */
  ends: Int32Array;
  parameters: QueryParameter[];
  /** Where the raw text's `prefixRawLength`-th character went in `sql`. */
  prefixLength: number;
  /** Whether template control tags (`{% if … %}`) choose which of the text is sent. */
  templateTags: boolean;
}

interface RewriteOptions {
  /** Which placeholders the text uses (`ScanSyntax` bits). */
  syntax: number;
  /** Whether `$n` in the text are the driver's own parameters (they are recorded as such). */
  dollar: boolean;
  dialect: Dialect;
  /** How much of the raw text is the statement built around a fragment. */
  prefixRawLength: number;
}

/**
 * Rewrites holes and text placeholders into the dialect's parameters, reading the raw text with
 * the one SQL scanner, so that quotes, comments and dollar quotes are respected (a `?` inside a
 * string literal is a question mark) exactly as the parser will read them:
 *
 * - a hole (NUL) becomes `$n`; inside a string literal the literal becomes a concatenation
 *   (`'%' || $1 || '%'`), inside a quoted identifier the hole stands for the identifier, and
 *   inside a comment or a dollar-quoted body it is text;
 * - `?`, `%s`, `%(name)s`, `:name` (by style), psql variables and template holes become `$n`
 *   (the same name the same parameter); `%%` becomes `%`, knex's `??` a name;
 * - a placeholder a driver expands to a list (`IN %s` with a tuple, `IN :ids` expanding,
 *   PgTyped's `$$ids`) becomes `($n)`; `INTERVAL %s` becomes `CAST($n AS interval)`; psycopg2's
 *   `VALUES %s` becomes a row of parameters as wide as the column list before it.
 *
 * Text that stays as it is (almost all of it) is copied a run at a time: the pass only moves
 * `copied` forward and copies when a placeholder interrupts the run.
 */
/** What a parameter keeps of the hole it stands for. */
function holeExtra(hole: { expression?: string } & HoleFacts): Partial<QueryParameter> {
  const extra: Partial<QueryParameter> = {};
  if (hole.expression !== undefined) extra.expression = hole.expression;
  if (hole.declaredType !== undefined) extra.declaredType = hole.declaredType;
  if (hole.definition !== undefined) extra.definition = hole.definition;
  if (hole.carriedBy !== undefined) extra.carriedBy = hole.carriedBy;
  if (hole.inString) extra.inString = true;
  return extra;
}

function rewritePlaceholders(
  raw: string,
  offsets: Int32Array,
  charEnds: Int32Array,
  holes: ({ sqlStart: number; docStart: number; docEnd: number; source: ParameterSource; expression?: string } & HoleFacts)[],
  options: RewriteOptions,
): Rewritten {
  const parts: string[] = [];
  const map = takeBuffer();
  const ends = takeBuffer();
  const parameters: QueryParameter[] = [];
  const postgres = options.dialect === 'postgresql';
  const { prefixRawLength } = options;
  // New parameters are numbered after the text's own `$n` (a template hole beside `LIMIT $2`);
  // found on the first new one, since most texts have none to number.
  let nextNumber = 0;
  const next = (): number => {
    if (nextNumber === 0) nextNumber = options.dollar ? highestDollarParameter(raw, options.dialect) + 1 : 1;
    return nextNumber++;
  };
  const namedIndex = new Map<string, number>();
  let holeCursor = 0;
  /** Raw text before this index is in `parts`. */
  let copied = 0;
  let prefixLength = prefixRawLength === 0 ? 0 : -1;
  let templateTags = false;

  /** Copies the raw text from `copied` to `to` as it is. */
  const copyTo = (to: number) => {
    if (to <= copied) {
      return;
    }
    if (prefixLength < 0 && prefixRawLength <= to) {
      prefixLength = map.length + (prefixRawLength - copied);
    }
    parts.push(raw.slice(copied, to));
    map.pushAll(offsets.subarray(copied, to));
    ends.pushAll(charEnds.subarray(copied, to));
    copied = to;
  };
  /** Writes `text` at the current end, every character mapped to [docStart, docEnd). Returns where it starts. */
  const write = (text: string, docStart: number, docEnd: number): number => {
    const start = map.length;
    parts.push(text);
    map.pushSame(docStart, text.length);
    ends.pushSame(docEnd, text.length);
    return start;
  };
  /** Writes `text` in place of the raw text [rawFrom, rawTo). Returns where it starts in the SQL. */
  const replace = (rawFrom: number, rawTo: number, text: string, docStart: number, docEnd: number): number => {
    copyTo(rawFrom);
    if (prefixLength < 0 && prefixRawLength < rawTo) {
      prefixLength = map.length;
    }
    const start = write(text, docStart, docEnd);
    copied = rawTo;
    return start;
  };
  const parameterText = (n: number) => (postgres ? `$${n}` : '?');
  /** A parameter written at the current end (after `replace`/`copyTo` moved there). */
  const writeParameter = (n: number, docStart: number, docEnd: number, source: ParameterSource, extra: Partial<QueryParameter>): void => {
    const sqlStart = write(parameterText(n), docStart, docEnd);
    parameters.push({ index: n, sqlStart, sqlEnd: map.length, docStart, docEnd, source, ...extra });
  };
  /**
   * The parameter for the raw text [rawFrom, rawTo): `$n`, `($n)` when a list stands there,
   * `CAST($n AS type)` after a typed-literal keyword, or a row of parameters after VALUES.
   */
  const emitParameter = (rawFrom: number, rawTo: number, docStart: number, docEnd: number, source: ParameterSource, extra: Partial<QueryParameter>, index?: number, list = false, client = false): void => {
    const n = index ?? next();
    if (postgres && previous.kind === Tok.Word && (list || client)) {
      const word = previousWord();
      if (word === 'in') {
        replace(rawFrom, rawTo, '', docStart, docEnd);
        write('(', docStart, docStart);
        writeParameter(n, docStart, docEnd, source, extra);
        write(')', docEnd, docEnd);
        return;
      }
      if (client && TYPED_LITERAL_WORDS.has(word) && copied <= previous.start) {
        // `INTERVAL %s` → `CAST($1 AS INTERVAL)`: the keyword's characters map to themselves.
        const typeName = raw.slice(previous.start, previous.end);
        replace(previous.start, rawTo, 'CAST(', offsets[previous.start], charEnds[previous.start]);
        writeParameter(n, docStart, docEnd, source, extra);
        write(` AS ${typeName})`, docEnd, docEnd);
        return;
      }
      if (client && word === 'values' && index === undefined) {
        // psycopg2's execute_values: `INSERT INTO t (a, b) VALUES %s` sends rows of that width.
        const width = columnListBefore === previous.start ? columnListWidth : 1;
        replace(rawFrom, rawTo, '', docStart, docEnd);
        write('(', docStart, docStart);
        writeParameter(n, docStart, docEnd, source, extra);
        for (let k = 1; k < width; k++) {
          write(', ', docStart, docEnd);
          writeParameter(next(), docStart, docEnd, source, extra);
        }
        write(')', docEnd, docEnd);
        return;
      }
    }
    replace(rawFrom, rawTo, '', docStart, docEnd);
    if (list && postgres) {
      write('(', docStart, docStart);
      writeParameter(n, docStart, docEnd, source, extra);
      write(')', docEnd, docEnd);
      return;
    }
    writeParameter(n, docStart, docEnd, source, extra);
  };
  /** A named placeholder (`%(name)s`, `:name`): the same name is the same parameter. */
  const emitNamed = (from: number, to: number, name: string, source: ParameterSource, list: boolean, client: boolean): void => {
    let index = namedIndex.get(name);
    if (index === undefined) {
      index = next();
      namedIndex.set(name, index);
    }
    emitParameter(from, to, offsets[from], charEnds[to - 1], source, { name }, index, list, client);
  };
  /** The holes whose marker is in [from, to), skipped (they are text there). */
  const skipHolesBefore = (to: number): void => {
    while (holeCursor < holes.length && holes[holeCursor].sqlStart < to) holeCursor++;
  };

  // The last significant token (not a comment), for `IN %s`, `INTERVAL %s` and `VALUES %s`.
  const previous = { kind: Tok.End as TokenKind, start: 0, end: 0 };
  const previousWord = () => raw.slice(previous.start, previous.end).toLowerCase();
  // The last parenthesised list at depth 0 (a column list) and how many items it has.
  let depth = 0;
  let listStart = -1;
  let commas = 0;
  let columnListBefore = -1;
  let columnListWidth = 0;

  const scanner = new SqlScanner(raw, familyOf(options.dialect), options.syntax);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    const start = scanner.start;
    const end = scanner.end;
    switch (kind) {
      case Tok.Hole: {
        if (holeCursor < holes.length && holes[holeCursor].sqlStart === start) {
          const hole = holes[holeCursor++];
          if (postgres && previous.kind === Tok.Operator && previous.end === start && previous.start === start - 1 && raw.charCodeAt(start - 1) === 36 /* $ */) {
            // `$${values.length}`, `$${++i}`: a parameter whose number is counted at run time;
            // the driver binds its value.
            replace(start - 1, end, '', offsets[start - 1], hole.docEnd);
            writeParameter(next(), offsets[start - 1], hole.docEnd, 'placeholder', { expression: `$\${${hole.expression ?? ''}}` });
            break;
          }
          emitParameter(start, end, hole.docStart, hole.docEnd, hole.source, holeExtra(hole), undefined, false, false);
        }
        break;
      }
      case Tok.Word:
        if (options.syntax & ScanSyntax.At && end - start === 4 && raw.slice(start, end).toLowerCase() === 'sqlc') {
          // sqlc's `sqlc.arg(name)`, `sqlc.narg(name)` and `sqlc.slice(name)`.
          const call = SQLC_CALL.exec(raw.slice(start, Math.min(raw.length, start + 200)));
          if (call) {
            const callEnd = start + call[0].length;
            emitNamed(start, callEnd, call[2].replace(/^['"]|['"]$/g, ''), 'placeholder', call[1].toLowerCase() === 'slice', true);
            scanner.moveTo(callEnd);
          }
        }
        break;
      case Tok.Parameter:
        if (options.dollar) {
          const index = Number(raw.slice(start + 1, end));
          replace(start, end, '', offsets[start], charEnds[end - 1]);
          writeParameter(index, offsets[start], charEnds[end - 1], 'placeholder', {});
          if (nextNumber !== 0) nextNumber = Math.max(nextNumber, index + 1);
        }
        break;
      case Tok.Placeholder:
        switch (scanner.placeholder) {
          case Placeholder.Question:
            emitParameter(start, end, offsets[start], charEnds[end - 1], 'placeholder', {}, undefined, false, false);
            break;
          case Placeholder.QuestionIdentifier:
            // knex's `??` binds an identifier: analysed as a plain name of the same role.
            replace(start, end, 'ql_identifier', offsets[start], charEnds[end - 1]);
            break;
          case Placeholder.FormatPositional:
            emitParameter(start, end, offsets[start], charEnds[end - 1], 'placeholder', {}, undefined, false, true);
            break;
          case Placeholder.FormatNamed:
            emitNamed(start, end, scanner.name, 'placeholder', false, true);
            break;
          case Placeholder.FormatPercent:
            replace(start, end, '%', offsets[start], charEnds[end - 1]);
            break;
          case Placeholder.Named:
            emitNamed(start, end, scanner.name, 'placeholder', false, true);
            break;
          case Placeholder.NamedList:
            emitNamed(start, end, scanner.name, 'placeholder', true, true);
            break;
          case Placeholder.NamedText:
            // HugSQL's `:i:col` and `:sql:x`: a name or SQL text, which no parameter stands for.
            replace(start, end, 'ql_identifier', offsets[start], charEnds[end - 1]);
            break;
        }
        break;
      case Tok.PsqlVariable: {
        const quote = raw.charCodeAt(start + 1);
        if (quote === 34 /* " */) {
          // `:"name"`: psql writes the value as a quoted identifier: a name filled in at run time.
          emitNamed(start, end, `:"${scanner.name}"`, 'template', false, false);
          parameters[parameters.length - 1].expression = raw.slice(start, end);
        } else {
          // `:name` and `:'name'` stand for a value (a literal once psql substitutes it).
          emitNamed(start, end, `:${scanner.name}`, 'template', false, true);
          parameters[parameters.length - 1].expression = raw.slice(start, end);
        }
        break;
      }
      case Tok.TemplateHole: {
        const text = raw.slice(start, end);
        if (text.startsWith('{%') || text.startsWith('{#')) {
          // A template's control tag or comment: no text of its own in the SQL sent, but it
          // chooses which text is sent, so the statement is not the one that runs.
          replace(start, end, ' ', offsets[start], charEnds[end - 1]);
          templateTags = true;
          break;
        }
        const cast = /::\s*([A-Za-z_][\w ]*(?:\[\])?)\s*\}\}$/.exec(text);
        emitNamed(start, end, text, 'template', false, false);
        if (cast && postgres) {
          write(`::${cast[1].trim()}`, charEnds[end - 1], charEnds[end - 1]);
        }
        const last = parameters[parameters.length - 1];
        last.expression = text;
        break;
      }
      case Tok.String:
      case Tok.QuotedIdentifier:
      case Tok.DollarString:
      case Tok.LineComment:
      case Tok.BlockComment: {
        const hole = raw.indexOf(HOLE, start);
        if (hole >= 0 && hole < end) {
          rewriteHolesInside(kind, start, end);
        } else if (kind === Tok.String && options.syntax & ScanSyntax.Format) {
          rewriteFormatInsideString(start, end);
        }
        break;
      }
      case Tok.Punctuation: {
        const c = raw.charCodeAt(start);
        if (c === 40 /* ( */) {
          if (depth++ === 0) {
            listStart = start;
            commas = 0;
          }
        } else if (c === 41 /* ) */ && depth > 0) {
          if (--depth === 0 && listStart >= 0) {
            columnListWidth = commas + 1;
            columnListBefore = -2; // set to the next token's start below
          }
        } else if (c === 44 /* , */ && depth === 1) {
          commas++;
        }
        break;
      }
    }
    if (kind !== Tok.LineComment && kind !== Tok.BlockComment) {
      if (columnListBefore === -2 && !(kind === Tok.Punctuation && raw.charCodeAt(start) === 41)) {
        columnListBefore = start;
      }
      previous.kind = kind;
      previous.start = start;
      previous.end = end;
    }
  }

  /**
   * Holes inside a quoted or commented token. In a string literal the literal becomes the
   * concatenation of its text and the holes (`'%' || $1 || '%'`, or `$1` for `'{x}'`); in a
   * quoted identifier the (first) hole stands for the identifier; in a comment or a
   * dollar-quoted body a hole is text.
   */
  function rewriteHolesInside(kind: TokenKind, start: number, end: number): void {
    if (kind === Tok.String && raw.charCodeAt(start) === 39 /* ' */ && raw.charCodeAt(end - 1) === 39 && end - start >= 2) {
      const body = raw.slice(start + 1, end - 1);
      if (body === HOLE) {
        const hole = holes[holeCursor++];
        emitParameter(start, end, hole.docStart, hole.docEnd, hole.source, { ...holeExtra(hole), inString: true });
        return;
      }
      if (!body.includes("'")) {
        copyTo(start);
        let segmentStart = start + 1;
        let first = true;
        const writeSegment = (from: number, to: number) => {
          if (to <= from) return;
          if (!first) write(' || ', offsets[from], offsets[from]);
          write("'", offsets[from], offsets[from]);
          parts.push(raw.slice(from, to));
          map.pushAll(offsets.subarray(from, to));
          ends.pushAll(charEnds.subarray(from, to));
          write("'", charEnds[to - 1], charEnds[to - 1]);
          first = false;
        };
        for (let i = start + 1; i < end - 1; i++) {
          if (raw.charCodeAt(i) !== 0) continue;
          writeSegment(segmentStart, i);
          const hole = holes[holeCursor++];
          if (!first) write(' || ', hole.docStart, hole.docStart);
          writeParameter(next(), hole.docStart, hole.docEnd, hole.source, { ...holeExtra(hole), inString: true });
          first = false;
          segmentStart = i + 1;
        }
        writeSegment(segmentStart, end - 1);
        copied = end;
        return;
      }
    }
    if (kind === Tok.QuotedIdentifier) {
      const hole = holes[holeCursor];
      skipHolesBefore(end);
      emitParameter(start, end, hole.docStart, hole.docEnd, hole.source, holeExtra(hole));
      return;
    }
    // Comments, dollar-quoted bodies and literals we do not split: each hole is text there.
    for (let i = raw.indexOf(HOLE, start); i >= 0 && i < end; i = raw.indexOf(HOLE, i + 1)) {
      replace(i, i + 1, 'x', offsets[i], charEnds[i]);
    }
    skipHolesBefore(end);
  }

  /**
   * Python's `%` formatting knows nothing of SQL quotes: in a string literal, `%%` is a percent
   * sign and `%s` a value written into the literal (`INTERVAL '%s days'` with 5 is `'5 days'`).
   * The value is unknown here, so it is read as `1`, which keeps the literal valid for most types.
   */
  function rewriteFormatInsideString(start: number, end: number): void {
    for (let i = raw.indexOf('%', start); i >= 0 && i < end - 1; i = raw.indexOf('%', i + 1)) {
      const c = raw.charCodeAt(i + 1);
      if (c === 37 /* % */) {
        replace(i, i + 2, '%', offsets[i], charEnds[i + 1]);
        i++;
      } else if (c === 115 /* s */) {
        replace(i, i + 2, '1', offsets[i], charEnds[i + 1]);
      } else if (c === 40 /* ( */) {
        const named = /^%\([^)\s]+\)s/.exec(raw.slice(i, Math.min(end, i + 80)));
        if (named) {
          replace(i, i + named[0].length, '1', offsets[i], charEnds[i + named[0].length - 1]);
          i += named[0].length - 1;
        }
      }
    }
  }

  copyTo(raw.length);
  if (prefixLength < 0) {
    prefixLength = prefixRawLength === raw.length ? map.length : prefixRawLength;
  }
  // Both maps in one array of their own, exactly as long.
  const length = map.length;
  const positions = new Int32Array(2 * length);
  map.copyInto(positions, 0);
  ends.copyInto(positions, length);
  giveBack(map, ends);
  return {
    sql: parts.length === 1 ? parts[0] : parts.join(''),
    map: positions.subarray(0, length),
    ends: positions.subarray(length),
    parameters,
    prefixLength,
    templateTags,
  };
}
