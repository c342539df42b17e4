import { EmbeddedSqlBuilder, PlaceholderStyle } from '../embeddedSql';
import type { ParameterisationFix, Query, QueryLoop } from '../query';
import type { Dialect } from '../../settings';
import type { SqlPiece } from './sqlPieces';

/** What `buildQuery` needs besides the pieces. */
export interface BuildOptions {
  origin: string;
  style: PlaceholderStyle;
  dialect: Dialect;
  /** The statement a fragment is analysed inside; its SQL comes before the pieces. */
  fragmentPrefix?: string;
  construction?: Query['construction'];
  parameterisationFix?: ParameterisationFix;
  /** The loop the query runs in: like the fix, not part of the shape, attached to each copy. */
  loop?: QueryLoop;
  /** Where the query is written (its function, and the engine that says it is for), attached to each copy. */
  place?: QueryPlace;
}

/** The function a query is written in and the engine other than PostgreSQL it is for, if any. */
export interface QueryPlace {
  enclosingFunction?: string;
  /** The dialect of another engine Query Lens reads (the query is built in it). */
  dialect?: Dialect;
  otherEngine?: string;
}

/**
 * Queries built so far, by the shape of their pieces relative to where they start. After an
 * edit, every query but the edited one is the same SQL at the same relative positions, only
 * moved: its query is reused, shifted, instead of built again (building is most of the
 * extraction's own time). Least recently used first.
 */
const builtQueries = new Map<string, { query: Query; base: number }>();
/**
 * Two documents' worth of queries as large as the bench's (500). An edit that leaves the file's
 * scope as it was reuses whole statements and builds nothing; this serves the edits that do not
 * (a new top-level name), and reopening a file. About 2.2 KB a query with its position maps: at
 * 2,000 the cache held 4.5 MB, most of it queries of documents long closed.
 */
const BUILT_QUERY_LIMIT = 1000;

/**
 * Builds the query of a list of pieces with `EmbeddedSqlBuilder`, keeping every position:
 * literal text maps character by character (escapes included), holes become parameters, and a
 * constant's text maps to the name that refers to it.
 *
 * With `reuse` (the extraction of an edited text), a query built before in the same shape is
 * reused, moved. Without (a text parsed from scratch: a document just opened), it is built
 * and not kept: its statements have not been seen, and working out a query's shape (the key)
 * costs more than half as much as building it.
 */
export function buildQuery(pieces: readonly SqlPiece[], options: BuildOptions, reuse = true): Query {
  if (!reuse) {
    return shiftedQuery(buildWithBuilder(pieces, options), 0, options.parameterisationFix, options.loop, options.place);
  }
  const base = firstDocumentOffset(pieces);
  const key = shapeKey(pieces, options, base);
  let built = builtQueries.get(key);
  if (built) {
    builtQueries.delete(key); // re-inserted below: most recently used
  } else {
    built = { query: buildWithBuilder(pieces, options), base };
    if (builtQueries.size >= BUILT_QUERY_LIMIT) {
      builtQueries.delete(builtQueries.keys().next().value as string);
    }
  }
  builtQueries.set(key, built);
  return shiftedQuery(built.query, base - built.base, options.parameterisationFix, options.loop, options.place);
}

/** Forgets the built queries (tests compare reused and fresh queries). */
export function forgetBuiltQueries(): void {
  builtQueries.clear();
}

function buildWithBuilder(pieces: readonly SqlPiece[], options: BuildOptions): Query {
  const builder = new EmbeddedSqlBuilder();
  if (options.fragmentPrefix) {
    builder.synthetic(options.fragmentPrefix, firstDocumentOffset(pieces));
  }
  for (const piece of pieces) {
    switch (piece.kind) {
      case 'text':
        if (piece.text.offsets) {
          builder.text(piece.text.value, piece.text.offsets, piece.text.end);
        } else {
          builder.text(piece.text.value, piece.text.start);
        }
        break;
      case 'hole':
        builder.hole(piece.start, piece.end, piece.source, piece.expression, piece);
        break;
      case 'synthetic':
        builder.synthetic(piece.value, piece.at);
        break;
      case 'reference':
        // Each character spans the whole reference, so any finding inside underlines the name.
        for (let i = 0; i < piece.value.length; i++) {
          builder.text(piece.value[i], [piece.start], piece.end);
        }
        break;
    }
  }
  // The fix is not part of the shape: it is attached to each (shifted) copy.
  return builder.build({
    origin: options.origin,
    style: options.style,
    dialect: options.dialect,
    ...(options.fragmentPrefix ? { shape: 'fragment' as const, fragmentPrefixLength: options.fragmentPrefix.length } : {}),
    ...(options.construction ? { construction: options.construction } : {}),
  });
}

/** A query found earlier, moved with the statement it was found in by `delta` document offsets. */
export function movedQuery(query: Query, delta: number): Query {
  const fix = query.parameterisationFix;
  const place: QueryPlace | undefined =
    query.enclosingFunction !== undefined || query.dialect !== undefined || query.otherEngine !== undefined ? { enclosingFunction: query.enclosingFunction, dialect: query.dialect, otherEngine: query.otherEngine } : undefined;
  return shiftedQuery(query, delta, fix && { ...fix, edits: fix.edits.map((edit) => ({ ...edit, start: edit.start + delta, end: edit.end + delta })) }, query.loop, place);
}

/**
 * The query `built`, moved by `delta` document offsets; `built` itself when it has not moved
 * and needs no fix and no loop, as most queries before an edit (queries are never changed once
 * built).
 */
function shiftedQuery(built: Query, delta: number, parameterisationFix: ParameterisationFix | undefined, loop: QueryLoop | undefined, place?: QueryPlace): Query {
  if (delta === 0 && !parameterisationFix && !loop && !place) {
    return built;
  }
  const query: Query = {
    sql: built.sql,
    start: built.start + delta,
    end: built.end + delta,
    origin: built.origin,
    shape: built.shape,
    sqlOffsetToDocument: (offset) => built.sqlOffsetToDocument(offset) + delta,
    sqlRangeToDocument: (from, to) => {
      const [start, end] = built.sqlRangeToDocument(from, to);
      return [start + delta, end + delta];
    },
    parameters: built.parameters.map((parameter) => ({ ...parameter, docStart: parameter.docStart + delta, docEnd: parameter.docEnd + delta })),
  };
  if (built.fragmentPrefixLength !== undefined) {
    query.fragmentPrefixLength = built.fragmentPrefixLength;
  }
  if (built.construction) {
    query.construction = built.construction;
  }
  if (parameterisationFix) {
    query.parameterisationFix = parameterisationFix;
  }
  if (loop) {
    query.loop = loop;
  }
  if (place?.enclosingFunction !== undefined) {
    query.enclosingFunction = place.enclosingFunction;
  }
  if (place?.dialect !== undefined) {
    query.dialect = place.dialect;
  }
  if (place?.otherEngine !== undefined) {
    query.otherEngine = place.otherEngine;
  }
  if (built.name !== undefined) {
    query.name = built.name;
  }
  if (built.templateTags) {
    query.templateTags = true;
  }
  if (built.builtAtRunTime !== undefined) {
    query.builtAtRunTime = built.builtAtRunTime;
  }
  return query;
}

/**
 * Everything the builder's output depends on, with document offsets relative to `base`. Every
 * string is length-prefixed, so no text can pass for the key's own separators.
 */
function shapeKey(pieces: readonly SqlPiece[], options: BuildOptions, base: number): string {
  let key = `${options.dialect} ${options.style} ${field(options.origin)}${field(options.construction ?? '')}${field(options.fragmentPrefix ?? '')}`;
  for (const piece of pieces) {
    switch (piece.kind) {
      case 'text': {
        const text = piece.text;
        key += `t${text.start - base},${text.end - base}`;
        if (text.offsets) {
          key += `[${text.offsets.length}`;
          for (const offset of text.offsets) {
            key += `,${offset - base}`;
          }
        }
        key += field(text.value);
        break;
      }
      case 'hole':
        key += `h${piece.start - base},${piece.end - base},${piece.source}${field(piece.expression)}${field(piece.declaredType ?? '')}${field(piece.definition ?? '')}${field(piece.carriedBy ?? '')}`;
        break;
      case 'reference':
        key += `r${piece.start - base},${piece.end - base}${field(piece.value)}`;
        break;
      case 'synthetic':
        key += `s${piece.at - base}${field(piece.value)}`;
        break;
    }
  }
  return key;
}

function field(value: string): string {
  return `:${value.length}:${value}`;
}

function firstDocumentOffset(pieces: readonly SqlPiece[]): number {
  const first = pieces[0];
  if (!first) {
    return 0;
  }
  return first.kind === 'text' ? first.text.start : first.kind === 'synthetic' ? first.at : first.start;
}
