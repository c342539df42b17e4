import type { PlaceholderStyle } from '../embeddedSql';

/** The placeholders a SQL text uses, outside its quotes and comments. */
export interface PlaceholderUse {
  /** Highest `$n` number, 0 when there is none. */
  maxDollar: number;
  /** `?` placeholders (knex's `??` identifiers and PostgreSQL's `?|` / `?&` operators excluded). */
  questionMarks: number;
  /** `:name` placeholders (casts `::type` excluded). */
  colonNames: number;
}

const WORD = /[A-Za-z0-9_]/;
const NAME_START = /[A-Za-z_]/;

/**
 * Counts the placeholders of every style in `sql`, skipping quoted text and comments, so the
 * style of a call shared by several drivers (`.query`) can be read from the SQL itself.
 */
export function placeholderUse(sql: string): PlaceholderUse {
  const use: PlaceholderUse = { maxDollar: 0, questionMarks: 0, colonNames: 0 };
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? n : newline;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '') && !WORD.test(sql[i - 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      use.maxDollar = Math.max(use.maxDollar, Number(sql.slice(i + 1, Math.min(j, i + 8))));
      i = j;
      continue;
    }
    if (c === '?') {
      const next = sql[i + 1];
      if (next === '?') {
        i += 2; // knex identifier binding
        continue;
      }
      if (next !== '|' && next !== '&') {
        use.questionMarks++;
      }
      i++;
      continue;
    }
    if (c === ':') {
      if (sql[i + 1] === ':') {
        i += 2;
        continue;
      }
      if (NAME_START.test(sql[i + 1] ?? '') && !WORD.test(sql[i - 1] ?? '')) {
        use.colonNames++;
      }
      i++;
      continue;
    }
    i++;
  }
  return use;
}

/**
 * The style a SQL text's own placeholders say it is written in: `$n` first (PostgreSQL's own),
 * then `?`, then `:name`; `none` when it has none.
 */
export function styleOfContent(sql: string): PlaceholderStyle {
  const use = placeholderUse(sql);
  if (use.maxDollar > 0) {
    return 'dollar';
  }
  if (use.questionMarks > 0) {
    return 'question';
  }
  if (use.colonNames > 0) {
    return 'colon';
  }
  return 'none';
}
