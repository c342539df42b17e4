/**
 * Plan insights: what a query's plan says will be slow, with the figures and what to do. Each
 * reads the planner's estimates (the server runs EXPLAIN, never ANALYZE) against the table
 * statistics and memory settings of the database that made the plan:
 *
 * - `plan-seq-scan`: a sequential scan that keeps a small part of a large table, on a filter an
 *   index could serve. Not reported when an existing b-tree index already leads with every
 *   column the suggested index would have: the planner could use it and judged the scan
 *   cheaper, so another index on the same columns would not change its mind. When an index
 *   leads with only some of them, the suggestion puts the others first.
 * - `plan-sort-spill`: a sort larger than work_mem, which sorts on disk.
 * - `plan-hash-spill`: a hash join's hash table larger than work_mem × hash_mem_multiplier,
 *   which splits the join into batches written to disk.
 * - `plan-nested-loop`: a nested loop that reads a whole table for each of many outer rows.
 * - `plan-high-cost`: a plan whose total estimated cost is above the user's limit.
 * - `plan-table-maintenance`: a table the plan reads whose statistics are stale or missing (the
 *   estimates above are then guesses), or that holds many dead rows a VACUUM would reclaim.
 *
 * On the embedded database (empty tables, no statistics) every figure is the planner's guess:
 * findings are then information, say so, and the seq-scan check does without the size
 * threshold, judging selectivity from the filter's shape.
 *
 * Filters are read with PostgreSQL's parser, which must be loaded (`initParsers`) first.
 */
import { formatCost, formatCount, formatKilobytes, formatMegabytes, formatTimestamp, numberOf, workMemSettingFor } from './figures';
import { innerJoinColumns, indexableColumns, orBranchColumns, type IndexableColumns } from './planConditions';
import { describeNode, estimatedRowsInAllProcesses, isSubplan, mostExpensiveNode, ownCost, type Plan, type PlanNode } from './planModel';
import { firstScanOf, repeatedSubplanOf, subplanRemedy } from './subplans';
import { scanOutsideQuotes } from './planText';

export interface IndexInfo {
  name: string;
  /** Key columns in order, as pg_get_indexdef prints them; an expression key as its text. */
  columns: string[];
  unique: boolean;
  partial: boolean;
  /** The access method: "btree", "hash", "gin", … */
  method: string;
  /** Scans through it since the statistics were reset (pg_stat_user_indexes.idx_scan). */
  scans?: number;
  /** Its size on disk. */
  bytes?: number;
  /** `pg_get_indexdef`: the whole definition, with operator classes, INCLUDE and predicate. */
  definition?: string;
  /** Backs a primary key, unique or exclusion constraint. */
  constraint?: boolean;
}

export interface TableStats {
  schema: string;
  name: string;
  /** pg_class.reltuples; -1 or 0 when never analysed. */
  rows: number;
  pages: number;
  indexes: IndexInfo[];
  /** Row-level security is on (`ALTER TABLE … ENABLE ROW LEVEL SECURITY`): its policies add conditions for the roles they apply to. */
  rowSecurity?: boolean;
  /** Constrained to hold one row at most (a unique column a CHECK holds to one value): a settings or lock table. */
  oneRow?: boolean;
  /** A partitioned table (relkind 'p'): its indexes are built on every partition, never CONCURRENTLY. */
  partitioned?: boolean;
  /** The columns of each of its foreign keys, in the key's order (absent in tests that need none). */
  foreignKeys?: string[][];
  /** Its columns in order, for hover and completion (absent in tests that need none). */
  columns?: { name: string; type: string; notNull: boolean }[];
  /** What pg_stat_user_tables says of its upkeep (absent where the database keeps no such counts). */
  maintenance?: TableMaintenance;
}

/** A table's upkeep, from pg_stat_user_tables. */
export interface TableMaintenance {
  liveRows: number;
  deadRows: number;
  /** Rows inserted, updated or deleted since the last ANALYZE. */
  modifiedSinceAnalyze: number;
  /** The last ANALYZE, by hand or by autovacuum; undefined when never. */
  lastAnalyzed?: Date;
  /** The table's size in pages now (`TableStats.pages` is what the last ANALYZE or VACUUM saw). */
  currentPages: number;
  /** Sequential and index scans of the table since the statistics were reset. */
  scans: number;
  /**
   * Rows updated and deleted since the statistics were reset: the churn every index pays for.
   * Inserts are left out: a development database loaded from a dump counts every row as one.
   */
  writes?: number;
  /**
   * Since when the database's statistics have been counting: their last reset, or else the
   * server's start (statistics may be older still; this errs on the side of too young).
   */
  countedSince?: Date;
}

export interface PlanContext {
  /** Looks a table up by the plan's "Schema"/"Relation Name". */
  table(schema: string | undefined, name: string): TableStats | undefined;
  /** SHOW work_mem, in kB. */
  workMemKb: number;
  /** SHOW hash_mem_multiplier (1 before PG13, 2 by default since 15). */
  hashMemMultiplier: number;
  thresholds: { seqScanMinRows: number; nestedLoopMaxOuterRows: number; maxPlanCost: number };
  /** The embedded database: its tables are empty, so row counts and costs are the planner's guesses. */
  embedded: boolean;
}

/** Every code planInsights gives, each with its page in docs/rules. */
export const PLAN_INSIGHT_CODES = ['plan-hash-spill', 'plan-high-cost', 'plan-nested-loop', 'plan-seq-scan', 'plan-sort-spill', 'plan-table-maintenance'] as const;
export type PlanInsightCode = (typeof PLAN_INSIGHT_CODES)[number];

export interface PlanInsight {
  code: PlanInsightCode;
  severity: 'warning' | 'information';
  message: string;
  node: PlanNode;
  /** The table the finding is about, so the caller can underline its reference in the SQL. */
  relation?: { name: string; alias?: string; schema?: string };
  /** Columns the remedy concerns (e.g. the filtered columns an index would serve), in index order. */
  columns?: string[];
  /**
   * Partial indexes that may serve instead, one per column compared with a literal
   * (`status = 'pending'`): the other keys, and that comparison as the predicate. Whether the
   * column is one of few values, and which index wins, is for the verification to say.
   */
  partialAlternatives?: { column: string; keys: string[]; where: string }[];
  /**
   * A filter that is an OR: the keys of the index each branch needs (`columns` is the first), all
   * to be created together, since a BitmapOr reads them all or none.
   */
  orBranches?: string[][];
  /** How many of `columns` lead as equality columns (their order is the verification's to choose). */
  equalityCount?: number;
  /**
   * The message without its index remedy, for when the planner turns out not to use that index
   * (see advise/verifyIndex.ts); absent when the finding is nothing without its index.
   */
  withoutIndex?: string;
}

/** A scan that keeps less than this share of the table's rows is one an index would serve. */
export const SELECTIVE_SHARE = 0.1;
const EMBEDDED_NOTE = ' (embedded database: tables are empty, so row counts are estimates)';
/** Above this, raising work_mem for one query is no remedy. */
const LARGEST_WORK_MEM_ADVICE = 1024 * 1024 * 1024;
/** A table changed by this share of its rows since its last ANALYZE, or holding this share of dead rows, is reported... */
const MAINTENANCE_SHARE = 0.2;
/** ...when that is at least this many rows: small tables are analysed and vacuumed quickly enough. */
const MAINTENANCE_MIN_ROWS = 1000;
/** Growth on disk below this many pages (80 kB) says nothing. */
const MINIMUM_GROWTH_PAGES = 10;
/** How long a condition may be when quoted in a message. */
const QUOTED_CONDITION_LENGTH = 80;

/**
 * The plan's findings: those about nodes in the order EXPLAIN prints the nodes, then the one
 * about the whole plan's cost. A plan printed with COSTS OFF has no figures to judge.
 */
export function planInsights(plan: Plan, context: PlanContext): PlanInsight[] {
  if (plan.costs === false) return [];
  const rowsInAll = estimatedRowsInAllProcesses(plan);
  const insights: PlanInsight[] = [];
  const visit = (node: PlanNode, ancestors: PlanNode[]): void => {
    const found =
      node.nodeType === 'Seq Scan'
        ? seqScanInsight(node, ancestors, rowsInAll, context)
        : node.nodeType === 'Sort' || node.nodeType === 'Incremental Sort'
          ? sortSpillInsight(node, ancestors, context)
          : node.nodeType === 'Hash'
            ? hashSpillInsight(node, ancestors[ancestors.length - 1], context)
            : node.nodeType === 'Nested Loop'
              ? nestedLoopInsight(node, rowsInAll, context)
              : undefined;
    if (found) insights.push(found);
    ancestors.push(node);
    for (const child of node.children) visit(child, ancestors);
    ancestors.pop();
  };
  visit(plan.root, []);
  const highCost = highCostInsight(plan, rowsInAll, context);
  if (highCost) insights.push(highCost);
  insights.push(...maintenanceInsights(plan, context));
  if (context.embedded) {
    for (const insight of insights) insight.severity = 'information';
  }
  return insights;
}

// ---------------------------------------------------------------------------------------------
// plan-seq-scan
// ---------------------------------------------------------------------------------------------

/**
 * The plan-seq-scan finding on one Seq Scan (`ancestors` root first, `rowsInAll` from
 * estimatedRowsInAllProcesses). Exported for the plan report's seq-scan-index tip.
 */
export function seqScanInsight(node: PlanNode, ancestors: PlanNode[], rowsInAll: Map<PlanNode, number>, context: PlanContext): PlanInsight | undefined {
  if (node.filter === undefined && node.relationName !== undefined) return joinSeqScanInsight(node, ancestors, rowsInAll, context);
  if (node.filter === undefined || node.relationName === undefined) return undefined;
  const columns = indexableColumns(node.filter, qualifiersOf(node));
  if (!columns) return undefined;
  const stats = context.table(node.schema, node.relationName);
  const ordered = columns.equality.length > 0 ? limitedOrderOf(node, ancestors) : undefined;
  const suggested = suggestedIndexColumns(columns, stats?.indexes ?? [], ordered);
  if (suggested.length === 0) return orSeqScanInsight(node, rowsInAll, context);
  if (stats?.indexes.some((index) => indexServes(index, columns, suggested))) return undefined;

  const reads = selectiveRead(node, stats, rowsInAll, context, columns.equality.length > 0);
  if (!reads) return undefined;
  return {
    code: 'plan-seq-scan',
    severity: 'warning',
    message:
      `${describeNode(node)} ${reads} (Filter: ${quotedCondition(node.filter)}): ` +
      `an index on ${node.relationName} (${suggested.join(', ')}) lets PostgreSQL read only those rows${ordered ? ', already in the order the query asks for' : ''}${context.embedded ? EMBEDDED_NOTE : ''}.`,
    node,
    relation: relationOf(node),
    columns: suggested,
    equalityCount: columns.equality.length,
    ...partialAlternativesOf(columns, suggested),
  };
}

/** A hash join's hashed side of at most this many rows is few enough to look each up by an index. */
const FEW_LOOKUPS = 1000;

/**
 * A scan of a whole large table that a hash join probes with a few rows (`cust c WHERE c.email =
 * $1` joined to `ord o ON o.cust_id = c.id`): the join keeps a small share of the table, and an
 * index on the table's join columns (often a foreign key's) lets PostgreSQL look up only the
 * matching rows in a nested loop instead. The join keys are those of the probed (outer) side in
 * the Hash Cond. Whether the planner would then use it is for the verification to say.
 */
function joinSeqScanInsight(node: PlanNode, ancestors: PlanNode[], rowsInAll: Map<PlanNode, number>, context: PlanContext): PlanInsight | undefined {
  let i = ancestors.length - 1;
  let probe: PlanNode = node;
  while (i >= 0 && (ancestors[i].nodeType === 'Gather' || ancestors[i].nodeType === 'Gather Merge')) probe = ancestors[i--];
  const join = ancestors[i];
  if (!join || join.nodeType !== 'Hash Join' || join.hashCond === undefined || join.children[0] !== probe) return undefined;
  const hashed = join.children[1];
  if (!hashed || hashed.nodeType !== 'Hash' || (rowsInAll.get(hashed) ?? hashed.planRows) > FEW_LOOKUPS) return undefined;
  const columns = innerJoinColumns(join.hashCond, qualifiersOf(node));
  if (columns.length === 0) return undefined;
  const stats = context.table(node.schema, node.relationName!);
  if (stats?.indexes.some((index) => indexServes(index, { equality: columns, range: [] }, columns))) return undefined;
  const tableRows = stats && stats.rows > 0 ? stats.rows : rowsInAll.get(node) ?? node.planRows;
  const joined = rowsInAll.get(join) ?? join.planRows;
  if (!context.embedded && tableRows < context.thresholds.seqScanMinRows) return undefined;
  if (joined / Math.max(tableRows, 1) >= SELECTIVE_SHARE) return undefined;
  const other = findNode(hashed, (candidate) => candidate.relationName !== undefined)?.relationName;
  return {
    code: 'plan-seq-scan',
    severity: 'warning',
    message:
      `${describeNode(node)} reads all ~${formatCount(tableRows)} rows to join ~${formatCount(joined)} of them${other ? ` with ${other}` : ''} (Hash Cond: ${quotedCondition(join.hashCond)}): ` +
      `an index on ${node.relationName} (${columns.join(', ')}) lets PostgreSQL look up only the matching rows${context.embedded ? EMBEDDED_NOTE : ''}.`,
    node,
    relation: relationOf(node),
    columns,
    equalityCount: columns.length,
  };
}

/**
 * What a scan reads and keeps (`reads all ~100,000 rows to keep ~12`), when that is a small share
 * of a table large enough to matter; else undefined. `hasEquality`: without a row count to compare
 * with, an equality is what makes a filter selective (the planner itself guesses that `=` keeps a
 * small share and a range a third).
 */
function selectiveRead(node: PlanNode, stats: TableStats | undefined, rowsInAll: Map<PlanNode, number>, context: PlanContext, hasEquality: boolean): string | undefined {
  const kept = rowsInAll.get(node) ?? node.planRows;
  const tableRows = stats && stats.rows > 0 ? stats.rows : undefined;
  // Without statistics the scan's own estimate is the least the table holds.
  if (!context.embedded && (tableRows ?? kept) < context.thresholds.seqScanMinRows) return undefined;
  const selective = tableRows !== undefined ? kept / tableRows < SELECTIVE_SHARE : hasEquality;
  if (!selective) return undefined;
  return tableRows !== undefined ? `reads all ~${formatCount(tableRows)} rows to keep ~${formatCount(kept)}` : `reads the whole table to keep ~${formatCount(kept)} ${Math.round(kept) === 1 ? 'row' : 'rows'}`;
}

/**
 * A scan whose filter is an OR (`customer_id = $1 OR email = $2`): PostgreSQL reads it through
 * indexes only by combining one index scan per branch (a BitmapOr), so it needs an index for each
 * branch that no existing index serves. `orBranches` holds those indexes' keys; if every branch
 * is served already, the planner had its indexes and chose the scan: nothing to suggest.
 */
function orSeqScanInsight(node: PlanNode, rowsInAll: Map<PlanNode, number>, context: PlanContext): PlanInsight | undefined {
  const branches = orBranchColumns(node.filter!, qualifiersOf(node));
  if (!branches || branches.length === 0) return undefined;
  const stats = context.table(node.schema, node.relationName!);
  const needed = branches.filter((keys) => !stats?.indexes.some((index) => indexServes(index, { equality: keys.slice(0, -1), range: keys.slice(-1) }, keys) || indexServes(index, { equality: keys, range: [] }, keys)));
  if (needed.length === 0) return undefined;
  const reads = selectiveRead(node, stats, rowsInAll, context, true);
  if (!reads) return undefined;
  const named = needed.map((keys) => `${node.relationName} (${keys.join(', ')})`);
  const remedy =
    branches.length === 1
      ? `an index on ${named[0]} lets PostgreSQL read only those rows`
      : needed.length === branches.length
        ? `an index for each side of the OR, ${named.join(' and ')}, lets PostgreSQL combine them (a BitmapOr) and read only those rows`
        : `an index on ${named.join(' and ')}, beside the existing ${branches.length - needed.length === 1 ? 'one for the other side' : 'ones for the other sides'} of the OR, lets PostgreSQL combine them (a BitmapOr) and read only those rows`;
  return {
    code: 'plan-seq-scan',
    severity: 'warning',
    message: `${describeNode(node)} ${reads} (Filter: ${quotedCondition(node.filter!)}): ${remedy}${context.embedded ? EMBEDDED_NOTE : ''}.`,
    node,
    relation: relationOf(node),
    columns: needed[0],
    ...(needed.length > 1 ? { orBranches: needed } : {}),
  };
}

/**
 * See PlanInsight.partialAlternatives: for a plain column compared with a literal, the index on
 * the other keys, when those are only order or range keys (`state = 'pending' ORDER BY run_at`,
 * a queue). Where another equality finds the rows (`customer_id = $1 AND status = 'paid'`), a
 * composite index serves every status as well, and a partial one would only be smaller.
 */
function partialAlternativesOf(columns: IndexableColumns, suggested: string[]): Pick<PlanInsight, 'partialAlternatives'> {
  if (columns.equality.length !== 1) return {};
  const alternatives = (columns.literals ?? [])
    .filter(({ column }) => /^[a-z_][a-z0-9_$]*$/.test(column))
    .map(({ column, literal }) => ({ column, keys: suggested.filter((key) => key.replace(/ (?:ASC|DESC).*$| NULLS .*$/, '') !== column), where: `${column} = ${literal}` }))
    .filter((alternative) => alternative.keys.length > 0);
  return alternatives.length > 0 ? { partialAlternatives: alternatives } : {};
}

/**
 * The index to suggest: the equality columns, then one range column (after a range, a b-tree's
 * further keys no longer narrow the scan). Equality columns that an existing index already leads
 * with come last: the planner had that index and still scanned, so it is the other columns that
 * find the rows, and an index that starts with them serves them alone too.
 */
function suggestedIndexColumns(columns: IndexableColumns, indexes: IndexInfo[], ordered?: string[]): string[] {
  const leading = new Set(indexes.filter((index) => !index.partial && index.columns.length > 0).map((index) => unquoteIdentifier(index.columns[0])));
  const equality = [...columns.equality.filter((column) => !leading.has(column)), ...columns.equality.filter((column) => leading.has(column))];
  // Rows found by equality come out of the index in its next keys' order: with those the ORDER
  // BY columns, the sort goes and the LIMIT stops the scan early (a range column after the
  // equalities would narrow the scan, but break that order).
  if (ordered) return [...equality, ...ordered.filter((column) => !equality.includes(column.replace(/ (?:DESC|ASC).*$| NULLS .*$/, '')))];
  return [...equality, ...columns.range.slice(0, 1)];
}

/**
 * The ORDER BY columns of a top-N sort right above a scan (`ORDER BY created_at DESC LIMIT 10`,
 * through a Gather): the keys an index needs to hand the rows over in order. Written `DESC` only
 * where directions are mixed: a b-tree is read backwards as well as forwards.
 */
function limitedOrderOf(scan: PlanNode, ancestors: PlanNode[]): string[] | undefined {
  let i = ancestors.length - 1;
  while (i >= 0 && (ancestors[i].nodeType === 'Gather' || ancestors[i].nodeType === 'Gather Merge')) i--;
  const sort = ancestors[i];
  if (!sort || sort.nodeType !== 'Sort' || topNBound(sort, ancestors.slice(0, i)) === undefined) return undefined;
  const keys = sortKeyColumns(sort.sortKey ?? [], qualifiersOf(scan));
  if (!keys) return undefined;
  const descending = keys.map((key) => / DESC\b/.test(key));
  const oneWay = descending.every((d) => d === descending[0]) && keys.every((key) => !/ NULLS /.test(key));
  return oneWay ? keys.map((key) => key.replace(/ (?:DESC|ASC)$/, '')) : keys;
}

/**
 * Whether an existing index serves every suggested column: a whole (not partial) b-tree index
 * whose leading keys are equality columns of the filter, possibly followed by one compared
 * column; or a hash index on the one equality column.
 */
function indexServes(index: IndexInfo, columns: IndexableColumns, suggested: string[]): boolean {
  if (index.partial) return false;
  const keys = index.columns.map(unquoteIdentifier);
  if (index.method === 'hash') return suggested.length === 1 && keys[0] === suggested[0] && columns.equality.includes(keys[0]);
  if (index.method !== 'btree') return false;
  const served = new Set<string>();
  for (const key of keys) {
    if (columns.equality.includes(key)) {
      served.add(key);
      continue;
    }
    if (columns.range.includes(key)) served.add(key);
    break;
  }
  return suggested.every((column) => served.has(column));
}

// ---------------------------------------------------------------------------------------------
// plan-sort-spill
// ---------------------------------------------------------------------------------------------

/**
 * A sort spills when the rows it must hold exceed work_mem, by the planner's own measure
 * (costsize.c's relation_byte_size: each row's width plus a 24-byte tuple header). Under a LIMIT
 * the sort keeps only the first rows (a top-N heapsort), so those are what must fit. An
 * incremental sort holds one group of rows at a time and EXPLAIN does not say how large the
 * groups are: it is reported only when ANALYZE output shows it on disk. Exported for the plan
 * report's sort-spill tip.
 */
export function sortSpillInsight(node: PlanNode, ancestors: PlanNode[], context: PlanContext): PlanInsight | undefined {
  const workMemBytes = context.workMemKb * 1024;
  const spilledKb = node.raw['Sort Space Type'] === 'Disk' ? numberOf(node.raw['Sort Space Used']) : undefined;
  const rows = Math.min(node.planRows, topNBound(node, ancestors) ?? Infinity);
  const bytes = rows * tupleBytes(node.planWidth);
  if (spilledKb === undefined && (node.nodeType === 'Incremental Sort' || bytes <= workMemBytes)) return undefined;

  const raiseWorkMem = workMemRemedy(Math.max(bytes, (spilledKb ?? 0) * 1024), 1);
  const input = relationInputOf(node);
  const sortColumns = input ? sortKeyColumns(node.sortKey ?? [], qualifiersOf(input)) : undefined;
  const what = `${describeNode(node)} of ~${formatCount(rows)} ${Math.round(rows) === 1 ? 'row' : 'rows'}`;
  const problem =
    spilledKb !== undefined
      ? `${what} did not fit in work_mem and wrote ${formatMegabytes(spilledKb * 1024)} to disk (Sort Method: ${String(node.raw['Sort Method'])})`
      : `${what} (~${formatMegabytes(bytes)}) is larger than work_mem (${formatKilobytes(context.workMemKb)}), so it sorts on disk`;
  const index = !input
    ? 'sort fewer rows by filtering them first'
    : sortColumns
      ? `an index on ${input.relationName} (${sortColumns.join(', ')}) returns the rows already in order`
      : `an index on ${input.relationName} matching the Sort Key (${(node.sortKey ?? []).join(', ')}) returns the rows already in order`;
  const otherwise = `add a LIMIT${raiseWorkMem ? ` or ${raiseWorkMem}` : ''}${context.embedded ? EMBEDDED_NOTE : ''}.`;
  return {
    code: 'plan-sort-spill',
    severity: 'warning',
    message: `${problem}: ${index}; otherwise ${otherwise}`,
    ...(input ? { withoutIndex: `${problem}: ${otherwise}` } : {}),
    node,
    ...(input ? { relation: relationOf(input) } : {}),
    ...(sortColumns ? { columns: sortColumns } : {}),
  };
}

/**
 * The rows a sort under a LIMIT keeps: the limit plus its offset. The offset is not in the plan,
 * but the Limit's startup cost is the sort's plus the share of its run spent skipping it.
 */
function topNBound(sort: PlanNode, ancestors: PlanNode[]): number | undefined {
  let parent = ancestors[ancestors.length - 1];
  // A Gather Merge passes the bound on to the workers' sorts.
  if (parent?.nodeType === 'Gather Merge') parent = ancestors[ancestors.length - 2];
  if (parent?.nodeType !== 'Limit') return undefined;
  const run = sort.totalCost - sort.startupCost;
  const offset = run > 0 ? Math.max(0, ((parent.startupCost - sort.startupCost) / run) * sort.planRows) : 0;
  return parent.planRows + offset;
}

/** costsize.c's relation_byte_size for one row: MAXALIGN(width) + MAXALIGN(SizeofHeapTupleHeader). */
function tupleBytes(width: number): number {
  return align8(width) + 24;
}

function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/**
 * `orders.created_at DESC` → `created_at DESC`: the Sort Key as index columns, when every key is
 * a plain column of the input's table.
 */
function sortKeyColumns(sortKey: string[], qualifiers: string[]): string[] | undefined {
  const columns: string[] = [];
  for (const key of sortKey) {
    const match = /^(?:([a-z_][a-z0-9_$]*|"(?:[^"]|"")+")\.)?([a-z_][a-z0-9_$]*|"(?:[^"]|"")+")((?: DESC)?(?: NULLS (?:FIRST|LAST))?)$/.exec(key);
    if (!match || (match[1] !== undefined && !qualifiers.includes(unquoteIdentifier(match[1])))) return undefined;
    columns.push(match[2] + match[3]);
  }
  return columns.length > 0 ? columns : undefined;
}

// ---------------------------------------------------------------------------------------------
// plan-hash-spill
// ---------------------------------------------------------------------------------------------

/**
 * A hash join batches when its hash table exceeds work_mem × hash_mem_multiplier, by nodeHash.c's
 * measure: each row's width plus 32 bytes of tuple and chain headers, and an 8-byte bucket per
 * row rounded up to a power of two.
 */
function hashSpillInsight(node: PlanNode, join: PlanNode | undefined, context: PlanContext): PlanInsight | undefined {
  const limitBytes = context.workMemKb * 1024 * context.hashMemMultiplier;
  const bytes = node.planRows * (align8(node.planWidth) + 32) + nextPowerOfTwo(node.planRows) * 8;
  const batches = numberOf(node.raw['Hash Batches']);
  const batched = batches !== undefined && batches > 1;
  if (!batched && bytes <= limitBytes) return undefined;

  const input = relationInputOf(node);
  const source = input ? ` from ${input.relationName}` : '';
  const joinName = join ? describeNode(join) : 'join';
  const limit =
    context.hashMemMultiplier === 1
      ? `work_mem (${formatKilobytes(context.workMemKb)})`
      : `work_mem × hash_mem_multiplier (${formatKilobytes(context.workMemKb)} × ${context.hashMemMultiplier} = ${formatKilobytes(context.workMemKb * context.hashMemMultiplier)})`;
  const raiseWorkMem = workMemRemedy(bytes, context.hashMemMultiplier);
  const what = `Hash of ~${formatCount(node.planRows)} ${Math.round(node.planRows) === 1 ? 'row' : 'rows'}${source}`;
  const problem = batched
    ? `${what} did not fit in work_mem × hash_mem_multiplier and ran in ${formatCount(batches!)} batches through disk`
    : `${what} (~${formatMegabytes(bytes)}) is larger than ${limit}, so the ${joinName} runs in batches through disk`;
  return {
    code: 'plan-hash-spill',
    severity: 'warning',
    message:
      `${problem}: hash less by filtering ${input ? input.relationName : 'the hashed side'} earlier or selecting fewer of its columns` +
      `${raiseWorkMem ? `, or ${raiseWorkMem}` : ''}${context.embedded ? EMBEDDED_NOTE : ''}.`,
    node,
    ...(input ? { relation: relationOf(input) } : {}),
  };
}

function nextPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

// ---------------------------------------------------------------------------------------------
// plan-nested-loop
// ---------------------------------------------------------------------------------------------

/**
 * A nested loop runs its inner side once per outer row. That is what it is for when the inner
 * side looks the matches up in an index; when it reads a table through instead, many outer rows
 * make it compare every pair. An inner side of one row is a plain cross product, not reported.
 */
function nestedLoopInsight(node: PlanNode, rowsInAll: Map<PlanNode, number>, context: PlanContext): PlanInsight | undefined {
  const [outer, inner] = node.children.filter((child) => !isSubplan(child));
  if (!outer || !inner) return undefined;
  const outerRows = rowsInAll.get(outer) ?? outer.planRows;
  if (outerRows <= context.thresholds.nestedLoopMaxOuterRows || inner.planRows <= 1) return undefined;
  if (someNode(inner, isIndexScan)) return undefined;
  const innerScan = findNode(inner, (candidate) => candidate.nodeType === 'Seq Scan' && candidate.relationName !== undefined);
  if (!innerScan) return undefined;

  const table = innerScan.relationName!;
  const columns = node.joinFilter !== undefined ? innerJoinColumns(node.joinFilter, qualifiersOf(innerScan)) : [];
  const outerRelation = outer.relationName !== undefined ? `rows of ${outer.relationName}` : 'outer rows';
  const index = columns.length > 0 ? `An index on ${table} (${columns.join(', ')})` : `An index on the join column of ${table}`;
  const problem = `Nested Loop compares each of ~${formatCount(outerRows)} ${outerRelation} with all ~${formatCount(inner.planRows)} rows of ${table}, read by a ${describeNode(innerScan).replace(/ on .*$/, '')} since no index serves the join${context.embedded ? EMBEDDED_NOTE : ''}. `;
  const analyse = 'ANALYZE both tables and check that the join condition compares columns of the same type, so PostgreSQL can choose a hash join.';
  return {
    code: 'plan-nested-loop',
    severity: 'warning',
    message: `${problem}${index} lets each loop look up only its matches; otherwise ${analyse}`,
    withoutIndex: `${problem}${analyse.charAt(0).toUpperCase()}${analyse.slice(1)}`,
    node,
    relation: relationOf(innerScan),
    ...(columns.length > 0 ? { columns } : {}),
  };
}

function isIndexScan(node: PlanNode): boolean {
  return node.nodeType === 'Index Scan' || node.nodeType === 'Index Only Scan' || node.nodeType === 'Bitmap Index Scan';
}

// ---------------------------------------------------------------------------------------------
// plan-high-cost
// ---------------------------------------------------------------------------------------------

function highCostInsight(plan: Plan, rowsInAll: Map<PlanNode, number>, context: PlanContext): PlanInsight | undefined {
  const total = plan.root.totalCost;
  if (total <= context.thresholds.maxPlanCost) return undefined;
  const costliest = mostExpensiveNode(plan) ?? plan.root;
  const rows = rowsInAll.get(costliest) ?? costliest.planRows;
  const above = `Estimated cost ${formatCost(total)} is above queryLens.maxPlanCost (${formatCost(context.thresholds.maxPlanCost)}): `;
  const subplan = repeatedSubplanOf(costliest);
  if (subplan) {
    // The cost EXPLAIN gives the node is mostly the subplan's runs: a SubPlan node's own cost
    // is that of one run, so it is the subquery, not the scan, that is to blame.
    const inner = firstScanOf(subplan) ?? subplan;
    const remedy = subplanRemedy(costliest, subplan);
    return {
      code: 'plan-high-cost',
      severity: 'information',
      message:
        above +
        `${describeNode(costliest)} runs ${subplan.subplanName} (${describeNode(inner)}, cost ~${formatCost(subplan.totalCost)} a run) again for each of its rows ` +
        `(~${formatCost(ownCost(costliest))} of the cost, ~${formatCount(rows)} ${Math.round(rows) === 1 ? 'row' : 'rows'} kept)${context.embedded ? EMBEDDED_NOTE : ''}. ${remedy}`,
      node: plan.root,
    };
  }
  return {
    code: 'plan-high-cost',
    severity: 'information',
    message:
      above +
      `the most expensive step is ${describeNode(costliest)} (~${formatCost(ownCost(costliest))} of the cost, ~${formatCount(rows)} ${Math.round(rows) === 1 ? 'row' : 'rows'})${context.embedded ? EMBEDDED_NOTE : ''}.`,
    node: plan.root,
  };
}


// ---------------------------------------------------------------------------------------------
// plan-table-maintenance
// ---------------------------------------------------------------------------------------------

/**
 * One insight per table the plan reads whose upkeep is behind: never analysed, changed by a
 * fifth of its rows since it was, or a fifth dead rows. Not on the embedded database, whose
 * tables are empty.
 */
function maintenanceInsights(plan: Plan, context: PlanContext): PlanInsight[] {
  if (context.embedded) return [];
  const insights: PlanInsight[] = [];
  const seen = new Set<TableStats>();
  const visit = (node: PlanNode): void => {
    const table = node.relationName !== undefined && node.nodeType.endsWith('Scan') ? context.table(node.schema, node.relationName) : undefined;
    if (table && !seen.has(table)) {
      seen.add(table);
      const message = table.maintenance && maintenanceMessage(table.name, table.maintenance, table.rows, table.pages);
      if (message) insights.push({ code: 'plan-table-maintenance', severity: 'information', message, node, relation: relationOf(node) });
    }
    for (const child of node.children) visit(child);
  };
  visit(plan.root);
  return insights;
}

function maintenanceMessage(name: string, upkeep: TableMaintenance, analysedRows: number, analysedPages: number): string | undefined {
  const parts: string[] = [];
  if (!upkeep.lastAnalyzed && upkeep.liveRows >= MAINTENANCE_MIN_ROWS) {
    parts.push(`${name} has never been analysed: the planner guesses its ~${formatCount(upkeep.liveRows)} rows and their values, so this plan may be far from the one it would choose. Run ANALYZE ${name}.`);
  } else if (upkeep.lastAnalyzed && isStale(upkeep, analysedPages)) {
    parts.push(
      `${name} has had ~${formatCount(upkeep.modifiedSinceAnalyze)} rows inserted, updated or deleted since it was last analysed (${formatTimestamp(upkeep.lastAnalyzed)}), ` +
        `and holds ~${formatCount(upkeep.liveRows)} rows where that ANALYZE counted ~${formatCount(Math.max(analysedRows, 0))}: the planner's estimates for it, and this plan, may be off. ` +
        `Run ANALYZE ${name}, and check that autovacuum reaches it (autovacuum_analyze_scale_factor).`,
    );
  }
  if (upkeep.deadRows >= Math.max(MAINTENANCE_MIN_ROWS, MAINTENANCE_SHARE * upkeep.liveRows)) {
    const share = upkeep.liveRows > 0 ? ` (${formatCount((100 * upkeep.deadRows) / upkeep.liveRows)}% of its ~${formatCount(upkeep.liveRows)} live ones)` : '';
    parts.push(
      `${name} holds ~${formatCount(upkeep.deadRows)} dead rows${share} that every scan of it still reads: run VACUUM ${name} ` +
        `(VACUUM FULL or pg_repack to give the space back) and check that autovacuum keeps up with its writes.`,
    );
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * Whether the table has changed since its last ANALYZE by a fifth of its rows, and has grown or
 * shrunk on disk by a fifth since. The counts alone mislead: rows loaded just before an ANALYZE
 * in the same session, or in its transaction, can reach the counters after it and count as
 * changes it did not see (seen with seed scripts); the table's size on disk does not lie.
 */
function isStale(upkeep: TableMaintenance, analysedPages: number): boolean {
  const changes = Math.max(MAINTENANCE_MIN_ROWS, MAINTENANCE_SHARE * upkeep.liveRows);
  const pages = Math.max(analysedPages, 0);
  return upkeep.modifiedSinceAnalyze >= changes && Math.abs(upkeep.currentPages - pages) >= Math.max(MINIMUM_GROWTH_PAGES, MAINTENANCE_SHARE * pages);
}

// ---------------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------------

/** `raise work_mem for this query (SET LOCAL work_mem = '64MB')`, when a sensible size would do. */
function workMemRemedy(bytes: number, multiplier: number): string | undefined {
  const needed = bytes / multiplier;
  if (needed > LARGEST_WORK_MEM_ADVICE) return undefined;
  return `raise work_mem for this query (SET LOCAL work_mem = ${workMemSettingFor(needed)})`;
}

/**
 * The table a node's input reads, when the input is a plain scan of one (possibly under a
 * Materialize or Gather): the one table an index could serve.
 */
function relationInputOf(node: PlanNode): PlanNode | undefined {
  let input = node.children.find((child) => !isSubplan(child));
  while (input && input.relationName === undefined && (input.nodeType === 'Materialize' || input.nodeType.startsWith('Gather'))) {
    input = input.children.find((child) => !isSubplan(child));
  }
  return input?.relationName !== undefined && input.nodeType.endsWith('Scan') ? input : undefined;
}

/** The names a scan's columns may be prefixed with in EXPLAIN's conditions. */
function qualifiersOf(node: PlanNode): string[] {
  return [node.alias, node.relationName].filter((name): name is string => name !== undefined);
}

function relationOf(node: PlanNode): { name: string; alias?: string; schema?: string } {
  return {
    name: node.relationName!,
    ...(node.alias !== undefined && node.alias !== node.relationName ? { alias: node.alias } : {}),
    ...(node.schema !== undefined ? { schema: node.schema } : {}),
  };
}

function someNode(root: PlanNode, test: (node: PlanNode) => boolean): boolean {
  return findNode(root, test) !== undefined;
}

function findNode(root: PlanNode, test: (node: PlanNode) => boolean): PlanNode | undefined {
  if (test(root)) return root;
  for (const child of root.children) {
    const found = findNode(child, test);
    if (found) return found;
  }
  return undefined;
}

/** A condition for a message: without the parentheses around it all, cut at a readable length. */
export function quotedCondition(condition: string): string {
  let text = condition.trim();
  if (text.startsWith('(') && closingParenthesis(text) === text.length - 1) text = text.slice(1, -1);
  return text.length > QUOTED_CONDITION_LENGTH ? `${text.slice(0, QUOTED_CONDITION_LENGTH - 1)}…` : text;
}

/** The index of the parenthesis that closes the one at 0, skipping quoted text. */
function closingParenthesis(text: string): number {
  let closing = -1;
  scanOutsideQuotes(text, (char, index, depth) => {
    if (char === ')' && depth === 0) {
      closing = index;
      return true;
    }
    return false;
  });
  return closing;
}

/** pg_get_indexdef quotes the key columns that need it. */
export function unquoteIdentifier(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}
