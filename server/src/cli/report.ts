import * as path from 'path';
import type * as Sarif from 'sarif';
import { pathToFileURL } from 'url';
import { ALL_RULES, Finding, Severity } from '../analyze/analyzeDocument';
import { BUILT_IN_CHECKS } from '../analyze/checks';
import type { Query } from '../extract/query';
import type { QueryAccount } from './accounting';
import { formatCost } from '../plan/figures';
import { LineIndex } from '../text/offsets';

/** A finding placed in a file, lines and columns 1-based (end column exclusive). */
export interface ReportedDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  source: 'query-lens';
}

export interface ReportedQuery {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  sql: string;
  origin: string;
  /** The name a file of named queries gives it. */
  name?: string;
  /** With `--db`: its plan's total cost, estimated rows and top node, or null when it was not planned. */
  plan?: { cost: number; rows: number; node: string } | null;
  /** With `--db`, when not planned: why. */
  notPlanned?: string;
}

interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function span(lines: LineIndex, start: number, end: number): Span {
  const from = lines.positionAt(start);
  const to = lines.positionAt(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

export function toReportedDiagnostics(file: string, lines: LineIndex, findings: Finding[]): ReportedDiagnostic[] {
  return findings.map((finding) => ({
    file,
    ...span(lines, finding.start, finding.end),
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
    source: 'query-lens',
  }));
}

export function toReportedQueries(file: string, lines: LineIndex, queries: Query[], accounts?: readonly QueryAccount[]): ReportedQuery[] {
  // A fragment is listed as written, without the statement Query Lens builds around it.
  return queries.map((query, index) => {
    const reported: ReportedQuery = {
      file,
      ...span(lines, query.start, query.end),
      sql: query.shape === 'fragment' ? query.sql.slice(query.fragmentPrefixLength ?? 0) : query.sql,
      origin: query.origin,
    };
    if (query.name !== undefined) {
      reported.name = query.name;
    }
    const account = accounts?.[index];
    if (account) {
      reported.plan = account.plan;
      if (account.notPlanned) {
        reported.notPlanned = account.notPlanned.reason;
      }
    }
    return reported;
  });
}

/** `file:line:column severity code message`, one line per diagnostic. */
export function formatDiagnosticsAsText(diagnostics: ReportedDiagnostic[]): string {
  return diagnostics
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${oneLine(d.message)}`)
    .map((line) => line + '\n')
    .join('');
}

/** `file:line:column origin sql`, the SQL on one line, shortened past 160 characters. */
export function formatQueriesAsText(queries: ReportedQuery[]): string {
  return queries
    .map((q) => {
      const sql = oneLine(q.sql);
      const origin = q.name !== undefined ? `${q.origin} (${q.name})` : q.origin;
      // With --db, what became of it, as a SQL comment after it.
      const outcome = q.plan ? ` -- cost ${formatCost(q.plan.cost)}, ${q.plan.node}` : q.notPlanned !== undefined ? ` -- not planned: ${q.notPlanned}` : '';
      return `${q.file}:${q.line}:${q.column} ${origin} ${sql.length > 160 ? sql.slice(0, 159) + '…' : sql}${outcome}\n`;
    })
    .join('');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const SARIF_LEVEL: Record<Severity, Sarif.Result.level> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** A SARIF 2.1.0 log (for GitHub code scanning and other SARIF consumers). */
export function formatDiagnosticsAsSarif(diagnostics: ReportedDiagnostic[], version: string, cwd: string): string {
  const rules: Sarif.ReportingDescriptor[] = [
    ...BUILT_IN_CHECKS.map((check) => ({ id: check.id, shortDescription: { text: check.summary } })),
    ...ALL_RULES.map((rule) => ({
      id: rule.id,
      shortDescription: { text: rule.summary },
      defaultConfiguration: { level: SARIF_LEVEL[rule.defaultSeverity] },
    })),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results: Sarif.Result[] = diagnostics.map((d) => ({
    ruleId: d.code,
    ...(ruleIndex.has(d.code) ? { ruleIndex: ruleIndex.get(d.code) } : {}),
    level: SARIF_LEVEL[d.severity],
    message: { text: d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: path.isAbsolute(d.file)
            ? { uri: pathToFileURL(d.file).href }
            : { uri: d.file.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
          region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
        },
      },
    ],
  }));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'query-lens', version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd + path.sep).href } },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
