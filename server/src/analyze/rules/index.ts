import type { Rule } from './rule';

/**
 * Every rule, sorted by id. A rule is one module in this folder with a docs page in
 * `docs/rules/<id>.md` and fixtures in `test/unit/rules/fixtures/<id>/`; the meta-test
 * `test/unit/rules/catalogue.test.ts` holds each to that.
 */
export const RULES: readonly Rule[] = [];
