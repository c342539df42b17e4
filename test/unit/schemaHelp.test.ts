import * as assert from 'assert';
import { aliasesOf, columnsInScope, identifierAt, schemaCompletions, tableAt } from '../../server/src/schemaHelp/schemaHelp';
import { abbreviated } from '../../server/src/text/similarity';
import type { TableStats } from '../../server/src/plan/insights';

const TABLES: TableStats[] = [
  { schema: 'public', name: 'orders', rows: 1000, pages: 10, indexes: [], columns: [{ name: 'id', type: 'bigint', notNull: true }, { name: 'total', type: 'numeric', notNull: false }] },
  { schema: 'public', name: 'customers', rows: 0, pages: 0, indexes: [], columns: [{ name: 'email', type: 'text', notNull: true }] },
];

describe('schema help', () => {
  it('finds the name under the cursor, with its qualifier, bare names folded to lower case', () => {
    const sql = 'SELECT o.Total, "Mixed" FROM Orders o';
    assert.deepStrictEqual(identifierAt(sql, sql.indexOf('Total') + 2), { name: 'total', start: 9, end: 14, qualifier: 'o' });
    assert.deepStrictEqual(identifierAt(sql, sql.indexOf('"Mixed"') + 1), { name: 'Mixed', start: 16, end: 23 });
    assert.strictEqual(identifierAt(sql, sql.indexOf(', ') + 1), undefined);
  });

  it('reads the aliases a query gives its tables, and no keyword as one', () => {
    assert.deepStrictEqual([...aliasesOf('SELECT * FROM orders o JOIN public.customers AS c ON c.id = o.customer_id WHERE true')], [['orders', 'orders'], ['o', 'orders'], ['customers', 'customers'], ['c', 'customers']]);
    assert.deepStrictEqual([...aliasesOf('SELECT * FROM orders WHERE id = 1')], [['orders', 'orders']]);
    // A bare JOIN after a table without an alias, and a comma join.
    assert.deepStrictEqual([...aliasesOf('SELECT * FROM orders JOIN customers c ON true')], [['orders', 'orders'], ['customers', 'customers'], ['c', 'customers']]);
    assert.deepStrictEqual([...aliasesOf('SELECT * FROM orders o, customers c WHERE c.')], [['orders', 'orders'], ['o', 'orders'], ['customers', 'customers'], ['c', 'customers']]);
    // A CTE that shares a table's name, and a subquery's alias, are no tables.
    assert.deepStrictEqual([...aliasesOf('WITH orders AS (SELECT 1 AS n) SELECT * FROM orders o, (SELECT 1) customers')], []);
  });

  it('finds the table a name at the cursor means: where the query reads it, an alias, a qualifier; never a column, a column alias, a CTE or a subquery', () => {
    const at = (sql: string, needle: string, occurrence = 1) => {
      let index = -1;
      for (let n = 0; n < occurrence; n++) index = sql.indexOf(needle, index + 1);
      return tableAt(sql, index + 1, TABLES)?.table.name ?? null;
    };
    assert.strictEqual(at('SELECT o.id FROM orders o', 'o.'), 'orders');
    assert.strictEqual(at('SELECT o.id FROM orders o', 'orders'), 'orders');
    assert.strictEqual(at('SELECT o.id FROM public.orders o', 'orders'), 'orders');
    assert.strictEqual(at('SELECT o.id FROM orders o', 'id'), null);
    // A column's alias that is a table's name.
    assert.strictEqual(at('SELECT 1 AS orders FROM customers', 'orders'), null);
    // A CTE named as a table, and an alias of it.
    assert.strictEqual(at('WITH orders AS (SELECT 1 AS n) SELECT x.n FROM orders x', 'x.'), null);
    assert.strictEqual(at('WITH orders AS (SELECT 1 AS n) SELECT x.n FROM orders x', 'orders', 2), null);
    // Inside the body of a CTE named as a table, the name is the table's.
    assert.strictEqual(at('WITH orders AS (SELECT count(*) AS n FROM orders) SELECT n FROM orders', 'orders', 2), 'orders');
    assert.strictEqual(at('WITH orders AS (SELECT count(*) AS n FROM orders) SELECT n FROM orders', 'orders', 3), null);
    // An alias reused: inside the CTE's body, the body's own.
    assert.strictEqual(at('WITH a AS (SELECT c.id FROM orders c) SELECT * FROM a c', 'c.'), 'orders');
    assert.strictEqual(at('WITH a AS (SELECT c.id FROM orders c) SELECT c.email FROM customers c', 'c.', 2), 'customers');
    // After a bare JOIN, and in a comma join.
    assert.strictEqual(at('SELECT * FROM orders JOIN customers c ON c.email = orders.id', 'c.'), 'customers');
    assert.strictEqual(at('SELECT * FROM orders o, customers c WHERE c.email = o.id', 'c.'), 'customers');
    // EXCLUDED is the row INSERT INTO proposed.
    assert.strictEqual(at('INSERT INTO orders (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET total = excluded.total', 'excluded'), 'orders');
  });

  it("offers a table's columns after its alias and a dot, the tables after FROM, else the query's columns then the tables", () => {
    const labels = (sql: string) => schemaCompletions(sql, sql.length, TABLES).map((item) => `${item.kind}:${item.label}`);
    assert.deepStrictEqual(labels('SELECT o.'), []);
    assert.deepStrictEqual(schemaCompletions('SELECT o. FROM orders o', 'SELECT o.'.length, TABLES).map((item) => item.label), ['id', 'total']);
    assert.deepStrictEqual(labels('SELECT id FROM '), ['table:orders', 'table:customers']);
    assert.deepStrictEqual(schemaCompletions('SELECT  FROM customers', 'SELECT '.length, TABLES).map((item) => `${item.kind}:${item.label}`), ['column:email', 'table:orders', 'table:customers']);
    // Every table of the query, a bare JOIN's too, in the order the query names them.
    assert.deepStrictEqual(schemaCompletions('SELECT  FROM customers JOIN orders ON true', 'SELECT '.length, TABLES).map((item) => item.label).slice(0, 3), ['email', 'id', 'total']);
    // A CTE's alias offers no table's columns (they would not be the CTE's).
    assert.deepStrictEqual(schemaCompletions('WITH orders AS (SELECT 1 AS n) SELECT o. FROM orders o', 'WITH orders AS (SELECT 1 AS n) SELECT o.'.length, TABLES), []);
    // EXCLUDED. offers the inserted table's columns.
    const upsert = 'INSERT INTO orders (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET total = excluded.';
    assert.deepStrictEqual(schemaCompletions(upsert, upsert.length, TABLES).map((item) => item.label), ['id', 'total']);
  });

  it('finds the column an unknown name may mean: among the qualifier\'s table, or every table of the query; an abbreviation of exactly one', () => {
    assert.deepStrictEqual(columnsInScope('SELECT o.totl FROM orders o JOIN customers c ON true', 7, 'o', TABLES), ['id', 'total']);
    assert.deepStrictEqual(columnsInScope('SELECT totl FROM orders o JOIN customers c ON true', 7, undefined, TABLES), ['id', 'total', 'email']);
    assert.strictEqual(abbreviated('totl', ['id', 'total_cents', 'customer_id']), 'total_cents');
    assert.strictEqual(abbreviated('cust', ['customer_id', 'customer_name']), undefined);
    assert.strictEqual(abbreviated('ot', ['other']), undefined);
    assert.strictEqual(abbreviated('tl', ['total']), undefined);
  });
});
