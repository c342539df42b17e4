import type { Query, QueryParameter } from '../../extract/query';
import { quoteHostExpression as quote, type Rule } from './rule';

const CONSTRUCTION_WORDS: Record<NonNullable<Query['construction']>, string> = {
  template: 'a template literal',
  'f-string': 'an f-string',
  concatenation: 'string concatenation',
  format: 'string formatting',
};

/**
 * `no-sql-concatenation`: a value spliced into the SQL text by the host language (`${x}` in a
 * plain template, an f-string, `+`, `%` or `.format`). The query is open to SQL injection, and
 * its text changes with every value, so the database cannot reuse a prepared plan and
 * pg_stat_statements sees a new query each time. The quick fix passes the values as the driver's
 * parameters when every spliced value stands where PostgreSQL accepts a parameter.
 */
export const noSqlConcatenation: Rule = {
  id: 'no-sql-concatenation',
  summary: 'SQL built by splicing values into its text: unsafe, and never prepared once for all values.',
  defaultSeverity: 'warning',
  scope: 'application-code',
  check(context) {
    const spliced = context.query.parameters.filter((p) => p.source === 'interpolated');
    if (spliced.length === 0) {
      return;
    }
    const how = context.query.construction ? CONSTRUCTION_WORDS[context.query.construction] : 'string building';
    // The analysis parses holes as `$n` first; where PostgreSQL would not take a parameter
    // (`FROM ${table}`) it parses them as names, and no parameter can replace them.
    const inValuePosition = (p: QueryParameter) => context.sql.startsWith('$', p.sqlStart);
    const fix = context.query.parameterisationFix && spliced.every(inValuePosition) ? context.query.parameterisationFix : undefined;
    for (const parameter of spliced) {
      const expression = parameter.expression ?? 'a value';
      const message = inValuePosition(parameter)
        ? `${quote(expression)} is spliced into the SQL text by ${how}: a value holding a quote breaks the query or injects SQL, ` +
          `and every distinct value makes a new statement the database parses and plans again. ` +
          `Pass it as a parameter (${context.query.origin} takes them)${fix ? ': the quick fix does it' : ''}.`
        : `${quote(expression)} is spliced into the SQL text by ${how} where a name goes: parameters cannot stand for names, ` +
          `so check it against a fixed list of allowed names (or quote it with quote_ident / pg-format's %I) before it reaches the SQL.`;
      context.report({ start: parameter.sqlStart, end: parameter.sqlEnd, message, ...(fix ? { data: { fix } } : {}) });
    }
  },
};
