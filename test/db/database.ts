/**
 * Databases for the plan tests: each suite creates its own on the PostgreSQL this machine runs
 * (127.0.0.1:5432, or QUERY_LENS_TEST_PG), fills it, and drops it afterwards. Nothing is mocked.
 */
import { Client } from 'pg';

export const ADMIN_URL = process.env.QUERY_LENS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlOf(database: string, base = ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a database named after the suite and the process, runs `setup` in it, returns its URL. */
export async function createTestDatabase(suite: string, setup: string, base = ADMIN_URL): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `ql_test_${suite}_${process.pid}`;
  await withClient(base, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
  const url = urlOf(name, base);
  await withClient(url, (client) => client.query(setup));
  return {
    name,
    url,
    drop: () => withClient(base, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * Shop tables with exact statistics (every row sampled), so the planner's estimates and the
 * messages built from them are the same on every run.
 */
export const SHOP_SCHEMA = `
SET default_statistics_target = 10000;
-- Hypothetical indexes: every index a message names is tried first (.ci/run installs HypoPG).
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  status text NOT NULL,
  total numeric(10, 2) NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 20000) AS g;
INSERT INTO orders SELECT g, g % 20000 + 1, CASE WHEN g % 10 = 0 THEN 'paid' ELSE 'open' END, g % 500, timestamptz '2026-01-01' + g * interval '1 minute'
  FROM generate_series(1, 100000) AS g;
ANALYZE customers;
ANALYZE orders;
-- Anything a plan run executed would change these.
CREATE TABLE trap (id integer PRIMARY KEY, note text NOT NULL);
INSERT INTO trap VALUES (1, 'untouched');
CREATE SEQUENCE trap_seq;
-- Immutable, so the planner evaluates it while planning: planning it takes 3 s.
CREATE FUNCTION slow_to_plan() RETURNS integer IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN 1; END $$;
`;
