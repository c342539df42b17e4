import * as assert from 'assert';
import * as pgQuery from 'libpg-query';
import { initParsers } from '../../server/src/analyze/parse';
import { byFingerprint, formatDuration } from '../../server/src/db/runtimeStatistics';

describe('run times from pg_stat_statements', () => {
  before(() => initParsers());

  it('adds up the rows of one query (other roles, other IN-list lengths) and skips texts that no longer parse', () => {
    const measured = byFingerprint([
      { query: 'SELECT id FROM orders WHERE customer_id IN ($1, $2)', calls: 3, totalMs: 300, maxMs: 150, rows: 6 },
      { query: 'select id from orders where customer_id in ($1)', calls: 1, totalMs: 500, maxMs: 500, rows: 1 },
      { query: 'SELECT id FROM orders WHERE status = $1', calls: 2, totalMs: 4, maxMs: 3, rows: 20 },
      { query: 'SELECT id FROM orders WHERE customer_id IN ($1, $2, $3, $4, $', calls: 9, totalMs: 9, maxMs: 1, rows: 9 },
    ]);
    assert.strictEqual(measured.size, 2);
    // The code's own text, with a constant list: the same fingerprint.
    assert.deepStrictEqual(measured.get(pgQuery.fingerprintSync('SELECT id FROM orders WHERE customer_id IN (1, 2, 3)')), { calls: 4, totalMs: 800, maxMs: 500, rows: 7, meanMs: 200 });
    assert.deepStrictEqual(measured.get(pgQuery.fingerprintSync("SELECT id FROM orders WHERE status = 'paid'")), { calls: 2, totalMs: 4, maxMs: 3, rows: 20, meanMs: 2 });
  });

  it('writes durations as a person reads them', () => {
    assert.deepStrictEqual([0.0421, 3.456, 12.4, 340, 999.6, 2100, 59_999, 450_000, 11_520_000].map(formatDuration), ['0.04 ms', '3.46 ms', '12 ms', '340 ms', '1 s', '2.1 s', '1 min', '7.5 min', '3.2 h']);
  });
});
