import * as ts from 'typescript';
import { startsWithSqlKeyword } from '../sqlDetector';
import { recogniseSqlTag } from './driverCalls';
import { firstConcatenationOperand, isConcatenation, isPlainStringLiteral, isStringRawTemplate, unwrapExpression } from './expressionShapes';
import { ScopeRecords, Scopes } from './scopes';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

/** What the extractor needs to know of a source file, found in one walk. */
export interface SyntaxFacts {
  /** The top-level statements, in document order, each with what it holds. */
  statements: readonly { statement: ts.Statement; facts: StatementFacts }[];
  /** The modules the file imports or requires, by package (`mysql2/promise` → `mysql2`). */
  modules: Set<string>;
  scopes: Scopes;
}

/** What one top-level statement holds. */
export interface StatementFacts {
  /** Every call, in document order (a call before the calls inside it). */
  calls: ts.CallExpression[];
  /** Every tagged template, in document order. */
  taggedTemplates: ts.TaggedTemplateExpression[];
  /** String literals and templates without holes whose text starts with a SQL keyword. */
  sqlLikeLiterals: (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression)[];
  /** Outermost `+` chains whose first operand is such a literal. */
  sqlLikeConcatenations: ts.BinaryExpression[];
  modules: string[];
  scopes: ScopeRecords;
}

/**
 * Facts by top-level statement. An incremental re-parse (`ts.updateSourceFile`) hands back the
 * very statement objects the edit did not touch, so after a keystroke only the edited statement
 * is walked again. Weak: the facts go with the old trees.
 */
const factsOfStatement = new WeakMap<ts.Node, StatementFacts>();

/**
 * Gathers the facts of every top-level statement, walking those not seen before. The walk uses
 * an explicit stack (no recursion, so any nesting depth is fine) and sets each node's `parent`
 * on the way down: the source file is parsed without TypeScript's own parent pass, which would
 * walk every node a second time. Types, interfaces and type aliases are skipped: they hold no
 * queries.
 */
export function collectSyntaxFacts(sourceFile: ts.SourceFile): SyntaxFacts {
  const statements: { statement: ts.Statement; facts: StatementFacts }[] = [];
  const modules = new Set<string>();
  const scopes = new Scopes();
  for (const statement of sourceFile.statements) {
    (statement as { parent: ts.Node }).parent = sourceFile;
    let facts = factsOfStatement.get(statement);
    if (!facts) {
      facts = walkStatement(statement);
      factsOfStatement.set(statement, facts);
    }
    statements.push({ statement, facts });
    for (const name of facts.modules) {
      modules.add(name);
    }
    scopes.add(facts.scopes);
  }
  return { statements, modules, scopes };
}

function walkStatement(statement: ts.Statement): StatementFacts {
  const facts: StatementFacts = {
    calls: [],
    taggedTemplates: [],
    sqlLikeLiterals: [],
    sqlLikeConcatenations: [],
    modules: [],
    scopes: new ScopeRecords(statement),
  };
  const stack: ts.Node[] = [statement];
  const children: ts.Node[] = [];
  let parent: ts.Node = statement;
  const collectChild = (child: ts.Node): undefined => {
    (child as { parent: ts.Node }).parent = parent;
    if (child.kind >= SyntaxKind.FirstNode) {
      children.push(child);
    } else if (child.kind === SyntaxKind.StringLiteral || child.kind === SyntaxKind.NoSubstitutionTemplateLiteral) {
      // Tokens and identifiers (most of the tree) have no children: only literals are of interest.
      noteLiteral(child as ts.StringLiteral, facts);
    }
    return undefined;
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isSkippedSubtree(node)) {
      continue;
    }
    noteNode(node, facts);
    parent = node;
    ts.forEachChild(node, collectChild);
    // Reversed, so that the stack pops children left to right: document order.
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]);
    }
    children.length = 0;
  }
  return facts;
}

function isSkippedSubtree(node: ts.Node): boolean {
  const kind = node.kind;
  return (
    (kind >= SyntaxKind.FirstTypeNode && kind <= SyntaxKind.LastTypeNode) ||
    kind === SyntaxKind.InterfaceDeclaration ||
    kind === SyntaxKind.TypeAliasDeclaration
  );
}

function noteNode(node: ts.Node, facts: StatementFacts): void {
  switch (node.kind) {
    case SyntaxKind.CallExpression: {
      const call = node as ts.CallExpression;
      facts.calls.push(call);
      const callee = call.expression;
      if ((callee.kind === SyntaxKind.ImportKeyword || (callee.kind === SyntaxKind.Identifier && (callee as ts.Identifier).text === 'require')) && call.arguments.length > 0) {
        noteModule(call.arguments[0], facts);
      }
      break;
    }
    case SyntaxKind.TaggedTemplateExpression:
      facts.taggedTemplates.push(node as ts.TaggedTemplateExpression);
      break;
    case SyntaxKind.TemplateExpression: {
      // A template with holes whose text starts like SQL (not a tagged one: those are read as tags).
      const template = node as ts.TemplateExpression;
      if ((node.parent?.kind !== SyntaxKind.TaggedTemplateExpression || isStringRawTemplate(node)) && startsWithSqlKeyword(template.head.text)) {
        facts.sqlLikeLiterals.push(template);
      }
      break;
    }
    case SyntaxKind.BinaryExpression:
      noteBinary(node as ts.BinaryExpression, facts);
      break;
    case SyntaxKind.PrefixUnaryExpression:
    case SyntaxKind.PostfixUnaryExpression: {
      const unary = node as ts.PrefixUnaryExpression;
      if (unary.operator === SyntaxKind.PlusPlusToken || unary.operator === SyntaxKind.MinusMinusToken) {
        facts.scopes.markAssigned(unwrapExpression(unary.operand));
      }
      break;
    }
    case SyntaxKind.ForInStatement:
    case SyntaxKind.ForOfStatement: {
      const initializer = (node as ts.ForInStatement).initializer;
      if (!ts.isVariableDeclarationList(initializer)) {
        facts.scopes.markAssigned(initializer);
      }
      break;
    }
    case SyntaxKind.VariableDeclaration:
      facts.scopes.declareVariable(node as ts.VariableDeclaration);
      break;
    case SyntaxKind.Parameter:
      facts.scopes.declareParameter(node as ts.ParameterDeclaration);
      break;
    case SyntaxKind.FunctionDeclaration:
    case SyntaxKind.ClassDeclaration:
    case SyntaxKind.EnumDeclaration:
    case SyntaxKind.ImportClause:
    case SyntaxKind.NamespaceImport:
    case SyntaxKind.ImportSpecifier:
    case SyntaxKind.ImportEqualsDeclaration: {
      const name = (node as ts.FunctionDeclaration).name;
      if (name && name.kind === SyntaxKind.Identifier) {
        facts.scopes.declareOther(node, name.text);
      }
      if (node.kind === SyntaxKind.ImportEqualsDeclaration) {
        const reference = (node as ts.ImportEqualsDeclaration).moduleReference;
        if (ts.isExternalModuleReference(reference)) {
          noteModule(reference.expression, facts);
        }
      }
      break;
    }
    case SyntaxKind.ImportDeclaration:
    case SyntaxKind.ExportDeclaration: {
      const specifier = (node as ts.ImportDeclaration).moduleSpecifier;
      if (specifier) {
        noteModule(specifier, facts);
      }
      break;
    }
    default:
      break;
  }
}

function noteLiteral(literal: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral, facts: StatementFacts): void {
  if (startsWithSqlKeyword(literal.text)) {
    facts.sqlLikeLiterals.push(literal);
  }
}

function noteBinary(binary: ts.BinaryExpression, facts: StatementFacts): void {
  const operator = binary.operatorToken.kind;
  if (operator >= SyntaxKind.FirstAssignment && operator <= SyntaxKind.LastAssignment) {
    const target = unwrapExpression(binary.left);
    if (target.kind === SyntaxKind.Identifier || target.kind === SyntaxKind.ArrayLiteralExpression || target.kind === SyntaxKind.ObjectLiteralExpression) {
      facts.scopes.markAssigned(target);
    }
    if (target.kind === SyntaxKind.Identifier && holdsSqlFragment(binary.right)) {
      facts.scopes.markFragmentAssigned((target as ts.Identifier).text);
    }
    return;
  }
  if (operator !== SyntaxKind.PlusToken || isInsideConcatenation(binary)) {
    return;
  }
  const first = unwrapExpression(firstConcatenationOperand(binary));
  if (isPlainStringLiteral(first) && startsWithSqlKeyword(first.text)) {
    facts.sqlLikeConcatenations.push(binary);
  }
}

/** `sql\`…\``, or a choice between such fragments (`cond ? sql\`…\` : sql\`\``). */
function holdsSqlFragment(expression: ts.Expression): boolean {
  const stack = [expression];
  while (stack.length > 0) {
    const node = unwrapExpression(stack.pop()!);
    if (node.kind === SyntaxKind.ConditionalExpression) {
      stack.push((node as ts.ConditionalExpression).whenTrue, (node as ts.ConditionalExpression).whenFalse);
    } else if (node.kind === SyntaxKind.TaggedTemplateExpression && recogniseSqlTag((node as ts.TaggedTemplateExpression).tag)) {
      return true;
    }
  }
  return false;
}

/** Whether a `+` is an operand of an enclosing `+` (only the outermost chain is a candidate). */
function isInsideConcatenation(binary: ts.BinaryExpression): boolean {
  let current: ts.Node = binary.parent;
  while (current && current.kind === SyntaxKind.ParenthesizedExpression) {
    current = current.parent;
  }
  return current !== undefined && isConcatenation(current);
}

function noteModule(specifier: ts.Expression, facts: StatementFacts): void {
  if (!isPlainStringLiteral(specifier)) {
    return;
  }
  const name = specifier.text;
  const parts = name.split('/');
  facts.modules.push(name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
}
