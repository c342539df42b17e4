import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BUILT_IN_CHECKS } from '../../server/src/analyze/checks';
import { CODES } from '../../server/src/analyze/analyzeDocument';
import { DATABASE_CODES } from '../../server/src/db/planDocument';
import { PLAN_INSIGHT_CODES } from '../../server/src/plan/insights';

const DOCS = path.resolve(__dirname, '../../../docs/rules');

describe('check catalogue', () => {
  it('lists every code, sorted, each once', () => {
    const ids = BUILT_IN_CHECKS.map((check) => check.id);
    assert.deepStrictEqual(ids, [...ids].sort());
    assert.deepStrictEqual([...ids].sort(), Object.values(CODES).sort());
  });

  for (const check of BUILT_IN_CHECKS) {
    it(`${check.id} has a docs page with its severity, the problem and the fix`, () => {
      const page = fs.readFileSync(path.join(DOCS, `${check.id}.md`), 'utf8');
      assert.ok(page.startsWith(`# ${check.id}\n`));
      assert.match(page, /\*\*Severity:\*\* (error|warning|information|hint)/);
      assert.match(page, /^## Problem$/m);
      assert.match(page, /^## Fix$/m);
    });
  }
});

describe('database check catalogue', () => {
  for (const code of [...DATABASE_CODES, ...PLAN_INSIGHT_CODES]) {
    it(`${code} has a docs page with its severity, the problem and the fix`, () => {
      const page = fs.readFileSync(path.join(DOCS, `${code}.md`), 'utf8');
      assert.ok(page.startsWith(`# ${code}\n`));
      assert.match(page, /\*\*Severity:\*\* (error|warning|information|hint)/);
      assert.match(page, /^## Problem$/m);
      assert.match(page, /^## Fix$/m);
    });
  }
});
