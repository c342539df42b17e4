import { analysisSignature, Dialect, Settings } from '../settings';
import { OPERAND_FOLLOWS } from '../scan/placeholders';
import type { DocumentKind, Query, QueryParameter } from '../extract/query';
import { extractQueries } from '../extract/extractQueries';
import { dialectLabel, ParseOutcome, parserLabel } from './parse';
import { RULES } from './rules';
import { createRuleContext, PgStatement, Rule } from './rules/rule';
import { Suppressions } from './suppressions';
import { StatementInfo, statementInfo } from './statementInfo';
import { parseQuery, type ParsedQuery } from './parseQuery';
import { APPLICATION_CODE, type DocumentRole } from './documentRole';
import { engineNamed, type EngineHint } from '../extract/engines';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** One thing Query Lens has to say about a document, in document offsets (UTF-16). */
export interface Finding {
  start: number;
  end: number;
  severity: Severity;
  /** The rule or check id; the diagnostic's `code`. */
  code: string;
  message: string;
  /** What a quick fix needs, from the rule. */
  data?: unknown;
  /** Document offset of the query the finding is in (for suppression comments above it). */
  queryStart?: number;
  /** Whether the finding comes from a rule (rules are configurable; checks are not). */
  rule?: boolean;
}

/** Every rule, sorted by id (the registry in `rules/index.ts`). */
export const ALL_RULES: readonly Rule[] = RULES;

/** The codes of the checks that are not rules: they are always on. */
export const CODES = {
  syntaxError: 'syntax-error',
  notAnalysed: 'not-analysed',
  fileNotAnalysed: 'file-not-analysed',
  /** Published by the language server when a document has more findings than it shows. */
  tooManyFindings: 'too-many-findings',
} as const;

/** A statement longer than this is not parsed: parsing is linear, but a 1 MB query is a file. */
export const MAX_QUERY_LENGTH = 1_000_000;
/** The time one document may take; past it the rest of its queries wait for the next run. */
export const DOCUMENT_TIME_BUDGET_MS = 3000;

export interface AnalysisResult {
  queries: Query[];
  /** For each query (same index): what the database side needs, when it parsed as PostgreSQL. */
  statements: (StatementInfo | undefined)[];
  findings: Finding[];
  stats: {
    /** Queries found in the document. */
    queries: number;
    /** Queries parsed in this run. */
    analysed: number;
    /** Queries whose findings were reused because their text did not change. */
    reused: number;
    elapsedMs: number;
  };
}

/** Findings of one query, relative to its SQL text, kept while the query's text is unchanged. */
interface QueryFindings {
  findings: readonly Finding[];
  statement?: StatementInfo;
  /** How the SQL was built (see `howBuilt`). */
  how: string;
}

/**
 * The analyses of one run, by SQL text and how it was built. The SQL string alone is the map's
 * key: an unchanged query of application code keeps its string from one run to the next, with
 * the hash V8 stores in it, so a lookup hashes no new text (a key joining `how` and the SQL was
 * a new string of every query's length on every run). The same SQL built two ways in one
 * document, which is rare, is kept under both joined.
 */
class QueryAnalyses {
  private readonly bySql = new Map<string, QueryFindings>();
  private readonly byHowAndSql = new Map<string, QueryFindings>();

  get(sql: string, how: string): QueryFindings | undefined {
    const found = this.bySql.get(sql);
    return found === undefined || found.how === how ? found : this.byHowAndSql.get(`${how}|${sql}`);
  }

  set(sql: string, analysis: QueryFindings): void {
    const found = this.bySql.get(sql);
    if (found === undefined || found.how === analysis.how) {
      this.bySql.set(sql, analysis);
    } else {
      this.byHowAndSql.set(`${analysis.how}|${sql}`, analysis);
    }
  }
}

/**
 * What a query's analysis depends on besides its SQL: in application code, how the SQL was
 * built, since the same text from a template with holes and from a constant are analysed
 * differently, the loop that runs it, and whether its call can take the fix; in both, what is
 * spliced into each hole, since the SQL shows every hole as `$n`.
 */
function howBuilt(query: Query, kind: DocumentKind): string {
  if (kind === 'sql') {
    const engine = query.dialect || query.otherEngine ? `|${query.dialect ?? ''}|${query.otherEngine ?? ''}` : '';
    return query.parameters.length === 0 && !query.templateTags && !engine ? '' : `${holesKey(query)}|${query.templateTags ? 't' : ''}${engine}`;
  }
  const loop = query.loop ? `${query.loop.kind}|${query.loop.over ?? ''}|${query.loop.perItem ? 1 : 0}` : '';
  const place = `${query.enclosingFunction ?? ''}|${query.dialect ?? ''}|${query.otherEngine ?? ''}|${query.builtAtRunTime ?? ''}`;
  return `${query.origin}|${query.shape}|${query.construction ?? ''}|${holesKey(query)}|${query.fragmentPrefixLength ?? ''}|${loop}|${place}|${query.parameterisationFix ? 'fix' : ''}`;
}

/**
 * Each parameter's source and, for a hole, what the code splices in and what it says of it. The
 * messages quote the expression, and whether a value can break the text depends on it and on its
 * type: with the sources alone, `${email}` edited to `${Number(id)}` kept the old warning.
 * Length-prefixed, so no expression can pass for the key's own separators.
 */
function holesKey(query: Query): string {
  let key = '';
  for (const p of query.parameters) {
    key += p.source[0];
    if (p.expression !== undefined) key += `e${p.expression.length}:${p.expression}`;
    if (p.declaredType !== undefined) key += `t${p.declaredType.length}:${p.declaredType}`;
    if (p.definition !== undefined) key += `d${p.definition.length}:${p.definition}`;
    // `= '%s'` and `= %s` both read `= $1`: only this tells a value from a name spliced in.
    if (p.inString) key += 'q';
  }
  return key;
}

/**
 * A line comment that is only an engine's name (`-- MySQL`, `-- ===== SQLite =====`, `-- for
 * ClickHouse only`): scripts that carry one migration for several engines head each version so.
 * PostgreSQL's own banner (`-- PostgreSQL`) ends the other engine's section.
 */
const ENGINE_BANNER = /^[ \t]*--[-=#* \t]*(?:for[ \t]+)?([A-Za-z][A-Za-z /]*?)(?:[ \t]+(?:only|version|syntax))?[-=#* \t]*$/gm;
const POSTGRESQL_NAME = /^(postgres|postgresql|pg|psql)$/i;

/** Where each engine's section of a multi-engine script starts; none when the file has no banner. */
export function engineSections(text: string): { start: number; engine: EngineHint | undefined }[] {
  const sections: { start: number; engine: EngineHint | undefined }[] = [];
  if (!text.includes('--')) return sections;
  for (const match of text.matchAll(ENGINE_BANNER)) {
    const names = match[1].split(/[ \t]*\/[ \t]*|[ \t]+/).filter((n) => n !== '');
    if (names.length === 0 || names.length > 3) continue;
    if (names.every((name) => POSTGRESQL_NAME.test(name))) {
      sections.push({ start: match.index, engine: undefined });
      continue;
    }
    // Every word a name of the same engine (`MySQL / MariaDB`), so that prose is never a banner.
    const engines = names.map((name) => (/^(mysql|mariadb|sqlite|clickhouse|bigquery|snowflake|mssql|sqlserver|oracle|duckdb|redshift|trino|presto)$/i.test(name) ? engineNamed(name) : undefined));
    if (engines.every((engine) => engine !== undefined && engine.name === engines[0]!.name)) {
      sections.push({ start: match.index, engine: engines[0] });
    }
  }
  return sections;
}

/**
 * Shared by the queries without findings, most of them: an analysis keeps one entry per query
 * until the next, and an empty array of its own for each came to 30 KB per analysis of the
 * bench's 997-statement file.
 */
const NO_FINDINGS: readonly Finding[] = [];

/**
 * The analysis of one document over time. Each run finds the queries again (a single linear
 * pass) but parses only those whose text was not in the previous run, so an edit costs one
 * statement's parse, not the file's.
 */
export class DocumentAnalysis {
  private previous = new QueryAnalyses();
  private previousSignature: string | undefined;

  /**
   * `timeBudgetMs`: how long one run may parse before the rest of the document waits for the
   * next run. In the editor the next keystroke brings that run; the CLI has no next run, so it
   * gives no budget and reports the whole file.
   */
  constructor(private readonly timeBudgetMs = DOCUMENT_TIME_BUDGET_MS) {}

  /**
   * `languageId` tells TSX and JSX from TypeScript and JavaScript; `role` says whether the file is
   * a migration or one-off script (see `documentRole.ts`).
   */
  run(text: string, kind: DocumentKind, settings: Settings, languageId?: string, role: DocumentRole = APPLICATION_CODE): AnalysisResult {
    const started = performance.now();
    const fileProblem = checkWholeFile(text, settings);
    if (fileProblem) {
      this.previous = new QueryAnalyses();
      return { queries: [], statements: [], findings: [fileProblem], stats: { queries: 0, analysed: 0, reused: 0, elapsedMs: performance.now() - started } };
    }
    const signature = `${kind}|${analysisSignature(settings)}|${role.oneOff && !role.advice ? (role.test ? 'test' : 'one-off') : ''}|${role.engine?.name ?? ''}`;
    if (this.previousSignature !== signature) {
      this.previous = new QueryAnalyses();
      this.previousSignature = signature;
    }

    // A SQL file in a folder named for another engine (`db/clickhouse/`) is that engine's SQL.
    const fileEngine = kind === 'sql' && settings.dialect === 'postgresql' ? role.engine : undefined;
    const queries = extractQueries(text, kind, fileEngine?.dialect ?? settings.dialect, languageId);
    if (fileEngine) {
      for (const query of queries) {
        if (fileEngine.dialect) query.dialect = fileEngine.dialect;
        else query.otherEngine = fileEngine.name;
      }
    } else if (kind === 'sql' && settings.dialect === 'postgresql') {
      // One script for several engines, a section each under a banner (`-- MySQL`).
      const sections = engineSections(text);
      if (sections.length > 0) {
        for (const query of queries) {
          let engine: EngineHint | undefined;
          for (const section of sections) {
            if (section.start > query.start) break;
            engine = section.engine;
          }
          if (engine?.dialect) query.dialect = engine.dialect;
          else if (engine) query.otherEngine = engine.name;
        }
      }
    }
    const suppressions = Suppressions.of(text);
    const current = new QueryAnalyses();
    const findings: Finding[] = [];
    const statements: (StatementInfo | undefined)[] = [];
    let analysed = 0;
    let reused = 0;
    let stoppedAt = -1;

    for (let index = 0; index < queries.length; index++) {
      const query = queries[index];
      const how = howBuilt(query, kind);
      let result = current.get(query.sql, how) ?? this.previous.get(query.sql, how);
      if (result) {
        reused++;
      } else {
        if (performance.now() - started > this.timeBudgetMs) {
          stoppedAt = index;
          break;
        }
        result = analyseQuery(query, kind, settings, how, role);
        analysed++;
      }
      current.set(query.sql, result);
      statements.push(result.statement);
      for (const finding of result.findings) {
        const [start, end] = query.sqlRangeToDocument(finding.start, finding.end);
        if (!suppressions.isEmpty && suppressions.silences(finding.code, start, query.start, finding.rule === true)) {
          continue;
        }
        findings.push({ ...finding, start, end, queryStart: query.start });
      }
    }
    if (stoppedAt >= 0) {
      const first = queries[stoppedAt];
      findings.push({
        start: first.start,
        end: first.start,
        severity: 'information',
        code: CODES.notAnalysed,
        message:
          `Analysis stopped at query ${stoppedAt + 1} of ${queries.length}: this document used its ` +
          `${this.timeBudgetMs / 1000} s budget. The rest is analysed after the next edit; splitting the file makes each run shorter.`,
      });
    }
    this.previous = current;
    // In document order, as the Problems panel and the CLI list them.
    findings.sort((a, b) => a.start - b.start || a.end - b.end);
    return {
      queries,
      statements,
      findings,
      stats: { queries: queries.length, analysed, reused, elapsedMs: performance.now() - started },
    };
  }
}

function analyseQuery(query: Query, kind: DocumentKind, settings: Settings, how: string, role: DocumentRole): QueryFindings {
  if (query.builtAtRunTime !== undefined) {
    const expression = shortExpression(query.builtAtRunTime);
    return { findings: NO_FINDINGS, statement: { kind: 'other', notPlanned: { category: 'built at run time', reason: `its SQL is built at run time (\`${expression}\`)` } }, how };
  }
  if (query.otherEngine !== undefined) {
    // ClickHouse, BigQuery…: another engine's SQL, which PostgreSQL's parser has no say on.
    return { findings: NO_FINDINGS, statement: { kind: 'other', notPlanned: { category: 'another dialect', reason: `${query.otherEngine} SQL, which Query Lens does not read` } }, how };
  }
  const dialect = query.dialect ?? settings.dialect;
  if (query.sql.length > MAX_QUERY_LENGTH) {
    return {
      findings: [
        {
          start: 0,
          end: 0,
          severity: 'information',
          code: CODES.notAnalysed,
          message:
            `Not analysed: this statement is ${formatSize(query.sql.length)} long, over the ` +
            `${formatSize(MAX_QUERY_LENGTH)} Query Lens parses. Load data like this with COPY or a data file instead.`,
        },
      ],
      how,
    };
  }
  const parsed = parseQuery(query, dialect);
  const { sql, outcome } = parsed;
  if (!outcome.ok) {
    return { findings: [parseProblemFinding(query, outcome)], statement: notAnalysedStatement(query, outcome), how };
  }
  if (dialect !== 'postgresql') {
    // The rules read PostgreSQL's parse tree; the plans come from PostgreSQL.
    const statement: StatementInfo | undefined = dialect !== settings.dialect ? { kind: 'other', notPlanned: { category: 'another dialect', reason: `${dialectLabel(dialect)} SQL (its driver is ${dialectLabel(dialect)}'s)` } } : undefined;
    return { findings: NO_FINDINGS, ...(statement ? { statement } : {}), how };
  }
  const findings: Finding[] = [];
  const statements = ((outcome.ast as { stmts?: PgStatement[] }).stmts ?? []) as PgStatement[];
  const statement = statementInfo(query, parsed, statements);
  const fragmentPrefix = query.shape === 'fragment' ? query.fragmentPrefixLength ?? 0 : 0;
  // One context for all the rules, so that what it computes on demand (the scanner's tokens,
  // the byte-offset table) is computed once per query; `report` files findings under the rule
  // running.
  let rule: Rule = ALL_RULES[0];
  let severity: Severity = rule.defaultSeverity;
  const context = createRuleContext(query, sql, kind, statements, parsed.roles, (finding) => {
    // The statement built around a fragment is ours: nothing in it is the user's to fix.
    if (finding.start < fragmentPrefix) {
      return;
    }
    findings.push({ start: finding.start, end: finding.end, severity, code: rule.id, message: finding.message, rule: true, ...(finding.data !== undefined ? { data: finding.data } : {}) });
  });
  for (const candidate of ALL_RULES) {
    const level = settings.rules[candidate.id];
    if (level === 'off' || (candidate.scope === 'application-code' && kind === 'sql') || (role.oneOff && !role.advice && !(role.test ? (candidate.inTestFiles ?? candidate.inOneOffFiles) : candidate.inOneOffFiles))) {
      continue;
    }
    rule = candidate;
    severity = level ?? rule.defaultSeverity;
    try {
      rule.check(context);
    } catch (error) {
      // A rule that fails on an unusual tree must not hide the others' findings.
      findings.push({ start: 0, end: 0, severity: 'information', code: 'internal-error', message: `Rule ${rule.id} failed on this query: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  if (findings.length > 0 && sql !== query.sql) {
    namesAsWritten(findings, query, parsed);
  }
  return { findings: findings.length > 0 ? findings : NO_FINDINGS, statement, how };
}

/**
 * Rules quote the SQL they read, where a hole read as a name is `q1`: their messages show it as
 * the code writes it (`${schema}.jobs`, `{table}`), not as the parser's stand-in.
 */
function namesAsWritten(findings: Finding[], query: Query, parsed: ParsedQuery): void {
  const written = new Map<string, string>();
  for (const [index, role] of parsed.roles) {
    if (role !== 'name' && role !== 'schema') continue;
    const parameter = query.parameters[index];
    const expression = (parameter.expression ?? '').replace(/\s+/g, ' ');
    const display =
      parameter.source === 'template' || expression === ''
        ? expression || 'a name'
        : query.construction === 'template' || parameter.source === 'bound'
          ? `\${${expression}}`
          : query.construction === 'f-string' || query.construction === 'format'
            ? `{${expression}}`
            : expression;
    written.set(parsed.sql.slice(parameter.sqlStart, parameter.sqlEnd), display);
  }
  if (written.size === 0) return;
  const stand = new RegExp(`\\b(${[...written.keys()].join('|')})\\b`, 'g');
  for (let i = 0; i < findings.length; i++) {
    findings[i] = { ...findings[i], message: findings[i].message.replace(stand, (name) => written.get(name) ?? name) };
  }
}

/**
 * What a parse failure means depends on where it is: in the SQL the user wrote, a syntax error;
 * in the statement built around a fragment, or at a value spliced in at run time, nothing we
 * can judge, so the query is reported as not analysed.
 */
function parseProblemFinding(query: Query, outcome: Extract<ParseOutcome, { ok: false }>): Finding {
  const { problem } = outcome;
  const atHole = query.parameters.some((p) => p.source !== 'placeholder' && (touches(query.sql, p, problem) || (problem.start >= p.sqlEnd && standsForOperator(query.sql, p))));
  // Another dialect's grammar that stops at a hole stops at what the program splices in, not at
  // a gap of the grammar's.
  if (problem.kind !== 'syntax' && !atHole) {
    return { start: problem.start, end: problem.end, severity: 'information', code: CODES.notAnalysed, message: problem.message };
  }
  const parser = outcome.dialect === 'postgresql' ? "PostgreSQL's parser" : `node-sql-parser's ${dialectLabel(outcome.dialect)} grammar`;
  const inPrefix = query.shape === 'fragment' && problem.start < (query.fragmentPrefixLength ?? 0);
  // A template engine fills in its holes and chooses text with its tags before the driver sees
  // the SQL: wherever the parser stops, the text it read is not the text that runs.
  const template = query.templateTags === true || query.parameters.some((p) => p.source === 'template' && TEMPLATE_ENGINE_HOLE.test(p.expression ?? ''));
  if (inPrefix || atHole || template) {
    const start = inPrefix ? query.fragmentPrefixLength ?? 0 : problem.start;
    // The hole the parser stopped at, else the first one.
    const holes = query.parameters.filter((p) => p.source === 'template' || p.source === 'interpolated');
    const hole = holes.find((p) => adjacent(p, problem)) ?? holes[0];
    return {
      start,
      end: inPrefix ? start : problem.end,
      severity: 'information',
      code: CODES.notAnalysed,
      message: inPrefix
        ? `Not analysed: Query Lens reads this ${query.origin} fragment inside a statement of its own, and PostgreSQL's parser rejects it there (${problem.message}).`
        : template && !atHole
          ? `Not analysed: this SQL is completed at run time by a template (${hole?.expression ?? 'its tags'}), so ${parser} cannot read it as written (${problem.message}).`
          : `Not analysed: the SQL here is completed at run time by ${hole?.expression ? `\`${shortExpression(hole.expression)}\`` : 'a value'} spliced into its text, so ${parser} cannot read it as written.`,
    };
  }
  // Another engine's own word, where PostgreSQL's parser stops: SQL written for that engine (a
  // project with two, or a migration kept from the days of the other), which runs there.
  const word = /^syntax error at or near "([A-Za-z_]+)"$/.exec(problem.message)?.[1]?.toUpperCase();
  const engine = word === undefined ? undefined : OTHER_ENGINE_WORDS[word];
  if (engine) {
    return {
      start: problem.start,
      end: problem.end,
      severity: 'information',
      code: CODES.notAnalysed,
      message: `Not analysed: ${word} is ${engine}'s, not PostgreSQL's: this is SQL for ${engine}, which PostgreSQL's parser cannot read (${problem.message}).`,
    };
  }
  // A value the driver writes into the text where PostgreSQL's grammar takes no parameter: what
  // runs has a literal there.
  const atPlaceholder = query.parameters.find((p) => p.source === 'placeholder' && adjacent(p, problem));
  if (query.clientSideParameters && atPlaceholder) {
    return {
      start: problem.start,
      end: problem.end,
      severity: 'information',
      code: CODES.notAnalysed,
      // Not the parser's message: it names the placeholder as it read it (`$1`, or `q1` once retried as a name).
      message: `Not analysed: ${query.origin}'s driver writes this placeholder's value into the text before sending it, and PostgreSQL's grammar takes no parameter here.`,
    };
  }
  return { start: problem.start, end: problem.end, severity: 'error', code: CODES.syntaxError, message: problem.message };
}

/** Words of other engines' SQL that PostgreSQL's grammar has no place for, and whose they are. */
const OTHER_ENGINE_WORDS: Record<string, string> = {
  AUTOINCREMENT: 'SQLite',
  PRAGMA: 'SQLite',
  VIRTUAL: 'SQLite',
  AUTO_INCREMENT: 'MySQL',
  UNSIGNED: 'MySQL',
};

/** Whether a problem's range overlaps the parameter, or ends or starts right beside it. */
function adjacent(parameter: QueryParameter, problem: { start: number; end: number }): boolean {
  return problem.start <= parameter.sqlEnd + 1 && problem.end >= parameter.sqlStart - 1;
}

/**
 * Whether a syntax error is at the hole: on it, or with nothing but white space between them
 * (`FROM (\n  {subquery}\n) AS s`: the parser stops at the `)` a line below).
 */
function touches(sql: string, hole: QueryParameter, problem: { start: number; end: number }): boolean {
  if (adjacent(hole, problem)) return true;
  return (problem.start >= hole.sqlEnd && sql.slice(hole.sqlEnd, problem.start).trim() === '') || (problem.end <= hole.sqlStart && sql.slice(problem.end, hole.sqlStart).trim() === '');
}

/**
 * Whether a hole stands between two operands, where an operator goes (`ts {comparison} ?`): SQL
 * text the program splices in, so a statement that fails after it fails on what it stands for.
 */
function standsForOperator(sql: string, hole: QueryParameter): boolean {
  const before = sql.slice(0, hole.sqlStart).trimEnd();
  const after = sql.slice(hole.sqlEnd).trimStart();
  const lastWord = /\w+$/.exec(before)?.[0].toLowerCase();
  return /[\w)'"\]]$/.test(before) && !(lastWord !== undefined && OPERAND_FOLLOWS.has(lastWord)) && /^[\w$'"(]/.test(after);
}

/** The holes of template engines (`{{x}}`, `{x}`, `%order%`), which may stand for any text; psql's `:x` is a value or a name. */
const TEMPLATE_ENGINE_HOLE = /^(?:\{|%\w)/;

function shortExpression(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? oneLine.slice(0, 39) + '…' : oneLine;
}

/** What the database side knows of a query that did not parse: nothing to plan, and why. */
function notAnalysedStatement(query: Query, outcome: Extract<ParseOutcome, { ok: false }>): StatementInfo {
  const finding = parseProblemFinding(query, outcome);
  return {
    kind: 'other',
    notPlanned: finding.severity === 'error' ? { category: 'syntax error', reason: 'it does not parse' } : { category: 'not analysed', reason: finding.message.replace(/^Not analysed: /, '').replace(/\.$/, '') },
  };
}

/** Files that are not analysed at all get one finding at the top saying why. */
function checkWholeFile(text: string, settings: Settings): Finding | undefined {
  const limit = settings.maxFileSizeKb * 1024;
  if (text.length > limit) {
    return {
      start: 0,
      end: 0,
      severity: 'information',
      code: CODES.fileNotAnalysed,
      message:
        `Not analysed: this file is ${formatSize(text.length)}, over queryLens.maxFileSizeKb ` +
        `(${formatSize(limit)}). Raise the setting to analyse it.`,
    };
  }
  if (text.indexOf('\u0000') >= 0) {
    return {
      start: 0,
      end: 0,
      severity: 'information',
      code: CODES.fileNotAnalysed,
      message: 'Not analysed: this file holds NUL characters, so it is binary, not SQL text.',
    };
  }
  return undefined;
}

export function formatSize(characters: number): string {
  if (characters >= 1024 * 1024) {
    return `${(characters / (1024 * 1024)).toFixed(1)} MB`;
  }
  if (characters >= 1024) {
    return `${Math.round(characters / 1024)} KB`;
  }
  return `${characters} characters`;
}

/** A one-line description of what analyses a dialect, for status messages. */
export function engineDescription(dialect: Dialect): string {
  return `static analysis with ${parserLabel(dialect)}`;
}
