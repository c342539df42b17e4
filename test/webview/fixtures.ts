/**
 * Plan reports for the webview tier: a small hand-written one whose every figure the tests can
 * name, its "before" for the compare view, and a generated plan of any size for the benchmark.
 */
import type { PlanReport, ReportNode } from '../../server/src/plan/planReport';
import type { PlanViewer } from '../../server/src/protocol';

export const ORDERS_SQL =
  "SELECT c.name, count(*)\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nWHERE o.status = 'paid'\nGROUP BY c.name\nORDER BY count(*) DESC\nLIMIT 10";

const noBuffers = { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 };

function node(partial: Partial<ReportNode> & Pick<ReportNode, 'id' | 'parent' | 'type'>): ReportNode {
  return { label: partial.type, estimatedRows: 1, startupCost: 0, totalCost: 0, exclusiveCost: 0, details: [], ...partial };
}

/**
 * Limit → Sort → HashAggregate → Hash Join (Seq Scan on orders, Hash → Seq Scan on customers),
 * with ANALYZE and BUFFERS figures. Orders' scan has the most own time (80 ms) and cost; the
 * customers scan has the most buffers (5,000 read); the hot path is 0-1-2-3-4.
 */
export function ordersReport(): PlanReport {
  return {
    analyzed: true,
    totalCost: 2500,
    planningMs: 0.4,
    executionMs: 120,
    nodes: [
      node({ id: 0, parent: null, type: 'Limit', estimatedRows: 10, actualRows: 10, loops: 1, startupCost: 2499, totalCost: 2500, exclusiveCost: 0.5, inclusiveMs: 120, exclusiveMs: 0.1 }),
      node({ id: 1, parent: 0, type: 'Sort', estimatedRows: 100, actualRows: 10, loops: 1, startupCost: 2490, totalCost: 2499.5, exclusiveCost: 20, inclusiveMs: 119.9, exclusiveMs: 5, details: [['Sort Key', '(count(*)) DESC'], ['Sort Method', 'top-N heapsort'], ['Sort Space Used', '25 kB']] }),
      node({ id: 2, parent: 1, type: 'Aggregate', label: 'HashAggregate', estimatedRows: 100, actualRows: 950, loops: 1, startupCost: 2470, totalCost: 2479.5, exclusiveCost: 100, inclusiveMs: 114.9, exclusiveMs: 10, misestimate: { factor: 9.5, direction: 'under' }, details: [['Group Key', 'c.name']] }),
      node({ id: 3, parent: 2, type: 'Hash Join', estimatedRows: 500, actualRows: 5000, loops: 1, startupCost: 180, totalCost: 2379.5, exclusiveCost: 200, inclusiveMs: 104.9, exclusiveMs: 14.9, misestimate: { factor: 10, direction: 'under' }, details: [['Join Type', 'Inner'], ['Hash Cond', '(o.customer_id = c.id)']] }),
      node({ id: 4, parent: 3, type: 'Seq Scan', label: 'Seq Scan on orders o', relation: 'orders', schema: 'public', alias: 'o', estimatedRows: 500, actualRows: 5000, loops: 1, totalCost: 2000, exclusiveCost: 2000, inclusiveMs: 80, exclusiveMs: 80, misestimate: { factor: 10, direction: 'under' }, buffers: { ...noBuffers, sharedHit: 100, sharedRead: 1900 }, details: [['Filter', "(status = 'paid'::text)"], ['Rows Removed by Filter', '95000']] }),
      node({ id: 5, parent: 3, type: 'Hash', estimatedRows: 1000, actualRows: 1000, loops: 1, startupCost: 179.5, totalCost: 179.5, exclusiveCost: 0, inclusiveMs: 10, exclusiveMs: 2, details: [['Buckets', '1024'], ['Memory Usage', '60kB']] }),
      node({ id: 6, parent: 5, type: 'Seq Scan', label: 'Seq Scan on customers c', relation: 'customers', schema: 'public', alias: 'c', estimatedRows: 1000, actualRows: 1000, loops: 1, totalCost: 179.5, exclusiveCost: 179.5, inclusiveMs: 8, exclusiveMs: 8, buffers: { ...noBuffers, sharedHit: 80, sharedRead: 5000 } }),
    ],
    tips: [
      {
        id: 'seq-scan-index',
        node: 4,
        message: 'Seq Scan on orders reads 100,000 rows to keep 5,000 (95,000 removed by the filter on status): an index on orders (status) would find them directly.',
        index: { schema: 'public', table: 'orders', columns: ['status'], statement: 'CREATE INDEX ON public.orders (status);', verified: 'hypopg', costBefore: 2500, costAfter: 310.25 },
      },
      { id: 'row-misestimate', node: 3, message: 'Hash Join: the planner expected 500 rows and got 5,000 (10× more); ANALYZE orders may correct the estimate.' },
      {
        id: 'seq-scan-index',
        node: 6,
        message: 'Seq Scan on customers reads every row: an index on customers (id) could serve the join.',
        index: { table: 'customers', columns: ['id'], statement: 'CREATE INDEX ON customers (id);', verified: 'none', reason: 'no HypoPG in this database' },
      },
    ],
  };
}

/** The same query before: a Merge Join, and orders' scan twice as expensive and slow. */
export function ordersReportBefore(): PlanReport {
  const report = ordersReport();
  report.tips = [];
  report.totalCost = 3500;
  report.executionMs = 190;
  const byId = report.nodes;
  byId[0].totalCost = 3500;
  byId[0].inclusiveMs = 190;
  byId[3].type = 'Merge Join';
  byId[3].label = 'Merge Join';
  byId[4].totalCost = 3000;
  byId[4].exclusiveCost = 3000;
  byId[4].inclusiveMs = 150;
  byId[4].exclusiveMs = 150;
  return report;
}

/** The `show` message the extension would send for ordersReport. */
export function ordersShow(extra: Partial<PlanViewer.ShowMessage> = {}): PlanViewer.ShowMessage {
  const range = (text: string): PlanViewer.SourceRange => {
    const start = ORDERS_SQL.indexOf(text);
    return { start, end: start + text.length };
  };
  return {
    type: 'show',
    report: ordersReport(),
    sql: ORDERS_SQL,
    database: 'PostgreSQL 16.4 · appdb',
    title: 'reports.sql:12',
    json: [{ Plan: { 'Node Type': 'Limit' } }],
    text: 'Limit  (cost=2499.00..2500.00 rows=10 width=40)',
    sourceRanges: { 3: range('JOIN orders o ON o.customer_id = c.id'), 4: range('orders o'), 6: range('customers c') },
    ...extra,
  };
}

/**
 * A plan of `count` nodes, the same for the same `count` (a fixed-seed generator): joins of scans,
 * up to three children each, with own times and costs that add up the tree as ANALYZE's do.
 */
export function generatedReport(count: number): PlanReport {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const types = ['Hash Join', 'Nested Loop', 'Merge Join', 'Append', 'Sort', 'Hash', 'Aggregate'];
  const nodes: ReportNode[] = [];
  const children: number[][] = [];
  // Breadth-first growth keeps the depth realistic (tens of levels, not hundreds).
  const open: number[] = [];
  const add = (parent: number | null): number => {
    const id = nodes.length;
    nodes.push(node({ id, parent, type: 'Seq Scan' }));
    children.push([]);
    if (parent !== null) children[parent].push(id);
    open.push(id);
    return id;
  };
  add(null);
  while (nodes.length < count && open.length > 0) {
    const parent = open.shift()!;
    const wanted = 1 + Math.floor(random() * 3);
    for (let i = 0; i < wanted && nodes.length < count; i++) add(parent);
  }
  for (let id = nodes.length - 1; id >= 0; id--) {
    const n = nodes[id];
    const kids = children[id];
    if (kids.length === 0) {
      n.type = random() < 0.3 ? 'Index Scan' : 'Seq Scan';
      n.relation = `table_${id % 37}`;
      n.label = `${n.type} on ${n.relation}`;
      if (n.type === 'Index Scan') n.index = `${n.relation}_pkey`;
    } else {
      n.type = types[Math.floor(random() * types.length)];
      n.label = n.type;
    }
    n.exclusiveMs = Math.round(random() * 500) / 100;
    n.exclusiveCost = Math.round(random() * 10000) / 10;
    n.inclusiveMs = n.exclusiveMs + kids.reduce((sum, kid) => sum + nodes[kid].inclusiveMs!, 0);
    n.totalCost = n.exclusiveCost + kids.reduce((sum, kid) => sum + nodes[kid].totalCost, 0);
    n.estimatedRows = Math.floor(random() * 100000);
    n.actualRows = Math.floor(random() * 100000);
    n.loops = 1;
    n.details = [['Filter', `(col_${id} > 10)`]];
  }
  // Ids must be pre-order positions, as planReport numbers them: renumber.
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const id = stack.pop()!;
    order.push(id);
    stack.push(...[...children[id]].reverse());
  }
  const newId = new Map(order.map((old, index) => [old, index]));
  const renumbered = order.map((old) => ({ ...nodes[old], id: newId.get(old)!, parent: nodes[old].parent === null ? null : newId.get(nodes[old].parent!)! }));
  return { analyzed: true, nodes: renumbered, tips: [], totalCost: renumbered[0].totalCost, executionMs: renumbered[0].inclusiveMs };
}
