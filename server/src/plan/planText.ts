/**
 * EXPLAIN's text format, both ways: reading it back into the JSON document `EXPLAIN (FORMAT
 * JSON)` would have printed, and drawing a plan the way `EXPLAIN` draws it. The labels follow
 * PostgreSQL's explain.c: `Parallel ` and `Async ` prefixes, the join type folded into the name
 * (`Hash Left Join`, `Nested Loop Anti Join`), aggregates named by strategy (`HashAggregate`),
 * and the scan target as `on schema.relation alias`.
 *
 * The reader accepts every PostgreSQL version's output, with or without ANALYZE, COSTS, TIMING
 * or VERBOSE, and is forgiving about what pasting does to it (see pastedPlan.ts): lines a
 * terminal hard-wrapped are joined again, tabs count as four spaces, blank lines are skipped.
 */
import { SqlScanner, Tok, TokenFlag } from '../scan/sqlScanner';
import { numberOf } from './figures';
import { PlanParseError, pastedPlanLines } from './pastedPlan';
import type { Plan, PlanNode } from './planModel';
import { quoteIdentifier } from '../text/identifiers';

type JsonObject = Record<string, unknown>;
interface JsonNode extends JsonObject {
  Plans?: JsonNode[];
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** What follows a node's label: `(cost=…)`, `(actual …)` or `(never executed)`. */
const NODE_FIGURES = /\s*\((?:cost=|actual (?:time|rows)=|never executed\))/;
const COSTS = /\(cost=(-?[\d.]+)\.\.(-?[\d.]+) rows=([\d.]+) width=(\d+)\)/;
const ACTUALS = /\(actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=([\d.]+)\)/;
const NEVER_EXECUTED = '(never executed)';
/** `InitPlan 1 (returns $0)`, `SubPlan 2`, `CTE recent`: the label above a subplan's node. */
const SUBPLAN_LABEL = /^(?:(InitPlan|SubPlan)(?: \d+)?(?: \(returns [^)]*\))?|CTE (?:"(?:[^"]|"")*"|\S+))$/;
/** Properties whose JSON value is a boolean; text prints them only when true. */
const BOOLEAN_PROPERTIES = new Set(['Inner Unique', 'Single Copy', 'Disabled']);
/** A property line: `Filter: …`, `Rows Removed by Filter: 12`, `I/O Timings: …`. */
const PROPERTY = /^([A-Za-z][A-Za-z0-9 /-]*?):(?: (.*))?$/;
const WORKER = /^Worker (\d+):\s*(.*)$/;
const WORKER_ACTUALS = /^actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=([\d.]+)/;
const TRIGGER = /^Trigger (.+): time=([\d.]+) calls=([\d.]+)$/;
/** Lines only the plan as a whole has, wherever a paste left their indentation. */
const PLAN_PROPERTY = /^(?:Planning [Tt]ime|Execution [Tt]ime|Total runtime|Planning|Settings|Query Identifier|Serialization):/;
const SORT_METHOD = /^(.+?) {2}(Memory|Disk): (\d+)kB$/;
const HASH_BUCKETS = /^(\d+)(?: \(originally (\d+)\))? {2}Batches: (\d+)(?: \(originally (\d+)\))? {2}Memory Usage: (\d+)kB$/;
/** Properties whose JSON value is a list, printed comma-separated in text. */
const LIST_PROPERTIES = new Set(['Output', 'Sort Key', 'Presorted Key', 'Group Key', 'Conflict Arbiter Indexes']);
/** Properties whose JSON value is a number. */
const NUMBER_PROPERTIES = new Set([
  'Rows Removed by Filter',
  'Rows Removed by Index Recheck',
  'Rows Removed by Join Filter',
  'Rows Removed by Conflict Filter',
  'Heap Fetches',
  'Workers Planned',
  'Workers Launched',
  'Index Searches',
  'Subplans Removed',
]);

/** A node, or the label of the subplan under it, open while deeper lines may still belong to it. */
interface OpenEntry {
  column: number;
  node: JsonNode;
  /** Set for a subplan label: the next deeper node is that subplan of `node`. */
  subplan?: { relationship: string; name: string };
}

/**
 * The JSON document (`{ "Plan": …, "Planning Time": …, … }`) that EXPLAIN's text output stands
 * for. Throws PlanParseError when there is no plan in the text or it stops inside a node's line.
 */
export function explainDocumentFromText(text: string): JsonObject {
  const { lines, afterHeader } = pastedPlanLines(text);
  const expanded = lines.map((line) => line.replace(/\t/g, '    '));
  const rootIndex = findRootLine(expanded, afterHeader);
  if (rootIndex < 0) throw new PlanParseError('no plan in the text: expected the output of EXPLAIN');

  const document: JsonObject = {};
  const queryText = queryTextBefore(expanded.slice(0, rootIndex));
  if (queryText !== undefined) document['Query Text'] = queryText;

  const rootColumn = indentOf(expanded[rootIndex]);
  const logical = joinWrappedLines(expanded.slice(rootIndex), rootColumn);
  const last = logical[logical.length - 1];
  if (isNodeLine(last, logical.length === 1) && isOpen(last)) {
    throw new PlanParseError(`the plan stops in the middle of a node's line: "${last.trim().slice(-60)}"`);
  }

  const root = nodeFromHeader(logical[0].trim().replace(/^->\s*/, ''));
  document.Plan = root;
  const open: OpenEntry[] = [{ column: rootColumn, node: root }];
  let current = root;
  // Sub-lines of a `Worker N:` line, and of a plan section such as `Planning:` or `JIT:`.
  let worker: { column: number; entry: JsonObject } | undefined;
  let section: { column: number; entry: JsonObject } | undefined;
  let treeEnded = false;

  for (const line of logical.slice(1)) {
    const column = indentOf(line);
    const content = line.trim();
    if (content.startsWith('->')) {
      // A node's parent is the nearest open node or subplan label left of its arrow; the root
      // takes every node, since pastes often shift the root's own line.
      while (open.length > 1 && open[open.length - 1].column >= column) open.pop();
      const parent = open[open.length - 1];
      const node = nodeFromHeader(content.slice(2).trim());
      if (parent.subplan) {
        node['Parent Relationship'] = parent.subplan.relationship;
        node['Subplan Name'] = parent.subplan.name;
      }
      (parent.node.Plans ??= []).push(node);
      open.push({ column, node });
      current = node;
      worker = section = undefined;
      treeEnded = false;
      continue;
    }
    const label = SUBPLAN_LABEL.exec(content);
    if (label && !treeEnded) {
      while (open.length > 1 && open[open.length - 1].column >= column) open.pop();
      const owner = open[open.length - 1].node;
      // CTEs are InitPlans run once; their label is the subplan's name, as in JSON.
      open.push({ column, node: owner, subplan: { relationship: label[1] ?? 'InitPlan', name: content } });
      worker = undefined;
      continue;
    }
    if (PLAN_PROPERTY.test(content) || TRIGGER.test(content) || (column <= rootColumn && !worker)) {
      section = addPlanProperty(document, content, column);
      treeEnded = true;
      worker = undefined;
      continue;
    }
    if (section && column > section.column) {
      addProperty(section.entry, content);
      continue;
    }
    if (treeEnded) continue;
    if (worker && column > worker.column) {
      addProperty(worker.entry, content);
      continue;
    }
    const workerLine = WORKER.exec(content);
    if (workerLine) {
      worker = { column, entry: addWorkerLine(current, Number(workerLine[1]), workerLine[2]) };
      continue;
    }
    worker = undefined;
    addProperty(current, content);
  }
  assignRelationships(root);
  return document;
}

/**
 * The root node's line: the first line after psql's header; without one, the first line that
 * carries a node's figures (what precedes it is the echoed command or other noise), else the
 * first line (a plan printed with COSTS OFF).
 */
function findRootLine(lines: string[], afterHeader: boolean): number {
  const firstFilled = lines.findIndex((line) => line.trim() !== '');
  if (afterHeader) return firstFilled;
  const withFigures = lines.findIndex((line) => NODE_FIGURES.test(line));
  return withFigures >= 0 ? withFigures : firstFilled;
}

/** auto_explain's `Query Text:` before the plan, with the lines it continues on. */
function queryTextBefore(lines: string[]): string | undefined {
  const start = lines.findIndex((line) => line.trimStart().startsWith('Query Text:'));
  if (start < 0) return undefined;
  const first = lines[start].trimStart().slice('Query Text:'.length).trim();
  return [first, ...lines.slice(start + 1).map((line) => line.trim())].join('\n').trim();
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isNodeLine(line: string, isFirst: boolean): boolean {
  return isFirst || line.trimStart().startsWith('->');
}

/**
 * EXPLAIN prints every line whole and balanced, so a line that leaves a parenthesis or a quote
 * open was cut by a terminal's wrapping and goes on in the next one. So does a line that starts
 * with a node's figures, and one that starts no line of its own (no arrow, label or property)
 * after a comma-separated list or left of the root node (psql indents every plan line by one
 * space; the wrapped rest starts at column 0).
 */
function joinWrappedLines(lines: string[], rootColumn: number): string[] {
  const joined: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const previous = joined[joined.length - 1];
    const continues =
      previous !== undefined &&
      (isOpen(previous) ||
        /^\s*\((?:cost=|actual |never executed)/.test(line) ||
        ((indentOf(line) < rootColumn || previous.trimEnd().endsWith(',')) && !startsALine(line.trim())));
    if (continues) joined[joined.length - 1] = previous + line;
    else joined.push(line);
  }
  return joined;
}

function startsALine(content: string): boolean {
  return content.startsWith('->') || SUBPLAN_LABEL.test(content) || PROPERTY.test(content) || WORKER.test(content);
}

/** Whether a line leaves a parenthesis, a string literal or a quoted identifier open (read with the one SQL scanner). */
function isOpen(line: string): boolean {
  let depth = 0;
  const scanner = new SqlScanner(line);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if ((kind === Tok.String || kind === Tok.QuotedIdentifier) && scanner.flags & TokenFlag.Unterminated) {
      return true;
    }
    if (kind === Tok.Punctuation) {
      const c = line.charCodeAt(scanner.start);
      if (c === 40 /* ( */) depth++;
      else if (c === 41 /* ) */) depth--;
    }
  }
  return depth > 0;
}

/** A node from its line without the arrow: `Hash Left Join  (cost=…) (actual …)`. */
function nodeFromHeader(header: string): JsonNode {
  const figuresAt = header.search(NODE_FIGURES);
  const label = figuresAt >= 0 ? header.slice(0, figuresAt) : header;
  const node: JsonNode = nodeFromLabel(label.trim());
  const figures = figuresAt >= 0 ? header.slice(figuresAt) : '';
  const costs = COSTS.exec(figures);
  if (costs) {
    node['Startup Cost'] = Number(costs[1]);
    node['Total Cost'] = Number(costs[2]);
    node['Plan Rows'] = Number(costs[3]);
    node['Plan Width'] = Number(costs[4]);
  }
  const actuals = ACTUALS.exec(figures);
  if (actuals) {
    if (actuals[1] !== undefined) {
      node['Actual Startup Time'] = Number(actuals[1]);
      node['Actual Total Time'] = Number(actuals[2]);
    }
    node['Actual Rows'] = Number(actuals[3]);
    node['Actual Loops'] = Number(actuals[4]);
  } else if (figures.includes(NEVER_EXECUTED)) {
    node['Actual Rows'] = 0;
    node['Actual Loops'] = 0;
  }
  return node;
}

const JOIN_TYPES = '(Left|Right|Full|Semi|Anti|Right Semi|Right Anti)';
const AGGREGATE = /^(?:(Partial|Finalize) )?(Aggregate|GroupAggregate|HashAggregate|MixedAggregate)\b/;
const AGGREGATE_STRATEGIES: Record<string, string> = { Aggregate: 'Plain', GroupAggregate: 'Sorted', HashAggregate: 'Hashed', MixedAggregate: 'Mixed' };
const SET_OP = /^(SetOp|HashSetOp) (Intersect All|Intersect|Except All|Except)\b/;
const NESTED_LOOP = new RegExp(`^Nested Loop(?: ${JOIN_TYPES} Join)?\\b`);
const HASH_OR_MERGE_JOIN = new RegExp(`^(Hash|Merge)(?: ${JOIN_TYPES})? Join\\b`);
const MODIFY_TABLE = /^(Insert|Update|Delete|Merge) on /;
const FOREIGN = /^Foreign (Scan|Insert|Update|Delete)\b/;
const CUSTOM_SCAN = /^Custom Scan(?: \(([^)]*)\))?/;
/** Node names that are their own label, longest first so that `Gather Merge` is not read as `Gather`. */
const PLAIN_NODE_TYPES = [
  'Named Tuplestore Scan',
  'Table Function Scan',
  'Bitmap Index Scan',
  'Bitmap Heap Scan',
  'Incremental Sort',
  'Index Only Scan',
  'Recursive Union',
  'Tid Range Scan',
  'WorkTable Scan',
  'Function Scan',
  'Subquery Scan',
  'Merge Append',
  'Gather Merge',
  'Values Scan',
  'Sample Scan',
  'Materialize',
  'Index Scan',
  'ProjectSet',
  'BitmapAnd',
  'WindowAgg',
  'BitmapOr',
  'CTE Scan',
  'LockRows',
  'Seq Scan',
  'Tid Scan',
  'Memoize',
  'Append',
  'Gather',
  'Result',
  'Unique',
  'Group',
  'Limit',
  'Sort',
  'Hash',
];
const IDENTIFIER = '"(?:[^"]|"")*"|[^\\s."]+';
/** `[schema.]object [alias]` after ` on `. */
const TARGET = new RegExp(`^(${IDENTIFIER})(?:\\.(${IDENTIFIER}))?(?: (${IDENTIFIER}))?`);
const INDEX_SCAN_TARGET = new RegExp(`^(?: (Backward))? using (${IDENTIFIER}) on (.*)$`);
/** What names the object a scan reads, by node type; relations otherwise. */
const OBJECT_PROPERTIES: Record<string, string | undefined> = {
  'Function Scan': 'Function Name',
  'Table Function Scan': 'Table Function Name',
  'CTE Scan': 'CTE Name',
  'WorkTable Scan': 'CTE Name',
  'Named Tuplestore Scan': 'Tuplestore Name',
  // These print only the alias.
  'Subquery Scan': undefined,
  'Values Scan': undefined,
};

/** The JSON properties a node's label stands for. */
function nodeFromLabel(label: string): JsonNode {
  const node: JsonNode = {};
  let rest = label;
  let parallel = false;
  let async = false;
  for (;;) {
    if (rest.startsWith('Parallel ')) parallel = true;
    else if (rest.startsWith('Async ')) async = true;
    else break;
    rest = rest.slice(rest.indexOf(' ') + 1);
  }
  // How much of `rest` names the operation; what follows names its index and target.
  let named: number;
  let match: RegExpExecArray | null;
  if ((match = AGGREGATE.exec(rest))) {
    Object.assign(node, { 'Node Type': 'Aggregate', Strategy: AGGREGATE_STRATEGIES[match[2]], 'Partial Mode': match[1] ?? 'Simple' });
    named = match[0].length;
  } else if ((match = SET_OP.exec(rest))) {
    Object.assign(node, { 'Node Type': 'SetOp', Strategy: match[1] === 'HashSetOp' ? 'Hashed' : 'Sorted', Command: match[2] });
    named = match[0].length;
  } else if ((match = NESTED_LOOP.exec(rest))) {
    Object.assign(node, { 'Node Type': 'Nested Loop', 'Join Type': match[1] ?? 'Inner' });
    named = match[0].length;
  } else if ((match = HASH_OR_MERGE_JOIN.exec(rest))) {
    Object.assign(node, { 'Node Type': `${match[1]} Join`, 'Join Type': match[2] ?? 'Inner' });
    named = match[0].length;
  } else if ((match = MODIFY_TABLE.exec(rest))) {
    Object.assign(node, { 'Node Type': 'ModifyTable', Operation: match[1] });
    addTarget(node, 'Relation Name', rest.slice(match[0].length));
    named = rest.length;
  } else if ((match = FOREIGN.exec(rest))) {
    Object.assign(node, { 'Node Type': 'Foreign Scan', Operation: match[1] === 'Scan' ? 'Select' : match[1] });
    named = match[0].length;
  } else if ((match = CUSTOM_SCAN.exec(rest))) {
    node['Node Type'] = 'Custom Scan';
    if (match[1] !== undefined) node['Custom Plan Provider'] = match[1];
    named = match[0].length;
  } else {
    const plain = PLAIN_NODE_TYPES.find((name) => rest === name || rest.startsWith(name + ' '));
    // A node this list does not know (a newer version's, an extension's) keeps its whole label.
    node['Node Type'] = plain ?? rest;
    named = (plain ?? rest).length;
  }
  const type = node['Node Type'] as string;
  const after = rest.slice(named);
  if (type === 'Index Scan' || type === 'Index Only Scan') {
    const index = INDEX_SCAN_TARGET.exec(after);
    if (index) {
      node['Scan Direction'] = index[1] ?? 'Forward';
      node['Index Name'] = unquote(index[2]);
      addTarget(node, 'Relation Name', index[3]);
    }
  } else if (type === 'Bitmap Index Scan') {
    const index = new RegExp(`^ on (${IDENTIFIER})`).exec(after);
    if (index) node['Index Name'] = unquote(index[1]);
  } else if (after.startsWith(' on ')) {
    addTarget(node, type in OBJECT_PROPERTIES ? OBJECT_PROPERTIES[type] : 'Relation Name', after.slice(4));
  }
  node['Parallel Aware'] = parallel;
  if (async) node['Async Capable'] = true;
  return node;
}

/**
 * `[schema.]object [alias]`; EXPLAIN leaves the alias out when it is the object's name. With no
 * object property (subquery and VALUES scans), the one name is the alias.
 */
function addTarget(node: JsonNode, objectProperty: string | undefined, text: string): void {
  const target = TARGET.exec(text);
  if (!target) return;
  const [first, second, alias] = [target[1], target[2], target[3]].map((part) => (part === undefined ? undefined : unquote(part)));
  if (objectProperty === undefined) {
    node.Alias = first;
    return;
  }
  const object = second ?? first!;
  node[objectProperty] = object;
  if (second !== undefined) node.Schema = first;
  node.Alias = alias ?? object;
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replace(/""/g, '"') : identifier;
}

/** A node's property line, under the name and in the shape EXPLAIN's JSON gives it. */
function addProperty(target: JsonObject, content: string): void {
  const property = PROPERTY.exec(content);
  // Lines that are not `Label: value` (a partitioned UPDATE's `Update on part_1`) say nothing the model needs.
  if (!property) return;
  const label = property[1];
  // Old versions print `Sort Method:  quicksort`.
  const value = (property[2] ?? '').trim();
  if (label === 'Sort Method') {
    const sort = SORT_METHOD.exec(value);
    if (sort) {
      Object.assign(target, { 'Sort Method': sort[1], 'Sort Space Used': Number(sort[3]), 'Sort Space Type': sort[2] });
      return;
    }
  } else if (label === 'I/O Timings') {
    if (addIoTimings(target, value)) return;
  } else if (label === 'Buckets') {
    const hash = HASH_BUCKETS.exec(value);
    if (hash) {
      Object.assign(target, {
        'Hash Buckets': Number(hash[1]),
        'Original Hash Buckets': Number(hash[2] ?? hash[1]),
        'Hash Batches': Number(hash[3]),
        'Original Hash Batches': Number(hash[4] ?? hash[3]),
        'Peak Memory Usage': Number(hash[5]),
      });
      return;
    }
  }
  if (LIST_PROPERTIES.has(label)) {
    const items = splitTopLevel(value);
    // Grouping sets print one `Group Key:` line per set.
    target[label] = Array.isArray(target[label]) ? [...(target[label] as string[]), ...items] : items;
  } else if (NUMBER_PROPERTIES.has(label)) {
    target[label] = numberOf(value) ?? value;
  } else if (BOOLEAN_PROPERTIES.has(label) && (value === 'true' || value === 'false')) {
    target[label] = value === 'true';
  } else if (value !== '') {
    target[label] = value;
  }
}

/** Where the blocks were read, as EXPLAIN's text names it, to its JSON keys' prefix. */
const IO_SCOPES: Record<string, string> = { '': 'I/O', 'shared/local': 'I/O', shared: 'Shared I/O', local: 'Local I/O', temp: 'Temp I/O' };

/**
 * `I/O Timings: read=0.011`, `shared read=1.2 write=0.4, temp write=16.0`: the keys EXPLAIN's JSON
 * gives, with the zeros text leaves out. PostgreSQL 16 and later name each scope (`shared`,
 * `local`, `temp`) and JSON has all six times; before, `I/O Read Time` and `I/O Write Time` (for
 * shared and local blocks) and, for temporary files, `Temp I/O …`. False when the line reads
 * otherwise.
 */
function addIoTimings(target: JsonObject, value: string): boolean {
  const segments: { scope: string; read: number; write: number }[] = [];
  for (const segment of value.split(',')) {
    const match = /^\s*(shared\/local|shared|local|temp)?\s*((?:(?:read|write)=[\d.]+\s*)+)$/.exec(segment);
    if (!match) return false;
    const read = /read=([\d.]+)/.exec(match[2]);
    const write = /write=([\d.]+)/.exec(match[2]);
    segments.push({ scope: match[1] ?? '', read: read ? Number(read[1]) : 0, write: write ? Number(write[1]) : 0 });
  }
  const scoped = segments.some((s) => s.scope === 'shared' || s.scope === 'local');
  const prefixes = scoped ? ['Shared I/O', 'Local I/O', 'Temp I/O'] : ['I/O', ...(segments.some((s) => s.scope === 'temp') ? ['Temp I/O'] : [])];
  for (const prefix of prefixes) {
    target[`${prefix} Read Time`] = 0;
    target[`${prefix} Write Time`] = 0;
  }
  for (const { scope, read, write } of segments) {
    const prefix = IO_SCOPES[scope];
    target[`${prefix} Read Time`] = read;
    target[`${prefix} Write Time`] = write;
  }
  return true;
}

/** `Worker 0:  actual time=… rows=… loops=…` or `Worker 0:  Sort Method: …`: one entry per worker. */
function addWorkerLine(node: JsonNode, number: number, rest: string): JsonObject {
  const workers = (node.Workers ??= []) as JsonObject[];
  let entry = workers.find((worker) => worker['Worker Number'] === number);
  if (!entry) workers.push((entry = { 'Worker Number': number }));
  const actuals = WORKER_ACTUALS.exec(rest);
  if (actuals) {
    if (actuals[1] !== undefined) {
      entry['Actual Startup Time'] = Number(actuals[1]);
      entry['Actual Total Time'] = Number(actuals[2]);
    }
    entry['Actual Rows'] = Number(actuals[3]);
    entry['Actual Loops'] = Number(actuals[4]);
  } else if (rest.startsWith('never executed')) {
    entry['Actual Rows'] = 0;
    entry['Actual Loops'] = 0;
  } else {
    addProperty(entry, rest);
  }
  return entry;
}

/**
 * A line about the whole plan: times, triggers, settings, or the head of a section whose
 * indented lines follow (`Planning:`, `JIT:`); returns that section.
 */
function addPlanProperty(document: JsonObject, content: string, column: number): { column: number; entry: JsonObject } | undefined {
  const trigger = TRIGGER.exec(content);
  if (trigger) {
    const triggers = (document.Triggers ??= []) as JsonObject[];
    triggers.push({ 'Trigger Name': trigger[1], Time: Number(trigger[2]), Calls: Number(trigger[3]) });
    return undefined;
  }
  const property = PROPERTY.exec(content);
  if (!property) return undefined;
  const [, label, value = ''] = property;
  const time = /^([\d.]+) ms$/.exec(value);
  if (/^(?:Planning|Execution) [Tt]ime$/.test(label) && time) {
    document[label.startsWith('Planning') ? 'Planning Time' : 'Execution Time'] = Number(time[1]);
  } else if (label === 'Total runtime' && time) {
    document['Execution Time'] = Number(time[1]);
  } else if (label === 'Settings') {
    document.Settings = settingsFrom(value);
  } else if (value === '') {
    const entry: JsonObject = {};
    document[label] = entry;
    return { column, entry };
  } else {
    // Kept as printed: a query identifier is a 64-bit number, beyond a double's precision.
    document[label] = value;
  }
  return undefined;
}

/** `work_mem = '100kB', enable_seqscan = 'off'` as `{ work_mem: "100kB", … }`. */
function settingsFrom(text: string): JsonObject {
  const settings: JsonObject = {};
  for (const item of splitTopLevel(text)) {
    const setting = /^(\S+) = '(.*)'$/.exec(item);
    if (setting) settings[setting[1]] = setting[2].replace(/''/g, "'");
  }
  return settings;
}

/**
 * Visits the characters of an EXPLAIN expression that are outside quoted text and comments, read
 * with the one SQL scanner, with the depth of brackets they are in (after an opening one, before
 * a closing one); `visit` returns true to stop.
 */
export function scanOutsideQuotes(text: string, visit: (char: string, index: number, depth: number) => boolean | void): void {
  let depth = 0;
  const scanner = new SqlScanner(text);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.String || kind === Tok.QuotedIdentifier || kind === Tok.DollarString || kind === Tok.LineComment || kind === Tok.BlockComment) {
      continue;
    }
    for (let i = scanner.start; i < scanner.end; i++) {
      const char = text[i];
      if (char === '(' || char === '[') depth++;
      else if (char === ')' || char === ']') depth--;
      if (visit(char, i, depth) === true) return;
    }
  }
}

/** A comma-separated list, not splitting inside parentheses or quotes: `a, lower(b, c), 'x,y'`. */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let start = 0;
  scanOutsideQuotes(text, (char, i, depth) => {
    if (char === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  });
  items.push(text.slice(start).trim());
  return items.filter((item) => item !== '');
}

/** Text does not say how a child relates to its parent; JSON does, and this is what it says. */
function assignRelationships(node: JsonNode): void {
  const type = node['Node Type'];
  const relationships =
    type === 'Nested Loop' || type === 'Hash Join' || type === 'Merge Join'
      ? ['Outer', 'Inner']
      : type === 'Append' || type === 'Merge Append' || type === 'BitmapAnd' || type === 'BitmapOr'
        ? undefined
        : [type === 'Subquery Scan' ? 'Subquery' : 'Outer', 'Inner'];
  let input = 0;
  for (const child of node.Plans ?? []) {
    if (child['Parent Relationship'] === undefined) {
      child['Parent Relationship'] = relationships ? (relationships[input] ?? 'Member') : 'Member';
      input++;
    }
    assignRelationships(child);
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

/** Properties the node's line already shows, or that EXPLAIN's text format never prints as such. */
const NOT_DETAIL_LINES = new Set([
  'Node Type',
  'Strategy',
  'Partial Mode',
  'Operation',
  'Parent Relationship',
  'Subplan Name',
  'Custom Plan Provider',
  'Parallel Aware',
  'Async Capable',
  'Relation Name',
  'Schema',
  'Alias',
  'Function Name',
  'Table Function Name',
  'CTE Name',
  'Tuplestore Name',
  'Index Name',
  'Scan Direction',
  'Join Type',
  'Command',
  'Startup Cost',
  'Total Cost',
  'Plan Rows',
  'Plan Width',
  'Actual Startup Time',
  'Actual Total Time',
  'Actual Rows',
  'Actual Loops',
  'Sort Space Used',
  'Sort Space Type',
  'Original Hash Buckets',
  'Hash Batches',
  'Original Hash Batches',
  'Peak Memory Usage',
  'Sampling Method',
]);

/**
 * The plan drawn as EXPLAIN's text format draws it: each node's label and figures, its
 * conditions, keys and counters below it, its inputs after `->` arrows, then what EXPLAIN says
 * about the whole plan, in its order (settings, planning, triggers, JIT, execution time).
 */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  renderNode(plan.root, 0, plan.costs !== false, lines);
  const raw = plan.raw ?? {};
  if (isObject(raw.Settings) && Object.keys(raw.Settings).length > 0) {
    lines.push(`Settings: ${Object.entries(raw.Settings).map(([name, value]) => `${name} = '${String(value).replace(/'/g, "''")}'`).join(', ')}`);
  }
  const queryIdentifier = raw['Query Identifier'];
  if (typeof queryIdentifier === 'number' || typeof queryIdentifier === 'string') lines.push(`Query Identifier: ${queryIdentifier}`);
  lines.push(...sectionLines('Planning', raw.Planning));
  if (plan.planningTime !== undefined) lines.push(`Planning Time: ${plan.planningTime.toFixed(3)} ms`);
  if (Array.isArray(raw.Triggers)) {
    for (const trigger of raw.Triggers.filter(isObject)) {
      const time = numberOf(trigger.Time);
      const calls = numberOf(trigger.Calls);
      if (time !== undefined && calls !== undefined) lines.push(`Trigger ${String(trigger['Trigger Name'])}: time=${time.toFixed(3)} calls=${calls}`);
    }
  }
  lines.push(...sectionLines('JIT', raw.JIT));
  if (plan.executionTime !== undefined) lines.push(`Execution Time: ${plan.executionTime.toFixed(3)} ms`);
  return lines.join('\n');
}

/**
 * A section such as `Planning:` with its lines indented below: as read from text, or JIT's as
 * JSON gives it (`"Options": { "Inlining": false, … }`, `"Timing": { "Emission": 3.7, … }`).
 * Buffer counters, which text prints in other words, are left out.
 */
function sectionLines(name: string, section: unknown): string[] {
  if (!isObject(section)) return [];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    if (typeof value === 'string') lines.push(`  ${key}: ${value}`);
    else if (name === 'JIT' && key === 'Functions' && typeof value === 'number') lines.push(`  Functions: ${value}`);
    else if (name === 'JIT' && key === 'Options' && isObject(value)) lines.push(`  Options: ${Object.entries(value).map(([option, on]) => `${option} ${String(on)}`).join(', ')}`);
    else if (name === 'JIT' && key === 'Timing' && isObject(value)) lines.push(`  Timing: ${Object.entries(value).map(([step, time]) => jitTiming(step, time)).join(', ')}`);
  }
  return lines.length > 0 ? [`${name}:`, ...lines] : [];
}

/** `Emission 3.684 ms`; PostgreSQL 17 splits Generation: `Generation 0.492 ms (Deform 0.134 ms)`. */
function jitTiming(step: string, time: unknown): string {
  if (isObject(time)) {
    const total = numberOf(time.Total) ?? 0;
    const deform = numberOf(time.Deform);
    return `${step} ${total.toFixed(3)} ms${deform !== undefined ? ` (Deform ${deform.toFixed(3)} ms)` : ''}`;
  }
  return `${step} ${(numberOf(time) ?? 0).toFixed(3)} ms`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One node at `level` (explain.c's `es->indent`: two spaces each): a subplan's name on its own
 * line, the arrow, the label and figures; then its detail lines and children one level deeper.
 */
function renderNode(node: PlanNode, level: number, costs: boolean, lines: string[]): void {
  let indent = level;
  if (node.subplanName !== undefined) {
    lines.push(`${spaces(indent)}${node.subplanName}`);
    indent++;
  }
  let line = '';
  if (indent > 0) {
    line = `${spaces(indent)}->  `;
    indent += 2;
  }
  lines.push(line + nodeLabel(node) + figuresOf(node, costs));
  indent++;
  for (const detail of detailLines(node)) lines.push(spaces(indent) + detail);
  for (const child of node.children) renderNode(child, indent, costs, lines);
}

function spaces(level: number): string {
  return ' '.repeat(level * 2);
}

function figuresOf(node: PlanNode, costs: boolean): string {
  let figures = costs ? `  (cost=${node.startupCost.toFixed(2)}..${node.totalCost.toFixed(2)} rows=${node.planRows.toFixed(0)} width=${node.planWidth})` : '';
  const actual = node.actual;
  if (actual) {
    // PostgreSQL 18 prints actual rows with two decimals; before, whole.
    const rows = Number.isInteger(actual.rows) ? actual.rows.toFixed(0) : actual.rows.toFixed(2);
    if (actual.loops === 0) figures += ` ${NEVER_EXECUTED}`;
    else if (actual.startupTime !== undefined && actual.totalTime !== undefined) {
      figures += ` (actual time=${actual.startupTime.toFixed(3)}..${actual.totalTime.toFixed(3)} rows=${rows} loops=${actual.loops})`;
    } else figures += ` (actual rows=${rows} loops=${actual.loops})`;
  }
  return figures;
}

/** The lines under a node's label, in the order of its properties (EXPLAIN's own order). */
function detailLines(node: PlanNode): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(node.raw)) {
    if (NOT_DETAIL_LINES.has(key)) continue;
    if (key === 'Sort Method' && typeof value === 'string') {
      const type = node.raw['Sort Space Type'];
      const used = numberOf(node.raw['Sort Space Used']);
      lines.push(`Sort Method: ${value}` + (typeof type === 'string' && used !== undefined ? `  ${type}: ${used}kB` : ''));
    } else if (key === 'Hash Buckets') {
      lines.push(hashLine(node.raw));
    } else if (key === 'Workers' && Array.isArray(value)) {
      lines.push(...value.filter(isObject).flatMap(workerLines));
    } else if (typeof value === 'string') {
      lines.push(`${key}: ${value}`);
    } else if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
      lines.push(`${key}: ${value.join(', ')}`);
    } else if (typeof value === 'number' && NUMBER_PROPERTIES.has(key) && !(value === 0 && (key.startsWith('Rows Removed') || key === 'Subplans Removed'))) {
      // Text leaves out rows removed and partitions pruned when there were none.
      lines.push(`${key}: ${value}`);
    } else if (BOOLEAN_PROPERTIES.has(key) && value === true && (key !== 'Inner Unique' || 'Output' in node.raw)) {
      // Text shows these only when true; Inner Unique only with VERBOSE, whose mark is the Output lines.
      lines.push(`${key}: true`);
    }
  }
  return lines;
}

/**
 * A worker's own figures under a parallel node: its sort, then its actual figures with its other
 * counters indented below them.
 */
function workerLines(worker: JsonObject): string[] {
  const prefix = `Worker ${String(worker['Worker Number'])}:  `;
  const lines: string[] = [];
  if (typeof worker['Sort Method'] === 'string') {
    const used = numberOf(worker['Sort Space Used']);
    const type = worker['Sort Space Type'];
    lines.push(`${prefix}Sort Method: ${worker['Sort Method']}` + (typeof type === 'string' && used !== undefined ? `  ${type}: ${used}kB` : ''));
  }
  const rows = numberOf(worker['Actual Rows']);
  const loops = numberOf(worker['Actual Loops']);
  if (rows === undefined || loops === undefined) return lines;
  const startup = numberOf(worker['Actual Startup Time']);
  const total = numberOf(worker['Actual Total Time']);
  const rowsText = Number.isInteger(rows) ? rows.toFixed(0) : rows.toFixed(2);
  if (loops === 0) lines.push(`${prefix}never executed`);
  else if (startup !== undefined && total !== undefined) lines.push(`${prefix}actual time=${startup.toFixed(3)}..${total.toFixed(3)} rows=${rowsText} loops=${loops}`);
  else lines.push(`${prefix}actual rows=${rowsText} loops=${loops}`);
  for (const [key, value] of Object.entries(worker)) {
    if (typeof value === 'string' && key !== 'Sort Method' && key !== 'Sort Space Type') lines.push(`  ${key}: ${value}`);
  }
  return lines;
}

function hashLine(raw: JsonObject): string {
  const buckets = numberOf(raw['Hash Buckets']);
  const batches = numberOf(raw['Hash Batches']);
  const originalBuckets = numberOf(raw['Original Hash Buckets']) ?? buckets;
  const originalBatches = numberOf(raw['Original Hash Batches']) ?? batches;
  const memory = `  Memory Usage: ${numberOf(raw['Peak Memory Usage']) ?? 0}kB`;
  if (originalBuckets !== buckets || originalBatches !== batches) {
    return `Buckets: ${buckets} (originally ${originalBuckets})  Batches: ${batches} (originally ${originalBatches})${memory}`;
  }
  return `Buckets: ${buckets}  Batches: ${batches}${memory}`;
}

/**
 * The node's label in EXPLAIN's text format, without figures: `Parallel Seq Scan on orders o`,
 * `Index Scan Backward using orders_pkey on public.orders`, `Hash Left Join`.
 */
export function nodeLabel(node: PlanNode): string {
  const raw = node.raw;
  let label = operationName(node);
  switch (node.nodeType) {
    case 'Index Scan':
    case 'Index Only Scan':
      label += `${raw['Scan Direction'] === 'Backward' ? ' Backward' : ''}`;
      if (node.indexName !== undefined) label += ` using ${quoteIdentifier(node.indexName)}`;
      label += targetOf(node);
      break;
    case 'Bitmap Index Scan':
      if (node.indexName !== undefined) label += ` on ${quoteIdentifier(node.indexName)}`;
      break;
    case 'SetOp':
      if (typeof raw.Command === 'string') label += ` ${raw.Command}`;
      break;
    default:
      if (node.nodeType.endsWith('Scan') || node.nodeType === 'ModifyTable') label += targetOf(node);
  }
  return label;
}

/**
 * A node in a few words, for messages and CodeLenses: its name and what it reads, without index,
 * schema or alias: `Seq Scan on orders`, `Index Scan on orders`, `Hash Join`.
 */
export function describeNode(node: PlanNode): string {
  const object = objectNameOf(node) ?? (node.nodeType === 'Bitmap Index Scan' ? node.indexName : node.alias);
  return object === undefined ? operationName(node) : `${operationName(node)} on ${object}`;
}

/** The name EXPLAIN's text gives the node's operation: `Parallel Seq Scan`, `Partial HashAggregate`, `Merge Full Join`. */
function operationName(node: PlanNode): string {
  const raw = node.raw;
  let name: string;
  switch (node.nodeType) {
    case 'Aggregate': {
      const byStrategy: Record<string, string> = { Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' };
      name = byStrategy[node.strategy ?? ''] ?? 'Aggregate';
      if (node.partialMode !== undefined && node.partialMode !== 'Simple') name = `${node.partialMode} ${name}`;
      break;
    }
    case 'SetOp':
      name = node.strategy === 'Hashed' ? 'HashSetOp' : 'SetOp';
      break;
    case 'ModifyTable':
      name = node.operation ?? 'ModifyTable';
      break;
    case 'Foreign Scan':
      name = node.operation !== undefined && node.operation !== 'Select' ? `Foreign ${node.operation}` : 'Foreign Scan';
      break;
    case 'Custom Scan':
      name = typeof raw['Custom Plan Provider'] === 'string' ? `Custom Scan (${raw['Custom Plan Provider']})` : 'Custom Scan';
      break;
    case 'Nested Loop':
    case 'Hash Join':
    case 'Merge Join': {
      // For historical reasons explain.c folds the join type into the name.
      const base = node.nodeType === 'Nested Loop' ? 'Nested Loop' : node.nodeType.slice(0, -' Join'.length);
      const joinType = node.joinType ?? 'Inner';
      name = joinType !== 'Inner' ? `${base} ${joinType} Join` : node.nodeType;
      break;
    }
    default:
      name = node.nodeType;
  }
  if (raw['Async Capable'] === true) name = `Async ${name}`;
  if (node.parallelAware) name = `Parallel ${name}`;
  return name;
}

/** What a scan names after ` on `: a relation, function, CTE or tuplestore. */
function objectNameOf(node: PlanNode): string | undefined {
  const raw = node.raw;
  for (const value of [node.relationName, raw['Function Name'], raw['CTE Name'], raw['Tuplestore Name'], raw['Table Function Name']]) {
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** ` on [schema.]object [alias]`, the alias only when it differs from the object's name. */
function targetOf(node: PlanNode): string {
  const object = objectNameOf(node);
  if (object === undefined && node.alias === undefined) return '';
  let target = ' on';
  if (object !== undefined) target += node.schema !== undefined ? ` ${quoteIdentifier(node.schema)}.${quoteIdentifier(object)}` : ` ${quoteIdentifier(object)}`;
  if (node.alias !== undefined && node.alias !== object) target += ` ${quoteIdentifier(node.alias)}`;
  return target;
}
