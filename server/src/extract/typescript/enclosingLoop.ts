import * as ts from 'typescript';
import type { QueryLoop } from '../query';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

/** Array methods whose callback runs once per element. */
const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'reduce', 'reduceRight']);

/**
 * The loop over a collection that runs `site` (a call or tagged template that runs a query) once
 * per item: the body of a `for…of`, `for…in` or `for (…; i < xs.length; …)` loop, or the callback
 * of an array method (`forEach`, `map`, … , also under `Promise.all`). Undefined when there is
 * none, when a function other than such a callback stands between (it runs when it is called,
 * not per item), and when the item is the connection itself (`for (const shard of shards)
 * shard.query(…)`): a query per database is not the N+1 pattern.
 *
 * `while` loops and other `for` loops are not reported: paging and batching loops, which are
 * the remedy, are written that way.
 */
export function enclosingLoop(site: ts.CallExpression | ts.TaggedTemplateExpression, sourceFile: ts.SourceFile): QueryLoop | undefined {
  let child: ts.Node = site;
  // `if (index === 0) { …query…; continue; }`: conditions the call is under, which may single out
  // one item (then the query runs once, not once per item).
  const guards: ts.Expression[] = [];
  for (let parent = site.parent; parent; child = parent, parent = parent.parent) {
    switch (parent.kind) {
      case SyntaxKind.IfStatement:
        if ((parent as ts.IfStatement).thenStatement === child) guards.push((parent as ts.IfStatement).expression);
        break;
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.ForInStatement: {
        const loop = parent as ts.ForOfStatement | ts.ForInStatement;
        if (loop.statement !== child) {
          break; // the collection is read once, before the first pass
        }
        const kind = loop.kind === SyntaxKind.ForInStatement ? 'for…in loop' : loop.awaitModifier ? 'for await…of loop' : 'for…of loop';
        const names = bindingNames(loop.initializer);
        return singlesOutOneItem(guards, names) ? undefined : describe(site, sourceFile, kind, loop.expression, names, loop.statement);
      }
      case SyntaxKind.ForStatement: {
        const loop = parent as ts.ForStatement;
        const collection = loop.statement === child ? countedCollection(loop) : undefined;
        if (collection) {
          const names = loop.initializer ? bindingNames(loop.initializer) : [];
          return singlesOutOneItem(guards, names) ? undefined : describe(site, sourceFile, 'for loop', collection, names, loop.statement);
        }
        break;
      }
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.FunctionExpression: {
        const callback = parent as ts.ArrowFunction | ts.FunctionExpression;
        const method = iterationOf(callback);
        if (!method) {
          return undefined;
        }
        const names = callback.parameters.flatMap((parameter) => bindingNames(parameter.name));
        return singlesOutOneItem(guards, names) ? undefined : describe(site, sourceFile, `${method.name.text} callback`, method.expression, names, callback.body);
      }
      case SyntaxKind.FunctionDeclaration:
      case SyntaxKind.MethodDeclaration:
      case SyntaxKind.Constructor:
      case SyntaxKind.GetAccessor:
      case SyntaxKind.SetAccessor:
      case SyntaxKind.ClassStaticBlockDeclaration:
      case SyntaxKind.SourceFile:
        return undefined;
    }
  }
  return undefined;
}

/** `xs.forEach` when `callback` is the first argument of `xs.forEach(…)` (or another iterating method). */
function iterationOf(callback: ts.Node): ts.PropertyAccessExpression | undefined {
  let node = callback;
  while (node.parent && ts.isParenthesizedExpression(node.parent)) {
    node = node.parent;
  }
  const call = node.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== node) {
    return undefined;
  }
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && ITERATING_METHODS.has(callee.name.text) ? callee : undefined;
}

/** `xs` of a loop that counts through it: `for (…; i < xs.length; …)` (or `.size`, or `<=`). */
function countedCollection(loop: ts.ForStatement): ts.Expression | undefined {
  const condition = loop.condition;
  if (!condition || !ts.isBinaryExpression(condition)) {
    return undefined;
  }
  const operator = condition.operatorToken.kind;
  if (operator !== SyntaxKind.LessThanToken && operator !== SyntaxKind.LessThanEqualsToken) {
    return undefined;
  }
  const bound = condition.right;
  return ts.isPropertyAccessExpression(bound) && (bound.name.text === 'length' || bound.name.text === 'size') ? bound.expression : undefined;
}

/** Whether a condition compares a name the loop binds with a literal (`index === 0`, `i == 1`, `'a' === kind`). */
function singlesOutOneItem(guards: readonly ts.Expression[], names: readonly string[]): boolean {
  const literal = (node: ts.Expression) => ts.isNumericLiteral(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
  return guards.some((guard) => {
    let condition = guard;
    while (ts.isParenthesizedExpression(condition)) condition = condition.expression;
    if (!ts.isBinaryExpression(condition)) return false;
    const operator = condition.operatorToken.kind;
    if (operator !== SyntaxKind.EqualsEqualsEqualsToken && operator !== SyntaxKind.EqualsEqualsToken) return false;
    const named = (node: ts.Expression) => ts.isIdentifier(node) && names.includes(node.text);
    return (named(condition.left) && literal(condition.right)) || (named(condition.right) && literal(condition.left));
  });
}

function describe(site: ts.CallExpression | ts.TaggedTemplateExpression, sourceFile: ts.SourceFile, kind: string, collection: ts.Expression, bound: string[], body: ts.Node): QueryLoop | undefined {
  // `for (const kind of ['a', 'b'])`: a collection written out has the size it shows, a handful
  // of passes, not one per row of something.
  let written: ts.Expression = collection;
  while (ts.isParenthesizedExpression(written) || ts.isAsExpression(written)) written = written.expression;
  if (ts.isArrayLiteralExpression(written)) {
    return undefined;
  }
  const itemNames = new Set(bound);
  collectDeclaredNames(body, itemNames);
  const receiver = ts.isCallExpression(site) ? site.expression : site.tag;
  if (readsAny(receiver, itemNames)) {
    return undefined; // each item is a connection or a database of its own
  }
  const sent = ts.isCallExpression(site) ? site.arguments : ts.isTemplateExpression(site.template) ? site.template.templateSpans.map((span) => span.expression) : [];
  const over = sourceFile.text.slice(collection.getStart(sourceFile), collection.end);
  const perItem = sent.some((argument) => readsAny(argument, itemNames));
  return { kind, over, perItem, ...(perItem ? { itemNames: [...itemNames] } : {}) };
}

/** The names a loop variable, parameter or declaration binds (destructuring included). */
function bindingNames(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (current: ts.Node): void => {
    if (ts.isIdentifier(current)) {
      names.push(current.text);
    } else if (ts.isVariableDeclarationList(current)) {
      current.declarations.forEach((declaration) => visit(declaration.name));
    } else if (ts.isObjectBindingPattern(current) || ts.isArrayBindingPattern(current)) {
      for (const element of current.elements) {
        if (ts.isBindingElement(element)) visit(element.name);
      }
    } else if (ts.isArrayLiteralExpression(current)) {
      current.elements.forEach(visit); // `for ([k, v] of entries)`
    }
  };
  visit(node);
  return names;
}

/** Adds the names declared anywhere in a loop's body: values computed per item. */
function collectDeclaredNames(body: ts.Node, names: Set<string>): void {
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node)) {
      for (const name of bindingNames(node.name)) names.add(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
}

/** Whether `node` reads one of `names` (a property name of the same spelling is not a read). */
function readsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  if (names.size === 0) {
    return false;
  }
  let found = false;
  const visit = (current: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(current)) {
      const parent = current.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === current) || (ts.isPropertyAssignment(parent) && parent.name === current);
      if (!isPropertyName && names.has(current.text)) found = true;
      return;
    }
    ts.forEachChild(current, visit);
  };
  visit(node);
  return found;
}
