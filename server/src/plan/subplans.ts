/**
 * SubPlans run again for each row of the node that holds them: a correlated subquery, or
 * `x NOT IN (SELECT …)` whose rows do not fit in work_mem. EXPLAIN gives a SubPlan node the cost of
 * one run and puts all its runs on the node that runs it, so the cost, the CodeLens, plan-high-cost
 * and the plan viewer's tip name the subquery, not the scan that runs it.
 */
import type { PlanNode } from './planModel';

/**
 * A SubPlan the node runs again for each of its rows: correlated, or `NOT IN (SELECT …)` whose
 * rows do not fit in work_mem. A hashed one (`hashed SubPlan 1` in the node's conditions) is
 * built once.
 */
export function repeatedSubplanOf(node: PlanNode): PlanNode | undefined {
  const subplans = node.children.filter((child) => child.parentRelationship === 'SubPlan' && child.subplanName !== undefined);
  // Asked of every node of every plan (the viewer's tips): most have no SubPlan to look for.
  if (subplans.length === 0) return undefined;
  const { Plans: _children, ...own } = node.raw as Record<string, unknown>;
  const conditions = JSON.stringify(own);
  return subplans.find((child) => !conditions.includes(`hashed ${child.subplanName}`));
}

/** The first node below (or at) `node` that reads a table, depth first. */
export function firstScanOf(node: PlanNode): PlanNode | undefined {
  if (node.relationName !== undefined) return node;
  for (const child of node.children) {
    const scan = firstScanOf(child);
    if (scan) return scan;
  }
  return undefined;
}

/**
 * How to have the subquery planned once: for `NOT IN`, NOT EXISTS (an anti-join) or enough
 * work_mem to hash it; for a correlated subquery, a join, or an index for each run on what it filters by.
 */
export function subplanRemedy(node: PlanNode, subplan: PlanNode): string {
  const inner = firstScanOf(subplan) ?? subplan;
  if (node.filter?.includes(`NOT (${subplan.subplanName})`)) {
    return "Write NOT EXISTS in place of NOT IN (an anti-join, planned once), or raise work_mem so that the subquery's rows fit and it is hashed.";
  }
  return `Write the subquery as a join, which PostgreSQL plans once, or make each run cheap with an index on what it filters by${inner.filter ? ` (Filter: ${inner.filter})` : ''}.`;
}
