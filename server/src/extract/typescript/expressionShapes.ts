import * as ts from 'typescript';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

/**
 * Small questions about the shape of TypeScript expressions, shared by the extractor's modules.
 * Every loop here is iterative: a file may hold a 10,000-operand concatenation.
 */

/** The expression inside parentheses, `x as T`, `x!`, `<T>x` and `x satisfies T`. */
export function unwrapExpression(node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    switch (current.kind) {
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.TypeAssertionExpression:
      case SyntaxKind.SatisfiesExpression:
        current = (current as ts.ParenthesizedExpression).expression;
        break;
      default:
        return current;
    }
  }
}

/** A string literal or a template without holes: text the program cannot change. */
export function isPlainStringLiteral(node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return node.kind === SyntaxKind.StringLiteral || node.kind === SyntaxKind.NoSubstitutionTemplateLiteral;
}

/** A binary `+`: string concatenation when an operand is text. */
export function isConcatenation(node: ts.Node): node is ts.BinaryExpression {
  return node.kind === SyntaxKind.BinaryExpression && (node as ts.BinaryExpression).operatorToken.kind === SyntaxKind.PlusToken;
}

/** Whether an operand of `+` is text (so that a `+` around it is string concatenation). */
function isStringOperand(node: ts.Expression): boolean {
  const inner = unwrapExpression(node);
  return isPlainStringLiteral(inner) || inner.kind === SyntaxKind.TemplateExpression;
}

/**
 * The operands of a `+` chain, left to right. A parenthesised `+` is flattened only when it
 * starts with text: in `'x' + (a + b)` with numbers `a + b` is one value.
 */
export function concatenationOperands(node: ts.BinaryExpression): ts.Expression[] {
  const operands: ts.Expression[] = [];
  // Right operands wait on the stack while the left spine is walked down.
  const stack: ts.Expression[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const inner = unwrapExpression(current);
    const flatten = isConcatenation(inner) && (inner === node || current === inner || startsWithText(inner));
    if (flatten) {
      const binary = inner as ts.BinaryExpression;
      stack.push(binary.right, binary.left);
    } else {
      operands.push(current);
    }
  }
  return operands;
}

/** The leftmost operand of a `+` chain. */
export function firstConcatenationOperand(node: ts.BinaryExpression): ts.Expression {
  let current: ts.Expression = node;
  for (;;) {
    const inner = unwrapExpression(current);
    if (!isConcatenation(inner)) {
      return current;
    }
    current = inner.left;
  }
}

function startsWithText(node: ts.BinaryExpression): boolean {
  return isStringOperand(firstConcatenationOperand(node));
}

/**
 * The dotted name an expression is written as, one segment per property: `this.db.query` is
 * `['this', 'db', 'query']`, `knex('users').whereRaw` is `['knex', 'whereRaw']` (a call keeps its
 * callee's name), `sql.type(Row)` is `['sql', 'type']`. Unnamed parts (`dbs[i]`) end the walk.
 */
export function namePath(node: ts.Expression): string[] {
  const reversed: string[] = [];
  let current: ts.Expression | undefined = node;
  while (current) {
    current = unwrapExpression(current);
    switch (current.kind) {
      case SyntaxKind.Identifier:
        reversed.push((current as ts.Identifier).text);
        current = undefined;
        break;
      case SyntaxKind.ThisKeyword:
        reversed.push('this');
        current = undefined;
        break;
      case SyntaxKind.SuperKeyword:
        reversed.push('super');
        current = undefined;
        break;
      case SyntaxKind.PropertyAccessExpression: {
        const access = current as ts.PropertyAccessExpression;
        reversed.push(access.name.text);
        current = access.expression;
        break;
      }
      case SyntaxKind.ElementAccessExpression: {
        const access = current as ts.ElementAccessExpression;
        const argument = unwrapExpression(access.argumentExpression);
        if (!isPlainStringLiteral(argument)) {
          current = undefined;
          break;
        }
        reversed.push(argument.text);
        current = access.expression;
        break;
      }
      case SyntaxKind.CallExpression:
        current = (current as ts.CallExpression).expression;
        break;
      case SyntaxKind.AwaitExpression:
        current = (current as ts.AwaitExpression).expression;
        break;
      default:
        current = undefined;
    }
  }
  return reversed.reverse();
}

/**
 * The name of the object a builder chain starts from: `knex('users').where(...).whereRaw` and
 * `db.select('*').from('t').whereRaw` start from `knex` and `db`. Method calls of the chain are
 * skipped; `this.knex('users')` keeps `knex`.
 */
export function chainRootName(receiver: ts.Expression): string | undefined {
  let current = unwrapExpression(receiver);
  while (current.kind === SyntaxKind.CallExpression) {
    const callee = unwrapExpression((current as ts.CallExpression).expression);
    if (callee.kind !== SyntaxKind.PropertyAccessExpression) {
      current = callee;
      break;
    }
    const object = unwrapExpression((callee as ts.PropertyAccessExpression).expression);
    if (object.kind === SyntaxKind.ThisKeyword) {
      current = callee;
      break;
    }
    current = object;
  }
  const path = namePath(current);
  return path.length > 0 ? path[path.length - 1] : undefined;
}

/** The last two segments of a name path, joined: `this.db.query` → `db.query`. */
export function shortName(path: readonly string[]): string {
  return path.slice(-2).join('.');
}

/** Whether `node` is a function, method or accessor: a scope for `var` and parameters. */
export function isFunctionScope(node: ts.Node): boolean {
  switch (node.kind) {
    case SyntaxKind.SourceFile:
    case SyntaxKind.ModuleBlock:
    case SyntaxKind.FunctionDeclaration:
    case SyntaxKind.FunctionExpression:
    case SyntaxKind.ArrowFunction:
    case SyntaxKind.MethodDeclaration:
    case SyntaxKind.Constructor:
    case SyntaxKind.GetAccessor:
    case SyntaxKind.SetAccessor:
    case SyntaxKind.ClassStaticBlockDeclaration:
      return true;
    default:
      return false;
  }
}

/** Whether `node` scopes `let`, `const`, classes and block-level functions. */
export function isBlockScope(node: ts.Node): boolean {
  switch (node.kind) {
    case SyntaxKind.Block:
    case SyntaxKind.CaseBlock:
    case SyntaxKind.ForStatement:
    case SyntaxKind.ForInStatement:
    case SyntaxKind.ForOfStatement:
    case SyntaxKind.CatchClause:
      return true;
    default:
      return isFunctionScope(node);
  }
}

/**
 * Whether a template is tagged `String.raw`: its text is the text as written, backslashes
 * included, and it is a string like any other (migration texts kept in a module are written so).
 */
export function isStringRawTemplate(template: ts.Node): boolean {
  const parent = template.parent;
  if (!parent || !ts.isTaggedTemplateExpression(parent) || parent.template !== template) return false;
  const tag = parent.tag;
  return ts.isPropertyAccessExpression(tag) && ts.isIdentifier(tag.expression) && tag.expression.text === 'String' && tag.name.text === 'raw';
}
