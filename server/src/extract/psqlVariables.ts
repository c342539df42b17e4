/**
 * psql replaces `:name`, `:'name'` and `:"name"` with the value of a variable before the server
 * sees the statement, so they are not PostgreSQL syntax. For parsing, the colon is blanked out:
 * `:'name'` becomes a string literal, `:"name"` a quoted identifier and `:name` an identifier,
 * each of the same length, so every offset the parser reports stays exact. Casts (`::`), array
 * slices (`a[1:n]`) and anything inside quotes or comments are left alone.
 */
export function blankPsqlVariables(sql: string): string {
  if (sql.indexOf(':') < 0) {
    return sql;
  }
  let out: string[] | undefined;
  let bracketDepth = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const close = closingQuote(sql, i, c);
      i = close;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag && !(i > 0 && /[A-Za-z_0-9]/.test(sql[i - 1]))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
        continue;
      }
    }
    if (c === '[') {
      bracketDepth++;
    } else if (c === ']' && bracketDepth > 0) {
      bracketDepth--;
    } else if (c === ':') {
      if (sql[i + 1] === ':') {
        i += 2;
        continue;
      }
      const next = sql[i + 1] ?? '';
      if (bracketDepth === 0 && /[A-Za-z_'"]/.test(next) && !(i > 0 && /[A-Za-z_0-9]/.test(sql[i - 1]))) {
        out ??= sql.split('');
        out[i] = ' ';
      }
    }
    i++;
  }
  return out ? out.join('') : sql;
}

function closingQuote(sql: string, open: number, quote: string): number {
  let j = open + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}
