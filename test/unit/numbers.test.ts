import * as assert from 'assert';
import { formatCount, formatNumber } from '../../server/src/text/numbers';

describe('numbers', () => {
  it('writes thousands separators and trims decimals', () => {
    assert.deepStrictEqual(
      [0, 7, 999, 1000, 12345, 480000, 1234567.891, -9876.5, 0.25, 41.4, 8.27].map((n) => formatNumber(n)),
      ['0', '7', '999', '1,000', '12,345', '480,000', '1,234,567.891', '-9,876.5', '0.25', '41.4', '8.27'],
    );
    assert.deepStrictEqual([1986.4, 1986.5, 10000, 99999.9].map(formatCount), ['1,986', '1,987', '10,000', '100,000']);
  });

  it('gives what toLocaleString("en-US") gives, for counts, costs and sizes', () => {
    // The server does not call toLocaleString (it would map ICU's locale data into memory); the
    // test may, to hold the two to the same output.
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = [0, 1, 9, 10, 99.999, 100, 0.005, 0.015, 123456789012, 1e15];
    for (let i = 0; i < 2000; i++) {
      values.push(Math.floor(random() * 10 ** Math.floor(random() * 13)), random() * 10 ** Math.floor(random() * 9) * (random() < 0.2 ? -1 : 1));
    }
    for (const digits of [0, 1, 2, 3]) {
      for (const value of values) {
        assert.strictEqual(formatNumber(value, digits), value.toLocaleString('en-US', { maximumFractionDigits: digits }), `${value} with ${digits} decimals`);
      }
    }
  });
});
