/**
 * Python scopes, just enough to tell constants: a name bound exactly once in its scope, by a
 * plain `NAME = value` assignment. Module and function scopes follow Python's rules (a class
 * body is not visible from the methods inside it); names bound any other way (parameters, loop
 * and `with` targets, `+=`, `:=`, tuple targets) count as bindings without a known value.
 */
import type { SyntaxNode } from '@lezer/common';

interface Binding {
  count: number;
  value: SyntaxNode | null;
  /** The annotation of its one binding (`seconds: int`), as written. */
  type?: string;
}

export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(
    readonly kind: 'module' | 'function' | 'class',
    readonly parent: Scope | null,
    /** Document offset where the scope's node ends. */
    readonly end: number,
  ) {}

  bind(name: string, value: SyntaxNode | null, type?: string): void {
    const binding = this.bindings.get(name);
    if (binding) {
      binding.count++;
    } else {
      this.bindings.set(name, type === undefined ? { count: 1, value } : { count: 1, value, type });
    }
  }

  /** The annotation of `name` seen from this scope, when the innermost scope binding it binds it once. */
  declaredType(name: string): string | undefined {
    const binding = this.innermost(name);
    return binding?.count === 1 ? binding.type : undefined;
  }

  /**
   * The value of `name` seen from this scope when it is a constant, or null: the innermost
   * scope that binds the name decides, and it must bind it once, with a value.
   */
  resolve(name: string): SyntaxNode | null {
    const binding = this.innermost(name);
    return binding?.count === 1 ? binding.value : null;
  }

  /** The binding of `name` in the innermost scope that binds it (a class body is not seen from its methods). */
  private innermost(name: string): Binding | undefined {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      if (scope.kind === 'class' && scope !== this) continue;
      const binding = scope.bindings.get(name);
      if (binding) return binding;
    }
    return undefined;
  }
}

/** `NAME = value`, `NAME: type = value`, `a = b = value`, `a, b = value`. */
export function bindAssignment(scope: Scope, node: SyntaxNode, text: string): void {
  const segments: SyntaxNode[][] = [[]];
  let type: string | undefined;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === 'AssignOp') segments.push([]);
    else if (child.name === 'TypeDef') type = annotation(child, text);
    else segments[segments.length - 1].push(child);
  }
  if (segments.length < 2) {
    return; // `NAME: type` binds nothing
  }
  const valueSegment = segments[segments.length - 1];
  const value = valueSegment.length === 1 ? valueSegment[0] : null;
  for (const target of segments.slice(0, -1)) {
    if (target.length === 1 && target[0].name === 'VariableName') {
      scope.bind(text.slice(target[0].from, target[0].to), value, segments.length === 2 ? type : undefined);
      continue;
    }
    for (const part of target) {
      if (part.name === 'VariableName') scope.bind(text.slice(part.from, part.to), null);
    }
  }
}

/** Binds the names a statement binds without a value we can read. */
export function bindOther(scope: Scope, node: SyntaxNode, text: string): void {
  switch (node.name) {
    case 'UpdateStatement':
    case 'NamedExpression': {
      const target = node.firstChild;
      if (target?.name === 'VariableName') scope.bind(text.slice(target.from, target.to), null);
      return;
    }
    case 'ForStatement': {
      let inTargets = false;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name === 'for') inTargets = true;
        else if (child.name === 'in') return;
        else if (inTargets && child.name === 'VariableName') scope.bind(text.slice(child.from, child.to), null);
      }
      return;
    }
    case 'WithStatement': {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name === 'as' && child.nextSibling?.name === 'VariableName') {
          scope.bind(text.slice(child.nextSibling.from, child.nextSibling.to), null);
        }
      }
      return;
    }
    case 'ParamList': {
      let previous = '';
      for (let child = node.firstChild; child; child = child.nextSibling) {
        // `b=DEFAULT`: DEFAULT is read, not bound.
        if (child.name === 'VariableName' && previous !== 'AssignOp') {
          const typeDef = child.nextSibling?.name === 'TypeDef' ? child.nextSibling : null;
          scope.bind(text.slice(child.from, child.to), null, typeDef ? annotation(typeDef, text) : undefined);
        }
        previous = child.name;
      }
      return;
    }
  }
}

/** The type of a `TypeDef` (`: int`), as written. */
function annotation(typeDef: SyntaxNode, text: string): string {
  return text.slice(typeDef.from, typeDef.to).replace(/^:\s*/, '').trim();
}
