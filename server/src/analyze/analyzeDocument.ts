import type { Dialect, Settings } from '../settings';
import type { DocumentKind, Query } from '../extract/query';
import { extractQueries } from '../extract/extractQueries';
import { blankPsqlVariables } from '../extract/psqlVariables';
import { parseStatement, parserLabel } from './parse';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** One thing Query Lens has to say about a document, in document offsets (UTF-16). */
export interface Finding {
  start: number;
  end: number;
  severity: Severity;
  /** The rule or check id; the diagnostic's `code`. */
  code: string;
  message: string;
}

/** The codes of the checks that are not rules: they are always on. */
export const CODES = {
  syntaxError: 'syntax-error',
  notAnalysed: 'not-analysed',
  fileNotAnalysed: 'file-not-analysed',
} as const;

/** A statement longer than this is not parsed: parsing is linear, but a 1 MB query is a file. */
export const MAX_QUERY_LENGTH = 1_000_000;
/** The time one document may take; past it the rest of its queries wait for the next run. */
export const DOCUMENT_TIME_BUDGET_MS = 3000;

export interface AnalysisResult {
  queries: Query[];
  findings: Finding[];
  stats: {
    /** Queries found in the document. */
    queries: number;
    /** Queries parsed in this run. */
    analysed: number;
    /** Queries whose findings were reused because their text did not change. */
    reused: number;
    elapsedMs: number;
  };
}

/** Findings of one query, relative to its SQL text, kept while the query's text is unchanged. */
interface QueryFindings {
  findings: Finding[];
}

/**
 * The analysis of one document over time. Each run finds the queries again (a single linear
 * pass) but parses only those whose text was not in the previous run, so an edit costs one
 * statement's parse, not the file's.
 */
export class DocumentAnalysis {
  private previous = new Map<string, QueryFindings>();
  private previousDialect: Dialect | undefined;

  run(text: string, kind: DocumentKind, settings: Settings): AnalysisResult {
    const started = performance.now();
    const fileProblem = checkWholeFile(text, settings);
    if (fileProblem) {
      this.previous.clear();
      return { queries: [], findings: [fileProblem], stats: { queries: 0, analysed: 0, reused: 0, elapsedMs: performance.now() - started } };
    }
    if (this.previousDialect !== settings.dialect) {
      this.previous.clear();
      this.previousDialect = settings.dialect;
    }

    const queries = extractQueries(text, kind, settings.dialect);
    const current = new Map<string, QueryFindings>();
    const findings: Finding[] = [];
    let analysed = 0;
    let reused = 0;
    let stoppedAt = -1;

    for (let index = 0; index < queries.length; index++) {
      const query = queries[index];
      let result = current.get(query.sql) ?? this.previous.get(query.sql);
      if (result) {
        reused++;
      } else {
        if (performance.now() - started > DOCUMENT_TIME_BUDGET_MS) {
          stoppedAt = index;
          break;
        }
        result = analyseQuery(query, kind, settings.dialect);
        analysed++;
      }
      current.set(query.sql, result);
      for (const finding of result.findings) {
        findings.push({
          ...finding,
          start: query.sqlOffsetToDocument(finding.start),
          end: query.sqlOffsetToDocument(finding.end),
        });
      }
    }
    if (stoppedAt >= 0) {
      const first = queries[stoppedAt];
      findings.push({
        start: first.start,
        end: first.start,
        severity: 'information',
        code: CODES.notAnalysed,
        message:
          `Analysis stopped at query ${stoppedAt + 1} of ${queries.length}: this document used its ` +
          `${DOCUMENT_TIME_BUDGET_MS / 1000} s budget. The rest is analysed after the next edit; splitting the file makes each run shorter.`,
      });
    }
    this.previous = current;
    return {
      queries,
      findings,
      stats: { queries: queries.length, analysed, reused, elapsedMs: performance.now() - started },
    };
  }
}

function analyseQuery(query: Query, kind: DocumentKind, dialect: Dialect): QueryFindings {
  if (query.sql.length > MAX_QUERY_LENGTH) {
    return {
      findings: [
        {
          start: 0,
          end: 0,
          severity: 'information',
          code: CODES.notAnalysed,
          message:
            `Not analysed: this statement is ${formatSize(query.sql.length)} long, over the ` +
            `${formatSize(MAX_QUERY_LENGTH)} Query Lens parses. Load data like this with COPY or a data file instead.`,
        },
      ],
    };
  }
  const sql = kind === 'sql' && dialect === 'postgresql' ? blankPsqlVariables(query.sql) : query.sql;
  const outcome = parseStatement(sql, dialect);
  if (outcome.ok) {
    return { findings: [] };
  }
  const { problem } = outcome;
  return {
    findings: [
      problem.kind === 'syntax'
        ? { start: problem.start, end: problem.end, severity: 'error', code: CODES.syntaxError, message: problem.message }
        : { start: problem.start, end: problem.end, severity: 'information', code: CODES.notAnalysed, message: problem.message },
    ],
  };
}

/** Files that are not analysed at all get one finding at the top saying why. */
function checkWholeFile(text: string, settings: Settings): Finding | undefined {
  const limit = settings.maxFileSizeKb * 1024;
  if (text.length > limit) {
    return {
      start: 0,
      end: 0,
      severity: 'information',
      code: CODES.fileNotAnalysed,
      message:
        `Not analysed: this file is ${formatSize(text.length)}, over queryLens.maxFileSizeKb ` +
        `(${formatSize(limit)}). Raise the setting to analyse it.`,
    };
  }
  if (text.indexOf('\u0000') >= 0) {
    return {
      start: 0,
      end: 0,
      severity: 'information',
      code: CODES.fileNotAnalysed,
      message: 'Not analysed: this file holds NUL characters, so it is binary, not SQL text.',
    };
  }
  return undefined;
}

export function formatSize(characters: number): string {
  if (characters >= 1024 * 1024) {
    return `${(characters / (1024 * 1024)).toFixed(1)} MB`;
  }
  if (characters >= 1024) {
    return `${Math.round(characters / 1024)} KB`;
  }
  return `${characters} characters`;
}

/** A one-line description of what analyses a dialect, for status messages. */
export function engineDescription(dialect: Dialect): string {
  return `static analysis with ${parserLabel(dialect)}`;
}
