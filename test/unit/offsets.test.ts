import * as assert from 'assert';
import { byteOffsetToIndex, codePointOffsetToIndex, LineIndex } from '../../server/src/text/offsets';

describe('offsets', () => {
  const text = 'a😀é日b';
  it('converts code points to string indices', () => {
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5].map((n) => codePointOffsetToIndex(text, n)), [0, 1, 3, 4, 5, 6]);
  });
  it('converts UTF-8 bytes to string indices', () => {
    // a=1 byte, 😀=4, é=2, 日=3
    assert.deepStrictEqual([0, 1, 5, 7, 10, 11].map((n) => byteOffsetToIndex(text, n)), [0, 1, 3, 4, 5, 6]);
  });
  it('maps offsets to lines and columns across \\n, \\r\\n and \\r', () => {
    const lines = new LineIndex('ab\ncd\r\nef\rgh');
    assert.deepStrictEqual(lines.positionAt(0), { line: 0, character: 0 });
    assert.deepStrictEqual(lines.positionAt(4), { line: 1, character: 1 });
    assert.deepStrictEqual(lines.positionAt(7), { line: 2, character: 0 });
    assert.deepStrictEqual(lines.positionAt(11), { line: 3, character: 1 });
  });
});
