/**
 * Plans every plannable query of a document and turns the answers into findings at the right
 * place: database errors where PostgreSQL points, plan insights under the table they concern,
 * a CodeLens line per query (with the calls and mean run time pg_stat_statements measured, where
 * the database has it), and, for a `CREATE INDEX`, whether the database ever used that index.
 * Plans are cached by normalised SQL and schema version, so an edit plans only the query that
 * changed.
 */
import type { AnalysisResult, Finding, Severity } from '../analyze/analyzeDocument';
import { parseStatement } from '../analyze/parse';
import { walkTree, type Fields } from '../analyze/rules/ast';
import { highestParameter, type StatementInfo } from '../analyze/statementInfo';
import { scanSqlTokens } from '../scan/sqlTokens';
import { Suppressions } from '../analyze/suppressions';
import type { Query } from '../extract/query';
import { formatMegabytes, formatTimestamp } from '../plan/figures';
import { planInsights, PlanInsight, type TableStats } from '../plan/insights';
import { Plan, planFromExplainJson, renderPlanText, summarisePlan } from '../plan/planModel';
import type { PlanResult } from '../protocol';
import type { Settings } from '../settings';
import { byteOffsetToIndex } from '../text/offsets';
import { formatCount } from '../text/numbers';
import type { ActivePlanner } from './databaseService';
import { formatDuration, type Measurements, type MeasuredQuery } from './runtimeStatistics';
import type { ExplainOutcome, QueryError } from './planner';

/** The plan outcomes of recent queries, by schema version and normalised SQL (least recently used dropped first). */
export class PlanCache {
  private readonly entries = new Map<string, ExplainOutcome>();
  /** EXPLAINs in flight, so that a run started by the next keystroke waits for them instead of asking twice. */
  readonly pending = new Map<string, Promise<ExplainOutcome>>();

  constructor(private readonly capacity = 5000) {}

  get(key: string): ExplainOutcome | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: ExplainOutcome): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }
}

/** A CodeLens: one line above a query. */
export interface PlanLens {
  /** Document offset of the query. */
  queryStart: number;
  title: string;
}

export interface DocumentPlans {
  findings: Finding[];
  lenses: PlanLens[];
  /** By query start: what "Show plan" shows. */
  plans: Map<number, PlanResult>;
  stats: { planned: number; cached: number };
}

/** Tokens joined by one space, comments dropped: the same query reformatted has the same plan. */
export function normaliseSql(sql: string): string {
  return scanSqlTokens(sql)
    .map((token) => sql.slice(token.start, token.end))
    .join(' ');
}

/** The codes of what planning reports besides the plan insights (each has a docs page). */
export const DATABASE_CODES = ['ambiguous-column', 'database-error', 'not-planned', 'plan-timeout', 'slow-query', 'type-mismatch', 'unknown-column', 'unknown-function', 'unknown-table', 'unused-index'] as const;

/**
 * What a document's plan findings are filed under, per query: the SQL that was explained, or for
 * a `CREATE INDEX`, its own text (the database says how that index is used). Undefined for a
 * query the database side has nothing to say about.
 */
export function planKeyOf(statement: StatementInfo | undefined, query: Query): string | undefined {
  return statement?.explainSql ?? (statement?.index ? `index ${query.sql}` : undefined);
}

/** Plan-derived codes, by SQLSTATE, for the errors a user most often meets. */
const ERROR_CODES: Record<string, string> = {
  '42P01': 'unknown-table',
  '42703': 'unknown-column',
  '42883': 'unknown-function',
  '42702': 'ambiguous-column',
  '42804': 'type-mismatch',
  '22P02': 'type-mismatch',
};

/**
 * Plans the document's queries. Returns undefined when cancelled or when the connection was
 * lost (`onConnectionLost` is told why).
 */
export async function planDocument(
  text: string,
  analysis: AnalysisResult,
  active: ActivePlanner,
  settings: Settings,
  cache: PlanCache,
  signal: AbortSignal,
  onConnectionLost: (reason: string) => void,
): Promise<DocumentPlans | undefined> {
  const created = createdInDocument(analysis);
  const work: Promise<{ index: number; outcome: ExplainOutcome; cached: boolean }>[] = [];
  analysis.statements.forEach((statement, index) => {
    if (!statement?.explainSql) {
      return;
    }
    const sql = statement.explainSql;
    const key = `${active.schemaVersion}|${normaliseSql(sql)}`;
    const cached = cache.get(key);
    if (cached) {
      work.push(Promise.resolve({ index, outcome: cached, cached: true }));
      return;
    }
    work.push(explainOnce(active, cache, key, sql, signal).then((outcome) => ({ index, outcome, cached: false })));
  });
  const outcomes = await Promise.all(work);
  if (signal.aborted) {
    return undefined;
  }
  const lost = outcomes.find((o) => o.outcome.kind === 'unavailable');
  if (lost && lost.outcome.kind === 'unavailable') {
    onConnectionLost(lost.outcome.reason);
    return undefined;
  }

  // Run times measured by pg_stat_statements for the queries that planned: one read of the view
  // at most every STATISTICS_REFRESH_MS, shared by every document.
  let measurements: Measurements | undefined;
  if (settings.slowQueryMs > 0 && active.statistics) {
    const planned = outcomes.filter((o) => o.outcome.kind === 'plan').map((o) => analysis.statements[o.index]!.explainSql!);
    measurements = planned.length > 0 ? await active.statistics.lookUp(planned).catch(() => undefined) : undefined;
    if (signal.aborted) {
      return undefined;
    }
  }

  const suppressions = Suppressions.of(text);
  const result: DocumentPlans = { findings: [], lenses: [], plans: new Map(), stats: { planned: 0, cached: 0 } };
  const emptyTables = active.embedded ? ' · empty tables' : '';
  const context = {
    table: (schema: string | undefined, name: string) => {
      const exact = schema ? active.tables.get(`${schema}.${name}`) : undefined;
      return exact ?? [...active.tables.values()].find((table) => table.name === name);
    },
    workMemKb: active.planner.facts.workMemKb,
    hashMemMultiplier: active.planner.facts.hashMemMultiplier,
    thresholds: { seqScanMinRows: settings.seqScanMinRows, nestedLoopMaxOuterRows: settings.nestedLoopMaxOuterRows, maxPlanCost: settings.maxPlanCost },
    embedded: active.embedded,
  };
  const add = (query: Query, finding: Omit<Finding, 'queryStart'>) => {
    const level = settings.rules[finding.code];
    if (level === 'off' || (!suppressions.isEmpty && suppressions.silences(finding.code, finding.start, query.start, true))) {
      return;
    }
    result.findings.push({ ...finding, severity: level ?? finding.severity, queryStart: query.start });
  };

  for (const { index, outcome, cached } of outcomes) {
    const query = analysis.queries[index];
    const sql = analysis.statements[index]!.explainSql!;
    result.stats[cached ? 'cached' : 'planned']++;
    if (outcome.kind === 'error') {
      add(query, errorFinding(query, sql, outcome.error, active, created));
      continue;
    }
    if (outcome.kind === 'timeout') {
      const [start, end] = query.sqlRangeToDocument(...firstToken(sql));
      add(query, {
        start,
        end,
        severity: 'information',
        code: 'plan-timeout',
        rule: true,
        message:
          `Not planned: PostgreSQL took longer than queryLens.statementTimeoutMs (${formatCount(outcome.timeoutMs)} ms) to plan this query, so it was cancelled. ` +
          'Planning this slowly usually means very many joined tables or a slow function evaluated while planning; raise the setting to see the plan.',
      });
      continue;
    }
    if (outcome.kind !== 'plan') {
      continue;
    }
    let plan: Plan;
    try {
      plan = planFromExplainJson(outcome.json);
    } catch {
      continue; // an EXPLAIN output we cannot read is nothing to report to the user
    }
    const insights = planInsights(plan, context);
    // Parsed again (once, and only for a query with insights) to find where its tables are named.
    let tree: unknown;
    const parseTree = () => {
      if (tree === undefined) {
        const parsed = parseStatement(sql, 'postgresql');
        tree = parsed.ok ? parsed.ast : null;
      }
      return tree;
    };
    for (const insight of insights) {
      const [start, end] = query.sqlRangeToDocument(...insightSpan(sql, insight, parseTree));
      add(query, { start, end, severity: insight.severity as Severity, code: insight.code, message: insight.message, rule: true });
    }
    const measured = measurements?.bySql.get(sql);
    if (measured && measured.meanMs >= settings.slowQueryMs) {
      const [start, end] = query.sqlRangeToDocument(...firstToken(sql));
      add(query, { start, end, severity: 'warning', code: 'slow-query', rule: true, message: slowQueryMessage(measured, measurements!.since, active.label, settings.slowQueryMs) });
    }
    const runTimes = measured ? ` · ${formatCount(measured.calls)} ${measured.calls === 1 ? 'call' : 'calls'}, mean ${formatDuration(measured.meanMs)}` : '';
    result.lenses.push({ queryStart: query.start, title: `${summarisePlan(plan)}${emptyTables}${runTimes}` });
    result.plans.set(query.start, {
      sql,
      database: active.label,
      json: outcome.json,
      text: renderPlanText(plan),
      insights: insights.map((insight) => ({ code: insight.code, severity: insight.severity, message: insight.message })),
    });
  }
  // CREATE INDEX statements: an index the database has, on a table it reads, that it never uses.
  if (!active.embedded) {
    analysis.statements.forEach((statement, index) => {
      const created = statement?.index;
      if (created) {
        const query = analysis.queries[index];
        const finding = unusedIndexFinding(query, created, context.table(created.schema, created.table), active.label);
        if (finding) add(query, finding);
      }
    });
  }
  result.findings.sort((a, b) => a.start - b.start || a.end - b.end);
  return result;
}

/** Below this many scans of its table, an index nobody used says nothing: the database has seen little work. */
export const UNUSED_INDEX_MIN_TABLE_SCANS = 1000;

/**
 * `unused-index`: the index a `CREATE INDEX` names exists in the database, its table has been
 * read at least UNUSED_INDEX_MIN_TABLE_SCANS times, and never through it. Unique indexes are
 * kept: they enforce a constraint whether or not a query reads them.
 */
function unusedIndexFinding(query: Query, created: NonNullable<StatementInfo['index']>, table: TableStats | undefined, database: string): Omit<Finding, 'queryStart'> | undefined {
  const index = table?.indexes.find((candidate) => candidate.name === created.name);
  const upkeep = table?.maintenance;
  if (!table || !index || !upkeep || index.unique || typeof index.scans !== 'number' || index.scans > 0 || upkeep.scans < UNUSED_INDEX_MIN_TABLE_SCANS) {
    return undefined;
  }
  const name = scanSqlTokens(query.sql).find((token) => token.text === created.name.toLowerCase() || token.text === `"${created.name.toLowerCase()}"`);
  const [start, end] = query.sqlRangeToDocument(...(name ? ([name.start, name.end] as [number, number]) : firstToken(query.sql)));
  const since = upkeep.countedSince ? `since its statistics were reset (${formatTimestamp(upkeep.countedSince)})` : 'since its statistics began';
  const size = typeof index.bytes === 'number' ? ` takes ${formatMegabytes(index.bytes)} and` : '';
  return {
    start,
    end,
    severity: 'information',
    code: 'unused-index',
    rule: true,
    message:
      `${created.name} has not been used ${since} in ${database}: ${table.name} was read ${formatCount(upkeep.scans)} times, never through this index, which${size} is updated on every write to ${table.name}. ` +
      `If the production database agrees (idx_scan = 0 in its pg_stat_user_indexes), drop it: DROP INDEX CONCURRENTLY ${created.name};`,
  };
}

/** What pg_stat_statements measured for a slow query, and where to look for the time. */
function slowQueryMessage(measured: MeasuredQuery, since: Date | undefined, database: string, thresholdMs: number): string {
  const calls = `${formatCount(measured.calls)} ${measured.calls === 1 ? 'call' : 'calls'}`;
  const counted = since ? ` since ${formatTimestamp(since)}` : '';
  const rowsPerCall = measured.rows / measured.calls;
  const rows = rowsPerCall >= 1000 ? ` It returns ${formatCount(rowsPerCall)} rows a call: returning fewer (a tighter filter, keyset pagination) saves time on both sides.` : '';
  return (
    `Measured in ${database}: a mean of ${formatDuration(measured.meanMs)} over ${calls} (the slowest ${formatDuration(measured.maxMs)}, ${formatDuration(measured.totalMs)} in all${counted}; pg_stat_statements), ` +
    `at or over queryLens.slowQueryMs (${formatCount(thresholdMs)} ms). Open its plan (Show plan, or query-lens explain) for the step that takes the time: an index on what it filters or joins on, ` +
    `or caching a result that changes rarely, are the usual remedies.${rows}`
  );
}

/**
 * One EXPLAIN per statement at a time: a run that finds the same statement in flight (from the
 * run the last keystroke cancelled) waits for it, unless that one was cancelled before it started.
 */
async function explainOnce(active: ActivePlanner, cache: PlanCache, key: string, sql: string, signal: AbortSignal): Promise<ExplainOutcome> {
  const inFlight = cache.pending.get(key);
  if (inFlight) {
    const shared = await inFlight;
    if (shared.kind !== 'cancelled') {
      return shared;
    }
  }
  const explained = active.planner.explain(sql, highestParameter(sql), signal).then((outcome) => {
    if (cache.pending.get(key) === explained) {
      cache.pending.delete(key);
    }
    if (outcome.kind === 'plan' || outcome.kind === 'error' || outcome.kind === 'timeout') {
      cache.set(key, outcome);
    }
    return outcome;
  });
  cache.pending.set(key, explained);
  return explained;
}

/** The tables and views the document itself creates: an "unknown table" for them is not an error here. */
function createdInDocument(analysis: AnalysisResult): Map<string, number> {
  const created = new Map<string, number>();
  analysis.statements.forEach((statement, index) => {
    for (const name of statement?.creates ?? []) {
      if (!created.has(name)) {
        created.set(name, analysis.queries[index].start);
      }
    }
  });
  return created;
}

function errorFinding(query: Query, sql: string, error: QueryError, active: ActivePlanner, created: Map<string, number>): Omit<Finding, 'queryStart'> {
  const span = error.position !== undefined ? tokenAt(sql, error.position) : firstToken(sql);
  const [start, end] = query.sqlRangeToDocument(...span);
  // "operator does not exist: text = integer" shares 42883 with unknown functions, but is a type mismatch.
  const code = error.sqlState === '42883' && error.message.startsWith('operator does not exist') ? 'type-mismatch' : (error.sqlState && ERROR_CODES[error.sqlState]) ?? 'database-error';
  const missingTable = error.sqlState === '42P01' ? /relation "([^"]+)" does not exist/.exec(error.message)?.[1] : undefined;
  if (missingTable && created.has(missingTable.split('.').pop()!)) {
    return {
      start,
      end,
      severity: 'information',
      code: 'not-planned',
      message: `Not planned: ${missingTable} is created in this file but not yet in ${active.label}. Apply the file to plan the queries that use it.`,
    };
  }
  // "embedded database, schema from migrations/" rather than the status bar's "embedded (schema from migrations/)".
  const where = active.embedded ? active.label.replace(/^embedded \((.*)\)$/, 'embedded database, $1') : active.label;
  let remedy = '';
  if (error.hint) {
    remedy = ` ${error.hint}`;
  } else if (code === 'unknown-table') {
    remedy = active.embedded ? ' Check the name, or add the file that creates it to queryLens.schemaFiles.' : ' Check the name and the search_path, or apply the migration that creates it.';
  } else if (code === 'unknown-column') {
    remedy = ' Check the name against the table definition.';
  }
  // Errors are for SQL that cannot run; a permission the planning role lacks says nothing of the SQL.
  const severity: Severity = error.sqlState === '42501' ? 'information' : 'error';
  return { start, end, severity, code, message: `${capitalise(error.message)} (${where}).${remedy}` };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The token that starts at (or contains) `offset`; PostgreSQL points at a token's first character. */
function tokenAt(sql: string, offset: number): [number, number] {
  for (const token of scanSqlTokens(sql)) {
    if (token.end > offset) {
      return token.start <= offset ? [token.start, token.end] : [offset, offset];
    }
  }
  return [offset, offset];
}

function firstToken(sql: string): [number, number] {
  const first = scanSqlTokens(sql)[0];
  return first ? [first.start, first.end] : [0, 0];
}

/**
 * Where an insight belongs in the SQL: the reference to its table (`orders` or `orders o` in
 * FROM), found in the parse tree; else the statement's first keyword.
 */
function insightSpan(sql: string, insight: PlanInsight, parseTree: () => unknown): [number, number] {
  const relation = insight.relation;
  if (relation) {
    const tree = parseTree();
    if (tree) {
      let found: [number, number] | undefined;
      walkTree(tree, (type, fields: Fields) => {
        if (found || type !== 'RangeVar' || fields.relname !== relation.name) {
          return;
        }
        const alias = (fields.alias as { aliasname?: string } | undefined)?.aliasname;
        if (relation.alias && alias && alias !== relation.alias && relation.alias !== relation.name) {
          return;
        }
        if (typeof fields.location === 'number') {
          found = qualifiedNameSpan(sql, byteOffsetToIndex(sql, fields.location));
        }
      });
      if (found) {
        return found;
      }
    }
  }
  return firstToken(sql);
}

/** `orders`, `public.orders` or `"Orders"` starting at `start`. */
function qualifiedNameSpan(sql: string, start: number): [number, number] {
  const tokens = scanSqlTokens(sql.slice(start));
  let end = tokens[0] ? start + tokens[0].end : start;
  for (let i = 1; i + 1 < tokens.length && tokens[i].text === '.' && tokens[i].start === tokens[i - 1].end; i += 2) {
    end = start + tokens[i + 1].end;
  }
  return [start, end];
}
