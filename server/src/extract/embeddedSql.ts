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
  private readonly offsets = takeBuffer();
  private readonly ends = takeBuffer();
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
    const offsets = this.offsets.view();
    const endOffset = this.lastDocEnd >= 0 ? this.lastDocEnd : (offsets.length > 0 ? offsets[offsets.length - 1] : 0) + 1;
    const rewritten = rewritePlaceholders(raw, offsets, this.ends.view(), this.holes, options.style, options.dialect, options.fragmentPrefixLength ?? 0);
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

/** Marks a hole in the raw text; never in real SQL text. */
const HOLE = '\u0000';
const HOLE_CODE = 0;

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
  /** Where the raw text's `prefixRawLength`-th character went in `sql`. */
  prefixLength: number;
}

/**
 * Rewrites holes and text placeholders into the dialect's parameters, in one pass that respects
 * SQL quotes and comments (a `?` inside a string literal is a question mark).
 *
 * Text that stays as it is (almost all of it) is copied a run at a time: the pass only moves
 * `copied` forward and copies when a placeholder interrupts the run.
 */
function rewritePlaceholders(
  raw: string,
  offsets: Int32Array,
  charEnds: Int32Array,
  holes: { sqlStart: number; docStart: number; docEnd: number; source: ParameterSource; expression?: string }[],
  style: PlaceholderStyle,
  dialect: Dialect,
  prefixRawLength: number,
): Rewritten {
  const parts: string[] = [];
  const map = takeBuffer();
  const ends = takeBuffer();
  const parameters: QueryParameter[] = [];
  const postgres = dialect === 'postgresql';
  let next = 1;
  const namedIndex = new Map<string, number>();
  let holeCursor = 0;
  /** Raw text before this index is in `parts`. */
  let copied = 0;
  let prefixLength = prefixRawLength === 0 ? 0 : -1;

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
  /**
   * Writes `text` in place of the raw text [rawFrom, rawTo), every character mapped to
   * [docStart, docEnd). Returns where it starts in the SQL.
   */
  const replace = (rawFrom: number, rawTo: number, text: string, docStart: number, docEnd: number): number => {
    copyTo(rawFrom);
    const start = map.length;
    if (prefixLength < 0 && prefixRawLength < rawTo) {
      prefixLength = start;
    }
    parts.push(text);
    map.pushSame(docStart, text.length);
    ends.pushSame(docEnd, text.length);
    copied = rawTo;
    return start;
  };
  const emitParameter = (rawFrom: number, rawTo: number, docStart: number, docEnd: number, source: ParameterSource, extra: Partial<QueryParameter>, index?: number) => {
    const n = index ?? next++;
    const sqlStart = replace(rawFrom, rawTo, postgres ? `$${n}` : '?', docStart, docEnd);
    parameters.push({ index: n, sqlStart, sqlEnd: map.length, docStart, docEnd, source, ...extra });
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
    const c = raw.charCodeAt(i);
    if (c === HOLE_CODE && holeCursor < holes.length && holes[holeCursor].sqlStart === i) {
      const hole = holes[holeCursor++];
      emitParameter(i, i + 1, hole.docStart, hole.docEnd, hole.source, hole.expression !== undefined ? { expression: hole.expression } : {});
      i++;
      continue;
    }
    // Quotes, comments and dollar quotes are kept as they are. Python's `%` formatting knows
    // nothing of SQL quoting, so for that style placeholders count inside quotes too.
    if (style !== 'format' && (c === 39 /* ' */ || c === 34 /* " */ || (c === 96 /* ` */ && !postgres))) {
      let j = i + 1;
      while (j < n && raw.charCodeAt(j) !== c && raw.charCodeAt(j) !== HOLE_CODE) {
        if (raw.charCodeAt(j) === 92 /* \ */ && !postgres) {
          j++;
        }
        j++;
      }
      // A hole inside quotes ends the run: the main loop turns it into a parameter.
      i = raw.charCodeAt(j) === HOLE_CODE ? j : Math.min(n, j + 1);
      continue;
    }
    if (c === 45 /* - */ && raw.charCodeAt(i + 1) === 45) {
      i = untilHole(raw, i, raw.indexOf('\n', i), 0);
      continue;
    }
    if (c === 47 /* / */ && raw.charCodeAt(i + 1) === 42 /* * */) {
      i = untilHole(raw, i, raw.indexOf('*/', i + 2), 2);
      continue;
    }
    if (postgres && c === 36 /* $ */) {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(raw.slice(i, i + 64));
      if (tag && !(i > 0 && /[A-Za-z_0-9]/.test(raw[i - 1]))) {
        i = untilHole(raw, i, raw.indexOf(tag[0], i + tag[0].length), tag[0].length);
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
    if (style === 'question' && c === 63 /* ? */) {
      if (raw.charCodeAt(i + 1) === 63) {
        // knex's `??` binds an identifier: analysed as a plain name of the same role.
        replace(i, i + 2, 'ql_identifier', offsets[i], charEnds[i + 1]);
        i += 2;
        continue;
      }
      emitParameter(i, i + 1, offsets[i], charEnds[i], 'placeholder', {});
      i++;
      continue;
    }
    if (style === 'format' && c === 37 /* % */) {
      if (raw.charCodeAt(i + 1) === 37) {
        // `%%` is a literal percent sign.
        replace(i, i + 2, '%', offsets[i], charEnds[i + 1]);
        i += 2;
        continue;
      }
      if (raw.charCodeAt(i + 1) === 115 /* s */) {
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
    if (style === 'colon' && c === 58 /* : */) {
      if (raw.charCodeAt(i + 1) === 58) {
        i += 2; // a cast
        continue;
      }
      const named = /^:([A-Za-z_][A-Za-z_0-9]*)/.exec(raw.slice(i, i + 80));
      if (named && !(i > 0 && /[A-Za-z_0-9\\]/.test(raw[i - 1]))) {
        i = emitNamed(i, named[0].length, named[1]);
        continue;
      }
    }
    i++;
  }
  copyTo(n);
  if (prefixLength < 0) {
    prefixLength = prefixRawLength === n ? map.length : prefixRawLength;
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
  };
}
