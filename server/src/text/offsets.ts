/**
 * Offset conversions. Everything in Query Lens is in UTF-16 code units (JavaScript string
 * indices, LSP's default position encoding); PostgreSQL's parser reports code points and its
 * scanner UTF-8 bytes, so those are converted at the boundary.
 */

/** The string index of the `codePoints`-th code point of `text` (clamped to its length). */
export function codePointOffsetToIndex(text: string, codePoints: number): number {
  let index = 0;
  let counted = 0;
  while (counted < codePoints && index < text.length) {
    const c = text.charCodeAt(index);
    index += c >= 0xd800 && c <= 0xdbff && index + 1 < text.length ? 2 : 1;
    counted++;
  }
  return index;
}

/** The string index where the UTF-8 encoding of `text` reaches `bytes` bytes. */
export function byteOffsetToIndex(text: string, bytes: number): number {
  let index = 0;
  let counted = 0;
  while (counted < bytes && index < text.length) {
    const c = text.charCodeAt(index);
    if (c < 0x80) {
      counted += 1;
      index += 1;
    } else if (c < 0x800) {
      counted += 2;
      index += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && index + 1 < text.length) {
      counted += 4;
      index += 2;
    } else {
      counted += 3;
      index += 1;
    }
  }
  return index;
}

/**
 * For each UTF-8 byte offset of `text`, the string index of the character it falls in: one pass,
 * then O(1) per conversion (converting many offsets one by one from the start is quadratic).
 */
export function utf8OffsetTable(text: string): Int32Array {
  const table = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const c = text.charCodeAt(index);
    const width = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff && index + 1 < text.length ? 4 : 3;
    table.fill(index, bytes, bytes + width);
    bytes += width;
    if (width === 4) {
      index++; // the low surrogate belongs to the same code point
    }
  }
  table[bytes] = text.length;
  return table;
}

export interface LineCharacter {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

/** Maps string offsets to lines and columns; built once per text in O(n). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) {
          i++;
        }
        this.lineStarts.push(i + 1);
      } else if (c === 10) {
        this.lineStarts.push(i + 1);
      }
    }
  }

  positionAt(offset: number): LineCharacter {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }
}
