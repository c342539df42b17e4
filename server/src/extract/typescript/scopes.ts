import * as ts from 'typescript';
import { isBlockScope, isFunctionScope, unwrapExpression } from './expressionShapes';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;

/**
 * Just enough name resolution to follow a string constant into the call that runs it:
 *
 *   const FIND_USER = 'SELECT * FROM users WHERE id = $1';
 *   …
 *   await pool.query(FIND_USER, [id]);
 *
 * Every name a scope declares is recorded (parameters, imports, functions, destructured names),
 * so a parameter that shadows a constant is not mistaken for it. A `let` or `var` counts as a
 * constant only when no assignment to its name appears anywhere in the file, which is
 * conservative without a type checker.
 *
 * Declarations are recorded per top-level statement (`ScopeRecords`, kept with the statement's
 * other facts so an unchanged statement is not walked again). A scope inside a statement belongs
 * to that statement alone, so its names stay in the statement's records; only the file's own
 * scope and the assigned names are gathered into `Scopes` on each run (a function's parameters
 * are not copied into a new map after every keystroke).
 */

/** What a name refers to. */
export type Binding =
  | { kind: 'variable'; declaration: ts.VariableDeclaration; initializer: ts.Expression; mutable: boolean }
  /** A parameter named by an identifier: its declared type tells what a template can splice in. */
  | { kind: 'parameter'; declaration: ts.ParameterDeclaration }
  /** An import, function, class, destructured name or uninitialised variable. */
  | { kind: 'other' };

const OTHER: Binding = { kind: 'other' };

/** A declaration in the file's own scope. */
interface FileDeclaration {
  name: string;
  binding: Binding;
}

/**
 * The records of each top-level statement, for resolving a name written inside it. Weak: the
 * records go with the old trees.
 */
const recordsOfStatement = new WeakMap<ts.Node, ScopeRecords>();

/** The declarations and assignments of one top-level statement. */
export class ScopeRecords {
  /** Declarations in the file's scope, in the order written. */
  readonly fileDeclarations: FileDeclaration[] = [];
  /** The names each scope inside the statement declares. */
  readonly innerScopes = new Map<ts.Node, Map<string, Binding>>();
  readonly assignedNames: string[] = [];
  /** Names assigned a SQL fragment after their declaration (`where = sql\`WHERE …\``). */
  readonly fragmentNames: string[] = [];

  /** `statement`: the top-level statement whose names these are. */
  constructor(statement: ts.Node) {
    recordsOfStatement.set(statement, this);
  }

  /** Records a `var`, `let`, `const` or `using` declaration (and catch clause variables). */
  declareVariable(declaration: ts.VariableDeclaration): void {
    const list = declaration.parent;
    const isList = ts.isVariableDeclarationList(list);
    const blockScoped = !isList || (list.flags & ts.NodeFlags.BlockScoped) !== 0;
    const scope = enclosing(declaration, blockScoped ? isBlockScope : isFunctionScope);
    if (!scope) {
      return;
    }
    if (declaration.name.kind !== SyntaxKind.Identifier) {
      this.declareBindingPattern(scope, declaration.name);
      return;
    }
    const initializer = declaration.initializer && isList ? unwrapExpression(declaration.initializer) : undefined;
    const mutable = !(isList && (list.flags & ts.NodeFlags.Const) !== 0);
    this.declare(scope, declaration.name.text, initializer ? { kind: 'variable', declaration, initializer, mutable } : OTHER);
  }

  /** Records a parameter in its function's scope. */
  declareParameter(parameter: ts.ParameterDeclaration): void {
    if (parameter.name.kind === SyntaxKind.Identifier) {
      this.declare(parameter.parent, parameter.name.text, { kind: 'parameter', declaration: parameter });
    } else {
      this.declareBindingPattern(parameter.parent, parameter.name);
    }
  }

  /** Records a name that is not a string constant (function, class, enum, import) declared by `declaration`. */
  declareOther(declaration: ts.Node, name: string): void {
    const scope = enclosing(declaration, isBlockScope);
    if (scope) {
      this.declare(scope, name, OTHER);
    }
  }

  /** Records an assignment (`x = …`, `x += …`, `x++`, `[x] = …`) to every name in `target`. */
  markAssigned(target: ts.Node): void {
    const stack: ts.Node[] = [target];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.kind === SyntaxKind.Identifier) {
        this.assignedNames.push((node as ts.Identifier).text);
      } else {
        ts.forEachChild(node, (child) => {
          stack.push(child);
        });
      }
    }
  }

  /** Records that `name` is assigned a SQL fragment. */
  markFragmentAssigned(name: string): void {
    this.fragmentNames.push(name);
  }

  private declare(scope: ts.Node, name: string, binding: Binding): void {
    if (scope.kind === SyntaxKind.SourceFile) {
      this.fileDeclarations.push({ name, binding });
      return;
    }
    let names = this.innerScopes.get(scope);
    if (!names) {
      names = new Map();
      this.innerScopes.set(scope, names);
    }
    // A name declared twice in one scope (`var x` twice, overloads) is not a constant.
    names.set(name, names.has(name) ? OTHER : binding);
  }

  private declareBindingPattern(scope: ts.Node, pattern: ts.BindingName): void {
    const stack: ts.Node[] = [pattern];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (ts.isBindingElement(node)) {
        if (node.name.kind === SyntaxKind.Identifier) {
          this.declare(scope, node.name.text, OTHER);
        } else {
          stack.push(node.name);
        }
      } else if (ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) {
        for (const element of node.elements) {
          stack.push(element);
        }
      }
    }
  }
}

/** The names of a whole file, for resolving a reference where it is written. */
export class Scopes {
  /** The file's own scope. */
  private readonly fileNames = new Map<string, Binding>();
  private readonly reassigned = new Set<string>();
  private readonly fragments = new Set<string>();
  /** While set, every name asked about is added to it (see `recordNamesAskedAbout`). */
  private namesAsked: string[] | undefined;

  /**
   * Adds every name asked about from now on to `names` (undefined: stops). What a statement's
   * readings found depends on the file's scope only through those names (`agreeOn`).
   */
  recordNamesAskedAbout(names: string[] | undefined): void {
    this.namesAsked = names;
  }

  /**
   * Whether each of `names` means in this file what it means in `other`: declared in the file's
   * scope by the same declaration or by neither, assigned somewhere in both or in neither,
   * assigned a SQL fragment in both or in neither.
   */
  agreeOn(names: readonly string[], other: Scopes): boolean {
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (
        this.fileNames.get(name) !== other.fileNames.get(name) ||
        this.reassigned.has(name) !== other.reassigned.has(name) ||
        this.fragments.has(name) !== other.fragments.has(name)
      ) {
        return false;
      }
    }
    return true;
  }

  /** Adds one statement's records. */
  add(records: ScopeRecords): void {
    for (let i = 0; i < records.fileDeclarations.length; i++) {
      const { name, binding } = records.fileDeclarations[i];
      // A name declared twice in the file's scope (`var x` twice, overloads) is not a constant.
      this.fileNames.set(name, this.fileNames.has(name) ? OTHER : binding);
    }
    for (let i = 0; i < records.assignedNames.length; i++) {
      this.reassigned.add(records.assignedNames[i]);
    }
    for (let i = 0; i < records.fragmentNames.length; i++) {
      this.fragments.add(records.fragmentNames[i]);
    }
  }

  /** Whether a SQL fragment is assigned to this name somewhere: a hole naming it is SQL, not a value. */
  isAssignedFragment(name: string): boolean {
    this.namesAsked?.push(name);
    return this.fragments.has(name);
  }

  /** What the name `identifier` refers to where it is written, if this file declares it. */
  resolve(identifier: ts.Identifier): Binding | undefined {
    const name = identifier.text;
    this.namesAsked?.push(name);
    // The scopes between the name and the file's are those of the statement it is written in.
    let statement: ts.Node = identifier;
    while (statement.parent && statement.parent.kind !== SyntaxKind.SourceFile) {
      statement = statement.parent;
    }
    if (!statement.parent) {
      return undefined; // not in the file's tree (a subtree the walk skips)
    }
    const innerScopes = recordsOfStatement.get(statement)?.innerScopes;
    if (innerScopes !== undefined && innerScopes.size > 0) {
      for (let node: ts.Node | undefined = identifier.parent; node && node.kind !== SyntaxKind.SourceFile; node = node.parent) {
        const binding = innerScopes.get(node)?.get(name);
        if (binding) {
          return binding;
        }
      }
    }
    return this.fileNames.get(name);
  }

  /**
   * The initializer of the constant `identifier` refers to (`const`, or `let`/`var` never assigned
   * again), unwrapped of parentheses and type assertions; undefined for anything else.
   */
  constantInitializer(identifier: ts.Identifier): ts.Expression | undefined {
    const binding = this.resolve(identifier);
    if (!binding || binding.kind !== 'variable') {
      return undefined;
    }
    if (binding.mutable && this.reassigned.has(identifier.text)) {
      return undefined;
    }
    return binding.initializer;
  }
}

function enclosing(node: ts.Node, isScope: (node: ts.Node) => boolean): ts.Node | undefined {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (isScope(current)) {
      return current;
    }
  }
  return undefined;
}
