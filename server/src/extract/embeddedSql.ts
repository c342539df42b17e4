import type { Dialect } from '../settings';
import type { ParameterisationFix, ParameterSource, Query, QueryParameter } from './query';

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
  private readonly offsets: number[] = [];
  private readonly ends: number[] = [];
  /** Characters that belong to holes (already rewritten): not scanned for placeholders. */
  private readonly holes: { sqlStart: number; sqlEnd: number; docStart: number; docEnd: number; source: ParameterSource; expression?: string }[] = [];
  private length = 0;
  private lastDocEnd = -1;

  /**
   * Adds literal SQL text. `at` is the document offset of its first character when the text is
   * contiguous in the document, or one offset per character when escapes make it not so.
   */
  text(value: string, at: number | ArrayLike<number>, end?: number): this {
    if (typeof at === 'number') {
      for (let i = 0; i < value.length; i++) {
        this.offsets.push(at + i);
        this.ends.push(at + i + 1);
      }
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
    for (let i = 0; i < value.length; i++) {
      this.offsets.push(at);
      this.ends.push(at);
    }
    this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /**
   * Adds a hole: `${expr}`, `{expr}` or a concatenated expression. [docStart, docEnd) is what a
   * finding on it should underline (the expression). It becomes a parameter.
   */
  hole(docStart: number, docEnd: number, source: Exclude<ParameterSource, 'placeholder'>, expression?: string): this {
    const marker = HOLE; // replaced by `$n` in build()
    this.holes.push({ sqlStart: this.length, sqlEnd: this.length + 1, docStart, docEnd, source, expression });
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
    shape?: 'statement' | 'fragment';
    fragmentPrefixLength?: number;
    construction?: Query['construction'];
    parameterisationFix?: ParameterisationFix;
  }): Query {
    const raw = this.chunks.join('');
    const endOffset = this.lastDocEnd >= 0 ? this.lastDocEnd : (this.offsets[this.offsets.length - 1] ?? 0) + 1;
    const rewritten = rewritePlaceholders(raw, this.offsets, this.ends, this.holes, options.style, options.dialect);
    const map = rewritten.map;
    const ends = rewritten.ends;
    const docStart = firstRealOffset(map, rewritten.prefixLength(options.fragmentPrefixLength ?? 0));
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
      query.fragmentPrefixLength = rewritten.prefixLength(options.fragmentPrefixLength);
    }
    if (options.construction) {
      query.construction = options.construction;
    }
    if (options.parameterisationFix) {
      query.parameterisationFix = options.parameterisationFix;
    }
    return query;
  }
}

/** Marks a hole in the raw text; never in real SQL text. */
const HOLE = '\u0000';

/**
 * The end of a quoted or commented run that starts at `from` and closes at `close` (-1: never)
 * with a delimiter `closeLength` long, cut short at the first hole inside it.
 */
function untilHole(raw: string, from: number, close: number, closeLength: number): number {
  const end = close < 0 ? raw.length : close + closeLength;
  const hole = raw.indexOf(HOLE, from);
  return hole >= 0 && hole < end ? hole : end;
}

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
  prefixLength(rawLength: number): number;
}

/**
 * Rewrites holes and text placeholders into the dialect's parameters, in one pass that respects
 * SQL quotes and comments (a `?` inside a string literal is a question mark).
 */
function rewritePlaceholders(
  raw: string,
  offsets: number[],
  charEnds: number[],
  holes: { sqlStart: number; docStart: number; docEnd: number; source: ParameterSource; expression?: string }[],
  style: PlaceholderStyle,
  dialect: Dialect,
): Rewritten {
  const out: string[] = [];
  const map: number[] = [];
  const ends: number[] = [];
  const parameters: QueryParameter[] = [];
  const rawToOut: number[] = new Array(raw.length + 1);
  const postgres = dialect === 'postgresql';
  let next = 1;
  const namedIndex = new Map<string, number>();
  let holeCursor = 0;
  let length = 0;

  const emitText = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      rawToOut[k] = length;
      out.push(raw[k]);
      map.push(offsets[k]);
      ends.push(charEnds[k]);
      length++;
    }
  };
  const emitParameter = (rawFrom: number, rawTo: number, docStart: number, docEnd: number, source: ParameterSource, extra: Partial<QueryParameter>, index?: number) => {
    const n = index ?? next++;
    const text = postgres ? `$${n}` : '?';
    for (let k = rawFrom; k < rawTo; k++) {
      rawToOut[k] = length;
    }
    const sqlStart = length;
    for (let i = 0; i < text.length; i++) {
      out.push(text[i]);
      map.push(docStart);
      ends.push(docEnd);
      length++;
    }
    parameters.push({ index: n, sqlStart, sqlEnd: length, docStart, docEnd, source, ...extra });
  };

  /** A named placeholder (`%(name)s`, `:name`): the same name is the same parameter. Returns its end. */
  const emitNamed = (at: number, placeholderLength: number, name: string): number => {
    const index = namedIndex.get(name) ?? next++;
    namedIndex.set(name, index);
    emitParameter(at, at + placeholderLength, offsets[at], charEnds[at + placeholderLength - 1], 'placeholder', { name }, index);
    return at + placeholderLength;
  };

  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i];
    if (c === HOLE && holeCursor < holes.length && holes[holeCursor].sqlStart === i) {
      const hole = holes[holeCursor++];
      emitParameter(i, i + 1, hole.docStart, hole.docEnd, hole.source, hole.expression !== undefined ? { expression: hole.expression } : {});
      i++;
      continue;
    }
    // Quotes, comments and dollar quotes are copied as they are. Python's `%` formatting knows
    // nothing of SQL quoting, so for that style placeholders count inside quotes too.
    if (style !== 'format' && (c === "'" || c === '"' || (c === '`' && !postgres))) {
      let j = i + 1;
      while (j < n && raw[j] !== c && raw[j] !== HOLE) {
        if (raw[j] === '\\' && !postgres) {
          j++;
        }
        j++;
      }
      // A hole inside quotes ends the copied run: the main loop turns it into a parameter.
      const to = raw[j] === HOLE ? j : Math.min(n, j + 1);
      emitText(i, to);
      i = to;
      continue;
    }
    if (c === '-' && raw[i + 1] === '-') {
      const to = untilHole(raw, i, raw.indexOf('\n', i), 0);
      emitText(i, to);
      i = to;
      continue;
    }
    if (c === '/' && raw[i + 1] === '*') {
      const to = untilHole(raw, i, raw.indexOf('*/', i + 2), 2);
      emitText(i, to);
      i = to;
      continue;
    }
    if (postgres && c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(raw.slice(i, i + 64));
      if (tag && !(i > 0 && /[A-Za-z_0-9]/.test(raw[i - 1]))) {
        const to = untilHole(raw, i, raw.indexOf(tag[0], i + tag[0].length), tag[0].length);
        emitText(i, to);
        i = to;
        continue;
      }
      const numbered = /^\$(\d+)/.exec(raw.slice(i, i + 12));
      if (numbered && style === 'dollar') {
        const index = Number(numbered[1]);
        emitParameter(i, i + numbered[0].length, offsets[i], charEnds[i + numbered[0].length - 1], 'placeholder', {}, index);
        next = Math.max(next, index + 1);
        i += numbered[0].length;
        continue;
      }
    }
    if (style === 'question' && c === '?') {
      if (raw[i + 1] === '?') {
        // knex's `??` binds an identifier: analysed as a plain name of the same role.
        const name = 'ql_identifier';
        for (let k = i; k < i + 2; k++) rawToOut[k] = length;
        for (const ch of name) {
          out.push(ch);
          map.push(offsets[i]);
          ends.push(charEnds[i + 1]);
          length++;
        }
        i += 2;
        continue;
      }
      emitParameter(i, i + 1, offsets[i], charEnds[i], 'placeholder', {});
      i++;
      continue;
    }
    if (style === 'format' && c === '%') {
      if (raw[i + 1] === '%') {
        // `%%` is a literal percent sign.
        rawToOut[i] = length;
        out.push('%');
        map.push(offsets[i]);
        ends.push(charEnds[i + 1]);
        length++;
        rawToOut[i + 1] = length;
        i += 2;
        continue;
      }
      if (raw[i + 1] === 's') {
        emitParameter(i, i + 2, offsets[i], charEnds[i + 1], 'placeholder', {});
        i += 2;
        continue;
      }
      const named = /^%\(([^)]+)\)s/.exec(raw.slice(i, i + 80));
      if (named) {
        i = emitNamed(i, named[0].length, named[1]);
        continue;
      }
    }
    if (style === 'colon' && c === ':') {
      if (raw[i + 1] === ':') {
        emitText(i, i + 2); // a cast
        i += 2;
        continue;
      }
      const named = /^:([A-Za-z_][A-Za-z_0-9]*)/.exec(raw.slice(i, i + 80));
      if (named && !(i > 0 && /[A-Za-z_0-9\\]/.test(raw[i - 1]))) {
        i = emitNamed(i, named[0].length, named[1]);
        continue;
      }
    }
    emitText(i, i + 1);
    i++;
  }
  rawToOut[n] = length;
  return {
    sql: out.join(''),
    map: Int32Array.from(map),
    ends: Int32Array.from(ends),
    parameters,
    prefixLength: (rawLength) => rawToOut[rawLength] ?? rawLength,
  };
}
