/**
 * Numbers as messages write them, with thousands separators: `480,000`, `1,234.5`.
 *
 * Written out rather than `toLocaleString('en-US')`: the first call of any locale-aware method
 * maps ICU's locale data into the process, about 7 MB of resident memory for a server that only
 * ever writes English figures.
 */

/**
 * `value` with commas between thousands and at most `maxFractionDigits` decimals, trailing zeros
 * dropped: what `value.toLocaleString('en-US', { maximumFractionDigits })` gives for numbers
 * below 1e21 (those it writes as `String` does).
 */
export function formatNumber(value: number, maxFractionDigits = 3): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) {
    return String(value);
  }
  const { whole, fraction } = roundDecimal(Math.abs(value), maxFractionDigits);
  let grouped = '';
  for (let end = whole.length; end > 0; end -= 3) {
    const group = whole.slice(Math.max(0, end - 3), end);
    grouped = grouped ? `${group},${grouped}` : group;
  }
  const negative = value < 0 || Object.is(value, -0);
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Rounds the shortest decimal form of `value` (≥ 0) half up, as ICU does: 0.015 is "0.015" and
 * rounds to 0.02, where `toFixed` rounds the binary value, 0.01499…, to 0.01.
 */
function roundDecimal(value: number, maxFractionDigits: number): { whole: string; fraction: string } {
  const [mantissa, exponent] = value.toExponential().split('e');
  let digits = mantissa.replace('.', '');
  // value = 0.<digits> × 10^pointIndex
  let pointIndex = Number(exponent) + 1;
  if (pointIndex <= 0) {
    digits = '0'.repeat(1 - pointIndex) + digits;
    pointIndex = 1;
  }
  if (digits.length < pointIndex) {
    digits += '0'.repeat(pointIndex - digits.length);
  }
  const keep = pointIndex + maxFractionDigits;
  if (digits.length > keep) {
    const roundUp = digits.charCodeAt(keep) >= 53; // '5'
    digits = digits.slice(0, keep);
    if (roundUp) {
      let i = keep - 1;
      while (i >= 0 && digits[i] === '9') i--;
      digits = i < 0 ? `1${'0'.repeat(keep)}` : digits.slice(0, i) + String(Number(digits[i]) + 1) + '0'.repeat(keep - 1 - i);
      if (i < 0) pointIndex++;
    }
  }
  return { whole: digits.slice(0, pointIndex).replace(/^0+(?=\d)/, ''), fraction: digits.slice(pointIndex).replace(/0+$/, '') };
}

/** A whole number with thousands separators: `480,000`. */
export function formatCount(value: number): string {
  return formatNumber(Math.round(value), 0);
}
