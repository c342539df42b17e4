import * as assert from 'assert';
import { blankPsqlVariables } from '../../server/src/extract/psqlVariables';

describe('blankPsqlVariables', () => {
  it('blanks the colon of :name, :\'name\' and :"name", keeping every offset', () => {
    const sql = `SELECT * FROM :"tbl" WHERE id = :id AND name = :'name'`;
    const blanked = blankPsqlVariables(sql);
    assert.strictEqual(blanked, `SELECT * FROM  "tbl" WHERE id =  id AND name =  'name'`);
    assert.strictEqual(blanked.length, sql.length);
  });

  it('leaves casts, array slices, quotes, comments and dollar quotes alone', () => {
    const sql = `SELECT a::int, b[1:n], ':x', ":y", $$ :z $$ -- :c\nFROM t /* :d */`;
    assert.strictEqual(blankPsqlVariables(sql), sql);
  });
});
