/**
 * `query-lens advise`: the smallest index set that serves a whole workload, and the indexes it
 * can do without. Each query's own finding names one index (verified alone, see verifyIndex.ts);
 * here those candidates are judged together, as they would live together in the database: an
 * index whose keys lead another's is left to the longer one when that one serves its queries
 * too, and an index no query's plan uses once the others exist is dropped from the set. The set
 * is proven the way single indexes are: every query planned again with all of it at once
 * (hypothetically with HypoPG, really in a rolled-back transaction on the embedded database).
 */
import type { ActivePlanner } from '../db/databaseService';
import type { IndexAdvice } from '../db/planDocument';
import type { ExplainOutcome } from '../db/planner';
import { planFromExplainJson, walkPlan } from '../plan/planModel';
import type { TableStats } from '../plan/insights';
import { candidatesOf, createIndexStatement, namedIndexStatement, type IndexCandidate } from './verifyIndex';
import { quoteIdentifier } from '../text/identifiers';
import { closingParenthesis, splitTopLevel } from '../text/parentheses';
import { formatCount } from '../text/numbers';

/** One query's finding that names an index, with where the query is. */
export interface AdvisedQuery {
  file: string;
  line: number;
  advice: IndexAdvice;
}

export interface SuggestedIndex {
  statement: string;
  table: string;
  columns: string[];
  /** A covering index's INCLUDE columns (absent when it has none). */
  include?: string[];
  queries: { file: string; line: number; costBefore: number; costAfter: number | null }[];
  verified: 'hypopg' | 'embedded' | 'none';
  /** Why it is not verified (`verified: "none"`). */
  unverified?: string;
  /** Why it is suggested when no query's plan asks for it (a foreign key without an index). */
  reason?: string;
}

export interface IndexToDrop {
  statement: string;
  reason: string;
}

export interface WorkloadAdvice {
  indexes: SuggestedIndex[];
  drop: IndexToDrop[];
}

/** A table counts as written far more than read from this many written rows, at this many per scan. */
const WRITE_HEAVY_MIN_WRITES = 10_000;
const WRITE_HEAVY_RATIO = 10;

/** Rounds of "plan everything with the set, then mend the set"; two settle every workload tried so far. */
const MAX_ROUNDS = 4;

interface Candidate {
  key: string;
  candidate: IndexCandidate;
  statement: string;
  queries: AdvisedQuery[];
}

/**
 * The index set for `advised` (every finding of the workload whose remedy is an index), proven
 * together on `active`. `name` gives each index its readable name.
 */
export async function adviseIndexes(active: ActivePlanner, allAdvised: readonly AdvisedQuery[], name: (candidate: IndexCandidate, taken: ReadonlySet<string>) => string, minGainShare: number): Promise<SuggestedIndex[]> {
  // A table written far more than it is read pays for another index on every write: an index
  // there must earn twice as much of what is left (50% → 75%).
  const heavilyWritten = (query: AdvisedQuery) => {
    const table = active.tables.get(`${query.advice.candidate.schema}.${query.advice.candidate.table}`);
    const upkeep = table?.maintenance;
    return upkeep?.writes !== undefined && upkeep.writes >= WRITE_HEAVY_MIN_WRITES && upkeep.writes > WRITE_HEAVY_RATIO * Math.max(upkeep.scans, 1);
  };
  const gains = (method: 'hypopg' | 'embedded', before: number, after: number, query?: AdvisedQuery) => {
    const share = query && heavilyWritten(query) ? 1 - (1 - minGainShare) / 2 : minGainShare;
    return method === 'embedded' || after <= before * (1 - share);
  };
  // A query on such a table whose own index, verified alone, does not earn that much is left out.
  const advised = allAdvised.filter((query) => {
    const verdict = query.advice.verdict;
    return verdict.method === 'none' || gains(verdict.method, verdict.costBefore, verdict.costAfter, query);
  });
  const candidates = new Map<string, Candidate>();
  // A query on an OR asks for an index per branch: each is a candidate of its own.
  for (const query of advised) {
    for (const candidate of candidatesOf(query.advice)) {
      const key = createIndexStatement(candidate);
      const known = candidates.get(key);
      if (known) known.queries.push(query);
      else candidates.set(key, { key, candidate, statement: key, queries: [query] });
    }
  }
  const taken = new Set<string>([...active.tables.values()].flatMap((table) => table.indexes.map((index) => index.name)));
  const named = (candidate: IndexCandidate): string => {
    const chosen = name(candidate, taken);
    taken.add(chosen);
    return chosen;
  };
  const method = active.embedded ? 'embedded' : active.planner.facts.hypopg ? 'hypopg' : undefined;
  if (!method) {
    const reason = advised.find((query) => query.advice.verdict.method === 'none')?.advice.verdict;
    return [...candidates.values()].map((entry) => ({
      ...suggestion(entry.candidate, named(entry.candidate)),
      queries: entry.queries.map((query) => ({ file: query.file, line: query.line, costBefore: costBeforeOf(query), costAfter: null })),
      verified: 'none' as const,
      unverified: reason && reason.method === 'none' ? reason.reason : `${active.label} has no HypoPG`,
    }));
  }

  // An index whose keys lead a longer one's on the same table: the longer serves its queries too
  // (a b-tree is read by any leading part of its keys), so one index does the work of two.
  let set = [...candidates.values()].filter((entry) => ![...candidates.values()].some((other) => other !== entry && leadsWith(other.candidate, entry.candidate)));
  const queries = advised;
  let served = new Map<string, { costAfter: number; uses: Set<string> }>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    served = await planWith(active, method, queries, set);
    const useful = set.filter((entry) => queries.some((query) => served.get(queryKey(query))?.uses.has(entry.key) && gains(method, costBeforeOf(query), served.get(queryKey(query))!.costAfter, query)));
    // A query the set leaves unserved gets its own index back (the one it was verified with alone).
    const unserved = queries.filter((query) => {
      const after = served.get(queryKey(query));
      return !after || !gains(method, costBeforeOf(query), after.costAfter, query);
    });
    const restored = unserved.flatMap((query) => candidatesOf(query.advice).map((candidate) => candidates.get(createIndexStatement(candidate))!)).filter((entry) => !useful.includes(entry));
    const next = [...new Set([...useful, ...restored])];
    if (next.length === set.length && next.every((entry) => set.includes(entry))) break;
    set = next;
  }

  return set
    .map((entry): SuggestedIndex => {
      const served_ = queries.filter((query) => served.get(queryKey(query))?.uses.has(entry.key));
      return {
        ...suggestion(entry.candidate, named(entry.candidate)),
        queries: served_.map((query) => ({ file: query.file, line: query.line, costBefore: round2(costBeforeOf(query)), costAfter: round2(served.get(queryKey(query))!.costAfter) })),
        verified: method,
      };
    })
    .filter((index) => index.queries.length > 0)
    .sort((a, b) => a.table.localeCompare(b.table) || a.statement.localeCompare(b.statement));
}

function suggestion(candidate: IndexCandidate, name: string): Omit<SuggestedIndex, 'queries' | 'verified'> {
  return {
    statement: namedIndexStatement(candidate, name),
    table: candidate.table,
    columns: candidate.columns,
    ...(candidate.include?.length ? { include: candidate.include } : {}),
  };
}

/** Whether `longer`'s keys start with all of `shorter`'s and it holds more (keys or INCLUDE columns), on the same table. */
function leadsWith(longer: IndexCandidate, shorter: IndexCandidate): boolean {
  return (
    longer.schema === shorter.schema &&
    longer.table === shorter.table &&
    longer.where === shorter.where &&
    longer.columns.length >= shorter.columns.length &&
    shorter.columns.every((column, i) => longer.columns[i] === column) &&
    // The shorter's INCLUDE columns must be in the longer too, or its index-only scan is lost.
    (shorter.include ?? []).every((column) => longer.columns.includes(column) || (longer.include ?? []).includes(column)) &&
    (longer.columns.length > shorter.columns.length || (longer.include?.length ?? 0) > (shorter.include?.length ?? 0))
  );
}

function queryKey(query: AdvisedQuery): string {
  return `${query.file}:${query.line}|${query.advice.sql}|${JSON.stringify(query.advice.values ?? null)}`;
}

function costBeforeOf(query: AdvisedQuery): number {
  const verdict = query.advice.verdict;
  return verdict.method === 'none' ? NaN : verdict.costBefore;
}

/** Every query planned with the whole set at once: its cost, and which of the set its plan reads. */
async function planWith(active: ActivePlanner, method: 'hypopg' | 'embedded', queries: readonly AdvisedQuery[], set: readonly Candidate[]): Promise<Map<string, { costAfter: number; uses: Set<string> }>> {
  const result = new Map<string, { costAfter: number; uses: Set<string> }>();
  const statements = set.map((entry) => entry.statement);
  for (const query of queries) {
    const { outcome, indexNames } = await active.planner.explainWithIndexes(query.advice.sql, query.advice.parameterCount, statements, method, query.advice.values);
    const read = readPlan(outcome);
    if (!read) continue;
    const uses = new Set<string>();
    indexNames.forEach((indexName, i) => {
      if (read.indexes.has(indexName)) uses.add(set[i].key);
    });
    result.set(queryKey(query), { costAfter: read.cost, uses });
  }
  return result;
}

function readPlan(outcome: ExplainOutcome): { cost: number; indexes: Set<string> } | undefined {
  if (outcome.kind !== 'plan') return undefined;
  try {
    const plan = planFromExplainJson(outcome.json);
    const indexes = new Set<string>();
    walkPlan(plan, (node) => {
      if (node.indexName !== undefined) indexes.add(node.indexName);
    });
    return { cost: plan.root.totalCost, indexes };
  } catch {
    return undefined;
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}


/** A foreign key's table below this many rows is read whole in no time: no index needed for its checks. */
export const FOREIGN_KEY_MIN_ROWS = 1000;

/**
 * An index for each foreign key whose columns lead no index of their table (and no index the
 * workload's set adds): without it, deleting or re-keying a referenced row reads the whole
 * referencing table, and so do joins from the referenced side. EXPLAIN never shows those checks,
 * so these are not verified by a plan; the reason says why they are there.
 */
export function foreignKeyIndexes(
  foreignKeys: readonly { schema: string; table: string; constraint: string; columns: string[]; references: string; rows: number; partitioned?: boolean }[],
  suggested: readonly SuggestedIndex[],
  name: (candidate: IndexCandidate, taken: ReadonlySet<string>) => string,
  taken: Set<string>,
): SuggestedIndex[] {
  const indexes: SuggestedIndex[] = [];
  for (const key of foreignKeys) {
    if (key.rows < FOREIGN_KEY_MIN_ROWS) continue;
    const covered = suggested.some((index) => index.table === key.table && key.columns.every((column, i) => index.columns[i] === column));
    if (covered) continue;
    const candidate: IndexCandidate = { schema: key.schema, table: key.table, columns: key.columns, ...(key.partitioned ? { partitioned: true } : {}) };
    const chosen = name(candidate, taken);
    taken.add(chosen);
    indexes.push({
      ...suggestion(candidate, chosen),
      queries: [],
      verified: 'none',
      unverified: 'EXPLAIN does not show foreign-key checks',
      reason: `foreign key ${key.constraint} to ${key.references}: no index leads with (${key.columns.join(', ')}), so each delete or key update in ${key.references} reads all ~${formatCount(key.rows)} rows of ${key.table}`,
    });
  }
  return indexes;
}

// ---------------------------------------------------------------------------------------------
// The indexes a database can do without
// ---------------------------------------------------------------------------------------------

/** An index as the catalog defines it (`pg_get_indexdef`), read into its parts. */
export interface IndexDefinition {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  /** Backs a primary key, unique or exclusion constraint: dropping it means dropping the constraint. */
  constraint: boolean;
  method: string;
  /** Each key as written, with its operator class, collation and order. */
  keys: string[];
  include: string[];
  predicate?: string;
}

/** `CREATE UNIQUE INDEX name ON ONLY public.t USING btree (a, lower(b) DESC) INCLUDE (c) WHERE (d)` read into its parts. */
export function readIndexDefinition(schema: string, table: string, name: string, constraint: boolean, definition: string): IndexDefinition | undefined {
  const match = /^CREATE (UNIQUE )?INDEX .*? ON (?:ONLY )?.*? USING (\w+) \(/.exec(definition);
  if (!match) return undefined;
  const keysEnd = closingParenthesis(definition, match[0].length - 1);
  if (keysEnd < 0) return undefined;
  let rest = definition.slice(keysEnd + 1).trim();
  let include: string[] = [];
  const includeMatch = /^INCLUDE \(/.exec(rest);
  if (includeMatch) {
    const end = closingParenthesis(rest, includeMatch[0].length - 1);
    include = splitTopLevel(rest.slice(includeMatch[0].length, end));
    rest = rest.slice(end + 1).trim();
  }
  // Storage parameters and a tablespace do not change what the index serves.
  const predicate = /WHERE (.*)$/.exec(rest)?.[1];
  return {
    schema,
    table,
    name,
    unique: match[1] !== undefined,
    constraint,
    method: match[2],
    keys: splitTopLevel(definition.slice(match[0].length, keysEnd)),
    include,
    ...(predicate ? { predicate } : {}),
  };
}

/**
 * The indexes to drop: an exact duplicate of another (same keys, method, INCLUDE and predicate;
 * the one kept is the one backing a constraint, else the first by name), and a plain b-tree whose
 * keys lead another b-tree's on the same table with nothing of its own (not unique, no predicate,
 * no INCLUDE the other lacks): the longer index serves every query the shorter does. Never an
 * index that backs a constraint.
 */
export function redundantIndexes(definitions: readonly IndexDefinition[]): RedundantIndex[] {
  const drop: RedundantIndex[] = [];
  const dropped = new Set<IndexDefinition>();
  const byTable = new Map<string, IndexDefinition[]>();
  for (const definition of definitions) {
    const key = `${definition.schema}.${definition.table}`;
    byTable.set(key, [...(byTable.get(key) ?? []), definition]);
  }
  for (const indexes of byTable.values()) {
    const ordered = [...indexes].sort((a, b) => Number(b.constraint) - Number(a.constraint) || Number(b.unique) - Number(a.unique) || a.name.localeCompare(b.name));
    for (const [i, index] of ordered.entries()) {
      if (index.constraint || dropped.has(index)) continue;
      const twin = ordered.find((other, j) => j < i && !dropped.has(other) && sameDefinition(other, index));
      if (twin) {
        dropped.add(index);
        drop.push({ statement: dropStatement(index), reason: `duplicate of ${twin.name}`, name: index.name, of: twin.name });
        continue;
      }
      if (index.unique || index.method !== 'btree' || index.predicate !== undefined) continue;
      const longer = ordered.find(
        (other) =>
          other !== index &&
          !dropped.has(other) &&
          other.method === 'btree' &&
          other.predicate === undefined &&
          other.keys.length > index.keys.length &&
          index.keys.every((key, k) => other.keys[k] === key) &&
          index.include.every((column) => other.keys.includes(column) || other.include.includes(column)),
      );
      if (longer) {
        dropped.add(index);
        drop.push({ statement: dropStatement(index), reason: `prefix of ${longer.name} (${longer.keys.join(', ')})`, name: index.name, of: longer.name });
      }
    }
  }
  return drop;
}

function sameDefinition(a: IndexDefinition, b: IndexDefinition): boolean {
  return a.method === b.method && a.predicate === b.predicate && a.keys.join('\u0000') === b.keys.join('\u0000') && [...a.include].sort().join('\u0000') === [...b.include].sort().join('\u0000');
}

export function dropStatement(index: Pick<IndexDefinition, 'schema' | 'name'>): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdentifier(index.schema)}.${quoteIdentifier(index.name)}`;
}

/** The redundant indexes of one table, read from its catalog statistics (see redundantIndexes), by index name. */
/** An index to drop because another does its work: which index, and the one that does. */
export interface RedundantIndex extends IndexToDrop {
  name: string;
  of: string;
}

export function redundantIndexesOf(table: TableStats): Map<string, RedundantIndex> {
  // Asked once per CREATE INDEX of a file: read once per catalog read (a new one makes new tables).
  const known = redundancyByTable.get(table);
  if (known) return known;
  const definitions = table.indexes
    .map((index) => (index.definition ? readIndexDefinition(table.schema, table.name, index.name, index.constraint === true, index.definition) : undefined))
    .filter((definition): definition is IndexDefinition => definition !== undefined);
  const byName = new Map(redundantIndexes(definitions).map((drop) => [drop.name, drop] as const));
  redundancyByTable.set(table, byName);
  return byName;
}

const redundancyByTable = new WeakMap<TableStats, Map<string, RedundantIndex>>();

/** Unused indexes among `tables` by the same test as `unused-index` (see isReportedUnused), as drops. */
export function unusedIndexDrops(tables: Iterable<TableStats>, isUnused: (table: TableStats, name: string) => boolean): IndexToDrop[] {
  const drop: IndexToDrop[] = [];
  for (const table of tables) {
    for (const index of table.indexes) {
      if (index.constraint || !isUnused(table, index.name)) continue;
      const since = table.maintenance?.countedSince ? ` since ${table.maintenance.countedSince.toISOString().slice(0, 10)}` : '';
      drop.push({ statement: dropStatement({ schema: table.schema, name: index.name }), reason: `never used${since} while ${table.name} was read ${formatCount(table.maintenance?.scans ?? 0)} times` });
    }
  }
  return drop;
}
