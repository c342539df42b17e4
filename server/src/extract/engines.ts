import type { Dialect } from '../settings';

/** What a name says about the engine some SQL is for. */
export type EngineHint = { dialect: Dialect; name: string } | { dialect?: undefined; name: string };

const ENGINES: [RegExp, EngineHint][] = [
  [/clickhouse/i, { name: 'ClickHouse' }],
  [/bigquery/i, { name: 'BigQuery' }],
  [/snowflake/i, { name: 'Snowflake' }],
  [/mssql|sqlserver|tedious/i, { name: 'SQL Server' }],
  [/oracle/i, { name: 'Oracle' }],
  [/duckdb/i, { name: 'DuckDB' }],
  [/redshift/i, { name: 'Redshift' }],
  [/athena|presto|trino/i, { name: 'Presto' }],
  [/cassandra|cql/i, { name: 'Cassandra' }],
  [/spatialite|sqlite/i, { dialect: 'sqlite', name: 'SQLite' }],
  [/mysql|mariadb/i, { dialect: 'mysql', name: 'MySQL' }],
];

/**
 * The engine a name points to (`clickhouseQuery`, `_on_sqlite_connect`, `mysqlPool`), or
 * undefined when it names none. An application with two engines says which code is whose in
 * its names; the SQL there is that engine's, never PostgreSQL's to judge.
 */
export function engineNamed(name: string | undefined): EngineHint | undefined {
  if (!name) {
    return undefined;
  }
  for (const [pattern, hint] of ENGINES) {
    if (pattern.test(name)) {
      return hint;
    }
  }
  return undefined;
}

/**
 * Function names that say their statements touch whole tables on purpose (`flush`,
 * `clear_cache`, `resetAll`, `purge`, `truncateTables`, `rebuildIndex`, `backfill`,
 * `recompute_importance`): an UPDATE or DELETE without WHERE there is the point, not an accident.
 */
export const BULK_INTENT = /flush|clear|reset|purge|truncate|wipe|empty|delete_?all|remove_?all|deleteall|removeall|drop|rebuild|backfill|reindex|recompute|recalc|refresh|cleanup|clean_up|teardown|tear_down|destroy|uninstall|migrate/i;
