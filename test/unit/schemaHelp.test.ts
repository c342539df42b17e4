import * as assert from 'assert';
import { aliasesOf, identifierAt, schemaCompletions, tableNamed } from '../../server/src/schemaHelp/schemaHelp';
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
    assert.strictEqual(tableNamed('o', TABLES, 'SELECT * FROM orders o')?.name, 'orders');
    assert.strictEqual(tableNamed('x', TABLES, 'SELECT * FROM orders o'), undefined);
  });

  it("offers a table's columns after its alias and a dot, the tables after FROM, else the query's columns then the tables", () => {
    const labels = (sql: string) => schemaCompletions(sql, sql.length, TABLES).map((item) => `${item.kind}:${item.label}`);
    assert.deepStrictEqual(labels('SELECT o.'), []);
    assert.deepStrictEqual(schemaCompletions('SELECT o. FROM orders o', 'SELECT o.'.length, TABLES).map((item) => item.label), ['id', 'total']);
    assert.deepStrictEqual(labels('SELECT id FROM '), ['table:orders', 'table:customers']);
    assert.deepStrictEqual(schemaCompletions('SELECT  FROM customers', 'SELECT '.length, TABLES).map((item) => `${item.kind}:${item.label}`), ['column:email', 'table:orders', 'table:customers']);
  });
});
