import type { ParameterisationOffer, Query, QueryParameter } from '../../extract/query';
import { quoteHostExpression as quote, type Rule } from './rule';

const CONSTRUCTION_WORDS: Record<NonNullable<Query['construction']>, string> = {
  template: 'a template literal',
  'f-string': 'an f-string',
  concatenation: 'string concatenation',
  format: 'string formatting',
};

/**
 * An expression that quotes what it is given: a call of an escaping or quoting function, a name
 * that says it holds the result of one (`escapedName`, `quotedTable`), or a value whose quotes
 * are doubled (`name.replace(/'/g, "''")`).
 */
const ESCAPED = /^\s*(?:(?:[\w$]+\s*\.\s*)*(?:escape\w*|quote_?\w*|serialize\w*|\w*_?literal\w*|literal|\w*identifier|ident|quote_ident|quote_literal|quote_nullable)\s*\(|(?:this\.)?(?:escaped|quoted)[A-Z_]\w*\s*$|(?:sql|pgsql|psycopg2?\.sql)\.(?:Literal|Identifier)\s*\(|format\s*\(\s*['"`][^'"`]*%[ILsL])|\.replace(?:All)?\([^)]*,\s*(?:"''"|`''`|'\\'\\'')\s*\)\s*$/;

/**
 * An expression whose name says it holds SQL or a name, not a value: `column`, `tableName`,
 * `this.schema`, `sortColumn`, `orderBy`, or a call of a function that builds SQL
 * (`notifyChannelSql(schema)`, `whereClause(filters)`, `buildFragment(…)`). Where the parse tree
 * cannot tell (`COALESCE(${column}, …)` reads like a value), the program's own names do.
 */
const NAMED_AS_SQL =
  /^\s*(?:[\w$]+\s*\.\s*)*(?:\w*(?:column|table|schema|field|identifier)(?:name)?s?|\w*(?:sequence|seq|index|view|relation|constraint|trigger|function|channel)_?names?|cols?|tbl|ident|order_?by|sort_?by|sort_?column|direction|sql|\w*_sql|\w*[a-z]Sql|\w*(?:clause|fragment)s?)\s*$|^\s*(?:[\w$]+\s*\.\s*)*\w*(?:sql|clause|fragment|condition|conditions|where|predicate)s?\s*\(/i;

/**
 * A list of names joined (`", ".join(k for k in keys)`, `", ".join(values.keys())`,
 * `columns.join(', ')`): a column list, whatever place the parse tree gives it (`WHERE (%s) = (%s)`).
 */
const JOINED_NAMES = /\.join\(\s*(?:\w+\s+for\s+\w+\s+in\s+)?(?:[\w$]+\s*\.\s*)*(?:keys|columns|cols|fields|names|\w+_(?:columns|cols|fields|names|keys))(?:\(\))?\s*\)\s*$|^\s*(?:[\w$]+\s*\.\s*)*(?:keys|columns|cols|fields|names|\w+(?:Columns|Fields|Names|_columns|_fields|_names))\s*\.\s*join\(/i;

/**
 * What a name holds when it is set once to SQL text (`table_sql = "SELECT max(id) FROM %s" % t`):
 * a subquery spliced in, not a value.
 */
const SQL_TEXT_DEFINITION = /^\s*[rRbBuUfF]{0,2}(?:'''|"""|'|"|`)\s*\(?\s*(?:SELECT|WITH|VALUES)\b/i;

/**
 * A name for a column (`rowid`, `row_id_name`, `key_name`): spliced outside quotes where a value
 * goes, it is a column, since a text value there would not parse without quotes of its own.
 * (A plain `name` or `user_name` there is more likely the user's text, unquoted by mistake.)
 */
const NAMED_AS_COLUMN = /(?:^|[.\s])(?:rowid|row_?id(?:_?name)?|\w*(?:key|attr|attribute)_?names?)\s*$/i;

/**
 * Types whose values print without a quote: numbers, booleans, UUIDs, and unions of plain string
 * literals (`'ASC' | 'DESC'`). TypeScript's and Python's spellings.
 */
const QUOTELESS_TYPE = /^(?:number|bigint|boolean|int|float|bool|(?:decimal\.)?Decimal|(?:uuid\.)?UUID|(?:'[\w ]*'|"[\w ]*"|\d+)(?:\s*\|\s*(?:'[\w ]*'|"[\w ]*"|\d+))*|Literal\[(?:'[\w ]*'|"[\w ]*"|\d+)(?:\s*,\s*(?:'[\w ]*'|"[\w ]*"|\d+))*\])$/;

/**
 * Expressions whose value is a number whatever they are given: `Number(x)`, `parseInt(x)`,
 * `Math.floor(x)`, `int(x)`, `x.length`, `len(x)`, `x.toFixed(2)`, a numeric literal, and one of
 * those with a numeric fallback (`parseInt(s, 10) || 1`).
 */
const NUMERIC_EXPRESSION = /^\s*(?:(?:Number|parseInt|parseFloat|BigInt|Math\.\w+|int|float|len|round|abs)\s*\((?:[^()]|\([^()]*\))*\)|-?\d+(?:\.\d+)?|[\w$.]+\.(?:length|size)|[\w$.]+\.toFixed\(\d*\))(?:\s*(?:\|\||\?\?|or)\s*-?\d+(?:\.\d+)?)?\s*$/;

/**
 * A list of placeholders written by the program (`", ".join("?" for _ in keys)`,
 * `",".join(["%s"] * n)`, `keys.map(() => '?').join(', ')`): parameters, not values.
 */
const PLACEHOLDER_LIST = /\.join\(\s*\[?\s*(["'`])(?:\?|%s|\$\d+)\1\s*(?:for\b|\]\s*\*)|\.map\(\s*\(\)\s*=>\s*(["'`])\?\2\s*\)\s*\.join\(/;
/**
 * A named constant (`UserTypes.BOT`, `ROW_ID_NAME`), or a member of a class or an enum
 * (`EventTypes.Retention`, `Status.Active`): a value the program fixes, not input.
 */
const CONSTANT_NAME = /^\s*(?:(?:[A-Za-z_$][\w$]*\s*\.\s*)*[A-Z][A-Z0-9_]*[A-Z0-9]|[A-Z][A-Z0-9]*[a-z][\w$]*\s*\.\s*[A-Za-z_$][\w$]*)\s*$/;

/**
 * Text made from a named constant alone (`VECTOR_EXTENSIONS.map((e) => \`'${e}'\`).join(', ')`,
 * `", ".join(USER_COLUMNS)`): the same text on every call, written by the program.
 */
const FROM_CONSTANT = /^\s*(?:(?:[A-Za-z_$][\w$]*\s*\.\s*)*[A-Z][A-Z0-9_]*[A-Z0-9](?:\s*\.\s*(?:map|join|filter|slice|concat|sort)\s*\((?:[^()]|\([^()]*\))*\))+|[rbuRBU]?(?:"[^"\\]*"|'[^'\\]*')\s*\.join\(\s*(?:[A-Za-z_]\w*\.)*[A-Z][A-Z0-9_]*[A-Z0-9]\s*\))\s*$/;

/**
 * Whether the value of a hole cannot carry a quote into the SQL text: a quoting call, a number,
 * or a name whose declared type or one definition says so.
 */
function cannotBreakText(parameter: QueryParameter): boolean {
  const expression = parameter.expression ?? '';
  if (ESCAPED.test(expression) || NUMERIC_EXPRESSION.test(expression) || PLACEHOLDER_LIST.test(expression) || CONSTANT_NAME.test(expression) || FROM_CONSTANT.test(expression)) return true;
  if (parameter.declaredType !== undefined && QUOTELESS_TYPE.test(parameter.declaredType.trim())) return true;
  const definition = parameter.definition;
  return definition !== undefined && (ESCAPED.test(definition) || NUMERIC_EXPRESSION.test(definition));
}

/**
 * Whether a hole in a value's place is SQL or a name by what the program calls it: a column or
 * table name (`sortColumn`, `self._sequence_name`), SQL text (`table_sql`, or a name set once to
 * a SELECT), or, outside quotes, a name for a column (`rowid`, `key_name`).
 */
function composesSql(parameter: QueryParameter): boolean {
  const expression = parameter.expression ?? '';
  const definition = parameter.definition ?? '';
  if (NAMED_AS_SQL.test(expression) || SQL_TEXT_DEFINITION.test(definition) || JOINED_NAMES.test(expression)) return true;
  return !parameter.inString && (NAMED_AS_COLUMN.test(expression) || NAMED_AS_COLUMN.test(definition));
}

/**
 * `no-sql-concatenation`: a value spliced into the SQL text by the host language (`${x}` in a
 * plain template, an f-string, `+`, `%` or `.format`). The query is open to SQL injection, and
 * its text changes with every value, so the database cannot reuse a prepared plan and
 * pg_stat_statements sees a new query each time. The quick fix passes the values as the driver's
 * parameters when every spliced value stands where PostgreSQL accepts a parameter.
 */
export const noSqlConcatenation: Rule = {
  id: 'no-sql-concatenation',
  summary: 'SQL built by splicing values into its text: unsafe, and never prepared once for all values.',
  defaultSeverity: 'warning',
  scope: 'application-code',
  inOneOffFiles: true,
  // A test's values are its own: nothing from outside reaches them.
  inTestFiles: false,
  check(context) {
    // Indexes kept with the parameters: looking each up (indexOf) was quadratic in the holes.
    const spliced = context.query.parameters.flatMap((p, index) => (p.source === 'interpolated' ? [{ p, index }] : []));
    if (spliced.length === 0) {
      return;
    }
    // Only a value spliced where a value goes is this rule's: a parameter can replace it. A hole
    // that stands for a name, a condition or a column list is SQL the application composes (from
    // constant text, escaped identifiers, conditions whose values are bound): no parameter can
    // stand for it, and it is read as such by the analysis (not planned, with the reason).
    const values = spliced.filter(({ p, index }) => context.holeRoles.get(index) === 'value' && !composesSql(p)).map(({ p }) => p);
    // A value that cannot carry a quote into the text is no injection: one passed through an
    // escaping function (`client.escapeLiteral(x)`, pg-format's `format('%L', x)`, psycopg's
    // `sql.Literal(x)`, an app's `literal_string(x)`) or set once to one, and a number, a
    // boolean or a UUID by its declared type (`seconds: number`, `limit: int`) or by what it is
    // (`Number(x)`, `%d`). The quick fix still passes such numbers along with the rest.
    const unsafe = values.filter((p) => !cannotBreakText(p));
    if (unsafe.length === 0) {
      return;
    }
    const how = context.query.construction ? CONSTRUCTION_WORDS[context.query.construction] : 'string building';
    const parameterisable = values.length === spliced.length && !values.some((p) => ESCAPED.test(p.expression ?? '') || ESCAPED.test(p.definition ?? ''));
    const fix = context.query.parameterisationFix !== undefined && parameterisable;
    const offer: ParameterisationOffer = { parameterise: true };
    for (const parameter of unsafe) {
      const expression = parameter.expression ?? 'a value';
      // Underlined where the constant that carries it is spliced in: say so, or the name underlined is another.
      const carried = parameter.carriedBy !== undefined ? ` (in ${quote(parameter.carriedBy)}, spliced in here)` : '';
      const message =
        `${quote(expression)}${carried} is spliced into the SQL text by ${how}: a value holding a quote breaks the query or injects SQL, ` +
        `and every distinct value makes a new statement the database parses and plans again. ` +
        `Pass it as a parameter (${context.query.origin} takes them)${fix ? ': the quick fix does it' : ''}.`;
      context.report({ start: parameter.sqlStart, end: parameter.sqlEnd, message, ...(fix ? { data: offer } : {}) });
    }
  },
};
