import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParsers } from '../../../server/src/analyze/parse';
import { RULES } from '../../../server/src/analyze/rules';
import { fixtureQueries, runRule } from './harness';

const DOCS = path.resolve(__dirname, '../../../../docs/rules');

/** The rule catalogue holds every rule to the same standard: docs, fixtures, severities. */
describe('rule catalogue', () => {
  before(() => initParsers());

  it('lists the rules sorted by id, each id kebab-case and registered once', () => {
    const ids = RULES.map((rule) => rule.id);
    assert.deepStrictEqual(ids, [...ids].sort());
    assert.strictEqual(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('is never an error, and has a one-line summary', () => {
        assert.ok(['warning', 'information', 'hint'].includes(rule.defaultSeverity));
        assert.ok(['all', 'application-code'].includes(rule.scope));
        assert.ok(rule.summary.length > 0 && !rule.summary.includes('\n'));
      });

      it('has a docs page with its severity, scope, problem, reason, fix, examples and how to turn it off', () => {
        const page = fs.readFileSync(path.join(DOCS, `${rule.id}.md`), 'utf8');
        assert.ok(page.startsWith(`# ${rule.id}\n`));
        const scope = rule.scope === 'all' ? 'All SQL' : 'Application code';
        assert.ok(page.includes(`**Severity:** ${rule.defaultSeverity} · **Scope:** ${scope}`), 'severity and scope line');
        for (const heading of [/^## Problem$/m, /^## Why it is (slow|unsafe)$/m, /^## Fix$/m, /^## Examples$/m]) {
          assert.match(page, heading);
        }
        assert.ok((page.match(/^```sql$/gm) ?? []).length >= 2, 'a bad and a good SQL example');
        assert.ok(page.includes(`"queryLens.rules": { "${rule.id}": "off" }`), 'the setting');
        assert.ok(page.includes(`-- query-lens-ignore ${rule.id}`), 'the suppression comment');
      });

      it('fires on every query of its fires fixture', () => {
        const queries = fixtureQueries(rule, 'fires');
        assert.ok(queries.length >= 3, 'several firing queries');
        const silent = queries.filter(({ query, kind }) => runRule(rule, query, kind).length === 0).map(({ query }) => query.sql);
        assert.deepStrictEqual(silent, []);
      });

      it('stays quiet on every query of its quiet fixture', () => {
        const queries = fixtureQueries(rule, 'quiet');
        assert.ok(queries.length >= 3, 'several near misses');
        const noisy = queries
          .map(({ query, kind }) => ({ sql: query.sql, messages: runRule(rule, query, kind).map((f) => f.message) }))
          .filter((result) => result.messages.length > 0);
        assert.deepStrictEqual(noisy, []);
      });
    });
  }
});
