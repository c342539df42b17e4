/**
 * What the database side needs to know of a parsed statement: whether it can be planned with
 * `EXPLAIN` (and with which text and how many parameters), and whether it changes the schema.
 */
import type { Query } from '../extract/query';
import { scanSqlTokens } from '../scan/sqlTokens';
import type { ParsedQuery } from './parseQuery';
import { ROLE_WORDS } from './holeRoles';
import { nodeType, PgStatement } from './rules/rule';
import { walkTree } from './rules/ast';

/**
 * Why a query is not planned: a reason for the CodeLens and the CLI (`schema name spliced at run
 * time`), and the category the CLI's summary counts it under (`20 built at run time`).
 */
export interface NotPlanned {
  category: NotPlannedCategory;
  reason: string;
}

export type NotPlannedCategory =
  | 'DDL'
  | 'not a query'
  | 'built at run time'
  | 'fragment'
  | 'not analysed'
  | 'syntax error'
  | 'another database'
  | 'another dialect'
  | 'refused by the database'
  | 'planning timed out'
  | 'table locked';

/** A hole standing for the schema of a table (`${schema}.jobs`): the database's catalog says which schema has the table. */
export interface SchemaHole {
  /** The name the hole was parsed as (`q1`), in `explainSql`. */
  placeholder: string;
  /** Where it is in `explainSql`. */
  start: number;
  /** The table, function or type it qualifies. */
  table: string;
  /** Whether it qualifies a table or view, a function called there (`${schema}.add_job(…)`), or a type (`::${schema}.job_spec`). */
  kind: 'table' | 'function' | 'type';
  /** The host expression, for messages. */
  expression: string;
}

export interface StatementInfo {
  /** `query`: SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE. `ddl`: changes the schema. */
  kind: 'query' | 'ddl' | 'other';
  /**
   * The text to explain, when the statement can be planned as the user wrote it: exactly one
   * statement, not a fragment inside a statement of ours, every hole a value (or a schema the
   * catalog can name, see `schemaHoles`).
   */
  explainSql?: string;
  /** Holes in `explainSql` that stand for a table's schema, resolved against the catalog before planning. */
  schemaHoles?: SchemaHole[];
  /** Why it is not planned, when it is not. */
  notPlanned?: NotPlanned;
  /** The tables and views a DDL statement creates (unqualified names, as written). */
  creates?: string[];
  /** The index a `CREATE INDEX` statement names, and its table: the database may say how it is used. */
  index?: { name: string; table: string; schema?: string };
  /**
   * The foreign keys a `CREATE TABLE` or `ALTER TABLE` declares: the referencing table and
   * columns, the referenced table, and where the constraint is written (an offset in the query).
   */
  foreignKeys?: { table: string; schema?: string; columns: string[]; references: string; at: number }[];
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
 * What the database side needs of a parsed query. `parsed.sql` is the text the parser read (see
 * `parseQuery`): holes read as names are there as `q1`, and the roles say what every hole stands
 * for; a query is planned only when each hole is a value, or a schema the catalog can name.
 */
export function statementInfo(query: Query, parsed: ParsedQuery, statements: readonly PgStatement[]): StatementInfo {
  if (statements.length !== 1) {
    return { kind: 'other', notPlanned: { category: 'not a query', reason: statements.length === 0 ? 'it holds no statement' : `it holds ${statements.length} statements` } };
  }
  const node = statements[0].stmt;
  const type = nodeType(node) ?? '';
  const fields = ((node as Record<string, unknown>)[type] ?? {}) as Record<string, unknown>;
  if (DDL_TYPES.has(type)) {
    const index = type === 'IndexStmt' ? createdIndex(fields) : undefined;
    const foreignKeys = type === 'CreateStmt' || type === 'AlterTableStmt' ? declaredForeignKeys(fields) : [];
    return {
      kind: 'ddl',
      creates: createdNames(type, fields),
      ...(index ? { index } : {}),
      ...(foreignKeys.length > 0 ? { foreignKeys } : {}),
      notPlanned: { category: 'DDL', reason: 'DDL: EXPLAIN plans queries, not schema changes' },
    };
  }
  if (!QUERY_TYPES.has(type) || (type === 'SelectStmt' && fields.intoClause !== undefined)) {
    return { kind: 'other', notPlanned: { category: 'not a query', reason: `${statementWord(type)}: not a query EXPLAIN plans` } };
  }
  if (query.shape === 'fragment') {
    return { kind: 'query', notPlanned: { category: 'fragment', reason: `a ${query.origin} fragment: planned only inside the query it ends up in` } };
  }
  if (query.templateTags) {
    return { kind: 'query', notPlanned: { category: 'built at run time', reason: 'template tags choose its text at run time' } };
  }
  const schemaHoles: SchemaHole[] = [];
  let qualified: Map<string, { kind: SchemaHole['kind']; name: string }> | undefined;
  for (const [index, role] of parsed.roles) {
    if (role === 'value' || role === 'name in text') {
      continue;
    }
    const parameter = query.parameters[index];
    const what = parameter.expression ? `\`${shorten(parameter.expression)}\`` : 'a hole';
    if (role === 'schema') {
      qualified ??= qualifiedNames(statements[0]);
      const placeholder = parsed.sql.slice(parameter.sqlStart, parameter.sqlEnd);
      const target = qualified.get(placeholder);
      if (target) {
        schemaHoles.push({ placeholder, start: parameter.sqlStart, table: target.name, kind: target.kind, expression: parameter.expression ?? '' });
        continue;
      }
    }
    return { kind: 'query', notPlanned: { category: 'built at run time', reason: `${ROLE_WORDS[role]} spliced in at run time (${what})` } };
  }
  return { kind: 'query', explainSql: parsed.sql, ...(schemaHoles.length > 0 ? { schemaHoles } : {}) };
}

/** `TransactionStmt` → `transaction control`, `VariableSetStmt` → `SET`: what a statement is, in a reason. */
function statementWord(type: string): string {
  const words: Record<string, string> = {
    TransactionStmt: 'transaction control',
    VariableSetStmt: 'SET',
    VariableShowStmt: 'SHOW',
    ListenStmt: 'LISTEN',
    UnlistenStmt: 'UNLISTEN',
    NotifyStmt: 'NOTIFY',
    DoStmt: 'DO',
    PrepareStmt: 'PREPARE',
    ExecuteStmt: 'EXECUTE',
    DeallocateStmt: 'DEALLOCATE',
    GrantStmt: 'GRANT',
    GrantRoleStmt: 'GRANT',
    CopyStmt: 'COPY',
    VacuumStmt: 'VACUUM or ANALYZE',
    LockStmt: 'LOCK',
    ExplainStmt: 'EXPLAIN',
    CallStmt: 'CALL',
    SelectStmt: 'SELECT INTO',
    TruncateStmt: 'TRUNCATE',
    CommentStmt: 'COMMENT',
    RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  };
  return words[type] ?? type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/**
 * What each schema a statement names qualifies, by the schema's name as written (`q1` for a hole
 * read as a name): a table or view (`q1.jobs`), a function (`q1.add_job(…)`) or a type
 * (`::q1.job_spec`). The first use of each schema name counts.
 */
function qualifiedNames(statement: PgStatement): Map<string, { kind: SchemaHole['kind']; name: string }> {
  const found = new Map<string, { kind: SchemaHole['kind']; name: string }>();
  const note = (schema: unknown, name: unknown, kind: SchemaHole['kind']) => {
    if (typeof schema === 'string' && typeof name === 'string' && !found.has(schema)) {
      found.set(schema, { kind, name });
    }
  };
  const names = (list: unknown): unknown[] => (Array.isArray(list) ? list.map((item) => (item as { String?: { sval?: string } }).String?.sval) : []);
  walkTree(statement.stmt, (type, fields) => {
    if (type === 'RangeVar') {
      note(fields.schemaname, fields.relname, 'table');
    } else if (type === 'FuncCall') {
      const [schema, name] = names(fields.funcname);
      note(schema, name, 'function');
    } else if (type === 'TypeName') {
      const [schema, name] = names(fields.names);
      note(schema, name, 'type');
    }
  });
  return found;
}

function shorten(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? oneLine.slice(0, 39) + '…' : oneLine;
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

type Fields = Record<string, unknown>;

/** `REFERENCES` on a column, `FOREIGN KEY (…) REFERENCES` in a table or an `ALTER TABLE … ADD CONSTRAINT`. */
function declaredForeignKeys(fields: Fields): NonNullable<StatementInfo['foreignKeys']> {
  const relation = fields.relation as { relname?: string; schemaname?: string } | undefined;
  if (!relation?.relname) return [];
  const keys: NonNullable<StatementInfo['foreignKeys']> = [];
  const add = (constraint: Fields | undefined, column?: string) => {
    if (constraint?.contype !== 'CONSTR_FOREIGN') return;
    const attributes = ((constraint.fk_attrs ?? []) as { String?: { sval?: string } }[]).map((a) => a.String?.sval).filter((a): a is string => typeof a === 'string');
    const columns = column !== undefined ? [column] : attributes;
    const references = (constraint.pktable as { relname?: string } | undefined)?.relname;
    if (columns.length === 0 || !references || typeof constraint.location !== 'number') return;
    keys.push({ table: relation.relname!, ...(relation.schemaname ? { schema: relation.schemaname } : {}), columns, references, at: constraint.location });
  };
  for (const element of (fields.tableElts ?? []) as Fields[]) {
    const column = element.ColumnDef as Fields | undefined;
    if (column) for (const c of (column.constraints ?? []) as Fields[]) add(c.Constraint as Fields | undefined, column.colname as string);
    else add(element.Constraint as Fields | undefined);
  }
  for (const command of (fields.cmds ?? []) as Fields[]) {
    const alter = command.AlterTableCmd as Fields | undefined;
    if (alter?.subtype === 'AT_AddConstraint') add((alter.def as Fields | undefined)?.Constraint as Fields | undefined);
  }
  return keys;
}

function createdNames(type: string, fields: Record<string, unknown>): string[] | undefined {
  const relname = (rangeVar: unknown) => (rangeVar as { relname?: string } | undefined)?.relname;
  const name =
    type === 'CreateStmt' ? relname(fields.relation) : type === 'ViewStmt' ? relname(fields.view) : type === 'CreateTableAsStmt' ? relname((fields.into as { rel?: unknown } | undefined)?.rel) : undefined;
  return name ? [name] : undefined;
}
