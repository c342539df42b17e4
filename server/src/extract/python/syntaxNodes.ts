/**
 * Small readers over @lezer/python's syntax nodes: children, call arguments, operators, the
 * names of callees. Every loop here is bounded by the tree's shape, never recursive, so a file
 * with deep nesting cannot exhaust the stack.
 */
import type { SyntaxNode } from '@lezer/common';

/** The node's direct children, error nodes included. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    out.push(child);
  }
  return out;
}

/** `(x)` → `x`, however deep, or null for `()` and broken parentheses. */
export function unwrapParentheses(node: SyntaxNode): SyntaxNode | null {
  let current: SyntaxNode | null = node;
  while (current && current.name === 'ParenthesizedExpression') {
    const inner: SyntaxNode | null = current.firstChild?.nextSibling ?? null;
    if (!inner || inner.name === ')' || inner.type.isError || inner.nextSibling?.name !== ')') {
      return null;
    }
    current = inner;
  }
  return current;
}

/** The operator of a binary expression (`+`, `%`, `and` …), or null when it is malformed. */
export function binaryOperator(node: SyntaxNode, text: string): { left: SyntaxNode; operator: string; right: SyntaxNode } | null {
  const left = node.firstChild;
  const op = left?.nextSibling;
  const right = op?.nextSibling;
  if (!left || !op || !right || right.nextSibling || left.type.isError || right.type.isError) {
    return null;
  }
  return { left, operator: text.slice(op.from, op.to), right };
}

/** One argument of a call, as written. */
export interface CallArgument {
  kind: 'positional' | 'keyword' | 'star' | 'double-star' | 'other';
  /** The value's node (for a keyword argument, what follows `=`). */
  value: SyntaxNode;
  name?: string;
  /** The whole argument, `name=` and `*` included. */
  from: number;
  to: number;
}

export interface CallArguments {
  list: SyntaxNode;
  items: CallArgument[];
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  /** `*args` or `**kwargs`: what is passed cannot be known. */
  spread: boolean;
}

/** Reads an `ArgList`: `(a, b=1, *c, **d)`. */
export function readArguments(list: SyntaxNode, text: string): CallArguments {
  const items: CallArgument[] = [];
  let segment: SyntaxNode[] = [];
  const flush = () => {
    if (segment.length > 0) {
      items.push(readArgument(segment, text));
      segment = [];
    }
  };
  for (let child = list.firstChild; child; child = child.nextSibling) {
    const name = child.name;
    if (name === '(' || name === ')' || name === 'Comment') continue;
    if (name === ',') {
      flush();
      continue;
    }
    if (child.type.isError && child.from === child.to) continue;
    segment.push(child);
  }
  flush();
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  let spread = false;
  for (const item of items) {
    if (item.kind === 'positional') positional.push(item.value);
    else if (item.kind === 'keyword' && item.name !== undefined) keywords.set(item.name, item.value);
    else if (item.kind === 'star' || item.kind === 'double-star') spread = true;
  }
  return { list, items, positional, keywords, spread };
}

function readArgument(segment: SyntaxNode[], text: string): CallArgument {
  const first = segment[0];
  const last = segment[segment.length - 1];
  const range = { from: first.from, to: last.to };
  if (segment.length === 1) {
    return { kind: first.type.isError ? 'other' : 'positional', value: first, ...range };
  }
  if (segment.length === 3 && first.name === 'VariableName' && segment[1].name === 'AssignOp') {
    return { kind: 'keyword', value: segment[2], name: text.slice(first.from, first.to), ...range };
  }
  if (segment.length === 2 && (first.name === '*' || first.name === '**')) {
    return { kind: first.name === '*' ? 'star' : 'double-star', value: segment[1], ...range };
  }
  return { kind: 'other', value: first, ...range };
}

/**
 * The callee as people name it: its last two segments, `self.db.cursor.execute` →
 * `cursor.execute`, `get_cursor().execute` → `get_cursor().execute`.
 */
export function calleeName(callee: SyntaxNode, text: string): string {
  if (callee.name === 'MemberExpression') {
    const property = callee.lastChild;
    const object = callee.firstChild;
    if (property && property.name === 'PropertyName' && object) {
      return `${lastSegment(object, text)}.${text.slice(property.from, property.to)}`;
    }
  }
  return lastSegment(callee, text);
}

/** The last segment of an expression used as a receiver: `self.cursor` → `cursor`. */
export function lastSegment(node: SyntaxNode, text: string): string {
  let current = node;
  let suffix = '';
  // `(await pool.acquire()).fetch` and `get()().x` unwrap a bounded number of times.
  for (let step = 0; step < 8; step++) {
    switch (current.name) {
      case 'VariableName':
        return text.slice(current.from, current.to) + suffix;
      case 'MemberExpression': {
        const property = current.lastChild;
        if (property?.name === 'PropertyName') {
          return text.slice(property.from, property.to) + suffix;
        }
        const object = current.firstChild;
        if (!object) return '…' + suffix;
        suffix = '[…]' + suffix;
        current = object;
        continue;
      }
      case 'CallExpression': {
        const callee = current.firstChild;
        if (!callee) return '…' + suffix;
        suffix = '()' + suffix;
        current = callee;
        continue;
      }
      case 'ParenthesizedExpression':
      case 'AwaitExpression': {
        const inner = current.name === 'AwaitExpression' ? current.lastChild : unwrapParentheses(current);
        if (!inner) return '…' + suffix;
        current = inner;
        continue;
      }
      default:
        return '…' + suffix;
    }
  }
  return '…' + suffix;
}

/** The name of a `VariableName`, or null for any other node. */
export function variableName(node: SyntaxNode, text: string): string | null {
  return node.name === 'VariableName' ? text.slice(node.from, node.to) : null;
}
