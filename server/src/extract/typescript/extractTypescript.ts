import * as ts from 'typescript';
import { parseStatement } from '../../analyze/parse';
import { parseQuery } from '../../analyze/parseQuery';
import type { Dialect } from '../../settings';
import type { PlaceholderStyle } from '../embeddedSql';
import { runTimeQuery, type Query } from '../query';
import { looksLikeSql, looksLikeSqlQuery, startsWithDriverSqlKeyword, startsWithSqlKeyword } from '../sqlDetector';
import { enclosingLoop } from './enclosingLoop';
import { DriverImports, driverImports, placeholderStyleOf, recogniseSqlCall, recogniseSqlTag, sameDriverImports, taggedFragmentPrefix, type SqlCall } from './driverCalls';
import { isStringRawTemplate, namePath, unwrapExpression } from './expressionShapes';
import { lineBreakOf, parameterisationFixFor } from './parameterisationFix';
import { styleOfContent } from '../../scan/placeholders';
import { moveHolesOutOfQuotes } from './quotedHoles';
import { forgetParsedDocuments, isFreshTree, parseTypescriptSource, TypescriptLanguageId } from './sourceFiles';

export { forgetParsedText as forgetTypescriptText } from './sourceFiles';
import { BuildOptions, buildQuery, forgetBuiltQueries, movedQuery, type QueryPlace } from './queryBuilding';
import { enclosingClassName, enclosingFunctionName } from './enclosingFunction';
import { BULK_INTENT, engineNamed } from '../engines';
import type { Scopes } from './scopes';
import { bindSpreadParameters, emptyReading, piecesText, SqlPiece, SqlReader } from './sqlPieces';
import { collectSyntaxFacts, StatementFacts, SyntaxFacts } from './syntaxFacts';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

export type { TypescriptLanguageId } from './sourceFiles';

/** What the TypeScript/JavaScript extractor needs besides the text. */
export interface TypescriptExtractOptions {
  dialect: Dialect;
  languageId: TypescriptLanguageId;
}

/**
 * Finds the SQL in a TypeScript or JavaScript document, read with the TypeScript compiler's own
 * (error-tolerant) parser, and returns one `Query` per SQL text, sorted by document offset:
 *
 * - the SQL argument of driver and ORM calls: pg and mysql2 `query` / `execute` (also `{ text }`
 *   and `{ sql }` configs), sqlite `prepare` / `exec` / `run` / `all` / `get`, `knex.raw` and the
 *   `…Raw` fragment methods, Prisma's `$queryRawUnsafe`, postgres.js's `sql.unsafe`, Sequelize
 *   and TypeORM `query`, TypeORM `createQueryBuilder().where(…)` conditions; `origin` is the callee;
 * - templates tagged `sql`, `*.sql`, `prisma.$queryRaw`, `$executeRaw` (holes are bound parameters;
 *   nested `sql` fragments are read into the text);
 * - a string constant passed to one of those calls (the text is read where the constant is written);
 * - any other string literal that `looksLikeSql` accepts (`origin: 'string'`).
 *
 * Values spliced in by a plain template or `+` become `interpolated` parameters, with
 * `construction` set and, when the driver can take them, a `parameterisationFix`. Never throws:
 * input the parser cannot make sense of yields fewer queries.
 *
 * `initParsers()` must have completed: judging a string by its content parses it. An edited
 * version of a recently extracted document is re-parsed incrementally, and the queries of the
 * statements the edit did not touch are reused, moved (a few ms for a 5,000-line file); results
 * are the same as a fresh extraction.
 */
export function extractQueriesFromTypescript(text: string, options: TypescriptExtractOptions): Query[] {
  try {
    const sourceFile = parseTypescriptSource(text, options.languageId);
    return new TypescriptExtraction(text, sourceFile, collectSyntaxFacts(sourceFile), options.dialect).run(true);
  } catch {
    // The parser is error-tolerant, but a pathological input can still exhaust its stack.
    return [];
  }
}

/**
 * Forgets the recently parsed documents and built queries that make re-extraction after an edit
 * cheap. Only tests and benchmarks need this: the caches are bounded and results never depend on
 * them.
 */
export function forgetTypescriptExtractionCaches(): void {
  forgetParsedDocuments();
  forgetBuiltQueries();
  extractedStatements = new WeakMap();
}

interface Found {
  query: Query;
  /** The tagged template a query was read from (dropped if an enclosing query read it too). */
  tagged?: ts.Node;
  /** The top-level statement the query was found in. */
  statement: ts.Node;
}

/**
 * What the queries of a statement depend on outside the statement, besides the constants of
 * other statements it reads (statements that read each other's constants are always extracted
 * again, see `TypescriptExtraction.entangled`).
 */
interface FileContext {
  dialect: Dialect;
  imports: DriverImports;
  /** What a parameterisation fix writes between lines. */
  lineBreak: string;
  /** How names written in the statement resolve (only those it asked about matter: `StatementQueries.names`). */
  scopes: Scopes;
}

/** Whether two contexts agree on everything but the names in scope. */
function sameFileContext(a: FileContext, b: FileContext): boolean {
  return a.dialect === b.dialect && a.lineBreak === b.lineBreak && sameDriverImports(a.imports, b.imports);
}

/** The queries of a top-level statement as the last extraction that read it found them. */
interface StatementQueries {
  queries: Query[];
  /** The statement's end then: the queries move with it. */
  end: number;
  context: FileContext;
  /**
   * The names its readings asked the file's scopes about: the queries still hold while each
   * means what it meant then. So declaring a name, or editing the constant one statement runs,
   * re-reads only the statements that use that name.
   */
  names: readonly string[];
}

const NO_NAMES: readonly string[] = [];

/**
 * The queries of each top-level statement extracted so far. An incremental re-parse hands back
 * the statement objects an edit did not touch, and a statement that is the same object in the
 * same context holds the same queries, only moved: after a keystroke, only the edited statement
 * is read again. Weak: the entries go with the old trees.
 */
let extractedStatements = new WeakMap<ts.Node, StatementQueries>();

/**
 * Strings longer than this are not judged by their content (a parse each): a data blob is not a
 * query someone writes by hand. Calls that run SQL are read whatever the length.
 */
const MAX_DETECTED_LENGTH = 100_000;

/** sqlite methods that take SQL on a database and values on a prepared statement. */
const SQLITE_STATEMENT_METHODS = new Set(['run', 'all', 'get', 'each', 'prepare', 'exec']);

/** Methods and functions whose arguments are log lines or error messages, not SQL. */
const LOG_METHODS = new Set(['log', 'info', 'warn', 'warning', 'error', 'debug', 'trace', 'fatal', 'verbose', 'silly', 'notice']);

/**
 * A fragment that is only a keyword (`sql\` and \``, `sql\`where \``, `sql\`, \``): glue that
 * `sql.join` puts between fragments, or a prefix a builder is given, never a query of its own.
 */
const GLUE = /^\s*(?:and|or|not|where|having|on|set|limit|offset|returning|union(?:\s+all)?|(?:order|group)\s+by|,)?\s*$/i;

class TypescriptExtraction {
  private readonly reader: SqlReader;
  private readonly imports: DriverImports;
  private readonly context: FileContext;
  private readonly found: Found[] = [];
  /**
   * Statements whose readings followed a constant of another statement, and those statements:
   * what one finds depends on the other (claimed literals, constants already queried), so their
   * queries are not kept for reuse.
   */
  private readonly entangled = new Set<ts.Node>();
  /** String nodes whose text is already part of a query. */
  private readonly claimedLiterals = new Set<ts.Node>();
  /** Tagged templates read into an enclosing tagged template. */
  private readonly inlinedTemplates = new Set<ts.Node>();
  /** Constants already reported through the first call that runs them. */
  private readonly queriedConstants = new Set<ts.Node>();
  /** The names each statement read so far asked the scopes about. */
  private readonly namesAsked = new Map<ts.Node, string[]>();
  /** Whether queries built for an earlier version of the text may be reused (see `buildQuery`). */
  private readonly reuseBuiltQueries: boolean;

  constructor(
    private readonly source: string,
    private readonly sourceFile: ts.SourceFile,
    private readonly facts: SyntaxFacts,
    private readonly dialect: Dialect,
  ) {
    this.reader = new SqlReader(source, sourceFile, facts.scopes);
    this.reuseBuiltQueries = !isFreshTree(sourceFile);
    this.imports = driverImports(facts.modules);
    this.context = { dialect, imports: this.imports, lineBreak: lineBreakOf(source), scopes: facts.scopes };
  }

  /**
   * Extracts the queries. With `reuse`, the statements an earlier extraction found in the same
   * context keep the queries it found, moved with them; the others are read.
   */
  run(reuse: boolean): Query[] {
    const reused = reuse ? this.reusableStatements() : new Map<ts.Node, StatementQueries>();
    const read = reused.size === 0 ? this.facts.statements : this.facts.statements.filter(({ statement }) => !reused.has(statement));
    // Calls first: a string they run is theirs, whatever its content. Then tags, then the rest
    // by content; whole concatenations before literals, whose first literal is a candidate too.
    this.each(read, (facts) => facts.calls, (call, statement) => this.extractCall(call, statement));
    this.each(read, (facts) => facts.taggedTemplates, (tagged, statement) => this.extractTaggedTemplate(tagged, statement));
    // Last first: a template that splices in a piece defined before it (`${tail}`) reads that
    // piece into itself, and the piece is then not a query of its own.
    this.each(read, (facts) => facts.sqlLikeConcatenations, (chain, statement) => this.extractStringByContent(chain, statement), true);
    this.each(read, (facts) => facts.sqlLikeLiterals, (literal, statement) => this.extractStringByContent(literal, statement), true);
    if ([...this.entangled].some((statement) => reused.has(statement))) {
      // The edit made a statement read a constant of one whose queries were to be reused, and
      // may have changed what that one finds: read every statement.
      return new TypescriptExtraction(this.source, this.sourceFile, this.facts, this.dialect).run(false);
    }
    const queries: Query[] = [];
    const queriesByStatement = new Map<ts.Node, Query[]>();
    for (const found of this.found) {
      if (found.tagged && this.inlinedTemplates.has(found.tagged)) {
        continue;
      }
      queries.push(found.query);
      const ofStatement = queriesByStatement.get(found.statement);
      if (ofStatement) {
        ofStatement.push(found.query);
      } else {
        queriesByStatement.set(found.statement, [found.query]);
      }
    }
    for (const { statement } of read) {
      if (this.entangled.has(statement)) {
        extractedStatements.delete(statement);
      } else {
        extractedStatements.set(statement, { queries: queriesByStatement.get(statement) ?? [], end: statement.end, context: this.context, names: this.namesAsked.get(statement) ?? NO_NAMES });
      }
    }
    for (const [statement, earlier] of reused) {
      const delta = statement.end - earlier.end;
      for (const query of earlier.queries) {
        queries.push(delta === 0 ? query : movedQuery(query, delta));
      }
      // One context object for all the entries, so that the next run compares it once.
      earlier.context = this.context;
    }
    return queries.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /**
   * The statements whose earlier queries still hold: the same statement, in the same context,
   * where each name it asked about still means the same.
   */
  private reusableStatements(): Map<ts.Node, StatementQueries> {
    const reusable = new Map<ts.Node, StatementQueries>();
    const agreeing = new Map<FileContext, boolean>();
    const scopes = this.context.scopes;
    for (const { statement } of this.facts.statements) {
      const earlier = extractedStatements.get(statement);
      if (!earlier) {
        continue;
      }
      let agrees = agreeing.get(earlier.context);
      if (agrees === undefined) {
        agrees = sameFileContext(earlier.context, this.context);
        agreeing.set(earlier.context, agrees);
      }
      if (agrees && (earlier.context.scopes === scopes || scopes.agreeOn(earlier.names, earlier.context.scopes))) {
        reusable.set(statement, earlier);
      }
    }
    return reusable;
  }

  private extractCall(call: ts.CallExpression, topLevel: ts.Node): void {
    const site = recogniseSqlCall(call, this.imports);
    if (!site || ts.isTaggedTemplateExpression(unwrapExpression(site.sqlExpression))) {
      return; // a tagged template argument is read as one
    }
    const read = this.reader.readArgument(site.sqlExpression);
    if (!read) {
      this.noteBuiltAtRunTime(site, topLevel);
      return;
    }
    if (read.constant && this.queriedConstants.has(read.constant)) {
      return;
    }
    let pieces = moveHolesOutOfQuotes(read.reading.pieces, this.dialect);
    if (site.style === 'colon') {
      pieces = bindSpreadParameters(pieces);
    }
    const text = piecesText(pieces);
    let fragmentPrefix = site.shape === 'fragment' ? site.fragmentPrefix : undefined;
    if (site.shape === 'statement' && !startsWithDriverSqlKeyword(text)) {
      if (!site.selectListFallback) {
        return;
      }
      fragmentPrefix = 'SELECT ';
    }
    const place = this.placeOf(call, site.origin);
    const dialect = place?.dialect ?? this.dialect;
    const style = placeholderStyleOf(site, text, this.imports, dialect);
    // `query` and `execute` are common names: without a database-like receiver or a driver
    // import, the text must parse as SQL.
    if (site.generic && !site.databaseReceiver && !this.imports.anySql && !this.parsesAsQuery(pieces, style, fragmentPrefix)) {
      return;
    }
    const construction = read.reading.construction;
    // The fix rewrites the call's own argument; a constant's text may serve other calls too.
    const parameterisationFix = construction && !read.constant ? parameterisationFixFor(site, pieces, style, this.source, this.sourceFile) : undefined;
    this.found.push({
      query: this.build(pieces, { origin: site.origin, style, dialect, fragmentPrefix, construction, parameterisationFix, loop: enclosingLoop(call, this.sourceFile), place }),
      statement: topLevel,
    });
    this.claim(read.reading.literalNodes);
    if (read.constant) {
      this.queriedConstants.add(read.constant);
    }
  }

  private extractTaggedTemplate(tagged: ts.TaggedTemplateExpression, topLevel: ts.Node): void {
    const tag = recogniseSqlTag(tagged.tag);
    if (!tag) {
      return;
    }
    const reading = this.reader.readTaggedTemplate(tagged, tag.root);
    if (!reading) {
      // Assembled at run time from pieces that cannot be read here. A tag that runs its SQL
      // (`$queryRaw`, `$executeRaw`), or one that starts a statement and is no hole of another
      // template, is a query all the same: listed, counted, not analysed. Any other `sql`
      // template may be a fragment of another query.
      if (/\$(?:query|execute)Raw$/.test(tag.origin) || (startsWithSqlKeyword(this.source.slice(tagged.template.getStart(this.sourceFile) + 1, tagged.template.getStart(this.sourceFile) + 200)) && !isInsideTemplateHole(tagged))) {
        const start = tagged.template.getStart(this.sourceFile);
        this.found.push({ query: runTimeQuery(this.source.slice(start, tagged.template.end), start, tagged.template.end, tag.origin), tagged, statement: topLevel });
      }
      return;
    }
    for (const inner of reading.inlinedTemplates) {
      this.inlinedTemplates.add(inner);
    }
    const pieces = moveHolesOutOfQuotes(reading.pieces, this.dialect);
    const text = piecesText(pieces);
    // A fragment of its own (`sql\`WHERE a = ${a}\``) is analysed inside a statement; one that
    // starts with neither a statement nor a clause keyword (`sql\`lower(${col})\``) is not.
    const statement = startsWithSqlKeyword(text);
    const fragmentPrefix = statement ? undefined : taggedFragmentPrefix(text);
    if ((!statement && fragmentPrefix === undefined) || GLUE.test(text)) {
      return;
    }
    // Tagged templates have no placeholders of their own: only holes, and `?` is jsonb's operator.
    const place = this.placeOf(tagged, tag.origin);
    const query = this.build(pieces, { origin: tag.origin, style: 'none', dialect: place?.dialect ?? this.dialect, fragmentPrefix, loop: enclosingLoop(tagged, this.sourceFile), place });
    // A hole that calls an unknown function may return a fragment (`${whereClause(f)}`): if the
    // SQL does not parse with it as a parameter, it is assembled at run time; say nothing.
    if (reading.uncertainHoles && !this.parsesWithParameters(pieces, fragmentPrefix, query)) {
      // A statement all the same: listed and counted as built at run time, not left unsaid.
      if (statement && !isInsideTemplateHole(tagged)) {
        const start = tagged.template.getStart(this.sourceFile);
        this.found.push({ query: runTimeQuery(this.source.slice(start, tagged.template.end), start, tagged.template.end, tag.origin), tagged, statement: topLevel });
      }
      return;
    }
    this.found.push({ query, tagged, statement: topLevel });
    this.claim(reading.literalNodes);
  }

  /**
   * `pool.query(sql)` where `sql` is built at run time (a function's result, a variable assigned in
   * several places): listed and counted as a query, never analysed. Only for calls that are
   * database calls beyond doubt (a database-like receiver, or a file that imports a SQL library),
   * and not for a statement's own fragment methods.
   */
  private noteBuiltAtRunTime(site: SqlCall, topLevel: ts.Node): void {
    const argument = unwrapExpression(site.sqlExpression);
    // Kysely's sql`…`.execute(db): the SQL is the template the call is made on, read as such;
    // `db` is the connection, not a query built at run time.
    const callee = unwrapExpression(site.call.expression);
    if (ts.isPropertyAccessExpression(callee) && ts.isTaggedTemplateExpression(unwrapExpression(callee.expression))) {
      return;
    }
    // sqlite's `run`, `all`, `get` and `each` take values when called on a prepared statement.
    if (site.shape !== 'statement' || SQLITE_STATEMENT_METHODS.has(site.method) || (site.generic && !site.databaseReceiver && !this.imports.anySql) || ts.isTaggedTemplateExpression(argument) || ts.isObjectLiteralExpression(argument)) {
      return;
    }
    if (!(ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument) || ts.isElementAccessExpression(argument) || ts.isCallExpression(argument) || ts.isTemplateExpression(argument) || ts.isBinaryExpression(argument) || ts.isConditionalExpression(argument))) {
      return;
    }
    const start = argument.getStart(this.sourceFile);
    this.found.push({ query: runTimeQuery(this.source.slice(start, argument.end), start, argument.end, site.origin), statement: topLevel });
  }

  /** The catch-all: a string recognised as SQL by its content alone. */
  private extractStringByContent(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression | ts.BinaryExpression, topLevel: ts.Node): void {
    if (this.claimedLiterals.has(node) || isOutsideSqlContext(node)) {
      return;
    }
    const reading = emptyReading();
    // A template with holes (`SELECT … FROM ${schema}.jobs WHERE name = '${name}'`) is SQL too,
    // when it parses as a statement with its holes read for what they stand for: a function that
    // returns the query for a wrapper to run (pg-boss's plans, umami's rawQuery) builds it so.
    if (!this.reader.readString(node, reading, 0)) {
      return;
    }
    if (reading.literalNodes.some((literal) => this.claimedLiterals.has(literal))) {
      return;
    }
    const text = piecesText(reading.pieces);
    // A lone keyword (`'SELECT'`, an HTML tag name or a token kind) parses, but is a word.
    if (text.length > MAX_DETECTED_LENGTH || !/\S\s+\S/.test(text)) {
      return;
    }
    const style = styleOfContent(text);
    const pieces = moveHolesOutOfQuotes(reading.pieces, 'postgresql');
    const detection = this.build(pieces, { origin: 'string', style, dialect: 'postgresql', ...(reading.construction ? { construction: reading.construction } : {}) });
    if (!looksLikeSqlQuery(detection)) {
      return;
    }
    const place = this.placeOf(node, '');
    const dialect = place?.dialect ?? this.dialect;
    const query = dialect === 'postgresql' && !place ? detection : this.build(pieces, { origin: 'string', style, dialect, ...(reading.construction ? { construction: reading.construction } : {}), ...(place ? { place } : {}) });
    this.found.push({ query, statement: topLevel });
    this.claim(reading.literalNodes);
  }

  /**
   * Where a query is written: its function, and the engine other than PostgreSQL its SQL is for,
   * from the names around it (`clickhouseQuery`, `mysqlPool.query`) or else the file's imports.
   * Undefined when it is plain PostgreSQL code at the top level.
   */
  private placeOf(node: ts.Node, origin: string): QueryPlace | undefined {
    const name = enclosingFunctionName(node);
    const engine = this.dialect === 'postgresql' ? engineNamed(name) ?? engineNamed(origin) ?? engineNamed(enclosingClassName(node)) ?? this.imports.engine : undefined;
    // Only a name that says something is kept: most queries need no place of their own, and
    // sharing their built query costs nothing on an edit.
    const enclosingFunction = name !== undefined && (engine || BULK_INTENT.test(name)) ? name : undefined;
    if (enclosingFunction === undefined && !engine) {
      return undefined;
    }
    return {
      ...(enclosingFunction !== undefined ? { enclosingFunction } : {}),
      ...(engine?.dialect ? { dialect: engine.dialect } : engine ? { otherEngine: engine.name } : {}),
    };
  }

  /** `buildQuery`, reusing queries built for an earlier version of the text unless this one was parsed from scratch. */
  private build(pieces: readonly SqlPiece[], options: BuildOptions): Query {
    return buildQuery(pieces, options, this.reuseBuiltQueries);
  }

  /** Whether a generic call's text is SQL: a query statement by `looksLikeSql`, or a fragment that parses. */
  private parsesAsQuery(pieces: readonly SqlPiece[], style: PlaceholderStyle, fragmentPrefix: string | undefined): boolean {
    const sql = this.build(pieces, { origin: '', style, dialect: 'postgresql', fragmentPrefix }).sql;
    if (sql.length > MAX_DETECTED_LENGTH) {
      return false;
    }
    return fragmentPrefix ? parseStatement(sql, 'postgresql').ok : looksLikeSql(sql);
  }

  /** Whether PostgreSQL's parser takes a tagged template's SQL, its holes as `$n`. */
  private parsesWithParameters(pieces: readonly SqlPiece[], fragmentPrefix: string | undefined, built: Query): boolean {
    const sql = this.dialect === 'postgresql' ? built.sql : this.build(pieces, { origin: '', style: 'none', dialect: 'postgresql', fragmentPrefix }).sql;
    // With the holes that stand for names read as names (`update ${table} set ${fields.x} = …`),
    // as the analysis will read them.
    return parseStatement(sql, 'postgresql').ok || parseQuery({ ...built, sql }, 'postgresql').outcome.ok;
  }

  /**
   * Runs `extract` on the nodes `nodesOf` picks from each statement, in document order. One
   * construct that defeats the extractor (a stack exhausted by absurd nesting, a case not
   * foreseen) costs its own query, not the document's.
   */
  private each<T>(statements: readonly { statement: ts.Node; facts: StatementFacts }[], nodesOf: (facts: StatementFacts) => readonly T[], extract: (node: T, statement: ts.Node) => void, lastFirst = false): void {
    const scopes = this.context.scopes;
    for (const { statement, facts } of lastFirst ? [...statements].reverse() : statements) {
      const nodes = lastFirst ? [...nodesOf(facts)].reverse() : nodesOf(facts);
      if (nodes.length === 0) {
        continue;
      }
      let names = this.namesAsked.get(statement);
      if (!names) {
        names = [];
        this.namesAsked.set(statement, names);
      }
      scopes.recordNamesAskedAbout(names);
      try {
        for (const node of nodes) {
          try {
            extract(node, statement);
          } catch {
            // Nothing to report: the query is simply not found.
          }
          this.noteConstantsFollowed(statement);
        }
      } finally {
        scopes.recordNamesAskedAbout(undefined);
      }
    }
  }

  /** Marks `statement` and the statements whose constants its last reading followed as entangled. */
  private noteConstantsFollowed(statement: ts.Node): void {
    for (const initializer of this.reader.followed) {
      const owner = topLevelStatementOf(initializer);
      if (owner !== statement) {
        this.entangled.add(statement);
        this.entangled.add(owner);
      }
    }
    this.reader.followed.length = 0;
  }

  private claim(nodes: readonly ts.Node[]): void {
    for (const node of nodes) {
      this.claimedLiterals.add(node);
    }
  }
}

/** The statement of the source file that holds `node`. */
function topLevelStatementOf(node: ts.Node): ts.Node {
  let current = node;
  while (current.parent && current.parent.kind !== SyntaxKind.SourceFile) {
    current = current.parent;
  }
  return current;
}

/**
 * Whether a string is a module name, a key, a type, a JSX attribute, a directive, a log line or
 * an error message: places where SQL-looking text is not run.
 */
function isOutsideSqlContext(node: ts.Node): boolean {
  let current = node;
  let parent = node.parent;
  if (parent && isStringRawTemplate(node)) {
    current = parent; // String.raw`…`: the tagged template is the string
    parent = parent.parent;
  }
  // Climb through what keeps the string a value: parentheses, `+`, `?:`, template holes.
  while (
    parent &&
    (ts.isParenthesizedExpression(parent) ||
      (ts.isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.PlusToken) ||
      (ts.isConditionalExpression(parent) && parent.condition !== current) ||
      ts.isTemplateSpan(parent) ||
      ts.isTemplateExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isNonNullExpression(parent))
  ) {
    current = parent;
    parent = parent.parent;
  }
  if (!parent) {
    return true;
  }
  if ((parent as { name?: ts.Node }).name === current) {
    return true; // a property, method, enum member or declaration name
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.PlusEqualsToken) {
    return true; // `sql += '…'`: a piece appended to a query built at run time
  }
  switch (parent.kind) {
    case SyntaxKind.ImportDeclaration:
    case SyntaxKind.ExportDeclaration:
    case SyntaxKind.ExternalModuleReference:
    case SyntaxKind.LiteralType:
    case SyntaxKind.ComputedPropertyName:
    case SyntaxKind.JsxAttribute:
    case SyntaxKind.JsxExpression:
    case SyntaxKind.TaggedTemplateExpression:
    case SyntaxKind.ExpressionStatement:
    case SyntaxKind.ThrowStatement:
      return true;
    case SyntaxKind.ElementAccessExpression:
      return (parent as ts.ElementAccessExpression).argumentExpression === current;
    case SyntaxKind.CallExpression:
    case SyntaxKind.NewExpression:
      return isLogOrErrorCall(parent as ts.CallExpression | ts.NewExpression);
    default:
      return false;
  }
}

function isLogOrErrorCall(call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = call.expression;
  if (callee.kind === SyntaxKind.ImportKeyword) {
    return true;
  }
  const path = namePath(callee);
  const last = path[path.length - 1] ?? '';
  if (last === 'require' || /(?:Error|Exception)$/.test(last) || path[0] === 'console') {
    return true;
  }
  if (!LOG_METHODS.has(last)) {
    return false;
  }
  const receiver = path[path.length - 2];
  return receiver === undefined || /log|console|debug/i.test(receiver);
}

/** Whether a template is (a branch of) a hole of another template: a fragment, not a query. */
function isInsideTemplateHole(node: ts.Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (ts.isTemplateSpan(parent)) return true;
    if (!(ts.isParenthesizedExpression(parent) || ts.isConditionalExpression(parent) || ts.isBinaryExpression(parent) || ts.isAsExpression(parent))) return false;
  }
  return false;
}
