import type { Rule } from './rule';
import { noImplicitCrossJoin } from './noImplicitCrossJoin';
import { noLeadingWildcardLike } from './noLeadingWildcardLike';
import { noOrderByRandom } from './noOrderByRandom';
import { noQueryInLoop } from './noQueryInLoop';
import { noSelectStar } from './noSelectStar';
import { noSqlConcatenation } from './noSqlConcatenation';
import { nonSargablePredicate } from './nonSargablePredicate';
import { preferAnyArray } from './preferAnyArray';
import { preferExistsOverCount } from './preferExistsOverCount';
import { preferKeysetPagination } from './preferKeysetPagination';
import { preferNotExists } from './preferNotExists';
import { requireWhereOnUpdateDelete } from './requireWhereOnUpdateDelete';

/**
 * Every rule, sorted by id. A rule is one module in this folder with a docs page in
 * `docs/rules/<id>.md` and fixtures in `test/unit/rules/fixtures/<id>/`; the meta-test
 * `test/unit/rules/catalogue.test.ts` holds each to that.
 *
 * To add a rule: write `<camelCaseOfId>.ts` exporting the `Rule` as a named const (shared
 * parse-tree helpers are in `ast.ts`), list it here in id order, write its docs page, and add
 * `fires.sql` and `quiet.sql` fixtures; `UPDATE_SNAPSHOTS=1` writes its `fires.snap`, which is
 * then read and committed as the rule's specification.
 */
export const RULES: readonly Rule[] = [
  noImplicitCrossJoin,
  noLeadingWildcardLike,
  noOrderByRandom,
  noQueryInLoop,
  noSelectStar,
  noSqlConcatenation,
  nonSargablePredicate,
  preferAnyArray,
  preferExistsOverCount,
  preferKeysetPagination,
  preferNotExists,
  requireWhereOnUpdateDelete,
];

