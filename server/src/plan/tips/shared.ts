/** What several tips read off a node: its ancestors, its figures in words. */
import { formatCount, numberOf } from '../figures';
import type { PlanNode } from '../planModel';
import type { TipInput } from './registry';

/** The node's ancestors, root first (what planInsights' checks take). */
export function ancestorsOf(id: number, input: TipInput): PlanNode[] {
  const ancestors: PlanNode[] = [];
  for (let parent = input.report[id].parent; parent !== null; parent = input.report[parent].parent) ancestors.unshift(input.nodes[parent]);
  return ancestors;
}

/** `1 row`, `4,379 rows`. */
export function rowsText(count: number, noun = 'row'): string {
  return `${formatCount(count)} ${Math.round(count) === 1 ? noun : `${noun}s`}`;
}

/** A factor for a message: `12×`, `4.5×`. */
export function factorText(factor: number): string {
  return `${factor >= 10 ? formatCount(factor) : Number(factor.toFixed(1))}×`;
}

/**
 * A bitmap heap scan's lossy blocks: JSON's `Lossy Heap Blocks`, or the text format's
 * `Heap Blocks: exact=38322 lossy=79844`.
 */
export function lossyHeapBlocks(node: PlanNode): number | undefined {
  const json = numberOf(node.raw['Lossy Heap Blocks']);
  if (json !== undefined) return json;
  const text = node.raw['Heap Blocks'];
  const lossy = typeof text === 'string' ? /lossy=(\d+)/.exec(text) : null;
  return lossy ? Number(lossy[1]) : undefined;
}
