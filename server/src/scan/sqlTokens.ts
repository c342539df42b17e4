import { isComment, SqlScanner, Tok, type DialectFamily } from './sqlScanner';

/** A token of a statement, comments left out. */
export interface SqlToken {
  /** Offsets (UTF-16) into the statement. */
  start: number;
  end: number;
  /** The token's text, lower-cased (keywords are compared case-insensitively). */
  text: string;
}

/**
 * The tokens of a statement as PostgreSQL's scanner splits it (checked against it on the
 * regression corpus), for placing findings: names, keywords, numbers, literals, quoted
 * identifiers, parameters, operators and punctuation; comments left out. Holes (NUL) are tokens
 * of their own. Written in JavaScript because placing a finding must be cheap: the WebAssembly
 * scanner costs about 0.2 ms a statement, twice as much as parsing it.
 */
export function scanSqlTokens(sql: string, family: DialectFamily = 'postgresql'): SqlToken[] {
  const tokens: SqlToken[] = [];
  const scanner = new SqlScanner(sql, family);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (!isComment(kind)) {
      tokens.push({ start: scanner.start, end: scanner.end, text: sql.slice(scanner.start, scanner.end).toLowerCase() });
    }
  }
  return tokens;
}

/**
 * The first `count` words (keywords or names) of a statement, lower-cased, read with the one SQL
 * scanner: comments, punctuation and literals between them are skipped (`(SELECT …)` starts with
 * `select`). Reads no further than it needs.
 */
export function leadingWords(sql: string, count: number): string[] {
  const words: string[] = [];
  const scanner = new SqlScanner(sql);
  for (let kind = scanner.next(); kind !== Tok.End && words.length < count; kind = scanner.next()) {
    if (kind === Tok.Word) {
      words.push(sql.slice(scanner.start, scanner.end).toLowerCase());
    }
  }
  return words;
}

/**
 * The statement's first token when it is a word, lower-cased; comments skipped, and opening
 * parentheses too with `skipParentheses` (`(SELECT …) UNION (SELECT …)`).
 */
export function firstKeyword(sql: string, skipParentheses = false): string | undefined {
  const scanner = new SqlScanner(sql);
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.LineComment || kind === Tok.BlockComment || (skipParentheses && kind === Tok.Punctuation && sql.charCodeAt(scanner.start) === 40)) {
      continue;
    }
    return kind === Tok.Word ? sql.slice(scanner.start, scanner.end).toLowerCase() : undefined;
  }
  return undefined;
}
