import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParsers } from '../../../server/src/analyze/parse';
import { RULES } from '../../../server/src/analyze/rules';
import { FIXTURES, findingProblem, fixtureQueries, renderSnapshot, runRule } from './harness';

/**
 * Each rule alone over each query of its fixtures. `fires.snap` draws every finding of the
 * `fires` fixture and is the rule's specification: `UPDATE_SNAPSHOTS=1` rewrites it, to be
 * read line by line before it is committed.
 */
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

describe('rule fixtures', () => {
  before(() => initParsers());

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('flags exact, non-empty ranges inside the query, with a message', () => {
        for (const name of ['fires', 'quiet'] as const) {
          for (const { query, kind } of fixtureQueries(rule, name)) {
            for (const finding of runRule(rule, query, kind)) {
              assert.strictEqual(findingProblem(finding, query.sql), undefined, `${name}: ${query.sql}`);
              const flagged = query.sql.slice(finding.start, finding.end);
              assert.strictEqual(flagged, flagged.trim(), `${name}: the range starts or ends with white space: ${JSON.stringify(flagged)}`);
            }
          }
        }
      });

      it('draws its fires fixture as fires.snap', () => {
        const actual = renderSnapshot(rule);
        const snapshot = path.join(FIXTURES, rule.id, 'fires.snap');
        if (UPDATE || !fs.existsSync(snapshot)) {
          fs.writeFileSync(snapshot, actual);
          if (!UPDATE) assert.fail(`${snapshot} was missing and has been written: read it, then run again`);
          return;
        }
        assert.strictEqual(actual, fs.readFileSync(snapshot, 'utf8'));
      });
    });
  }
});
