import * as assert from 'assert';
import { readCorpus } from './corpus';
import { performance } from 'perf_hooks';
import { initParsers, parseStatement } from '../../server/src/analyze/parse';
import { RULES } from '../../server/src/analyze/rules';
import type { PgStatement } from '../../server/src/analyze/rules/rule';
import { documentKindFor, findingProblem, runRuleOnTree } from '../unit/rules/harness';

/**
 * Every rule over the 41,501 statements of PostgreSQL's regression tests: the widest variety
 * of parse trees there is. No rule may throw, and every finding must lie inside its statement.
 * The corpus is in `shared/` beside the repository (QUERY_LENS_SHARED names another place);
 * QUERY_LENS_RULE_COUNTS=1 prints how often each rule fires and how long the rules took.
 */

describe('rules over the PostgreSQL regression corpus', function () {
  this.timeout(300_000);

  it('run on every statement without throwing, with findings inside the statement', async function () {
    await initParsers();
    const corpus: { file: string; sql: string }[] = readCorpus();
    const parsed: { sql: string; statements: PgStatement[] }[] = [];
    for (const entry of corpus) {
      const outcome = parseStatement(entry.sql, 'postgresql');
      if (outcome.ok) parsed.push({ sql: entry.sql, statements: (outcome.ast as { stmts?: PgStatement[] }).stmts ?? [] });
    }
    const failures: string[] = [];
    const counts = new Map<string, number>(RULES.map((rule) => [rule.id, 0]));
    const started = performance.now();
    // As the analysis runs them: every rule on one query, then the next query.
    for (const { sql, statements } of parsed) {
      for (const rule of RULES) {
        try {
          for (const finding of runRuleOnTree(rule, sql, statements, documentKindFor(rule))) {
            counts.set(rule.id, counts.get(rule.id)! + 1);
            const problem = findingProblem(finding, sql);
            if (problem) failures.push(`${rule.id}: ${problem}: ${sql.slice(0, 200)}`);
          }
        } catch (error) {
          failures.push(`${rule.id} threw ${error instanceof Error ? error.stack : String(error)} on: ${sql.slice(0, 200)}`);
        }
      }
    }
    const elapsed = performance.now() - started;
    if (process.env.QUERY_LENS_RULE_COUNTS === '1') {
      console.log(`      ${parsed.length} statements, all rules in ${elapsed.toFixed(0)} ms`);
      for (const [id, fired] of counts) console.log(`      ${id}: ${fired}`);
    }
    assert.strictEqual(parsed.length, corpus.length);
    assert.deepStrictEqual(failures.slice(0, 10), [], `${failures.length} failures`);
  });
});
