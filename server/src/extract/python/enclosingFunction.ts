import type { SyntaxNode } from '@lezer/common';

/**
 * The name of the function (`def flush`) a call is written in, undefined at module level. What a
 * function is called says what its statements are for.
 */
export function enclosingFunctionName(node: SyntaxNode, text: string): string | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name === 'FunctionDefinition') {
      const name = parent.getChild('VariableName');
      return name ? text.slice(name.from, name.to) : undefined;
    }
  }
  return undefined;
}

/** The names of the classes a call is written in, innermost first (`DatastoreExampleSqliteBackend`). */
export function enclosingClassNames(node: SyntaxNode, text: string): string[] {
  const names: string[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name === 'ClassDefinition') {
      const name = parent.getChild('VariableName');
      if (name) names.push(text.slice(name.from, name.to));
    }
  }
  return names;
}
