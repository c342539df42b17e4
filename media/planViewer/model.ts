/**
 * What the plan viewer computes from a PlanReport before drawing it: the tree, the emphasis
 * per metric, the hot path, default folding, the tree and icicle layouts and the matching of two
 * plans for the compare view. No DOM here, so the unit tier can test it without a browser.
 */
import type { PlanReport, PlanTip, ReportNode } from '../../server/src/plan/planReport';
import type { PlanViewer } from '../../server/src/protocol';

export type Metric = PlanViewer.Metric;

export interface PlanTree {
  report: PlanReport;
  /** By id; ids are pre-order positions, so `nodes[id]` when the report is well formed. */
  byId: Map<number, ReportNode>;
  children: Map<number, ReportNode[]>;
  depth: Map<number, number>;
  /** How many nodes are below each node (not counting itself). */
  descendants: Map<number, number>;
  root: ReportNode;
  tipsByNode: Map<number, PlanTip[]>;
}

/** Indexes the report's flat node list as a tree. Throws on a report without a root. */
export function planTree(report: PlanReport): PlanTree {
  const byId = new Map<number, ReportNode>();
  const children = new Map<number, ReportNode[]>();
  for (const node of report.nodes) {
    byId.set(node.id, node);
    children.set(node.id, []);
  }
  let root: ReportNode | undefined;
  for (const node of report.nodes) {
    if (node.parent === null || !byId.has(node.parent)) {
      root ??= node;
    } else {
      children.get(node.parent)!.push(node);
    }
  }
  if (!root) {
    throw new Error('the plan report has no nodes');
  }
  const depth = new Map<number, number>();
  const descendants = new Map<number, number>();
  // Iterative, so a plan thousands of levels deep cannot overflow the stack.
  const order: ReportNode[] = [];
  const stack: [ReportNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    depth.set(node.id, level);
    order.push(node);
    const kids = children.get(node.id)!;
    for (let i = kids.length - 1; i >= 0; i--) {
      stack.push([kids[i], level + 1]);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    let count = 0;
    for (const child of children.get(node.id)!) {
      count += 1 + descendants.get(child.id)!;
    }
    descendants.set(node.id, count);
  }
  const tipsByNode = new Map<number, PlanTip[]>();
  for (const tip of report.tips) {
    const list = tipsByNode.get(tip.node) ?? [];
    list.push(tip);
    tipsByNode.set(tip.node, list);
  }
  return { report, byId, children, depth, descendants, root, tipsByNode };
}

/** The metrics a plan without ANALYZE (or BUFFERS) figures cannot show. */
export function availableMetrics(report: PlanReport): Metric[] {
  const metrics: Metric[] = [];
  if (report.analyzed) {
    metrics.push('time');
  }
  metrics.push('cost', 'rows');
  if (report.nodes.some((node) => node.misestimate)) {
    metrics.push('misestimate');
  }
  if (report.nodes.some((node) => node.buffers)) {
    metrics.push('buffers');
  }
  return metrics;
}

/**
 * A node's own share of a metric, the figure its emphasis is drawn from: its exclusive time or
 * cost (so a join above a slow scan is not painted as slow), its rows over all loops, its
 * misestimate factor, its buffers (shared hit and read, temp read and written).
 */
export function metricValue(node: ReportNode, metric: Metric): number {
  switch (metric) {
    case 'time':
      return node.exclusiveMs ?? 0;
    case 'cost':
      return node.exclusiveCost;
    case 'rows':
      return (node.actualRows ?? node.estimatedRows) * (node.loops ?? 1);
    case 'misestimate':
      return node.misestimate?.factor ?? 1;
    case 'buffers': {
      const b = node.buffers;
      return b ? b.sharedHit + b.sharedRead + b.tempRead + b.tempWritten : 0;
    }
  }
}

/**
 * Per node, its emphasis from 0 to 1: its value over the largest value in the plan, so the
 * heaviest node is always fully marked. Misestimates start at factor 1 (no error), so 1 maps to 0.
 */
export function emphasis(tree: PlanTree, metric: Metric): Map<number, number> {
  const base = metric === 'misestimate' ? 1 : 0;
  let max = 0;
  for (const node of tree.report.nodes) {
    max = Math.max(max, metricValue(node, metric) - base);
  }
  const weights = new Map<number, number>();
  for (const node of tree.report.nodes) {
    weights.set(node.id, max > 0 ? Math.max(0, metricValue(node, metric) - base) / max : 0);
  }
  return weights;
}

/** What the icicle's widths and the hot path follow: inclusive time with ANALYZE, total cost without. */
export function inclusiveValue(node: ReportNode, analyzed: boolean): number {
  return analyzed ? node.inclusiveMs ?? 0 : node.totalCost;
}

/** From the root, the child with the largest inclusive time (or cost without ANALYZE), down to a leaf. */
export function hotPath(tree: PlanTree): Set<number> {
  const path = new Set<number>();
  let node: ReportNode | undefined = tree.root;
  while (node) {
    path.add(node.id);
    let next: ReportNode | undefined;
    for (const child of tree.children.get(node.id)!) {
      if (!next || inclusiveValue(child, tree.report.analyzed) > inclusiveValue(next, tree.report.analyzed)) {
        next = child;
      }
    }
    node = next;
  }
  return path;
}

/** Above this many nodes a plan opens with its deep subtrees folded. */
export const FOLD_ABOVE_NODES = 60;
/** The depth from which subtrees off the hot path are folded in a large plan. */
export const FOLD_FROM_DEPTH = 2;

/**
 * The subtrees folded when a plan is first shown: none in a plan of up to FOLD_ABOVE_NODES nodes;
 * in a larger one, every subtree that starts at FOLD_FROM_DEPTH or deeper and is off the hot path
 * (the hot path stays open to its leaf, since that is where the time goes).
 */
export function defaultCollapsed(tree: PlanTree): Set<number> {
  const folded = new Set<number>();
  if (tree.report.nodes.length <= FOLD_ABOVE_NODES) {
    return folded;
  }
  const hot = hotPath(tree);
  for (const node of tree.report.nodes) {
    if (tree.depth.get(node.id)! >= FOLD_FROM_DEPTH && !hot.has(node.id) && tree.descendants.get(node.id)! > 0) {
      folded.add(node.id);
    }
  }
  return folded;
}

/** The nodes to draw: those with no folded ancestor. */
export function visibleNodes(tree: PlanTree, collapsed: ReadonlySet<number>): ReportNode[] {
  const visible: ReportNode[] = [];
  const stack = [tree.root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visible.push(node);
    if (!collapsed.has(node.id)) {
      const kids = tree.children.get(node.id)!;
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push(kids[i]);
      }
    }
  }
  return visible;
}

/** The ids of a node's ancestors, nearest first. */
export function ancestors(tree: PlanTree, id: number): number[] {
  const list: number[] = [];
  let parent = tree.byId.get(id)?.parent ?? null;
  while (parent !== null && tree.byId.has(parent)) {
    list.push(parent);
    parent = tree.byId.get(parent)!.parent;
  }
  return list;
}

/** The text a search matches against: what the card and the detail panel show. */
export function searchText(node: ReportNode): string {
  const parts = [node.type, node.label, node.relation, node.schema, node.alias, node.index, node.role];
  for (const [key, value] of node.details) {
    parts.push(key, value);
  }
  return parts.filter((part) => part !== undefined).join('\n').toLowerCase();
}

/** The nodes whose text contains `query` (case-insensitive); empty for an empty query. */
export function searchNodes(tree: PlanTree, query: string): Set<number> {
  const needle = query.trim().toLowerCase();
  const found = new Set<number>();
  if (needle === '') {
    return found;
  }
  for (const node of tree.report.nodes) {
    if (searchText(node).includes(needle)) {
      found.add(node.id);
    }
  }
  return found;
}

export interface TreeLayout {
  /** Top-left corner of each visible node's card, in px. */
  positions: Map<number, { x: number; y: number }>;
  width: number;
  height: number;
}

export const CARD_WIDTH = 240;
export const CARD_HEIGHT = 118;
export const GAP_X = 24;
export const GAP_Y = 40;

/**
 * A top-down layout: each visible leaf takes the next column, a parent sits centred over its
 * children. Linear in the nodes drawn; wide plans grow sideways, which zoom and pan are for.
 */
export function layoutTree(tree: PlanTree, collapsed: ReadonlySet<number>): TreeLayout {
  const positions = new Map<number, { x: number; y: number }>();
  let nextColumn = 0;
  let maxDepth = 0;
  const centre = new Map<number, number>();
  // Post-order without recursion: a node is placed after all its (visible) children.
  const stack: [ReportNode, boolean][] = [[tree.root, false]];
  while (stack.length > 0) {
    const [node, childrenDone] = stack.pop()!;
    const kids = collapsed.has(node.id) ? [] : tree.children.get(node.id)!;
    if (!childrenDone && kids.length > 0) {
      stack.push([node, true]);
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push([kids[i], false]);
      }
      continue;
    }
    const level = tree.depth.get(node.id)!;
    maxDepth = Math.max(maxDepth, level);
    const column = kids.length === 0 ? nextColumn++ : (centre.get(kids[0].id)! + centre.get(kids[kids.length - 1].id)!) / 2;
    centre.set(node.id, column);
    positions.set(node.id, { x: column * (CARD_WIDTH + GAP_X), y: level * (CARD_HEIGHT + GAP_Y) });
  }
  return {
    positions,
    width: Math.max(1, nextColumn) * (CARD_WIDTH + GAP_X) - GAP_X,
    height: (maxDepth + 1) * (CARD_HEIGHT + GAP_Y) - GAP_Y,
  };
}

export interface IcicleCell {
  node: ReportNode;
  depth: number;
  /** Left edge and width as fractions of the root's width. */
  left: number;
  width: number;
}

/**
 * The icicle (flame graph drawn downwards): the root spans the width, each child's width is its
 * inclusive time (or total cost without ANALYZE) as a fraction of the root's. Where children add
 * up to more than their parent (parallel workers, a nested loop's inner side costed per loop,
 * InitPlans) they are scaled down together to fit under it, so the picture stays a partition.
 */
export function icicleLayout(tree: PlanTree): IcicleCell[] {
  const analyzed = tree.report.analyzed;
  const rootValue = inclusiveValue(tree.root, analyzed);
  const cells: IcicleCell[] = [];
  const stack: IcicleCell[] = [{ node: tree.root, depth: 0, left: 0, width: 1 }];
  while (stack.length > 0) {
    const cell = stack.pop()!;
    cells.push(cell);
    const kids = tree.children.get(cell.node.id)!;
    const parentValue = inclusiveValue(cell.node, analyzed);
    const sum = kids.reduce((total, kid) => total + inclusiveValue(kid, analyzed), 0);
    const scale = rootValue > 0 && sum > parentValue ? (parentValue > 0 ? parentValue / sum : 0) : 1;
    let left = cell.left;
    const placed: IcicleCell[] = [];
    for (const kid of kids) {
      const width = rootValue > 0 ? (inclusiveValue(kid, analyzed) / rootValue) * scale : 0;
      placed.push({ node: kid, depth: cell.depth + 1, left, width });
      left += width;
    }
    stack.push(...placed.reverse());
  }
  return cells;
}

/** A node of the current plan and its counterpart in the previous one, if any. */
export interface NodeMatch {
  current?: ReportNode;
  previous?: ReportNode;
  depth: number;
}

/**
 * Pairs the nodes of two plans for the compare view, top-down: the roots are a pair, and under
 * each pair the children are paired in three passes, each in plan order over those still
 * unpaired — same type and relation (the common case: nothing changed there), then same relation
 * (a Seq Scan on orders that became an Index Scan on orders), then same type (a join whose inputs
 * changed), then what is left on both sides in order (a Hash Join that became a Merge Join under
 * the same aggregate). A node's match is only looked for under its parent's match, so two scans of the same
 * table in different branches are never confused. Unpaired nodes are new (`previous` missing) or
 * gone (`current` missing). The result is in the current plan's order, each gone node after the
 * last pair of its parent.
 */
export function matchPlans(current: PlanTree, previous: PlanTree): NodeMatch[] {
  const result: NodeMatch[] = [];
  const visit = (cur: ReportNode, prev: ReportNode | undefined, depth: number): void => {
    result.push({ current: cur, previous: prev, depth });
    const curKids = current.children.get(cur.id)!;
    const prevKids = prev ? previous.children.get(prev.id)! : [];
    const partner = new Map<number, ReportNode>();
    const taken = new Set<number>();
    const passes: ((a: ReportNode, b: ReportNode) => boolean)[] = [
      (a, b) => a.type === b.type && a.relation === b.relation,
      (a, b) => a.relation !== undefined && a.relation === b.relation,
      (a, b) => a.type === b.type,
      () => true,
    ];
    for (const same of passes) {
      for (const kid of curKids) {
        if (partner.has(kid.id)) {
          continue;
        }
        const match = prevKids.find((candidate) => !taken.has(candidate.id) && same(kid, candidate));
        if (match) {
          partner.set(kid.id, match);
          taken.add(match.id);
        }
      }
    }
    for (const kid of curKids) {
      visit(kid, partner.get(kid.id), depth + 1);
    }
    for (const gone of prevKids.filter((kid) => !taken.has(kid.id))) {
      pushGone(gone, depth + 1);
    }
  };
  const pushGone = (node: ReportNode, depth: number): void => {
    result.push({ previous: node, depth });
    for (const kid of previous.children.get(node.id)!) {
      pushGone(kid, depth + 1);
    }
  };
  visit(current.root, previous.root, 0);
  return result;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Row counts and block counts: `12,345`. */
export function formatCount(value: number): string {
  return numberFormat.format(value);
}

/** Planner cost: two decimals below 100, whole units above. */
export function formatCost(value: number): string {
  return value < 100 ? value.toFixed(2) : numberFormat.format(Math.round(value));
}

/** Milliseconds: `0.012 ms`, `12.3 ms`, `1.23 s`. */
export function formatMs(value: number): string {
  if (value >= 1000) {
    return `${(value / 1000).toFixed(2)} s`;
  }
  if (value >= 10) {
    return `${value.toFixed(1)} ms`;
  }
  return `${value.toFixed(3)} ms`;
}

/** A signed change and its percentage: `+1,200 (+34%)`; `=` when nothing changed. */
export function formatChange(before: number, after: number, format: (value: number) => string): string {
  const delta = after - before;
  if (delta === 0) {
    return '=';
  }
  const sign = delta > 0 ? '+' : '−';
  const percent = before !== 0 ? ` (${sign}${Math.abs((delta / before) * 100).toFixed(0)}%)` : '';
  return `${sign}${format(Math.abs(delta))}${percent}`;
}
