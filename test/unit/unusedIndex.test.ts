import * as assert from 'assert';
import { isReportedUnused, UNUSED_INDEX_MIN_TABLE_SCANS } from '../../server/src/db/planDocument';
import type { TableStats } from '../../server/src/plan/insights';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 11, 7);

/**
 * A table read `scans` times since statistics began `days` ago, with one index scanned
 * `indexScans` times (`null`: the database keeps no count; `days` `null`: no start known).
 */
function table({ scans = UNUSED_INDEX_MIN_TABLE_SCANS, indexScans = 0 as number | null, unique = false, days = 7 as number | null } = {}): TableStats {
  return {
    schema: 'public',
    name: 'visits',
    rows: 5000,
    pages: 40,
    indexes: [{ name: 'visits_page_idx', columns: ['page'], unique, partial: false, method: 'btree', ...(indexScans === null ? {} : { scans: indexScans }), bytes: 16384 }],
    maintenance: { liveRows: 5000, deadRows: 0, modifiedSinceAnalyze: 0, currentPages: 40, scans, ...(days === null ? {} : { countedSince: new Date(NOW - days * DAY) }) },
  };
}

describe('unused-index: when an index nobody used is worth a word', () => {
  it('reports an index never scanned on a table read 1,000 times, once the statistics are old enough', () => {
    assert.strictEqual(UNUSED_INDEX_MIN_TABLE_SCANS, 1000);
    assert.strictEqual(isReportedUnused(table(), 'visits_page_idx', 7, NOW), true);
    assert.strictEqual(isReportedUnused(table({ scans: 999 }), 'visits_page_idx', 7, NOW), false);
    assert.strictEqual(isReportedUnused(table({ indexScans: 1 }), 'visits_page_idx', 7, NOW), false);
    assert.strictEqual(isReportedUnused(table({ indexScans: null }), 'visits_page_idx', 7, NOW), false);
    assert.strictEqual(isReportedUnused(table({ unique: true }), 'visits_page_idx', 7, NOW), false);
    assert.strictEqual(isReportedUnused(table(), 'visits_other_idx', 7, NOW), false);
  });

  it('waits for queryLens.unusedIndexMinDays of statistics, and never guesses their age', () => {
    assert.strictEqual(isReportedUnused(table({ days: 6.99 }), 'visits_page_idx', 7, NOW), false);
    assert.strictEqual(isReportedUnused(table({ days: 7 }), 'visits_page_idx', 7, NOW), true);
    assert.strictEqual(isReportedUnused(table({ days: 0 }), 'visits_page_idx', 0, NOW), true);
    assert.strictEqual(isReportedUnused(table({ days: null }), 'visits_page_idx', 0, NOW), false);
    const { maintenance: _, ...withoutUpkeep } = table();
    assert.strictEqual(isReportedUnused(withoutUpkeep, 'visits_page_idx', 0, NOW), false);
  });
});
