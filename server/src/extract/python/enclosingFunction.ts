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

/** Names of functions that finish a migration in the background (Synapse's `_background_…`, `…_bg_update`). */
const BACKGROUND_UPDATE = /^_*background_|_bg_updates?\b|background_updates?\b/i;

/** Whether a call is written in a background update's function, or in a function nested in one. */
export function inBackgroundUpdate(node: SyntaxNode, text: string): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name === 'FunctionDefinition') {
      const name = parent.getChild('VariableName');
      if (name && BACKGROUND_UPDATE.test(text.slice(name.from, name.to))) return true;
    }
  }
  return false;
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

/**
 * The engine the `if` (or `elif`) branch a call is written in names in its condition
 * (`if isinstance(database_engine, Sqlite3Engine):`): the SQL there is that engine's. Not from an
 * `else` branch, nor from a negated condition (`if not isinstance(…, Sqlite3Engine)`), which say
 * the SQL is for any engine but that one.
 */
export function branchEngineCondition(node: SyntaxNode, text: string): string | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name !== 'IfStatement') continue;
    let condition: SyntaxNode | null = null;
    for (let child = parent.firstChild; child; child = child.nextSibling) {
      if (child.name === 'Body') {
        if (child.from <= node.from && node.to <= child.to) {
          const written = condition ? text.slice(condition.from, condition.to) : '';
          if (written && !/\bnot\b|!=/.test(written)) return written;
          break;
        }
        condition = null;
      } else if (child.name === 'if' || child.name === 'elif') {
        condition = null;
      } else if (child.name === 'else') {
        condition = null;
      } else if (child.name !== ':') {
        condition = child;
      }
    }
  }
  return undefined;
}
