/**
 * What the database side needs to know of a parsed statement: whether it can be planned with
 * `EXPLAIN` (and with which text and how many parameters), and whether it changes the schema.
 */
import type { Query } from '../extract/query';
import { scanSqlTokens } from './sqlTokens';
import { nodeType, PgStatement } from './rules/rule';

export interface StatementInfo {
  /** `query`: SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE. `ddl`: changes the schema. */
  kind: 'query' | 'ddl' | 'other';
  /**
   * The text to explain, when the statement can be planned as the user wrote it: exactly one
   * statement, not a fragment inside a statement of ours, no hole standing where a name goes.
   */
  explainSql?: string;
  /** The tables and views a DDL statement creates (unqualified names, as written). */
  creates?: string[];
  /** The index a `CREATE INDEX` statement names, and its table: the database may say how it is used. */
  index?: { name: string; table: string; schema?: string };
}

/** Statements EXPLAIN plans (`SELECT … INTO` creates a table, so it is not one of them). */
const QUERY_TYPES = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const DDL_TYPES = new Set([
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'DropStmt',
  'ViewStmt',
  'CreateTableAsStmt',
  'RenameStmt',
  'CreateEnumStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'CreateSeqStmt',
  'CreateExtensionStmt',
  'CreateSchemaStmt',
  'CreateFunctionStmt',
  'AlterEnumStmt',
  'AlterDomainStmt',
]);

/**
 * `parsedSql` is the text the parser read (see `parseQuery`): when it differs from the query's
 * own text, psql variables were blanked or holes read as names, and the statement is not
 * planned as it would not be the one that runs.
 */
export function statementInfo(query: Query, parsedSql: string, statements: readonly PgStatement[]): StatementInfo {
  if (statements.length !== 1) {
    return { kind: 'other' };
  }
  const node = statements[0].stmt;
  const type = nodeType(node) ?? '';
  const fields = ((node as Record<string, unknown>)[type] ?? {}) as Record<string, unknown>;
  if (DDL_TYPES.has(type)) {
    const index = type === 'IndexStmt' ? createdIndex(fields) : undefined;
    return { kind: 'ddl', creates: createdNames(type, fields), ...(index ? { index } : {}) };
  }
  if (!QUERY_TYPES.has(type) || (type === 'SelectStmt' && fields.intoClause !== undefined)) {
    return { kind: 'other' };
  }
  const plannable = query.shape === 'statement' && parsedSql === query.sql;
  if (!plannable) {
    return { kind: 'query' };
  }
  return { kind: 'query', explainSql: parsedSql };
}

/** The highest `$n` of a statement: how many parameters its plan has (found when it is planned, not on every keystroke). */
export function highestParameter(sql: string): number {
  let highest = 0;
  for (const token of scanSqlTokens(sql)) {
    if (token.text.charCodeAt(0) === 36 /* $ */ && /^\$\d+$/.test(token.text)) {
      highest = Math.max(highest, Number(token.text.slice(1)));
    }
  }
  return highest;
}

function createdIndex(fields: Record<string, unknown>): StatementInfo['index'] {
  const relation = fields.relation as { relname?: string; schemaname?: string } | undefined;
  if (typeof fields.idxname !== 'string' || !relation?.relname) {
    return undefined; // an unnamed index gets its name from PostgreSQL: nothing to look up
  }
  return { name: fields.idxname, table: relation.relname, ...(relation.schemaname ? { schema: relation.schemaname } : {}) };
}

function createdNames(type: string, fields: Record<string, unknown>): string[] | undefined {
  const relname = (rangeVar: unknown) => (rangeVar as { relname?: string } | undefined)?.relname;
  const name =
    type === 'CreateStmt' ? relname(fields.relation) : type === 'ViewStmt' ? relname(fields.view) : type === 'CreateTableAsStmt' ? relname((fields.into as { rel?: unknown } | undefined)?.rel) : undefined;
  return name ? [name] : undefined;
}
