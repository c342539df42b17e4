/**
 * Plans every plannable query of a document and turns the answers into findings at the right
 * place: database errors where PostgreSQL points, plan insights under the table they concern,
 * a CodeLens line per query (with the calls and mean run time pg_stat_statements measured, where
 * the database has it), and, for a `CREATE INDEX`, whether the database ever used that index.
 * Plans are cached by normalised SQL and schema version, so an edit plans only the query that
 * changed.
 */
import type { AnalysisResult, Finding, Severity } from '../analyze/analyzeDocument';
import { APPLICATION_CODE, type DocumentRole } from '../analyze/documentRole';
import { parseStatement } from '../analyze/parse';
import { walkTree, type Fields } from '../analyze/rules/ast';
import { asNode } from '../analyze/rules/rule';
import { NEVER_NULL, notInSublink, nullOnlyWith } from '../analyze/rules/preferNotExists';
import { highestParameter, type NotPlanned, type StatementInfo } from '../analyze/statementInfo';
import { scanSqlTokens } from '../scan/sqlTokens';
import { Suppressions } from '../analyze/suppressions';
import type { Query } from '../extract/query';
import { formatCost, formatMegabytes, formatTimestamp } from '../plan/figures';
import { FOREIGN_KEY_MIN_ROWS, redundantIndexesOf } from '../advise/workload';
import { candidatesOf, createIndexStatement, describeIndex, verifyIndex, type IndexCandidate, type IndexVerdict } from '../advise/verifyIndex';
import { prefersCustomPlans, representativeValues, type ValueSet } from './customPlans';
import { planInsights, PlanInsight, unquoteIdentifier, type PlanContext, type TableStats } from '../plan/insights';
import { planReport, type PlanReport, type PlanTip, type PlanTipId } from '../plan/planReport';
import { describeNode, Plan, planFromExplainJson, renderPlanText, summarisePlan, walkPlan, type PlanNode } from '../plan/planModel';
import type { PlanResult } from '../protocol';
import type { Settings } from '../settings';
import { byteOffsetToIndex } from '../text/offsets';
import { abbreviated, likelyMeant } from '../text/similarity';
import { columnsInScope } from '../schemaHelp/schemaHelp';
import { formatCount } from '../text/numbers';
import type { ActivePlanner } from './databaseService';
import { formatDuration, type Measurements, type MeasuredQuery } from './runtimeStatistics';
import type { ExplainOutcome, QueryError } from './planner';
import { quoteIdentifier } from '../text/identifiers';

/** The plan outcomes of recent queries, by schema version and normalised SQL (least recently used dropped first). */
export class PlanCache {
  private readonly entries = new Map<string, ExplainOutcome>();
  /** EXPLAINs in flight, so that a run started by the next keystroke waits for them instead of asking twice. */
  readonly pending = new Map<string, Promise<ExplainOutcome>>();
  /** What trying a suggested index said, by schema version, query and index (bounded like the plans). */
  readonly verdicts = new BoundedMap<string, IndexVerdict>(1000);
  /** Custom plans of queries with parameters, by schema version and query (null: none to make). */
  readonly customPlans = new BoundedMap<string, { set: ValueSet; plan: Plan }[] | null>(1000);
  /** The indexes the plans of the workspace's queries use: never reported as unused. */
  readonly usedIndexes = new Set<string>();

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
    this.verdicts.clear();
    this.customPlans.clear();
    this.usedIndexes.clear();
  }
}

/** A map that forgets its oldest entry past `capacity`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.capacity) {
      super.delete(this.keys().next().value as K);
    }
    return this;
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
  plans: Map<number, PlannedQuery>;
  /** By query index: the plan's total cost, rows and top node, or why the query was not planned. */
  outcomes: Map<number, QueryPlanOutcome>;
  /**
   * By query start: the codes of static findings on that query the database shows to be moot
   * (see `settledByPlan`), withdrawn wherever diagnostics are shown.
   */
  settled: Map<number, string[]>;
  /** The indexes plan findings name, each as it was tried on the database: the quick fix's and `advise`'s matter. */
  indexAdvice: IndexAdvice[];
  stats: { planned: number; cached: number };
}

/**
 * A query's plan as the editor and the CLI get it; what only the plan viewer and `explain` read
 * (the report, its tips and the source ranges) is made when asked for, not for every plan of
 * every edit.
 */
export type PlannedQuery = Omit<PlanResult, 'report' | 'sourceRanges' | 'documentRanges' | 'queryStart'> & {
  viewer: () => Pick<PlanResult, 'report' | 'sourceRanges' | 'documentRanges'>;
};

/** An index a plan finding names, for one query, with what trying it said. */
export interface IndexAdvice {
  queryIndex: number;
  /** The finding's range in the document. */
  start: number;
  end: number;
  code: string;
  /** The statement as planned (`$n` for its parameters), and the values of the custom plan the finding came from. */
  sql: string;
  parameterCount: number;
  values?: readonly (string | null)[];
  candidate: IndexCandidate;
  /** Indexes to create with `candidate`, one per other branch of an OR (a BitmapOr reads them all). */
  alongside?: IndexCandidate[];
  verdict: IndexVerdict;
}

/** What planning made of one query, for the CLI's accounting and the editor's CodeLens. */
export type QueryPlanOutcome =
  | { planned: true; cost: number; rows: number; node: string }
  | { planned: false; notPlanned: NotPlanned };


/** Tokens joined by one space, comments dropped: the same query reformatted has the same plan. */
export function normaliseSql(sql: string): string {
  return scanSqlTokens(sql)
    .map((token) => sql.slice(token.start, token.end))
    .join(' ');
}

/** The codes of what planning reports besides the plan insights (each has a docs page). */
export const DATABASE_CODES = ['ambiguous-column', 'database-error', 'not-planned', 'plan-timeout', 'redundant-index', 'slow-query', 'type-mismatch', 'unindexed-foreign-key', 'unknown-column', 'unknown-function', 'unknown-table', 'unused-index'] as const;

/**
 * What a document's plan findings are filed under, per query: the SQL that was explained, or for
 * a `CREATE INDEX`, its own text (the database says how that index is used). Undefined for a
 * query the database side has nothing to say about.
 */
export function planKeyOf(statement: StatementInfo | undefined, query: Query): string | undefined {
  return statement?.explainSql ?? (statement?.index || statement?.foreignKeys ? `ddl ${query.sql}` : undefined);
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
  role: DocumentRole = APPLICATION_CODE,
): Promise<DocumentPlans | undefined> {
  const created = createdInDocument(analysis);
  const work: Promise<{ index: number; outcome: ExplainOutcome; cached: boolean; explained: ExplainedText }>[] = [];
  const unresolved = new Map<number, NotPlanned>();
  analysis.statements.forEach((statement, index) => {
    if (!statement?.explainSql) {
      return;
    }
    const explained = resolveSchemaHoles(statement, active);
    if ('notPlanned' in explained) {
      unresolved.set(index, explained.notPlanned);
      return;
    }
    const sql = explained.sql;
    const key = `${active.schemaVersion}|${normaliseSql(sql)}`;
    const cached = cache.get(key);
    if (cached) {
      work.push(Promise.resolve({ index, outcome: cached, cached: true, explained }));
      return;
    }
    work.push(explainOnce(active, cache, key, sql, signal).then((outcome) => ({ index, outcome, cached: false, explained })));
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
  const result: DocumentPlans = { findings: [], lenses: [], plans: new Map(), outcomes: new Map(), settled: new Map(), indexAdvice: [], stats: { planned: 0, cached: 0 } };
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

  const notPlanned = (index: number, why: NotPlanned) => {
    const query = analysis.queries[index];
    result.outcomes.set(index, { planned: false, notPlanned: why });
    result.lenses.push({ queryStart: query.start, title: `not planned: ${why.reason}` });
  };
  for (const [index, why] of unresolved) {
    notPlanned(index, why);
  }
  for (const { index, outcome, cached, explained } of outcomes) {
    const query = analysis.queries[index];
    const sql = explained.sql;
    result.stats[cached ? 'cached' : 'planned']++;
    if (outcome.kind === 'error') {
      const why = unplannableError(query, explained, outcome.error, active, query.backgroundUpdate ? { ...role, oneOff: true } : role, created);
      if (why) {
        notPlanned(index, why);
        const [start, end] = query.sqlRangeToDocument(...firstToken(query.sql));
        add(query, { start, end, severity: 'information', code: 'not-planned', message: `Not planned: ${why.reason}.` });
        continue;
      }
      result.outcomes.set(index, { planned: false, notPlanned: { category: 'refused by the database', reason: outcome.error.message } });
      add(query, errorFinding(query, explained, outcome.error, active, created));
      continue;
    }
    if (outcome.kind === 'timeout') {
      result.outcomes.set(index, { planned: false, notPlanned: { category: 'planning timed out', reason: `planning took longer than ${formatCount(outcome.timeoutMs)} ms` } });
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
    result.outcomes.set(index, { planned: true, cost: plan.root.totalCost, rows: plan.root.planRows, node: describeNode(plan.root) });
    const settled = active.embedded ? [] : settledByPlan(plan, analysis.findings, query.start, context.table);
    // An index a query of the workspace is planned with is never reported unused.
    walkPlan(plan, (node) => {
      if (node.indexName !== undefined) cache.usedIndexes.add(node.indexName);
    });
    // A migration or one-off script runs once: how fast is not worth a warning.
    const insights = role.oneOff && !role.advice ? [] : await verifiedInsights(await asRun(planInsights(plan, context), plan, sql, active, context, cache), plan, sql, active, cache, settings.indexMinGainPercent / 100);
    if (expressionIndexesSettled(analysis.findings, query.start, insights, context.table, active.tables.values())) settled.push('non-sargable-predicate');
    settled.push(...settledBySchema(sql, analysis.findings, query.start, context.table));
    if (settled.length > 0) result.settled.set(query.start, settled);
    // Parsed again (once, and only for a query with insights) to find where its tables are named.
    let tree: unknown;
    const parseTree = () => {
      if (tree === undefined) {
        const parsed = parseStatement(sql, 'postgresql');
        tree = parsed.ok ? parsed.ast : null;
      }
      return tree;
    };
    // Planned as a superuser (or a BYPASSRLS role), a table with row-level security is read
    // without its policies' conditions, which the application's role gets (Logto's per-tenant
    // policies make `tenant_id` lead every lookup): say so where the plan speaks of such a table.
    const shownMessage = (insight: PlanInsight) => {
      const stats = insight.relation ? context.table(insight.relation.schema, insight.relation.name) : undefined;
      return stats?.rowSecurity && active.planner.facts.bypassesRowSecurity
        ? `${insight.message} (Planned as ${active.planner.facts.role ?? 'this role'}, which bypasses the row-level security of ${stats.name}: the application's role also filters by its policies, so its plan may differ.)`
        : insight.message;
    };
    for (const insight of insights) {
      const [start, end] = query.sqlRangeToDocument(...explained.toQuery(insightSpan(sql, insight, parseTree)));
      add(query, { start, end, severity: insight.severity as Severity, code: insight.code, message: shownMessage(insight), rule: true });
      const tried = triedIndexOf.get(insight);
      if (tried) result.indexAdvice.push({ queryIndex: index, start, end, code: insight.code, sql, parameterCount: highestParameter(sql), ...tried });
    }
    const measured = measurements?.bySql.get(sql);
    if (measured && measured.meanMs >= settings.slowQueryMs) {
      const [start, end] = query.sqlRangeToDocument(...firstToken(sql));
      add(query, { start, end, severity: 'warning', code: 'slow-query', rule: true, message: slowQueryMessage(measured, measurements!.since, active.label, settings.slowQueryMs) });
    }
    const runTimes = measured ? ` · ${formatCount(measured.calls)} ${measured.calls === 1 ? 'call' : 'calls'}, mean ${formatDuration(measured.meanMs)}` : '';
    result.lenses.push({ queryStart: query.start, title: `${summarisePlan(plan)}${emptyTables}${runTimes}` });
    let viewer: ReturnType<PlannedQuery['viewer']> | undefined;
    result.plans.set(query.start, {
      sql,
      database: active.label,
      json: outcome.json,
      text: renderPlanText(plan),
      insights: insights.map((insight) => ({ code: insight.code, severity: insight.severity, message: shownMessage(insight) })),
      viewer: () => {
        if (viewer) return viewer;
        const sourceRanges = sourceRangesOf(sql, plan, parseTree);
        const documentRanges = Object.fromEntries(
          Object.entries(sourceRanges).map(([id, range]) => {
            const [start, end] = query.sqlRangeToDocument(...explained.toQuery([range.start, range.end]));
            return [id, { start: start - query.start, end: end - query.start }];
          }),
        );
        return (viewer = { report: verifiedReport(plan, context, insights), sourceRanges, documentRanges });
      },
    });
  }
  // CREATE INDEX statements: an index the database has, on a table it reads, that it never uses;
  // one another index of its table makes redundant (the schema's, so the embedded database too).
  analysis.statements.forEach((statement, index) => {
    const created = statement?.index;
    if (!created) return;
    const query = analysis.queries[index];
    const table = context.table(created.schema, created.table);
    const unused = active.embedded || cache.usedIndexes.has(created.name) ? undefined : unusedIndexFinding(query, created, table, active.label, settings.unusedIndexMinDays);
    if (unused) add(query, unused);
    const redundant = table ? redundantIndexFinding(query, created.name, table) : undefined;
    if (redundant) add(query, redundant);
  });
  // Foreign keys declared in the file whose columns lead no index of their table, by the
  // database's statistics (the embedded database's empty tables say nothing of their size).
  if (!active.embedded) {
    analysis.statements.forEach((statement, index) => {
      for (const key of statement?.foreignKeys ?? []) {
        const query = analysis.queries[index];
        const table = context.table(key.schema, key.table);
        const unindexed = table ? unindexedForeignKey(query, key, table) : undefined;
        if (!unindexed) continue;
        add(query, unindexed.finding);
        result.indexAdvice.push({ queryIndex: index, start: unindexed.finding.start, end: unindexed.finding.end, code: unindexed.finding.code, sql: query.sql, parameterCount: 0, candidate: unindexed.candidate, verdict: { method: 'none', reason: 'EXPLAIN does not show foreign-key checks', statement: createIndexStatement(unindexed.candidate) } });
      }
    });
  }
  result.findings.sort((a, b) => a.start - b.start || a.end - b.end);
  // A schema fact, not a plan's: a query that was not planned (built at run time, refused) is
  // settled as a planned one is.
  analysis.queries.forEach((query, index) => {
    if (result.outcomes.get(index)?.planned === true) return;
    const settled = settledBySchema(query.sql, analysis.findings, query.start, context.table);
    if (settled.length > 0) result.settled.set(query.start, [...(result.settled.get(query.start) ?? []), ...settled]);
  });
  return result;
}

const DAY_MS = 24 * 3_600_000;

/** Below this many scans of its table, an index nobody used says nothing: the database has seen little work. */
export const UNUSED_INDEX_MIN_TABLE_SCANS = 1000;

/**
 * Whether the index `name` of `table` is one `unused-index` reports: the database has it, it is
 * not unique, no scan ever went through it while its table was read at least
 * UNUSED_INDEX_MIN_TABLE_SCANS times, and the statistics have been counting for `minDays` days.
 */
export function isReportedUnused(table: TableStats, name: string, minDays: number, now = Date.now()): boolean {
  const index = table.indexes.find((candidate) => candidate.name === name);
  const upkeep = table.maintenance;
  if (!index || !upkeep || index.unique || typeof index.scans !== 'number' || index.scans > 0 || upkeep.scans < UNUSED_INDEX_MIN_TABLE_SCANS) {
    return false;
  }
  // Statistics a few days old have seen too little of the work (a weekly report, a monthly job)
  // to say that an index is never used.
  return upkeep.countedSince !== undefined && now - upkeep.countedSince.getTime() >= minDays * DAY_MS;
}

/**
 * `unused-index`: the index a `CREATE INDEX` names exists in the database, its table has been
 * read at least UNUSED_INDEX_MIN_TABLE_SCANS times, and never through it. Unique indexes are
 * kept: they enforce a constraint whether or not a query reads them.
 */
function unusedIndexFinding(query: Query, created: NonNullable<StatementInfo['index']>, table: TableStats | undefined, database: string, minDays: number): Omit<Finding, 'queryStart'> | undefined {
  if (!table || !isReportedUnused(table, created.name, minDays)) {
    return undefined;
  }
  const index = table.indexes.find((candidate) => candidate.name === created.name)!;
  const upkeep = table.maintenance!;
  const [start, end] = indexNameRange(query, created.name);
  const since = `since ${formatTimestamp(upkeep.countedSince!)} (when its statistics began counting)`;
  const size = typeof index.bytes === 'number' ? ` takes ${formatMegabytes(index.bytes)} and` : '';
  return {
    start,
    end,
    severity: 'information',
    code: 'unused-index',
    rule: true,
    message:
      `${created.name} has not been used in ${database} ${since}: ${table.name} was read ${formatCount(upkeep.scans)} times, never through this index, which${size} is updated on every write to ${table.name}. ` +
      `If the production database agrees (idx_scan = 0 in its pg_stat_user_indexes), drop it: DROP INDEX CONCURRENTLY ${created.name};`,
  };
}

/**
 * `redundant-index`: the index a `CREATE INDEX` names exists, and another index of its table
 * does all it does: an exact duplicate, or a plain b-tree whose keys lead another's (see
 * advise/workload.ts's redundantIndexes; never one that backs a constraint).
 */
function redundantIndexFinding(query: Query, name: string, table: TableStats): Omit<Finding, 'queryStart'> | undefined {
  const redundant = redundantIndexesOf(table).get(name);
  if (!redundant) return undefined;
  const other = table.indexes.find((index) => index.name === redundant.of);
  const bytes = table.indexes.find((index) => index.name === name)?.bytes;
  const size = typeof bytes === 'number' ? ` (${name} takes ${formatMegabytes(bytes)})` : '';
  const [start, end] = indexNameRange(query, name);
  const why = redundant.reason.startsWith('duplicate')
    ? `${name} duplicates ${redundant.of}: the same keys, method and predicate`
    : `${name} is a prefix of ${redundant.of} (${other?.columns.join(', ') ?? ''}): a b-tree is read by any leading part of its keys, so every query ${name} serves, ${redundant.of} serves too`;
  return {
    start,
    end,
    severity: 'information',
    code: 'redundant-index',
    rule: true,
    message: `${why}, while both are written on every change to ${table.name}${size}. Drop it, in a migration of its own: ${redundant.statement};`,
  };
}

/**
 * `unindexed-foreign-key`: a foreign key whose columns lead no index of the referencing table,
 * a table of FOREIGN_KEY_MIN_ROWS rows or more. Deleting a referenced row (or changing its key)
 * makes PostgreSQL look for the rows that reference it: without an index, a scan of the whole
 * table for each row, which EXPLAIN of the DELETE never shows.
 */
function unindexedForeignKey(query: Query, key: NonNullable<StatementInfo['foreignKeys']>[number], table: TableStats): { finding: Omit<Finding, 'queryStart'>; candidate: IndexCandidate } | undefined {
  if (table.rows < FOREIGN_KEY_MIN_ROWS) return undefined;
  const wanted = new Set(key.columns);
  // Declared in an old migration and dropped or replaced since: the database has no such key.
  if (table.foreignKeys && !table.foreignKeys.some((columns) => columns.length === wanted.size && columns.every((column) => wanted.has(column)))) return undefined;
  const leads = (index: TableStats['indexes'][number]) => index.columns.length >= key.columns.length && index.columns.slice(0, key.columns.length).every((column) => wanted.has(unquoteIdentifier(column)));
  if (table.indexes.some((index) => !index.partial && leads(index))) return undefined;
  // `CREATE INDEX … (worker_id) WHERE status = 'doing'` leads with the key, but the check looks
  // for every row that references the deleted one, whatever its status.
  const partial = table.indexes.find((index) => index.partial && leads(index));
  const predicate = partial?.definition !== undefined ? / WHERE (.*)$/.exec(partial.definition)?.[1] : undefined;
  const candidate: IndexCandidate = { ...onTable(table), columns: key.columns };
  const word = /^\w+/.exec(query.sql.slice(key.at))?.[0] ?? '';
  const [start, end] = query.sqlRangeToDocument(key.at, key.at + Math.max(word.length, 1));
  return {
    candidate,
    finding: {
      start,
      end,
      severity: 'information',
      code: 'unindexed-foreign-key',
      rule: true,
      message:
        (partial
          ? `The only index of ${table.name} that leads with ${key.columns.join(', ')}, the columns of its foreign key to ${key.references}, is partial (${partial.name}${predicate ? `, WHERE ${predicate}` : ''}), which the key's check cannot use: each DELETE of a ${key.references} row, and each change of its key, `
          : `No index of ${table.name} leads with ${key.columns.join(', ')}, the columns of its foreign key to ${key.references}: each DELETE of a ${key.references} row, and each change of its key, `) +
        `reads all ~${formatCount(table.rows)} rows of ${table.name} to find the rows that reference it, and so does a join from ${key.references} to ${table.name}. ` +
        `Create one: ${createIndexStatement(candidate).replace(/^CREATE INDEX ON /, table.partitioned ? 'CREATE INDEX ON ' : 'CREATE INDEX CONCURRENTLY ON ')};`,
    },
  };
}

/** The index's name in its CREATE INDEX, or the statement's first token when the name is not written. */
function indexNameRange(query: Query, name: string): [number, number] {
  const token = scanSqlTokens(query.sql).find((t) => t.text === name.toLowerCase() || t.text === `"${name.toLowerCase()}"`);
  return query.sqlRangeToDocument(...(token ? ([token.start, token.end] as [number, number]) : firstToken(query.sql)));
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

function errorFinding(query: Query, explained: ExplainedText, error: QueryError, active: ActivePlanner, created: Map<string, number>): Omit<Finding, 'queryStart'> {
  const sql = explained.sql;
  // A name PostgreSQL could not find is underlined whole: `o.total`, `public.orders`, not `o`.
  const wholeName = error.sqlState === '42703' || error.sqlState === '42P01';
  const span = error.position !== undefined ? (wholeName ? nameAt(sql, error.position) : tokenAt(sql, error.position)) : firstToken(sql);
  const [start, end] = query.sqlRangeToDocument(...explained.toQuery(span));
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
  // `rowid` is SQLite's row id (Synapse's port script reads SQLite with it): SQL for SQLite, which
  // says nothing of PostgreSQL's schema.
  const missingColumn = error.sqlState === '42703' ? /column "?(?:[^".\s]+\.)?([^".\s]+)"? does not exist/.exec(error.message)?.[1] : undefined;
  if (missingColumn !== undefined && /^_?rowid_?$/i.test(missingColumn)) {
    return {
      start,
      end,
      severity: 'information',
      code: 'not-planned',
      message: `Not planned: ${missingColumn} is SQLite's row id, which PostgreSQL tables do not have: this is SQL for SQLite, not checked in ${active.label}.`,
    };
  }
  // "embedded database, schema from migrations/" rather than the status bar's "embedded (schema from migrations/)".
  const where = active.embedded ? active.label.replace(/^embedded \((.*)\)$/, 'embedded database, $1') : active.label;
  let remedy = '';
  if (error.hint) {
    remedy = ` ${error.hint}`;
  } else if (code === 'unknown-table') {
    const meant = missingTable ? likelyMeant(missingTable.split('.').pop()!, [...active.tables.values()].map((table) => table.name)) : undefined;
    remedy = meant
      ? ` Did you mean ${meant}?`
      : active.embedded
        ? ' Check the name, or add the file that creates it to queryLens.schemaFiles.'
        : ' Check the name and the search_path, or apply the migration that creates it.';
  } else if (code === 'unknown-column') {
    // PostgreSQL hints at a column one or two edits away; a name further off may still be an
    // abbreviation of one (`totl` for `total_cents`), among the columns the name can mean.
    // `column o.totl does not exist`, `column "totl" does not exist`.
    const missing = /column "?(?:([^".\s]+)\.)?([^".\s]+)"? does not exist/.exec(error.message);
    const columns = missing ? columnsInScope(sql, span[0], missing[1], active.tables.values()) : [];
    const meant = missing ? likelyMeant(missing[2], columns) ?? abbreviated(missing[2], columns) : undefined;
    remedy = meant ? ` Did you mean ${meant}?` : ' Check the name against the table definition.';
  }
  // Errors are for SQL that cannot run; a permission the planning role lacks says nothing of the SQL.
  const severity: Severity = error.sqlState === '42501' ? 'information' : 'error';
  return { start, end, severity, code, message: `${capitalise(error.message)} (${where}).${remedy}` };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The (qualified) name PostgreSQL points at, or the token there when it is no name. */
function nameAt(sql: string, offset: number): [number, number] {
  const token = tokenAt(sql, offset);
  if (token[0] !== offset) return token;
  const [start, end] = qualifiedNameSpan(sql, offset);
  return end > start ? [start, end] : token;
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
  return (insight.relation && relationSpan(sql, insight.relation, parseTree)) || firstToken(sql);
}

/** Where the query names a relation (by the alias it gave it, when it gave one). */
function relationSpan(sql: string, relation: { name: string; alias?: string }, parseTree: () => unknown): [number, number] | undefined {
  const tree = parseTree();
  if (!tree) return undefined;
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
  return found;
}

/**
 * For the plan viewer: per node id (pre-order, as planReport numbers them), the part of the SQL
 * it comes from where that can be known: a scan's table reference (with its alias).
 */
function sourceRangesOf(sql: string, plan: Plan, parseTree: () => unknown): Record<number, { start: number; end: number }> {
  const ranges: Record<number, { start: number; end: number }> = {};
  let id = 0;
  walkPlan(plan, (node) => {
    const current = id++;
    if (node.relationName === undefined) return;
    const span = relationSpan(sql, { name: node.relationName, ...(node.alias ? { alias: node.alias } : {}) }, parseTree);
    if (span) ranges[current] = { start: span[0], end: span[1] };
  });
  return ranges;
}

/** The tips whose remedy is an index, and the plan finding that says the same after verification. */
const TIP_FINDINGS: Partial<Record<PlanTipId, PlanInsight['code']>> = { 'seq-scan-index': 'plan-seq-scan', 'sort-spill': 'plan-sort-spill' };

/**
 * The plan report for the viewer and `explain --format json`, its index tips gone through the
 * same verification as the diagnostics (see verifiedInsights): a tip takes the verified finding's
 * message and index, with the costs; a tip whose finding verification dropped (the planner would
 * not use the index) is dropped too, so that no tip names an index the planner would not use.
 */
export function verifiedReport(plan: Plan, context: PlanContext | undefined, insights: readonly PlanInsight[]): PlanReport {
  const report = planReport(plan, context);
  const nodes: PlanNode[] = [];
  walkPlan(plan, (node) => nodes.push(node));
  report.tips = report.tips.flatMap((tip): PlanTip[] => {
    const code = TIP_FINDINGS[tip.id];
    if (!code) return [tip];
    const node = nodes[tip.node];
    // A finding of a custom plan (see asRun) is on that plan's node: matched by its table then.
    const finding = insights.find((insight) => insight.code === code && insight.node === node) ?? insights.find((insight) => insight.code === code && node.relationName !== undefined && insight.relation?.name === node.relationName);
    if (!finding) return [];
    const tried = triedIndexOf.get(finding);
    const { index: _unverified, ...rest } = tip;
    if (!tried) return [{ ...rest, message: finding.message }];
    const { candidate, verdict } = tried;
    const all = candidatesOf(tried);
    return [
      {
        ...rest,
        message: finding.message,
        index: {
          schema: candidate.schema,
          table: candidate.table,
          columns: candidate.columns,
          ...(candidate.where ? { where: candidate.where } : {}),
          ...(candidate.include ? { include: candidate.include } : {}),
          statement: all.map(createIndexStatement).join(';\n'),
          verified: verdict.method,
          ...(verdict.method === 'none' ? { reason: verdict.reason } : { costBefore: verdict.costBefore, costAfter: verdict.costAfter }),
        },
      },
    ];
  });
  return report;
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

/**
 * The text sent to EXPLAIN, and how its offsets map back to the query's own SQL: they differ
 * where a hole standing for a schema was replaced by the schema the catalog names.
 */
interface ExplainedText {
  sql: string;
  /** A range in `sql` as a range in the query's SQL (`explainSql`, which has the query's offsets). */
  toQuery(range: [number, number]): [number, number];
}

const SAME_OFFSETS = (range: [number, number]): [number, number] => range;

/**
 * `${schema}.jobs`: the schema the application splices in is unknown here, but the database
 * knows which schemas have a table `jobs`. When exactly one does, the query is planned with it;
 * otherwise it is not planned, and the reason says so.
 */
function resolveSchemaHoles(statement: StatementInfo, active: ActivePlanner): ExplainedText | { notPlanned: NotPlanned } {
  const sql = statement.explainSql!;
  const holes = statement.schemaHoles;
  if (!holes || holes.length === 0) {
    return { sql, toQuery: SAME_OFFSETS };
  }
  // The holes that splice the same expression in are the same schema: each group must have
  // exactly one schema holding every table and function its members qualify (types say nothing).
  const groups = new Map<string, typeof holes>();
  for (const hole of holes) {
    const key = hole.expression || hole.placeholder;
    groups.set(key, [...(groups.get(key) ?? []), hole]);
  }
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const members of groups.values()) {
    let candidates: Set<string> | undefined;
    for (const hole of members) {
      if (hole.kind === 'type') continue;
      const schemas = new Set<string>(hole.kind === 'function' ? active.routines.get(hole.table) ?? [] : []);
      if (hole.kind === 'table') {
        for (const table of active.tables.values()) {
          if (table.name === hole.table) schemas.add(table.schema);
        }
      }
      candidates = candidates ? new Set([...candidates].filter((schema) => schemas.has(schema))) : schemas;
    }
    const hole = members.find((member) => member.kind !== 'type') ?? members[0];
    const what = hole.expression ? `\`${hole.expression.replace(/\s+/g, ' ').slice(0, 40)}\`` : 'a hole';
    if (!candidates || candidates.size !== 1) {
      const names = [...new Set(members.filter((member) => member.kind !== 'type').map((member) => member.table))].join(', ');
      const reason = !candidates
        ? `schema name spliced at run time (${what}), and it qualifies only types`
        : candidates.size === 0
          ? `schema name spliced at run time (${what}), and no schema of ${active.label} has ${names}`
          : `schema name spliced at run time (${what}), and ${candidates.size} schemas of ${active.label} have ${names} (${[...candidates].sort().join(', ')})`;
      return { notPlanned: { category: 'built at run time', reason } };
    }
    const schema = quoteIdentifier([...candidates][0]);
    for (const member of members) {
      replacements.push({ start: member.start, end: member.start + member.placeholder.length, text: schema });
    }
  }
  replacements.sort((a, b) => a.start - b.start);
  let resolved = '';
  let at = 0;
  for (const replacement of replacements) {
    resolved += sql.slice(at, replacement.start) + replacement.text;
    at = replacement.end;
  }
  resolved += sql.slice(at);
  const toQuery = (range: [number, number]): [number, number] => {
    const map = (offset: number) => {
      let shift = 0;
      for (const replacement of replacements) {
        const newStart = replacement.start + shift;
        const newEnd = newStart + replacement.text.length;
        if (offset < newStart) break;
        if (offset < newEnd) return replacement.start; // inside the schema name: the hole
        shift += replacement.text.length - (replacement.end - replacement.start);
      }
      return offset - shift;
    };
    return [map(range[0]), Math.max(map(range[0]), map(range[1]))];
  };
  return { sql: resolved, toQuery };
}

/**
 * A database error that says nothing about the SQL the user wrote: the query is not planned,
 * and the reason says why, instead of an error on SQL that runs.
 */
function unplannableError(query: Query, explained: ExplainedText, error: QueryError, active: ActivePlanner, role: DocumentRole, created: ReadonlyMap<string, number>): NotPlanned | undefined {
  const state = error.sqlState ?? '';
  if (state === LOCK_NOT_AVAILABLE) {
    return { category: 'table locked', reason: `a table it reads is locked by another session (${error.message}); it is planned again on the next change` };
  }
  const missing = state === UNDEFINED_TABLE || state === UNDEFINED_COLUMN || state === UNDEFINED_FUNCTION || state === UNDEFINED_OBJECT;
  // A migration runs against the schema of its own time: a table since renamed, a column since
  // dropped or retyped, is no error in it.
  if (role.oneOff) {
    const why = role.test ? 'a test runs against the tables it makes itself' : 'a migration or one-off script runs against the schema of its own time';
    return { category: 'refused by the database', reason: `${error.message} in ${active.label} today; ${why}` };
  }
  // Where PostgreSQL points at a hole, what was spliced in at run time decides.
  if (error.position !== undefined) {
    const [at] = explained.toQuery([error.position, error.position]);
    const hole = query.parameters.find((p) => p.source !== 'placeholder' && p.source !== 'bound' && at >= p.sqlStart && at < p.sqlEnd + 1);
    if (hole) {
      return { category: 'built at run time', reason: `PostgreSQL refuses it where ${hole.expression ? `\`${hole.expression.replace(/\s+/g, ' ').slice(0, 40)}\`` : 'a value'} is spliced in at run time (${error.message})` };
    }
  }
  if (state === INDETERMINATE_DATATYPE || (state === AMBIGUOUS_FUNCTION && /\bunknown\b/.test(error.message)) || (state === UNDEFINED_FUNCTION && /\bunknown\b/.test(error.message))) {
    return { category: 'refused by the database', reason: `PostgreSQL cannot tell the types of its parameters from the SQL alone (${error.message}); the driver sends them typed` };
  }
  if (query.origin === 'string' && (missing || state.startsWith('42'))) {
    // Found by its content, not handed to a driver Query Lens knows: it may well be meant for
    // another database, and only SQL handed to a PostgreSQL driver is judged as PostgreSQL's.
    return { category: 'refused by the database', reason: `${error.message} in ${active.label}; this SQL was found by its content, not in a call to a PostgreSQL driver Query Lens knows, so it may be meant for another database` };
  }
  if (state === UNDEFINED_TABLE) {
    const tables = tablesOf(explained.sql);
    // `CREATE TEMPORARY TABLE events_to_purge (…)` earlier in the same code: a table the program
    // makes as it runs (a temporary one lives in its session only), not another database's.
    const missing = tables.filter((table) => !tableExists(table, active));
    if (query.origin !== 'sql-file' && missing.length > 0 && missing.every((table) => created.has(table.split('.').pop()!))) {
      return { category: 'refused by the database', reason: `${missing.slice(0, 4).join(', ')} ${missing.length === 1 ? 'is' : 'are'} made by this file as it runs (CREATE TABLE in its code), not a table of ${active.label}` };
    }
    // Unless a table of a close name is there (a typo: `custmers`), a query none of whose
    // tables the database has is another database's.
    const names = [...active.tables.values()].map((table) => table.name);
    if (tables.length > 0 && tables.every((table) => !tableExists(table, active) && likelyMeant(table.split('.').pop()!, names) === undefined)) {
      return { category: 'another database', reason: `none of its tables (${tables.slice(0, 4).join(', ')}${tables.length > 4 ? ', …' : ''}) is in ${active.label}: it runs against another database` };
    }
  }
  return undefined;
}

const LOCK_NOT_AVAILABLE = '55P03';
const INDETERMINATE_DATATYPE = '42P18';
const AMBIGUOUS_FUNCTION = '42725';
const UNDEFINED_FUNCTION = '42883';
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
const UNDEFINED_OBJECT = '42704';

/** The tables and views a statement reads or writes (CTE names left out), as written. */
function tablesOf(sql: string): string[] {
  const parsed = parseStatement(sql, 'postgresql');
  if (!parsed.ok) {
    return [];
  }
  const ctes = new Set<string>();
  const tables = new Set<string>();
  walkTree(parsed.ast, (type, fields: Fields) => {
    if (type === 'CommonTableExpr' && typeof fields.ctename === 'string') {
      ctes.add(fields.ctename);
    } else if (type === 'RangeVar' && typeof fields.relname === 'string') {
      tables.add(typeof fields.schemaname === 'string' ? `${fields.schemaname}.${fields.relname}` : fields.relname);
    }
  });
  return [...tables].filter((table) => !ctes.has(table));
}

function tableExists(name: string, active: ActivePlanner): boolean {
  const dot = name.indexOf('.');
  if (dot >= 0) {
    return active.tables.has(name);
  }
  for (const table of active.tables.values()) {
    if (table.name === name) return true;
  }
  return false;
}

/** What every insight from the embedded database says of its figures, once (see plan/insights.ts). */
const EMBEDDED_NOTE_PATTERN = / \(embedded database: tables are empty, so row counts are estimates\)/;

/** For the insights of a custom plan: the values it was planned for and its cost. */
/** The index each kept insight names, as tried on the database (see verifiedInsights). */
const triedIndexOf = new WeakMap<PlanInsight, { candidate: IndexCandidate; alongside?: IndexCandidate[]; verdict: IndexVerdict; values?: readonly (string | null)[] }>();

const customPlanOf = new WeakMap<PlanInsight, { values: readonly (string | null)[]; cost: number }>();

/**
 * The insights of a query with parameters as PostgreSQL would run it (see customPlans.ts): when
 * its generic plan has findings, it is planned again for representative values; if those custom
 * plans are what PostgreSQL would pick, only what they show is kept, with the values that show it.
 */
async function asRun(insights: PlanInsight[], plan: Plan, sql: string, active: ActivePlanner, context: Parameters<typeof planInsights>[1], cache: PlanCache): Promise<PlanInsight[]> {
  const parameterCount = highestParameter(sql);
  if (parameterCount === 0 || active.embedded || !insights.some((insight) => INDEX_REMEDIES.has(insight.code) || insight.code === 'plan-high-cost')) {
    return insights;
  }
  const key = `${active.schemaVersion}|${normaliseSql(sql)}`;
  let custom = cache.customPlans.get(key);
  if (custom === undefined) {
    custom = null;
    const sets = await representativeValues(sql, parameterCount, active);
    if (sets) {
      const plans: { set: ValueSet; plan: Plan }[] = [];
      for (const set of sets) {
        const outcome = await active.planner.explainWithValues(sql, parameterCount, set.values);
        if (outcome.kind !== 'plan') break;
        try {
          plans.push({ set, plan: planFromExplainJson(outcome.json) });
        } catch {
          break;
        }
      }
      if (plans.length === sets.length) custom = plans;
    }
    cache.customPlans.set(key, custom);
  }
  if (!custom || !prefersCustomPlans(plan.root.totalCost, custom.map(({ plan: customPlan }) => customPlan.root.totalCost))) {
    return insights;
  }
  // What some call really runs into, once per kind and table, with the values that show it.
  const kept = new Map<string, PlanInsight>();
  for (const { set, plan: customPlan } of custom) {
    for (const insight of planInsights(customPlan, context)) {
      const id = `${insight.code}|${insight.relation?.name ?? ''}`;
      if (kept.has(id)) continue;
      const asCalled = ` (as PostgreSQL plans a call with ${set.description})`;
      const found: PlanInsight = { ...insight, message: insight.message.replace(/\.$/, '') + asCalled + '.', ...(insight.withoutIndex ? { withoutIndex: insight.withoutIndex.replace(/\.$/, '') + asCalled + '.' } : {}) };
      customPlanOf.set(found, { values: set.values, cost: customPlan.root.totalCost });
      kept.set(id, found);
    }
  }
  return [...kept.values()];
}

/**
 * The insight's index keys with its leading equality columns ordered most selective first, by
 * pg_stats' distinct values (the rest, an order or a range, stays behind them): the index then
 * narrows the scan fastest, and serves more queries that filter by its first key alone. Without
 * statistics (the embedded database), the order the filter gave.
 */
async function mostSelectiveFirst(insight: PlanInsight, table: TableStats, active: ActivePlanner): Promise<string[]> {
  const columns = insight.columns!;
  const equality = insight.equalityCount ?? 0;
  if (active.embedded || equality < 2) return columns;
  const distinct = new Map<string, number>();
  for (const column of columns.slice(0, equality)) {
    const statistics = /^[a-z_][a-z0-9_$]*$/.test(column) ? await active.planner.columnStatistics(table.schema, table.name, column) : undefined;
    if (!statistics) return columns;
    distinct.set(column, statistics.distinct < 0 ? -statistics.distinct * Math.max(table.rows, 1) : statistics.distinct);
  }
  // Those an existing index leads with stay last (see insights.ts's suggestedIndexColumns).
  const ledByAnIndex = new Set(table.indexes.filter((index) => !index.partial).map((index) => index.columns[0]));
  const bySelectivity = (a: string, b: string) => distinct.get(b)! - distinct.get(a)!;
  const leading = columns.slice(0, equality);
  return [...leading.filter((c) => !ledByAnIndex.has(c)).sort(bySelectivity), ...leading.filter((c) => ledByAnIndex.has(c)).sort(bySelectivity), ...columns.slice(equality)];
}

/** A column with at most this many distinct values, all of them in pg_stats' common values, is one a partial index can split on. */
const PARTIAL_INDEX_MAX_VALUES = 20;

/**
 * The partial alternatives of an insight (see PlanInsight.partialAlternatives) whose column is
 * of few values by pg_stats: a status, a kind, a flag. Not on the embedded database, whose
 * empty tables have no statistics.
 */
async function partialCandidates(insight: PlanInsight, table: TableStats, active: ActivePlanner): Promise<NonNullable<PlanInsight['partialAlternatives']>> {
  if (active.embedded || !insight.partialAlternatives) return [];
  const kept: NonNullable<PlanInsight['partialAlternatives']> = [];
  for (const alternative of insight.partialAlternatives) {
    const statistics = await active.planner.columnStatistics(table.schema, table.name, alternative.column);
    if (statistics && statistics.histogram.length === 0 && statistics.mostCommon.length > 1 && statistics.mostCommon.length <= PARTIAL_INDEX_MAX_VALUES) kept.push(alternative);
  }
  return kept;
}

/** An index holds at most this many INCLUDE columns: beyond that it is a second copy of the table. */
const MAX_INCLUDE_COLUMNS = 3;
/** An index-only scan saves one heap visit per row: worth a wider index only over this many rows. */
const COVERING_MIN_ROWS = 50;
/** ...and when the plan with it costs at most this share of the plan with the narrower index. */
const COVERING_MAX_COST_SHARE = 0.8;

/**
 * The tried index with INCLUDE columns that would let an index-only scan answer the query:
 * when the planner reads the index and then the table for a few more columns (EXPLAIN VERBOSE's
 * Output and Filter), over many rows; also when the narrower index did not gain enough alone. Plain column keys only: PostgreSQL cannot answer an
 * expression key's column from the index.
 */
function coveringCandidate(candidate: IndexCandidate, verdict: IndexVerdict): IndexCandidate | undefined {
  // `scan` is there when the planner read the index, whether or not that gained enough.
  if (verdict.method === 'none' || !verdict.scan?.uncovered || verdict.scan.nodeType === 'Index Only Scan') return undefined;
  const uncovered = verdict.scan.uncovered;
  if (uncovered.length === 0 || uncovered.length > MAX_INCLUDE_COLUMNS || verdict.scan.rows < COVERING_MIN_ROWS || !uncovered.every((column) => /^[A-Za-z_][A-Za-z0-9_$]*$/.test(column))) return undefined;
  if (!candidate.columns.every((key) => /^(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")(?: (?:ASC|DESC))?(?: NULLS (?:FIRST|LAST))?$/.test(key))) return undefined;
  return { ...candidate, include: uncovered };
}

/** The findings whose remedy is an index on one table's columns. */
const INDEX_REMEDIES = new Set(['plan-seq-scan', 'plan-sort-spill', 'plan-nested-loop']);

/**
 * Insights whose remedy names an index, with that index tried on the database first (see
 * advise/verifyIndex.ts): kept, with the estimated cost before and after, when the planner would
 * use it; without the index (or not at all, when the index was the whole remedy) when it would
 * not; marked unverified, with the reason, when the database cannot say.
 */
async function verifiedInsights(insights: PlanInsight[], plan: Plan, sql: string, active: ActivePlanner, cache: PlanCache, minGainShare: number): Promise<PlanInsight[]> {
  const kept: PlanInsight[] = [];
  for (let insight of insights) {
    const table = insight.relation ? findTable(active, insight.relation.schema, insight.relation.name) : undefined;
    if (!INDEX_REMEDIES.has(insight.code) || !insight.columns || insight.columns.length === 0 || !table) {
      kept.push(insight);
      continue;
    }
    const custom = customPlanOf.get(insight);
    const verdictOf = async (candidate: IndexCandidate, alongside: IndexCandidate[] = []): Promise<IndexVerdict> => {
      const key = `${active.schemaVersion}|${normaliseSql(sql)}|${[candidate, ...alongside].map(createIndexStatement).join(';')}|${minGainShare}`;
      const verdictKey = custom ? `${key}|${JSON.stringify(custom.values)}` : key;
      let verdict = cache.verdicts.get(verdictKey);
      if (!verdict) {
        verdict = await verifyIndex(active, sql, highestParameter(sql), candidate, custom?.cost ?? plan.root.totalCost, minGainShare, custom?.values, alongside);
        cache.verdicts.set(verdictKey, verdict);
      }
      return verdict;
    };
    if (insight.orBranches) {
      kept.push(...(await verifiedOrBranches(insight, table, verdictOf, custom?.values)));
      continue;
    }
    let candidate: IndexCandidate = { ...onTable(table), columns: await mostSelectiveFirst(insight, table, active) };
    let verdict = await verdictOf(candidate);
    // A partial index on the other keys, where the literal's column is one of few values: as
    // fast, and smaller (it holds only the rows the predicate keeps); it wins a near-tie.
    for (const alternative of await partialCandidates(insight, table, active)) {
      const partial: IndexCandidate = { ...onTable(table), columns: alternative.keys, where: alternative.where };
      const tried = await verdictOf(partial);
      if (tried.method !== 'none' && tried.used && (verdict.method === 'none' || !verdict.used || tried.costAfter <= verdict.costAfter * 1.1)) {
        candidate = partial;
        verdict = tried;
      }
    }
    const covering = coveringCandidate(candidate, verdict);
    if (covering) {
      const tried = await verdictOf(covering);
      // Where the narrower index alone does not earn its place, the covering one may.
      const better = verdict.method !== 'none' && (!verdict.used || tried.method === 'none' || tried.costAfter <= verdict.costAfter * COVERING_MAX_COST_SHARE);
      if (tried.method !== 'none' && tried.used && tried.scan?.nodeType === 'Index Only Scan' && better) {
        candidate = covering;
        verdict = tried;
      }
    }
    const named = describeIndex(candidate).slice(candidate.table.length + 1);
    if (named !== `(${insight.columns.join(', ')})`) insight = { ...insight, message: insight.message.replace(`(${insight.columns.join(', ')})`, named) };
    if (candidate.include) insight = { ...insight, message: insight.message.replace('lets PostgreSQL read only those rows', 'lets PostgreSQL read only those rows, from the index alone (an index-only scan)') };
    const tried = { candidate, verdict, ...(custom ? { values: custom.values } : {}) };
    if (verdict.method === 'none') {
      const unverified: PlanInsight = { ...insight, message: insight.message.replace(/\.$/, '') + ` (unverified: ${verdict.reason}).` };
      triedIndexOf.set(unverified, tried);
      kept.push(unverified);
    } else if (verdict.used) {
      const costs = `estimated cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
      const checked =
        verdict.method === 'hypopg'
          ? `${insight.message.replace(/\.$/, '')} (checked with a hypothetical index: ${costs}).`
          : `${insight.message.replace(EMBEDDED_NOTE_PATTERN, '').replace(/\.$/, '')} (checked on the embedded database, whose tables are empty: ${costs}, both estimates).`;
      // `payload ->> 'result'`: PostgreSQL keeps no statistics on an expression no index stores, so
      // the rows it expects the condition to keep are its default guess (Logto: ~362 expected,
      // 65,000 kept), and the hypothetical index is judged on that guess too.
      const guessed = unstatedExpression(candidate.columns[0], table);
      const verified: PlanInsight = guessed
        ? {
            ...insight,
            message: `${checked.replace(/\.$/, '')}. PostgreSQL keeps no statistics on ${guessed} until an index stores it, so the rows expected are its default guess: create the index, ANALYZE ${table.name}, and plan again to see whether it is used.`,
          }
        : { ...insight, message: checked };
      triedIndexOf.set(verified, tried);
      kept.push(verified);
    } else if (insight.withoutIndex) {
      kept.push({ ...insight, message: insight.withoutIndex });
    }
    // Otherwise the planner would keep its plan even with the index: nothing worth saying.
  }
  return kept;
}

/**
 * The expression an index key is, when it is no bare column and no index of the table stores
 * it yet (so no statistics describe it); undefined for a column or a stored expression.
 */
function unstatedExpression(key: string | undefined, table: TableStats): string | undefined {
  if (key === undefined || /^"?[A-Za-z_][\w$]*"?$/.test(key.trim())) return undefined;
  const stored = table.indexes.some((index) => index.columns.length > 0 && expressionKey(index.columns[0]) === expressionKey(key));
  return stored ? undefined : key;
}

/**
 * A finding on an OR (PlanInsight.orBranches): its indexes, one per branch, tried together; kept
 * with their costs when the planner reads every one of them (a BitmapOr), marked unverified when
 * the database cannot say, and dropped when it would not use them: the finding is nothing else.
 */
async function verifiedOrBranches(insight: PlanInsight, table: TableStats, verdictOf: (candidate: IndexCandidate, alongside: IndexCandidate[]) => Promise<IndexVerdict>, values: readonly (string | null)[] | undefined): Promise<PlanInsight[]> {
  const [candidate, ...alongside] = insight.orBranches!.map((columns): IndexCandidate => ({ ...onTable(table), columns }));
  const verdict = await verdictOf(candidate, alongside);
  const tried = { candidate, alongside, verdict, ...(values ? { values } : {}) };
  let message: string;
  if (verdict.method === 'none') message = `${insight.message.replace(/\.$/, '')} (unverified: ${verdict.reason}).`;
  else if (!verdict.used) return [];
  else {
    const costs = `estimated cost ${formatCost(verdict.costBefore)} → ${formatCost(verdict.costAfter)}`;
    message =
      verdict.method === 'hypopg'
        ? `${insight.message.replace(/\.$/, '')} (checked with hypothetical indexes: ${costs}).`
        : `${insight.message.replace(EMBEDDED_NOTE_PATTERN, '').replace(/\.$/, '')} (checked on the embedded database, whose tables are empty: ${costs}, both estimates).`;
  }
  const found: PlanInsight = { ...insight, message };
  triedIndexOf.set(found, tried);
  return [found];
}

/**
 * Whether the `non-sargable-predicate` findings on a query (`lower(email) = $1`: an index on email
 * cannot serve it; create one on lower(email)) are moot: each expression index they ask for is
 * already in the database, so the condition is served; or a plan finding names it, verified,
 * with its figures and quick fix, which says it better than the static one. Only when every such
 * finding of the query is, since they are withdrawn by query.
 */
function expressionIndexesSettled(findings: readonly Finding[], queryStart: number, insights: readonly PlanInsight[], table: (schema: string | undefined, name: string) => TableStats | undefined, allTables: Iterable<TableStats>): boolean {
  const mine = findings.filter((f) => f.queryStart === queryStart && f.code === 'non-sargable-predicate');
  if (mine.length === 0) return false;
  const named = new Set(insights.flatMap((insight) => (insight.code === 'plan-seq-scan' ? [...(insight.columns ?? []), ...(insight.orBranches ?? []).flat()] : [])).map(expressionKey));
  return mine.every((finding) => {
    // The rule's own statement (its data), not the message: there the statement ends with `.`
    // in some wordings and `;` in others, and more text with parentheses may follow.
    const statement = (finding.data as { index?: string } | undefined)?.index;
    const asked = statement !== undefined ? /^CREATE INDEX ON (\S+) \((.+)\)$/.exec(statement) : /CREATE INDEX ON (\S+) \((.+)\)(?:;|$)/.exec(finding.message);
    if (!asked) return false;
    const key = expressionKey(asked[2]);
    if (named.has(key)) return true;
    const serves = (stats: TableStats) => stats.indexes.some((index) => !index.partial && index.method === 'btree' && index.columns.length > 0 && expressionKey(index.columns[0]) === key);
    // `<table>`: the rule could not tell which of the query's tables the column is of; an index
    // that stores this very expression says which.
    if (asked[1] === '<table>') return [...allTables].some(serves);
    const [schema, name] = asked[1].includes('.') ? asked[1].split('.', 2) : [undefined, asked[1]];
    const stats = table(schema, unquoteIdentifier(name));
    return stats !== undefined && serves(stats);
  });
}

/**
 * Whether the `prefer-not-exists` findings on a query are moot: every `NOT IN (SELECT …)` of it
 * selects, from one table, columns the database declares NOT NULL, so no NULL can make it match
 * nothing; and PostgreSQL then hashes the subquery whenever it fits in work_mem, which the plan's
 * own findings judge. A schema fact, so the embedded database settles it too. Only a plain
 * subquery over one table: an outer join or a set operation can yield NULLs of NOT NULL columns.
 */
/**
 * The static findings on a query that the schema settles, planned or not: a NOT IN over NOT NULL
 * columns, an UPDATE or DELETE without WHERE on a table of one row at most.
 */
function settledBySchema(sql: string, findings: readonly Finding[], queryStart: number, table: (schema: string | undefined, name: string) => TableStats | undefined): string[] {
  return [...(nullTrapSettled(sql, findings, queryStart, table) ? ['prefer-not-exists'] : []), ...(oneRowSettled(findings, queryStart, table) ? ['require-where-on-update-delete'] : [])];
}

function nullTrapSettled(sql: string, findings: readonly Finding[], queryStart: number, table: (schema: string | undefined, name: string) => TableStats | undefined): boolean {
  if (!findings.some((f) => f.queryStart === queryStart && f.code === 'prefer-not-exists')) return false;
  const parsed = parseStatement(sql, 'postgresql');
  if (!parsed.ok) return false;
  const sublinks: Fields[] = [];
  walkTree(parsed.ast, (type, fields) => {
    const sublink = notInSublink(type, fields);
    if (sublink) sublinks.push(sublink);
  });
  return sublinks.length > 0 && sublinks.every((sublink) => {
    const select = asNode(sublink.subselect, 'SelectStmt');
    if (!select || select.op !== 'SETOP_NONE' || !Array.isArray(select.fromClause) || select.fromClause.length !== 1 || !Array.isArray(select.targetList)) return false;
    const from = asNode(select.fromClause[0], 'RangeVar');
    const columns = from && typeof from.relname === 'string' ? table(typeof from.schemaname === 'string' ? from.schemaname : undefined, from.relname)?.columns : undefined;
    if (!columns) return false;
    return select.targetList.every((target) => {
      const name = nullOnlyWith(target, select);
      return name !== undefined && (NEVER_NULL.has(name) || columns.some((known) => known.name === name && known.notNull));
    });
  });
}

/**
 * Whether the query's UPDATE or DELETE without WHERE writes a table that holds one row at most
 * (`DELETE FROM schema_version` before the new version is inserted): every row is that one row.
 */
function oneRowSettled(findings: readonly Finding[], queryStart: number, table: (schema: string | undefined, name: string) => TableStats | undefined): boolean {
  const whole = findings.filter((f) => f.queryStart === queryStart && f.code === 'require-where-on-update-delete');
  return (
    whole.length > 0 &&
    whole.every((f) => {
      const name = (f.data as { table?: string } | undefined)?.table;
      if (name === undefined) return false;
      const dot = name.lastIndexOf('.');
      return table(dot < 0 ? undefined : name.slice(0, dot), dot < 0 ? name : name.slice(dot + 1))?.oneRow === true;
    })
  );
}

/**
 * An index key as text compared loosely: `lower(email)`, `(lower(email))`, `lower( email )` and
 * EXPLAIN's `lower((email)::text)` of a varchar column are one.
 */
function expressionKey(key: string): string {
  // `total * 2` is stored as `total * 2::numeric` on a numeric column: the literal's cast is the column's type.
  return key.replace(/::(?:text|character varying|varchar)\b/g, '').replace(/(\d\)?)::(?:numeric|integer|bigint|smallint|real|double precision)\b/gi, '$1').replace(/[\s()"]/g, '').toLowerCase();
}

/** The table part of an index candidate on `table`. */
function onTable(table: TableStats): Pick<IndexCandidate, 'schema' | 'table' | 'partitioned'> {
  return { schema: table.schema, table: table.name, ...(table.partitioned ? { partitioned: true } : {}) };
}

function findTable(active: ActivePlanner, schema: string | undefined, name: string): TableStats | undefined {
  const exact = schema ? active.tables.get(`${schema}.${name}`) : undefined;
  if (exact) return exact;
  for (const table of active.tables.values()) {
    if (table.name === name) return table;
  }
  return undefined;
}

/**
 * The static findings on a query that its plan shows to be moot: `require-where-on-update-delete`
 * for an UPDATE or DELETE of a table that holds exactly one row by the database's statistics
 * (`reltuples` 1: analysed, not empty): a status or settings table (`UPDATE import_status SET
 * indexed = true`), where every row is the row meant. An empty table, or one never analysed,
 * settles nothing: a development database's empty tables say nothing of production's. Never from
 * the embedded database, whose tables are all empty.
 */
function settledByPlan(plan: Plan, findings: readonly Finding[], queryStart: number, table: (schema: string | undefined, name: string) => TableStats | undefined): string[] {
  if (!findings.some((f) => f.queryStart === queryStart && f.code === 'require-where-on-update-delete')) return [];
  const root = plan.root;
  if (root.nodeType !== 'ModifyTable' || (root.operation !== 'Update' && root.operation !== 'Delete') || !root.relationName) return [];
  const stats = table(root.schema, root.relationName);
  return stats !== undefined && stats.rows === 1 ? ['require-where-on-update-delete'] : [];
}
