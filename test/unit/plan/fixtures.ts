import * as fs from 'fs';
import * as path from 'path';

/**
 * Plans PostgreSQL 15 printed for the queries in fixtures/capture.sh: `<name>.json` is what
 * `EXPLAIN (FORMAT JSON)` returned, `<name>.txt` what psql showed for plain `EXPLAIN`.
 */
export const PLAN_FIXTURES = path.resolve(__dirname, '../../../../test/unit/plan/fixtures');

export function fixtureNames(): string[] {
  return fs
    .readdirSync(PLAN_FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export function fixtureJson(name: string): string {
  return fs.readFileSync(path.join(PLAN_FIXTURES, `${name}.json`), 'utf8');
}

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(PLAN_FIXTURES, `${name}.txt`), 'utf8');
}
