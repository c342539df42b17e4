/**
 * Runs rules the way the analysis does, one query at a time, and draws their findings in the
 * snapshot format of the fixtures (squawk's style: the statement, a line of `^` under the
 * flagged range, the message).
 *
 * A rule's fixtures are `fires.<ext>` and `quiet.<ext>` in `fixtures/<rule id>/`, one or more
 * languages each. In a `.sql` fixture each statement is a query (analysed as application code
 * for `application-code` rules); in a `.ts`, `.js` or `.py` fixture the queries are those the
 * extractor finds, with their parameters, for rules about how application code builds or runs
 * its SQL.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseQuery } from '../../../server/src/analyze/parseQuery';
import type { HoleRole } from '../../../server/src/analyze/holeRoles';
import { createRuleContext, type PgStatement, type Rule, type RuleFinding } from '../../../server/src/analyze/rules/rule';
import { documentKindOfPath, sqlFileQuery, type DocumentKind, type Query } from '../../../server/src/extract/query';
import { splitSqlStatements } from '../../../server/src/extract/sqlSplitter';
import { sqlStatementQuery } from '../../../server/src/extract/sqlFile';

/** The fixtures, in the source tree (tests run from `out/`). */
export const FIXTURES = path.resolve(__dirname, '../../../../test/unit/rules/fixtures');

const FIXTURE_EXTENSIONS = ['.sql', '.ts', '.js', '.py'];

/** The document kind a rule's `.sql` fixtures are analysed as. */
export function documentKindFor(rule: Rule): DocumentKind {
  return rule.scope === 'application-code' ? 'typescript' : 'sql';
}

/** One query of a fixture file. */
export interface FixtureQuery {
  query: Query;
  kind: DocumentKind;
  /** 1-based line of the fixture where the query starts. */
  line: number;
  /** The fixture's file name, when the rule has fixtures in more than one language. */
  file?: string;
}

/** The paths of a rule's `fires` or `quiet` fixtures, one per language, in `FIXTURE_EXTENSIONS` order. */
export function fixturePaths(rule: Rule, name: 'fires' | 'quiet'): string[] {
  return FIXTURE_EXTENSIONS.map((extension) => path.join(FIXTURES, rule.id, name + extension)).filter((file) => fs.existsSync(file));
}

/** The queries of a rule's `fires` or `quiet` fixtures. */
export function fixtureQueries(rule: Rule, name: 'fires' | 'quiet'): FixtureQuery[] {
  const files = fixturePaths(rule, name);
  if (files.length === 0) {
    throw new Error(`${rule.id} has no ${name} fixture (${FIXTURE_EXTENSIONS.map((e) => name + e).join(', ')})`);
  }
  return files.flatMap((file) => {
    const queries = fileQueries(rule, file);
    return files.length > 1 ? queries.map((query) => ({ ...query, file: path.basename(file) })) : queries;
  });
}

function fileQueries(rule: Rule, file: string): FixtureQuery[] {
  const text = fs.readFileSync(file, 'utf8');
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (file.endsWith('.sql')) {
    return splitSqlStatements(text, { dialect: 'postgresql', psql: true }).map((statement) => ({
      query: sqlStatementQuery({ ...statement, start: 0 }, 'postgresql'),
      kind: documentKindFor(rule),
      line: lineOf(statement.start),
    }));
  }
  // Loaded only for host-language fixtures: it brings the TypeScript compiler along.
  const { extractQueries } = require('../../../server/src/extract/extractQueries') as typeof import('../../../server/src/extract/extractQueries');
  const kind = documentKindOfPath(file);
  return extractQueries(text, kind, 'postgresql').map((query) => ({ query, kind, line: lineOf(query.start) }));
}

/** Runs one rule over one query; throws on SQL that does not parse. */
export function runRule(rule: Rule, query: Query | string, kind: DocumentKind = documentKindFor(rule)): RuleFinding[] {
  const subject = typeof query === 'string' ? sqlFileQuery(query, 0) : query;
  // Parsed as the analysis parses it (holes that stand for names are parsed as names).
  const { sql, outcome, roles } = parseQuery(subject, 'postgresql');
  if (!outcome.ok) {
    throw new Error(`fixture does not parse: ${outcome.problem.message}: ${subject.sql}`);
  }
  return runRuleOnTree(rule, sql, (outcome.ast as { stmts?: PgStatement[] }).stmts ?? [], kind, subject, roles);
}

/** Runs one rule over an already parsed query. */
export function runRuleOnTree(rule: Rule, sql: string, statements: readonly PgStatement[], kind: DocumentKind, query: Query = sqlFileQuery(sql, 0), roles: ReadonlyMap<number, HoleRole> = new Map()): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const context = createRuleContext(query, sql, kind, statements, roles, (finding) => findings.push(finding));
  rule.check(context);
  return findings;
}

/** What is wrong with a finding's shape, if anything: an empty or out-of-bounds range, no message. */
export function findingProblem(finding: RuleFinding, sql: string): string | undefined {
  if (!(finding.start >= 0 && finding.start < finding.end && finding.end <= sql.length)) {
    return `range ${finding.start}–${finding.end} outside the statement (length ${sql.length})`;
  }
  if (finding.message.trim().length === 0) {
    return 'empty message';
  }
  return undefined;
}

/**
 * One block per finding: the query's lines, each line the range touches followed by a line of
 * `^` under it (tabs kept, so the marks line up), then the severity, id and message.
 */
export function renderFinding(rule: Rule, sql: string, finding: RuleFinding, line: number, file?: string): string {
  const out = [`-- ${file ? `${file} ` : ''}line ${line}`];
  let lineStart = 0;
  for (const text of sql.split('\n')) {
    const lineEnd = lineStart + text.length;
    out.push(text);
    const from = Math.max(finding.start, lineStart);
    const to = Math.min(finding.end, lineEnd);
    if (from < to) {
      const indent = text.slice(0, from - lineStart).replace(/[^\t]/g, ' ');
      out.push(indent + '^'.repeat(to - from));
    }
    lineStart = lineEnd + 1;
  }
  out.push(`= ${rule.defaultSeverity} ${rule.id}: ${finding.message}`);
  return out.join('\n');
}

/** The snapshot of a rule's `fires` fixture: every finding of every query, in order. */
export function renderSnapshot(rule: Rule): string {
  const blocks: string[] = [];
  for (const { query, kind, line, file } of fixtureQueries(rule, 'fires')) {
    for (const finding of runRule(rule, query, kind)) {
      blocks.push(renderFinding(rule, query.sql, finding, line, file));
    }
  }
  return blocks.join('\n\n') + '\n';
}
