/**
 * Asks PostgreSQL how it would run a query, and nothing else. Every session is read-only with a
 * statement timeout and `application_name = 'query-lens'`; statements go over the extended
 * protocol, which refuses a string holding more than one command; only `EXPLAIN` without
 * ANALYZE (for statements with parameters, `PREPARE` + `EXPLAIN EXECUTE` of a generic plan, which
 * plans without running) and catalog reads are ever sent. Each is a unit of work in a `BEGIN READ
 * ONLY` transaction that is rolled back, after which the session is reset (see `onConnection`):
 * functions the planner folds cannot leave anything behind. See DESIGN.md, "Safety rules".
 */
import { Client, Pool, PoolClient, PoolConfig } from 'pg';
import { codePointOffsetToIndex } from '../text/offsets';
import type { IndexInfo, TableStats } from '../plan/insights';
import { describeAddress } from './connectionConfig';
import { TurnCancelled, TurnQueue } from './turnQueue';

declare module 'pg' {
  interface QueryConfig {
    /** pg ≥ 8.11: always the extended protocol (Parse/Bind/Execute), which allows one command only. */
    queryMode?: 'extended';
  }
}

/** A database error the query itself caused: it becomes a diagnostic. */
export interface QueryError {
  message: string;
  /** SQLSTATE, e.g. `42703` (undefined column). */
  sqlState?: string;
  /** Offset (UTF-16) in the explained statement where PostgreSQL points, when it does. */
  position?: number;
  hint?: string;
  detail?: string;
}

export type ExplainOutcome =
  | { kind: 'plan'; json: unknown }
  /** PostgreSQL rejected the statement (unknown table or column, type mismatch…). */
  | { kind: 'error'; error: QueryError }
  /** Planning took longer than the statement timeout and was cancelled by the database. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The connection failed or was lost: not the query's fault. */
  | { kind: 'unavailable'; reason: string }
  /** The caller no longer wanted it. */
  | { kind: 'cancelled' };

export interface PlannerTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode?: string;
  /** Asked only when the server requests a password. */
  password?: () => Promise<string | undefined>;
}

export interface PlannerOptions {
  statementTimeoutMs: number;
  /** How many EXPLAINs run at once (one connection each). */
  maxConnections: number;
  /** The embedded database (a throwaway built from the schema): the only one a real index may be made in, and rolled back. */
  embedded?: boolean;
}

/** What the planner read of the server once connected. */
export interface ServerFacts {
  /** e.g. `15.20`, from `server_version` (Debian's suffix dropped). */
  version: string;
  versionNum: number;
  database: string;
  workMemKb: number;
  hashMemMultiplier: number;
  /** Whether `CREATE EXTENSION hypopg` has been run in this database (hypothetical indexes). */
  hypopg: boolean;
  /** Whether `CREATE EXTENSION pg_stat_statements` has been run in this database (measured run times). */
  statStatements: boolean;
  /** The role plans are made as. */
  role?: string;
  /** A superuser's or a BYPASSRLS role's plans leave out the row-level security policies the application's role gets. */
  bypassesRowSecurity?: boolean;
}

/** What `pg_stats` says of a column (values as text). */
export interface ColumnStatistics {
  mostCommon: string[];
  histogram: string[];
  nullFraction: number;
  /** `pg_stats.n_distinct`: distinct values, or (negative) minus their share of the rows. */
  distinct: number;
}

/** One row of `pg_stat_statements` for the connected database: a statement's measured run times. */
export interface StatementStatistics {
  /** The statement as pg_stat_statements keeps it, constants replaced by `$n`. */
  query: string;
  calls: number;
  /** Milliseconds spent executing it, in all and at most once. */
  totalMs: number;
  maxMs: number;
  rows: number;
}

/** The SQLSTATEs of a query the database gave up on after `statement_timeout`. */
const QUERY_CANCELED = '57014';
/** "could not determine data type of parameter $n". */
const INDETERMINATE_DATATYPE = '42P18';
/** Class 08 (connection exception), 57P (operator intervention: shutdown), 53 (insufficient resources). */
const CONNECTION_STATES = /^(08|57P|53)/;

/** The session every connection gets before its first statement; ours, constant, never user text. */
function sessionSetup(statementTimeoutMs: number): string {
  return [
    'SET default_transaction_read_only = on',
    `SET statement_timeout = ${Math.round(statementTimeoutMs)}`,
    'SET lock_timeout = 500',
    // Plans for statements with parameters are the generic ones an application's prepared
    // statements get: the parameter values are unknown.
    'SET plan_cache_mode = force_generic_plan',
    // libpg-query read the statement with standard strings; the server must read it the same way.
    'SET standard_conforming_strings = on',
  ].join('; ');
}

export class ConnectionFailure extends Error {}

/**
 * A client that closes its socket when connecting fails. pg leaves it open: a server waiting for
 * a password no one has keeps it until its authentication_timeout (a minute), and the process,
 * or the retries of a language server, would hold half-open connections that long.
 */
class ClosingClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<Client> | void {
    if (!callback) {
      return super.connect();
    }
    super.connect((error: Error) => {
      if (error) {
        (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      }
      callback(error);
    });
  }
}

export class Planner {
  private readonly prepared = new WeakSet<PoolClient>();
  private closed = false;
  /** One turn per connection: waiting for a free connection happens here, not in the pool. */
  private readonly turns: TurnQueue;

  /** Read once, when the planner is opened. */
  facts: ServerFacts;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PlannerOptions,
    /** Where the database is, for the reasons given when it is lost. */
    private readonly target: Pick<PlannerTarget, 'host' | 'port'>,
    database: string,
  ) {
    this.facts = { version: '', versionNum: 0, database, workMemKb: 4096, hashMemMultiplier: 2, hypopg: false, statStatements: false };
    this.turns = new TurnQueue(options.maxConnections);
  }

  /** Connects and reads the server's facts; a failure is a ConnectionFailure with one line saying why. */
  static async open(target: PlannerTarget, options: PlannerOptions): Promise<Planner> {
    const config: PoolConfig = {
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      application_name: 'query-lens',
      max: options.maxConnections,
      idleTimeoutMillis: 60_000,
      // Connecting only: the wait for a free connection is the TurnQueue's, and unbounded.
      connectionTimeoutMillis: options.statementTimeoutMs + 1000,
      // A server that stops answering (not merely slow) is given up on from this side too.
      query_timeout: options.statementTimeoutMs + 2000,
      ssl: sslOption(target.sslmode),
    };
    if (target.password) {
      const ask = target.password;
      config.password = async () => {
        const password = await ask();
        if (password === undefined) {
          throw new ConnectionFailure(
            `password required for user "${target.user}" and none is stored (Query Lens: Configure Connection), in PGPASSWORD or in ~/.pgpass`,
          );
        }
        return password;
      };
    }
    // Pipelined: a unit of work's statements are sent without waiting for each answer (see onConnection).
    const pool = new Pool({ ...config, pipeline: true, Client: ClosingClient as unknown as typeof Client });
    // An idle connection that dies (server restart) emits here; the next use reconnects.
    pool.on('error', () => undefined);
    // A connection in use has no listener of the pool's: a server that stops (57P01) or a socket
    // that drops while a client is checked out emits 'error' on the client itself, which would
    // end the process. The query in flight is rejected all the same, and the client discarded.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const planner = new Planner(pool, options, { host: target.host, port: target.port }, target.database);
    try {
      planner.facts = await planner.withClient(async (client) => {
        const result = await client.query({
          text:
            "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS version_num, current_database() AS database, " +
            "(SELECT setting::bigint FROM pg_settings WHERE name = 'work_mem') AS work_mem_kb, " +
            "coalesce((SELECT setting::float8 FROM pg_settings WHERE name = 'hash_mem_multiplier'), 1) AS hash_mem_multiplier, " +
            "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS hypopg, " +
            "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS stat_statements, " +
            "current_user AS role, (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypasses_rls",
          queryMode: 'extended',
        });
        const row = result.rows[0];
        return {
          version: String(row.version).split(' ')[0],
          versionNum: Number(row.version_num),
          database: String(row.database),
          workMemKb: Number(row.work_mem_kb),
          hashMemMultiplier: Number(row.hash_mem_multiplier),
          hypopg: row.hypopg === true,
          statStatements: row.stat_statements === true,
          role: String(row.role),
          bypassesRowSecurity: row.bypasses_rls === true,
        } satisfies ServerFacts;
      });
      return planner;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new ConnectionFailure(describeConnectionError(error, target));
    }
  }

  /** `PostgreSQL 15.20 · appdb` */
  get label(): string {
    return `PostgreSQL ${this.facts.version} · ${this.facts.database}`;
  }

  /**
   * The plan of one statement, which the caller has parsed as exactly one explainable statement
   * (SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES). `parameterCount` is its highest `$n`.
   */
  async explain(sql: string, parameterCount: number, signal?: AbortSignal): Promise<ExplainOutcome> {
    if (signal?.aborted) {
      return { kind: 'cancelled' };
    }
    try {
      return await this.withClient(async (client) => {
        if (signal?.aborted) {
          return { kind: 'cancelled' } as const;
        }
        return this.explainOn(client, sql, parameterCount);
      }, signal, 'BEGIN READ ONLY', false, parameterCount === 0);
    } catch (error) {
      if (error instanceof TurnCancelled) {
        return { kind: 'cancelled' };
      }
      return { kind: 'unavailable', reason: describeConnectionError(error, this.target) };
    }
  }

  /**
   * The plan of a statement as it would be with one more index, which the database does not
   * have: with HypoPG, a hypothetical index (`hypopg_create_index`, which changes nothing but
   * this session's planner, and is dropped again before the connection goes back to the pool);
   * on the embedded database (an empty throwaway), a real index in a transaction that is always
   * rolled back. Returns the plan, and the name the planner knows the index by.
   */
  async explainWithIndex(sql: string, parameterCount: number, createIndex: string, method: 'hypopg' | 'embedded', values?: readonly (string | null)[]): Promise<{ outcome: ExplainOutcome; indexName?: string }> {
    const { outcome, indexNames } = await this.explainWithIndexes(sql, parameterCount, [createIndex], method, values);
    return { outcome, indexName: indexNames[0] };
  }

  /**
   * The plan of a statement with several more indexes at once (see `explainWithIndex`): an index
   * set is judged together, since one composite index may serve what two would. `indexNames`
   * holds the name the planner knows each index by, in the order given.
   */
  async explainWithIndexes(sql: string, parameterCount: number, createIndexes: readonly string[], method: 'hypopg' | 'embedded', values?: readonly (string | null)[]): Promise<{ outcome: ExplainOutcome; indexNames: string[] }> {
    // The embedded database only: its tables are empty, so real indexes are made at once, in a
    // read-write transaction that is rolled back whatever happens.
    if (method === 'embedded' && !this.options.embedded) {
      throw new Error('a real index is made only on the embedded database');
    }
    try {
      return await this.withClient(
        async (client) => {
          const indexNames: string[] = [];
          for (const [i, createIndex] of createIndexes.entries()) {
            if (method === 'hypopg') {
              // Changes nothing but this session's planner; withClient resets it afterwards.
              const created = await client.query({ text: 'SELECT indexname::text AS name FROM hypopg_create_index($1)', values: [createIndex], queryMode: 'extended' });
              indexNames.push(String(created.rows[0]?.name ?? ''));
            } else {
              const name = `query_lens_candidate_${i + 1}`;
              await client.query({ text: createIndex.replace(/^CREATE INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(?:(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*) )?(?=ON )/i, `CREATE INDEX ${name} `), queryMode: 'extended' });
              indexNames.push(name);
            }
          }
          // VERBOSE: the scans' Output says which columns the query reads, so a covering index
          // (INCLUDE) can be tried; the costs are the same as without it.
          return { outcome: await this.explainOn(client, sql, parameterCount, values, 'EXPLAIN (VERBOSE, FORMAT JSON)'), indexNames };
        },
        undefined,
        method === 'embedded' ? 'BEGIN READ WRITE' : 'BEGIN READ ONLY',
        method === 'hypopg',
      );
    } catch (error) {
      const pgError = error as { code?: string; message?: string };
      if (typeof pgError.code === 'string' && !CONNECTION_STATES.test(pgError.code)) {
        return { outcome: { kind: 'error', error: { message: pgError.message ?? String(error), sqlState: pgError.code } }, indexNames: [] };
      }
      return { outcome: { kind: 'unavailable', reason: describeConnectionError(error, this.target) }, indexNames: [] };
    }
  }

  /**
   * The plan PostgreSQL makes for one call of a prepared statement with these values (a custom
   * plan), the values written as literals (`'paid'`, `NULL`) that PostgreSQL coerces to each
   * parameter's type. Still EXPLAIN of EXECUTE: nothing runs.
   */
  async explainWithValues(sql: string, parameterCount: number, values: readonly (string | null)[]): Promise<ExplainOutcome> {
    try {
      return await this.withClient((client) => this.explainOn(client, sql, parameterCount, values));
    } catch (error) {
      return { kind: 'unavailable', reason: describeConnectionError(error, this.target) };
    }
  }

  /**
   * `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`: this RUNS the statement, so it is called only for
   * a query the user chose and confirmed (the editor asks first, twice for a database that is not
   * on this machine). In a read-write transaction that is always rolled back, so that what an
   * INSERT, UPDATE or DELETE changed is undone (sequences excepted: PostgreSQL never rolls them
   * back). `values` are the parameters' values (`null` for NULL): PostgreSQL plans and runs that
   * one call. `timeoutMs` bounds the run; past it PostgreSQL cancels the statement.
   */
  async explainAnalyze(sql: string, parameterCount: number, values: readonly (string | null)[] | undefined, timeoutMs: number): Promise<ExplainOutcome> {
    try {
      return await this.withClient(async (client) => {
        await client.query({ text: `SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`, queryMode: 'extended' });
        const outcome = await this.explainOn(client, sql, parameterCount, values ?? new Array<string | null>(parameterCount).fill(null), 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)');
        return outcome.kind === 'timeout' ? { kind: 'timeout', timeoutMs } : outcome;
      }, undefined, 'BEGIN READ WRITE');
    } catch (error) {
      return { kind: 'unavailable', reason: describeConnectionError(error, this.target) };
    }
  }

  /** Where the database is: "Explain Analyze" asks again when it is not on this machine. */
  get host(): string {
    return this.target.host;
  }

  /**
   * What `pg_stats` says of a column: its most common values, most common first, and the bounds
   * of its histogram (as text). Kept for a minute: statistics change with ANALYZE, not per query.
   */
  async columnStatistics(schema: string, table: string, column: string): Promise<ColumnStatistics | undefined> {
    const key = `${schema}.${table}.${column}`;
    const cached = this.statistics.get(key);
    if (cached && Date.now() - cached.at < 60_000) {
      return cached.value;
    }
    const value = await this.withClient(async (client) => {
      const result = await client.query({
        text: `SELECT most_common_vals::text::text[] AS common, most_common_freqs AS freqs, histogram_bounds::text::text[] AS histogram, null_frac, n_distinct
                 FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3`,
        values: [schema, table, column],
        queryMode: 'extended',
      });
      const row = result.rows[0];
      return row ? { mostCommon: (row.common as string[] | null) ?? [], histogram: (row.histogram as string[] | null) ?? [], nullFraction: Number(row.null_frac), distinct: Number(row.n_distinct) } : undefined;
    }).catch(() => undefined);
    this.statistics.set(key, { at: Date.now(), value });
    return value;
  }

  private readonly statistics = new Map<string, { at: number; value: ColumnStatistics | undefined }>();

  /** EXPLAIN of one statement on a client of the pool (see `explain`); with `values`, its custom plan. */
  private async explainOn(client: PoolClient, sql: string, parameterCount: number, values?: readonly (string | null)[], explain = 'EXPLAIN (FORMAT JSON)'): Promise<ExplainOutcome> {
    if (parameterCount === 0) {
      return this.run(client, `${explain} `, sql);
    }
    // A prepared statement planned generically (the session forces it), explained with NULLs
    // for its parameters; PREPARE plans nothing and runs nothing. Not EXPLAIN (GENERIC_PLAN)
    // on 16+: over the extended protocol its $n become protocol parameters, and the NULLs
    // bound to them are planned as values (`One-Time Filter: false`, seen on PostgreSQL 18);
    // over the simple protocol, nothing would stop a second command in the text.
    // A parameter PostgreSQL cannot type from its context (`SELECT $1 IS NULL`, a number the
    // text no longer uses) is typed as text, as a driver that sends strings would: one retry
    // per such parameter.
    const types: string[] = new Array(parameterCount).fill('unknown');
    // A failed PREPARE aborts the transaction; a retry goes back to here (and keeps what the
    // transaction holds before it, such as the embedded database's candidate index).
    await client.query('SAVEPOINT query_lens_prepare');
    let prepared = await this.run(client, 'PREPARE query_lens_plan AS ', sql);
    for (let retry = 0; retry < parameterCount && prepared.kind === 'error' && prepared.error.sqlState === INDETERMINATE_DATATYPE; retry++) {
      const number = Number(/\$(\d+)/.exec(prepared.error.message)?.[1]);
      if (!(number >= 1 && number <= parameterCount) || types[number - 1] === 'text') {
        break;
      }
      types[number - 1] = 'text';
      await client.query('ROLLBACK TO SAVEPOINT query_lens_prepare');
      prepared = await this.run(client, `PREPARE query_lens_plan (${types.join(', ')}) AS `, sql);
    }
    if (prepared.kind !== 'plan') {
      return prepared;
    }
    const literals = values ? values.map((value) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`)) : new Array(parameterCount).fill('NULL');
    if (values) {
      // One call's plan, as PostgreSQL makes it for the first calls of a prepared statement;
      // the transaction's rollback restores the session's generic plans.
      await client.query({ text: 'SET LOCAL plan_cache_mode = force_custom_plan', queryMode: 'extended' });
    }
    const outcome = await this.run(client, '', `${explain} EXECUTE query_lens_plan(${literals.join(', ')})`);
    // The error of EXPLAIN EXECUTE points into our text, not the user's: drop its position.
    return outcome.kind === 'error' ? { kind: 'error', error: { ...outcome.error, position: undefined } } : outcome;
  }

  /** Every user table with its size estimate, its indexes and its upkeep counts (one catalog read). */
  async tables(): Promise<TableStats[]> {
    return this.withClient(async (client) => {
      const result = await client.query({
        text: `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS rows, c.relpages::bigint AS pages,
                 coalesce((SELECT json_agg(json_build_object(
                     'name', i.relname,
                     'columns', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k) FROM generate_series(1, x.indnkeyatts) AS k),
                     'unique', x.indisunique,
                     'partial', x.indpred IS NOT NULL,
                     'method', am.amname,
                     'scans', (SELECT si.idx_scan FROM pg_stat_user_indexes si WHERE si.indexrelid = x.indexrelid),
                     'bytes', pg_relation_size(x.indexrelid),
                     'definition', pg_get_indexdef(x.indexrelid),
                     'constraint', EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))) ORDER BY i.relname)
                   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
                   WHERE x.indrelid = c.oid), '[]'::json) AS indexes,
                 c.relkind = 'p' AS partitioned,
                 c.relrowsecurity AS row_security,
                 -- One row at most: a unique column that a CHECK holds to one value (Synapse's
                 -- lock char(1) UNIQUE … CHECK (lock = 'X')), or a unique index on a constant.
                 EXISTS (SELECT 1 FROM pg_index x
                          WHERE x.indrelid = c.oid AND x.indisunique AND x.indpred IS NULL AND x.indnkeyatts = 1
                            AND (EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.conkey = ARRAY[x.indkey[0]]
                                          AND pg_get_constraintdef(k.oid) ~ '^CHECK \\(\\("?\\w+"? = [^()]+\\)\\)$')
                                 OR (x.indkey[0] = 0 AND pg_get_indexdef(x.indexrelid) ~ '\\(\\((?:true|1|''[^'']*''(?:::\\w+)?)\\)\\)$'))) AS one_row,
                 coalesce((SELECT json_agg((SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, i) JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum))
                   FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f'), '[]'::json) AS foreign_keys,
                 coalesce((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull) ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS table_columns,
                 s.n_live_tup::float8 AS live_rows, s.n_dead_tup::float8 AS dead_rows, s.n_mod_since_analyze::float8 AS modified_since_analyze,
                 greatest(s.last_analyze, s.last_autoanalyze) AS last_analyzed,
                 (pg_relation_size(c.oid) / current_setting('block_size')::int)::float8 AS current_pages,
                 (coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0))::float8 AS scans,
                 (coalesce(s.n_tup_upd, 0) + coalesce(s.n_tup_del, 0))::float8 AS writes,
                 coalesce((SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), pg_postmaster_start_time()) AS stats_reset
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
               WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
        queryMode: 'extended',
      });
      return result.rows.map((row) => ({
        schema: String(row.schema),
        name: String(row.name),
        rows: Number(row.rows),
        pages: Number(row.pages),
        indexes: (row.indexes as IndexInfo[]).map((index) => ({ ...index, columns: index.columns ?? [] })),
        ...(row.partitioned === true ? { partitioned: true } : {}),
        ...(row.one_row === true ? { oneRow: true } : {}),
        ...(row.row_security === true ? { rowSecurity: true } : {}),
        columns: (row.table_columns as { name: string; type: string; notNull: boolean }[]) ?? [],
        foreignKeys: (row.foreign_keys as string[][] | null) ?? [],
        ...(row.live_rows !== null
          ? {
              maintenance: {
                liveRows: Number(row.live_rows),
                deadRows: Number(row.dead_rows),
                modifiedSinceAnalyze: Number(row.modified_since_analyze),
                currentPages: Number(row.current_pages),
                scans: Number(row.scans),
                writes: Number(row.writes),
                ...(row.stats_reset ? { countedSince: new Date(row.stats_reset) } : {}),
                ...(row.last_analyzed ? { lastAnalyzed: new Date(row.last_analyzed) } : {}),
              },
            }
          : {}),
      }));
    });
  }

  /**
   * Foreign keys whose referencing columns lead no index of their table: a delete or key update
   * on the referenced table then reads the whole referencing table for each row it changes.
   */
  async unindexedForeignKeys(): Promise<{ schema: string; table: string; constraint: string; columns: string[]; references: string; rows: number; partitioned?: boolean }[]> {
    return this.withClient(async (client) => {
      const result = await client.query({
        // A partitioned table's rows are its partitions' (its own reltuples may never be set);
        // the partitions' copies of its foreign keys (conparentid) are its index's business.
        text: `SELECT n.nspname::text AS schema, t.relname::text AS table, c.conname::text AS constraint, c.confrelid::regclass::text AS references, t.relkind = 'p' AS partitioned,
                      CASE WHEN t.relkind = 'p' THEN coalesce((SELECT sum(greatest(p.reltuples, 0)) FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid WHERE h.inhparent = t.oid), 0)::float8 ELSE t.reltuples::float8 END AS rows,
                      (SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE c.contype = 'f' AND c.conparentid = 0 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_index x
                     WHERE x.indrelid = c.conrelid AND x.indpred IS NULL
                       AND (x.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
                       AND (x.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey)
                ORDER BY 1, 2, 3`,
        queryMode: 'extended',
      });
      return result.rows.map((row) => ({ schema: String(row.schema), table: String(row.table), constraint: String(row.constraint), columns: (row.columns as string[]).map(String), references: String(row.references), rows: Number(row.rows), ...(row.partitioned === true ? { partitioned: true } : {}) }));
    });
  }

  /**
   * Runs one `CREATE INDEX CONCURRENTLY IF NOT EXISTS` the user asked for, and nothing else: the
   * only statement Query Lens ever runs that writes, on a connection of its own (CONCURRENTLY
   * cannot run in a transaction block, and the pool's sessions are read-only), with no statement
   * timeout (a large table takes minutes) but a lock timeout, so that it never queues behind a
   * long transaction while holding up the writes queued behind it. Never on the embedded database.
   */
  async createIndex(statement: string): Promise<{ ok: true; ms: number } | { ok: false; reason: string }> {
    // Without CONCURRENTLY only for a partitioned table, which refuses it (see namedIndexStatement).
    if (this.options.embedded || !/^CREATE INDEX (?:CONCURRENTLY )?IF NOT EXISTS [^;]+$/.test(statement)) {
      return { ok: false, reason: 'only a CREATE INDEX CONCURRENTLY of Query Lens\'s own, on a configured database, is run' };
    }
    const client = new ClosingClient({ ...this.pool.options, application_name: 'query-lens (create index)' } as ConstructorParameters<typeof Client>[0]);
    client.on('error', () => undefined);
    const started = performance.now();
    try {
      await client.connect();
      await client.query("SET lock_timeout = '5s'; SET statement_timeout = 0");
      await client.query(statement);
      return { ok: true, ms: performance.now() - started };
    } catch (error) {
      return { ok: false, reason: (error as Error).message ?? String(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * A digest of the user's relations (each table, index and view with its column count, and
   * whether each index is ready): it changes when one is created, dropped, altered or rebuilt.
   */
  async schemaFingerprint(): Promise<string> {
    return this.withClient(async (client) => {
      const result = await client.query({
        text: `SELECT md5(coalesce(string_agg(c.oid::text || c.relkind::text || c.relnatts::text || c.relfilenode::text || coalesce(x.indisvalid::text, ''), ',' ORDER BY c.oid), '')) AS fingerprint
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index x ON x.indexrelid = c.oid
                WHERE c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
        queryMode: 'extended',
      });
      return String(result.rows[0].fingerprint);
    });
  }

  /**
   * The schemas that have a function or procedure of each name (system schemas left out): a
   * query that calls `${schema}.add_job(…)` is planned with the one schema that has `add_job`.
   */
  async routineSchemas(): Promise<Map<string, string[]>> {
    return this.withClient(async (client) => {
      const result = await client.query({
        text: `SELECT p.proname::text AS name, array_agg(DISTINCT n.nspname::text ORDER BY n.nspname::text) AS schemas
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
                GROUP BY p.proname`,
        queryMode: 'extended',
      });
      return new Map(result.rows.map((row) => [String(row.name), (row.schemas as string[]).map(String)]));
    });
  }

  /**
   * What pg_stat_statements has measured in this database: the statements that ran, the most
   * time-consuming first (at most `limit`), and since when it has been counting. A read of the
   * statistics view, like a catalog read; statements other roles ran show as `<insufficient
   * privilege>` to a role without pg_read_all_stats and are left out. Throws the database's error
   * when the view cannot be read (the library not preloaded, no privilege).
   */
  async statementStatistics(limit = 5000): Promise<{ statements: StatementStatistics[]; since?: Date }> {
    // PostgreSQL 13 split planning from execution time and renamed the columns.
    const time = this.facts.versionNum >= 130000 ? 'exec_time' : 'time';
    return this.withClient(async (client) => {
      const result = await client.query({
        text: `SELECT query, calls::float8 AS calls, total_${time}::float8 AS total_ms, max_${time}::float8 AS max_ms, rows::float8 AS rows
                 FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0 AND query <> '<insufficient privilege>'
                ORDER BY total_${time} DESC
                LIMIT $1`,
        values: [limit],
        queryMode: 'extended',
      });
      let since: Date | undefined;
      if (this.facts.versionNum >= 140000) {
        const info = await client.query({ text: 'SELECT stats_reset FROM pg_stat_statements_info', queryMode: 'extended' });
        since = info.rows[0]?.stats_reset ?? undefined;
      }
      const statements = result.rows.map((row) => ({ query: String(row.query), calls: Number(row.calls), totalMs: Number(row.total_ms), maxMs: Number(row.max_ms), rows: Number(row.rows) }));
      return { statements, since };
    });
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.turns.close(new Error(`the connection to ${describeAddress(this.target)} was closed`));
      await this.pool.end().catch(() => undefined);
    }
  }

  /**
   * One unit of work on a pooled connection, once it is this caller's turn (throws TurnCancelled
   * when `signal` aborts while waiting): in a transaction of its own, read-only unless the
   * embedded database's index path asks otherwise, that is always rolled back. A broken
   * connection is discarded. `singleStatement`: `work` sends one statement, before its first
   * await, so the rollback can be sent right behind it.
   */
  private async withClient<T>(
    work: (client: PoolClient) => Promise<T>,
    signal?: AbortSignal,
    begin: 'BEGIN READ ONLY' | 'BEGIN READ WRITE' = 'BEGIN READ ONLY',
    hypothetical = false,
    singleStatement = false,
  ): Promise<T> {
    const endTurn = await this.turns.take(signal);
    try {
      return await this.onConnection(work, begin, hypothetical, singleStatement);
    } finally {
      endTurn();
    }
  }

  private async onConnection<T>(work: (client: PoolClient) => Promise<T>, begin: string, hypothetical: boolean, singleStatement: boolean): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // The planner evaluates immutable functions while planning, and they can reach the session:
    // the rollback undoes their set_config() and SET (session-level ones too: a SET made in a
    // transaction that is rolled back is undone, so our settings need no second SET);
    // advisory locks, prepared statements and hypothetical indexes outlive a rollback, so they
    // are released.
    const reset = `ROLLBACK; SELECT pg_advisory_unlock_all(); DEALLOCATE ALL;${hypothetical ? ' SELECT hypopg_reset();' : ''}`;
    try {
      if (!this.prepared.has(client)) {
        await client.query(sessionSetup(this.options.statementTimeoutMs));
        this.prepared.add(client);
      }
      // The connections are pipelined: BEGIN (and, for one statement, the reset) go out with
      // the unit's statements instead of a round trip each. Each is synced on its own, so the
      // reset runs whether or not the statements before it failed.
      const began = client.query(begin).then(
        () => undefined,
        (error: unknown) => error,
      );
      const done = work(client);
      const resetting = singleStatement ? client.query(reset) : undefined;
      try {
        const result = await done;
        const failed = await began;
        if (failed) {
          throw failed;
        }
        return result;
      } finally {
        await (resetting ?? client.query(reset));
      }
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Sends `prefix + sql` and sorts the outcome; a position is mapped back into `sql`. */
  private async run(client: PoolClient, prefix: string, sql: string): Promise<ExplainOutcome> {
    const text = prefix + sql;
    try {
      const result = await client.query({ text, queryMode: 'extended' });
      const row = result.rows[0] as Record<string, unknown> | undefined;
      return { kind: 'plan', json: row ? Object.values(row)[0] : undefined };
    } catch (error) {
      const pgError = error as { code?: string; message?: string; position?: string; hint?: string; detail?: string };
      if (typeof pgError.code !== 'string' || CONNECTION_STATES.test(pgError.code)) {
        throw error; // the connection's trouble, not the query's
      }
      if (pgError.code === QUERY_CANCELED) {
        return { kind: 'timeout', timeoutMs: this.options.statementTimeoutMs };
      }
      let position: number | undefined;
      if (pgError.position !== undefined) {
        // PostgreSQL counts characters (code points) from 1, in the text it was sent.
        const inText = codePointOffsetToIndex(text, Number(pgError.position) - 1);
        position = inText >= prefix.length ? inText - prefix.length : undefined;
      }
      return { kind: 'error', error: { message: pgError.message ?? String(error), sqlState: pgError.code, position, hint: pgError.hint, detail: pgError.detail } };
    }
  }
}

function sslOption(sslmode: string | undefined): PoolConfig['ssl'] {
  switch (sslmode) {
    case 'require':
    case 'prefer':
    case 'allow':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      return undefined;
  }
}

/** One line saying why a connection failed, in libpq's words where it has them. */
export function describeConnectionError(error: unknown, target: Pick<PlannerTarget, 'host' | 'port'>): string {
  const e = error as { code?: string; message?: string };
  const where = describeAddress(target);
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${target.host}`;
    case 'ETIMEDOUT':
      return `timed out connecting to ${where}`;
    case 'ECONNRESET':
      return `connection reset by ${where}`;
    case 'EPIPE':
      // A statement written after the server closed the socket (the connections are pipelined).
      return `connection to ${where} was lost`;
    case '57P01':
    case '57P02':
    case '57P03':
      return `the database at ${where} is shutting down or starting up`;
  }
  const message = (e.message ?? String(error)).split('\n')[0];
  if (/timeout/i.test(message)) {
    return `timed out talking to ${where}`;
  }
  // pg's words for a connection that died between two statements of a unit of work.
  if (/terminated|not queryable/i.test(message)) {
    return `connection to ${where} was lost`;
  }
  return message;
}
