import * as ts from 'typescript';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

/**
 * The name of the function or method a call is written in (`flush`, `clickhouseQuery`), or of
 * the variable or property an arrow function or function expression is assigned to; undefined
 * at the top level. What a function is called says what its statements are for.
 */
export function enclosingFunctionName(node: ts.Node): string | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    switch (parent.kind) {
      case SyntaxKind.FunctionDeclaration:
      case SyntaxKind.MethodDeclaration:
      case SyntaxKind.GetAccessor:
      case SyntaxKind.SetAccessor: {
        const name = (parent as ts.FunctionDeclaration | ts.MethodDeclaration).name;
        return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
      }
      case SyntaxKind.FunctionExpression:
      case SyntaxKind.ArrowFunction: {
        const own = (parent as ts.FunctionExpression).name;
        if (own) return own.text;
        const holder = parent.parent;
        if (holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder)) && ts.isIdentifier(holder.name)) {
          return holder.name.text;
        }
        // An anonymous callback: the function it is passed in names the work.
        break;
      }
    }
  }
  return undefined;
}

/** The name of the class a node is written in, if it is in one with a name. */
export function enclosingClassName(node: ts.Node): string | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if ((ts.isClassDeclaration(parent) || ts.isClassExpression(parent)) && parent.name) {
      return parent.name.text;
    }
  }
  return undefined;
}
