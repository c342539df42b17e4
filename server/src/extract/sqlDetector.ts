import { parseStatement } from '../analyze/parse';

/** Keywords a SQL statement worth analysing starts with. */
const LEADING_KEYWORD = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(select|insert|update|delete|with|merge|create|alter|drop|truncate|copy|explain|values|call)\b/i;

/** The statement kinds a string found by its content alone may be. */
const QUERY_STATEMENTS = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CreateStmt',
  'IndexStmt',
  'AlterTableStmt',
  'DropStmt',
  'TruncateStmt',
  'CopyStmt',
  'ExplainStmt',
  'CallStmt',
  'ViewStmt',
  'CreateTableAsStmt',
]);

/** Signs of SQL structure that prose rarely has. */
const STRUCTURE = /[*=,()<>;.]|\$\d|\?|%s|%\(|:[A-Za-z_]|\n|\u0000/;

/** Whether `text` starts with a SQL keyword (a cheap first test before parsing). */
export function startsWithSqlKeyword(text: string): boolean {
  return LEADING_KEYWORD.test(text);
}

/**
 * Whether a string literal that no known driver call receives is SQL, judged by its content:
 * it starts with a SQL keyword, PostgreSQL's parser accepts it (holes and placeholders already
 * rewritten to `$n`) as a query or DDL statement, and it either writes its first keyword in
 * capitals or has some SQL structure (`*`, `=`, `,`, parentheses, placeholders, several lines).
 * So "select a row from the list" and "Select an option" are prose, while
 * "select * from users" and "SELECT id FROM users" are SQL.
 */
export function looksLikeSql(sql: string): boolean {
  const leading = LEADING_KEYWORD.exec(sql);
  if (!leading) {
    return false;
  }
  const outcome = parseStatement(sql, 'postgresql');
  if (!outcome.ok) {
    return false;
  }
  const statements = (outcome.ast as { stmts?: { stmt: Record<string, unknown> }[] }).stmts ?? [];
  if (statements.length === 0 || !statements.every((s) => QUERY_STATEMENTS.has(Object.keys(s.stmt)[0]) && !isEmptySelect(s.stmt))) {
    return false;
  }
  const keyword = leading[1];
  return keyword === keyword.toUpperCase() || STRUCTURE.test(sql.slice(leading.index + leading[0].length));
}

/** `SELECT ALL` and `SELECT DISTINCT` parse, as selects of nothing: prose, not a query. */
function isEmptySelect(statement: Record<string, unknown>): boolean {
  const select = statement.SelectStmt as { targetList?: unknown[]; fromClause?: unknown[]; valuesLists?: unknown[]; op?: string } | undefined;
  return select !== undefined && select.op === 'SETOP_NONE' && !select.targetList && !select.fromClause && !select.valuesLists;
}
