/**
 * The loop that runs a Python database call once per item: the body of a `for` statement, or
 * the element of a comprehension. The same judgement as the TypeScript extractor's
 * (`typescript/enclosingLoop.ts`): `while` loops are paging and batching loops, and a function
 * or lambda between the call and the loop runs when it is called, not per item.
 */
import type { SyntaxNode } from '@lezer/common';
import type { QueryLoop } from '../query';

const COMPREHENSIONS: Record<string, string> = {
  ArrayComprehensionExpression: 'list comprehension',
  SetComprehensionExpression: 'set comprehension',
  DictionaryComprehensionExpression: 'dict comprehension',
  ComprehensionExpression: 'generator expression',
};

const SCOPE_BOUNDARIES = new Set(['FunctionDefinition', 'LambdaExpression', 'ClassDefinition', 'Script']);

/** The loop over a collection that runs `call` (a `CallExpression`) once per item, if any. */
export function enclosingLoop(call: SyntaxNode, text: string): QueryLoop | undefined {
  let child = call;
  for (let parent = call.parent; parent; child = parent, parent = parent.parent) {
    if (SCOPE_BOUNDARIES.has(parent.name)) {
      return undefined;
    }
    if (parent.name === 'ForStatement') {
      const body = parent.getChild('Body');
      if (body && child.from >= body.from && child.to <= body.to) {
        const header = forHeader(parent.firstChild, body.from, text);
        const kind = parent.firstChild?.name === 'async' ? 'async for loop' : 'for loop';
        return header && describe(call, text, kind, header, body);
      }
      continue; // the collection is read once, before the first pass
    }
    const comprehension = COMPREHENSIONS[parent.name];
    if (comprehension) {
      const firstFor = parent.getChild('for');
      if (firstFor && child.to <= firstFor.from) {
        const header = forHeader(firstFor, parent.to, text);
        return header && describe(call, text, comprehension, header, null);
      }
    }
  }
  return undefined;
}

/** Collections written out in the code. */
const WRITTEN_OUT = new Set(['TupleExpression', 'ArrayExpression', 'SetExpression', 'DictionaryExpression', 'ParenthesizedExpression']);

interface ForHeader {
  /** The names the loop binds (`for a, (b, c) in …`). */
  names: string[];
  /** The collection, as written. */
  over: string;
}

/** Reads `for <targets> in <collection>` from the `for` keyword (or `async`) up to `end`. */
function forHeader(first: SyntaxNode | null, end: number, text: string): ForHeader | undefined {
  const names: string[] = [];
  let node = first;
  while (node && node.name !== 'in') {
    for (const name of variableNames(node, text)) names.push(name);
    node = node.nextSibling;
  }
  const collectionStart = node?.nextSibling;
  if (!collectionStart) {
    return undefined;
  }

  // The collection ends at the body, or at the comprehension's next `for` or `if`.
  let last = collectionStart;
  for (let next = collectionStart.nextSibling; next && next.from < end && next.name !== 'for' && next.name !== 'if' && next.name !== 'Body' && !/^[\])}]$/.test(next.name); next = next.nextSibling) {
    last = next;
  }
  // `for kind in ('N', 'W', 'R')`: a collection written out has the size it shows, a handful
  // of passes, not one per row of something.
  if (last === collectionStart && WRITTEN_OUT.has(collectionStart.name)) {
    return undefined;
  }
  return { names, over: text.slice(collectionStart.from, last.to) };
}

function describe(call: SyntaxNode, text: string, kind: string, header: ForHeader, body: SyntaxNode | null): QueryLoop | undefined {
  const itemNames = new Set(header.names);
  if (body) {
    collectAssignedNames(body, text, itemNames);
  }
  // `session.execute(text(…), params)`: the values go to the call that takes the inner one.
  while (call.parent?.name === 'ArgList' && call.parent.parent?.name === 'CallExpression') {
    call = call.parent.parent;
  }
  const callee = call.firstChild;
  const receiver = callee?.name === 'MemberExpression' ? callee.firstChild : null;
  if (receiver && readsAny(receiver, text, itemNames)) {
    return undefined; // each item is a connection or a database of its own
  }
  const args = call.getChild('ArgList');
  const perItem = args !== null && readsAny(args, text, itemNames);
  return { kind, over: header.over, perItem, ...(perItem ? { itemNames: [...itemNames] } : {}) };
}

/** The `VariableName`s of a node and its descendants (a target list). */
function variableNames(node: SyntaxNode, text: string): string[] {
  const names: string[] = [];
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.from >= end) break;
    if (cursor.name === 'VariableName') names.push(text.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return names;
}

/** Adds the names a loop body assigns (`x = …`, `for y in …`, `with … as z`, `w := …`): values computed per item. */
function collectAssignedNames(body: SyntaxNode, text: string, names: Set<string>): void {
  const cursor = body.cursor();
  const end = body.to;
  do {
    if (cursor.from >= end) break;
    const node = cursor.node;
    if (cursor.name === 'AssignStatement' || cursor.name === 'NamedExpression') {
      // Targets come before the last `=` (or `:=`).
      let lastOperator: SyntaxNode | null = null;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name === 'AssignOp' || child.name === ':=') lastOperator = child;
      }
      for (let child = node.firstChild; child && lastOperator && child.from < lastOperator.from; child = child.nextSibling) {
        if (child.name === 'VariableName' || child.name === 'TupleExpression' || child.name === 'ArrayExpression') {
          for (const name of variableNames(child, text)) names.add(name);
        }
      }
    } else if (cursor.name === 'ForStatement') {
      const header = forHeader(node.firstChild, node.getChild('Body')?.from ?? node.to, text);
      for (const name of header?.names ?? []) names.add(name);
    } else if (cursor.name === 'as') {
      const target = node.nextSibling;
      if (target?.name === 'VariableName') names.add(text.slice(target.from, target.to));
    }
  } while (cursor.next());
}

/** Whether a `VariableName` under `node` is one of `names` (attribute names are `PropertyName`s). */
function readsAny(node: SyntaxNode, text: string, names: ReadonlySet<string>): boolean {
  if (names.size === 0) {
    return false;
  }
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.from >= end) break;
    if (cursor.name === 'VariableName' && names.has(text.slice(cursor.from, cursor.to))) return true;
  } while (cursor.next());
  return false;
}
