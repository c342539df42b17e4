/**
 * Reading a query's SQL with PostgreSQL's parser the way the rules and the planner need it: with
 * every hole spliced in at run time read for what it stands for (a value as `$n`, a name as a
 * name), so that a query built by the application parses as the statement it will run.
 */
import type { Query } from '../extract/query';
import type { Dialect } from '../settings';
import { holeRoles, type HoleRole } from './holeRoles';
import { ParseOutcome, parseStatement } from './parse';
import type { PgStatement } from './rules/rule';
import { walkTree } from './rules/ast';

/** A query as the parser read it, and what its holes turned out to stand for. */
export interface ParsedQuery {
  /** The text that was parsed: rule offsets are in it. */
  sql: string;
  outcome: ParseOutcome;
  /** The role of each hole (by index in `query.parameters`), for the holes that are not the driver's own placeholders. */
  roles: Map<number, HoleRole>;
}

/**
 * Parses a query as the rules see it. When it does not parse with its holes as `$n` parameters,
 * the hole PostgreSQL stops at is read as a name of the same length (`$1` → `q1`), because a hole
 * may stand where a name goes (`FROM ${table}`, `${schema}.jobs`), which a parameter cannot; one
 * hole at a time, so that the holes that are values stay parameters.
 */
export function parseQuery(query: Query, dialect: Dialect): ParsedQuery {
  let sql = query.sql;
  let outcome = parseStatement(sql, dialect);
  const roles = new Map<number, HoleRole>();
  const parameters = query.parameters;
  if (!outcome.ok && dialect === 'postgresql' && parameters.length > 0) {
    let attempt = sql;
    const renamed = new Map<number, HoleRole>();
    // `${schema}.jobs`, `${schema}.add_job(…)`: a hole before a dot and a name qualifies that
    // name; as `$n` it would read as a field of a parameter, and the parser would stop later.
    for (let k = 0; k < parameters.length; k++) {
      const p = parameters[k];
      if (p.source !== 'placeholder' && p.source !== 'bound' && attempt.charCodeAt(p.sqlStart) === 36 /* $ */ && QUALIFIER.test(attempt.slice(p.sqlEnd, p.sqlEnd + 2)) && attempt.charCodeAt(p.sqlStart - 1) !== 46 /* . */) {
        attempt = attempt.slice(0, p.sqlStart) + 'q' + attempt.slice(p.sqlStart + 1);
        renamed.set(k, 'schema');
      }
    }
    let retry: ParseOutcome = renamed.size > 0 ? parseStatement(attempt, dialect) : outcome;
    for (let round = 0; round < parameters.length && !retry.ok; round++) {
      const at = retry.problem.start;
      let index = -1;
      for (let k = 0; k < parameters.length; k++) {
        const p = parameters[k];
        if (!renamed.has(k) && attempt.charCodeAt(p.sqlStart) === 36 /* $ */ && at >= p.sqlStart - 1 && at <= p.sqlEnd) {
          index = k;
        }
      }
      if (index < 0) {
        break;
      }
      const parameter = parameters[index];
      attempt = attempt.slice(0, parameter.sqlStart) + 'q' + attempt.slice(parameter.sqlStart + 1);
      renamed.set(index, nameRole(attempt, parameter.sqlStart, parameter.sqlEnd));
      retry = parseStatement(attempt, dialect);
    }
    if (retry.ok) {
      sql = attempt;
      outcome = retry;
      // `FROM moderation_log {where_clause}`: read as a name, the hole is the table's alias, a
      // place where only SQL text (a clause) can follow a table, never a name of its own.
      const aliases = aliasNames(retry.ast);
      for (const [index, role] of renamed) {
        const p = parameters[index];
        roles.set(index, role === 'name' && aliases.has(attempt.slice(p.sqlStart, p.sqlEnd)) ? 'clause' : role);
      }
    } else if (renamed.size > 0) {
      // Where the parser stops once the names are read as names says what is still wrong.
      outcome = retry;
    }
  }
  if (outcome.ok && dialect === 'postgresql' && parameters.length > 0) {
    const statements = ((outcome.ast as { stmts?: PgStatement[] }).stmts ?? []) as PgStatement[];
    for (const [index, role] of holeRoles(sql, statements, parameters)) {
      roles.set(index, role);
    }
  }
  return { sql, outcome, roles };
}

/** The aliases the statements give tables (`orders o`), by name. */
function aliasNames(ast: unknown): Set<string> {
  const names = new Set<string>();
  walkTree(ast, (type, fields) => {
    const alias = type === 'RangeVar' ? (fields.alias as { aliasname?: string } | undefined)?.aliasname : undefined;
    if (alias !== undefined) names.add(alias);
  });
  return names;
}

/** A dot and the start of a name: what follows a hole that qualifies a name. */
const QUALIFIER = /^\.[A-Za-z_"]/;

/** `q1.jobs`: the name a hole became is a schema when a `.` and a name follow it (and none precede it). */
function nameRole(sql: string, start: number, end: number): HoleRole {
  const after = sql.charCodeAt(end);
  const before = start > 0 ? sql.charCodeAt(start - 1) : 0;
  return after === 46 /* . */ && before !== 46 ? 'schema' : 'name';
}

