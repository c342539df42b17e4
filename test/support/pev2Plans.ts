import * as fs from 'fs';
import * as path from 'path';
import { parseTextPlan, planFromExplainJson, type Plan } from '../../server/src/plan/planModel';

/**
 * pev2's test plans (shared/corpora/pev2-plans: 168 EXPLAIN outputs of PostgreSQL 8.4 to 18,
 * text and JSON), for the tests of the plan report and its tips. `shared/` is beside the
 * repository, or where QUERY_LENS_SHARED says.
 */
const SHARED = process.env.QUERY_LENS_SHARED ?? path.resolve(__dirname, '../../../../shared');
export const PEV2_PLANS = path.join(SHARED, 'corpora', 'pev2-plans');

export interface Pev2Plan {
  file: string;
  format: string;
  node_count: number;
  node_count_source: string;
}

export function pev2Index(): Pev2Plan[] {
  const index = path.join(PEV2_PLANS, 'index.json');
  if (!fs.existsSync(index)) {
    throw new Error(`the plan corpus is not at ${PEV2_PLANS}: put shared/ beside the repository, or set QUERY_LENS_SHARED to its folder`);
  }
  return (JSON.parse(fs.readFileSync(index, 'utf8')) as { plans: Pev2Plan[] }).plans;
}

/** A corpus plan, read with the parser its format calls for (index.json says which). */
export function pev2Plan(file: string): Plan {
  const entry = pev2Index().find((plan) => plan.file === file);
  if (!entry) throw new Error(`${file} is not in the plan corpus's index.json`);
  const source = fs.readFileSync(path.join(PEV2_PLANS, file), 'utf8');
  return entry.format.startsWith('json') ? planFromExplainJson(source) : parseTextPlan(source);
}
