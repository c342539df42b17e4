/**
 * Measured run times from pg_stat_statements, matched to the queries in the editor by
 * PostgreSQL's own fingerprint (libpg-query): pg_stat_statements keeps a statement with `$n`
 * where the code had constants or parameters, and the fingerprint ignores both, their number in
 * an `IN` list, letter case and layout. So the query the code writes finds the figures the
 * database measured for it, without Query Lens ever running it.
 */
import * as pgQuery from 'libpg-query';
import { formatCount, formatNumber } from '../text/numbers';
import type { Planner, StatementStatistics } from './planner';

/** What the database measured for one query (rows of the same fingerprint added up). */
export interface MeasuredQuery {
  calls: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  rows: number;
}

export interface Measurements {
  /** By SQL text, for the texts asked about that pg_stat_statements has seen. */
  bySql: Map<string, MeasuredQuery>;
  /** Since when pg_stat_statements has been counting (PostgreSQL 14+). */
  since?: Date;
}

/** How long a reading of pg_stat_statements is used before it is read again. */
export const STATISTICS_REFRESH_MS = 30_000;
/** Fingerprints of the editor's queries kept, by text. */
const FINGERPRINT_LIMIT = 5000;

export class RuntimeStatistics {
  private reading: { byFingerprint: Map<string, MeasuredQuery>; since?: Date; readAt: number } | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly fingerprints = new Map<string, string | null>();
  /** Why the view could not be read: it is not asked again on this connection. */
  private failure: string | undefined;

  constructor(
    private readonly planner: Pick<Planner, 'statementStatistics'>,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The measurements of those of `sqls` the database has run; undefined when they cannot be read. */
  async lookUp(sqls: readonly string[]): Promise<Measurements | undefined> {
    if (this.failure) {
      return undefined;
    }
    if (!this.reading || this.now() - this.reading.readAt >= STATISTICS_REFRESH_MS) {
      this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
      await this.inFlight;
    }
    const reading = this.reading;
    if (!reading) {
      return undefined;
    }
    const bySql = new Map<string, MeasuredQuery>();
    for (const sql of sqls) {
      const fingerprint = this.fingerprintOf(sql);
      const measured = fingerprint ? reading.byFingerprint.get(fingerprint) : undefined;
      if (measured) {
        bySql.set(sql, measured);
      }
    }
    return { bySql, since: reading.since };
  }

  private async read(): Promise<void> {
    try {
      const { statements, since } = await this.planner.statementStatistics();
      this.reading = { byFingerprint: byFingerprint(statements), since, readAt: this.now() };
    } catch (error) {
      // The extension is created but its library is not preloaded, or the role may not read
      // it: say so once; plans go on without run times.
      this.failure = (error as { message?: string }).message?.split('\n')[0] ?? String(error);
      this.reading = undefined;
      this.log(`pg_stat_statements cannot be read (${this.failure}): run times are not shown for this connection.`);
    }
  }

  private fingerprintOf(sql: string): string | null {
    let fingerprint = this.fingerprints.get(sql);
    if (fingerprint === undefined) {
      fingerprint = fingerprintOrNull(sql);
      if (this.fingerprints.size >= FINGERPRINT_LIMIT) {
        this.fingerprints.delete(this.fingerprints.keys().next().value as string);
      }
      this.fingerprints.set(sql, fingerprint);
    }
    return fingerprint;
  }
}

/** pg_stat_statements rows by fingerprint, rows of one fingerprint added up. */
export function byFingerprint(statements: readonly StatementStatistics[]): Map<string, MeasuredQuery> {
  const measured = new Map<string, MeasuredQuery>();
  for (const statement of statements) {
    const fingerprint = fingerprintOrNull(statement.query);
    if (!fingerprint) {
      continue; // pg_stat_statements cuts long texts; what no longer parses cannot be matched
    }
    const known = measured.get(fingerprint);
    if (known) {
      // The same query run by another role, or both at top level and inside a function.
      known.calls += statement.calls;
      known.totalMs += statement.totalMs;
      known.rows += statement.rows;
      known.maxMs = Math.max(known.maxMs, statement.maxMs);
      known.meanMs = known.totalMs / known.calls;
    } else {
      measured.set(fingerprint, { calls: statement.calls, totalMs: statement.totalMs, maxMs: statement.maxMs, rows: statement.rows, meanMs: statement.totalMs / statement.calls });
    }
  }
  return measured;
}

function fingerprintOrNull(sql: string): string | null {
  try {
    return pgQuery.fingerprintSync(sql);
  } catch {
    return null;
  }
}

/** A duration for messages: `0.42 ms`, `340 ms`, `2.1 s`, `7.5 min`, `3.2 h` (each unit up to where its rounding would reach the next). */
export function formatDuration(ms: number): string {
  if (ms < 9.995) {
    return `${formatNumber(ms, 2)} ms`;
  }
  if (ms < 999.5) {
    return `${formatCount(ms)} ms`;
  }
  if (ms < 59_950) {
    return `${formatNumber(ms / 1000, 1)} s`;
  }
  if (ms < 3_597_000) {
    return `${formatNumber(ms / 60_000, 1)} min`;
  }
  return `${formatNumber(ms / 3_600_000, 1)} h`;
}
