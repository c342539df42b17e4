import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES, CODES } from '../../server/src/analyze/analyzeDocument';
import { PLAN_INSIGHT_CODES } from '../../server/src/plan/insights';

const ROOT = path.join(__dirname, '..', '..', '..');

/**
 * queryLens.rules in package.json (written by scripts/rule-settings.mjs) declares every finding a
 * user may turn off or re-grade, so that the Settings UI and settings.json completion offer the
 * ids instead of a blank key/value table.
 */
describe('queryLens.rules in package.json', () => {
  const setting = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).contributes.configuration.properties['queryLens.rules'];
  const declared = setting.properties as Record<string, { enum: string[]; markdownDescription: string }>;

  it('declares each rule, plan finding and database finding with a docs page, and no check that is always on', () => {
    const pages = fs.readdirSync(path.join(ROOT, 'docs', 'rules')).map((name) => name.replace(/\.md$/, ''));
    const alwaysOn = Object.values(CODES) as string[];
    assert.deepStrictEqual(Object.keys(declared).sort(), pages.filter((id) => !alwaysOn.includes(id)).sort());
    for (const id of [...ALL_RULES.map((rule) => rule.id), ...PLAN_INSIGHT_CODES, 'unknown-column', 'unknown-table', 'slow-query', 'unused-index', 'redundant-index', 'unindexed-foreign-key']) {
      assert.ok(declared[id], `${id} is not declared`);
    }
  });

  it('offers the five levels for each, with a sentence of what it finds and its default', () => {
    for (const [id, property] of Object.entries(declared)) {
      assert.deepStrictEqual(property.enum, ['off', 'hint', 'information', 'warning', 'error'], id);
      assert.match(property.markdownDescription, /^[A-Z`].{20,}\. Default: (?:hint|information|warning|error)[^;]*; see docs\/rules\/[a-z-]+\.md\.$/, id);
    }
    assert.deepStrictEqual(setting.additionalProperties, { type: 'string', enum: ['off', 'hint', 'information', 'warning', 'error'] });
  });
});
