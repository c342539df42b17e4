/**
 * What the fuzz tests share: a seeded random source (the same seed gives the same run, so a
 * failure is replayed with QUERY_LENS_FUZZ_SEED), statements of PostgreSQL's regression corpus,
 * and the mutations that turn them into the broken text an editor holds while one types.
 */
import { readCorpus } from '../corpus/corpus';

/** The seed of this run: QUERY_LENS_FUZZ_SEED, else a fixed one (runs are reproducible by default). */
export const SEED = (() => {
  const given = process.env.QUERY_LENS_FUZZ_SEED;
  if (given === undefined || given === '') return 20_261_207;
  const seed = Number(given);
  if (!Number.isInteger(seed)) throw new Error(`QUERY_LENS_FUZZ_SEED must be an integer, not ${given}`);
  return seed >>> 0;
})();

/** A small seeded generator (mulberry32): the same numbers on every machine and Node version. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** `count` statements of the regression corpus, chosen by `random` (the corpus is read once). */
export function corpusSample(random: Random, count: number): string[] {
  corpus ??= readCorpus().map((entry) => entry.sql);
  return Array.from({ length: count }, () => random.pick(corpus!));
}
let corpus: string[] | undefined;

/**
 * What is inserted: the openers and closers of everything the scanners track (quotes, dollar
 * quotes, comments, escape strings), placeholders and holes of every syntax, characters outside
 * the BMP and lone surrogates, line and paragraph separators, a BOM, NUL.
 */
const INSERTIONS = [
  "'", '"', '`', '$$', '$tag$', '/*', '*/', '--', '#', "E'\\", '\\', ';', '(', ')', '[', ']', '{', '}',
  '$1', ':name', '%s', '%(name)s', '?', '@p', '${x}', '{x}', '{{x}}', '%order%', '\\set x 1\n',
  '\n', '\r\n', '\t', ' ', 'é', '😀', '\ud800', '\udc00', '\u2028', '\u2029', '\ufeff', '\u0000',
  'SELECT', 'FROM', 'WHERE', 'BEGIN', 'END', 'CASE', 'COPY t FROM stdin;\n', '\\.\n', 'DELIMITER //\n', '-- name: q\n',
  'query-lens-ignore', '-- query-lens-ignore\n',
];

/** Words, runs of white space, and single other characters: what the mutations move around. */
function tokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}_$]+|\s+|[^]/gu) ?? [];
}

/**
 * One to three mutations of `sql`: a token deleted, duplicated or swapped with its neighbour, a
 * piece of syntax inserted, a very long identifier, or the text cut short (possibly inside a
 * surrogate pair).
 */
export function mutate(random: Random, sql: string): string {
  let text = sql;
  const count = 1 + random.below(3);
  for (let m = 0; m < count; m++) {
    const parts = tokens(text);
    const at = random.below(parts.length + 1);
    switch (random.below(7)) {
      case 0:
        parts.splice(at, 1);
        break;
      case 1:
        if (at < parts.length) parts.splice(at, 0, parts[at]);
        break;
      case 2:
        if (at + 1 < parts.length) [parts[at], parts[at + 1]] = [parts[at + 1], parts[at]];
        break;
      case 3:
      case 4:
        parts.splice(at, 0, random.pick(INSERTIONS));
        break;
      case 5:
        // A very long identifier, now and then past PostgreSQL's and the scanners' usual sizes.
        parts.splice(at, 0, 'x'.repeat(random.chance(0.1) ? 100_000 : 1 + random.below(2000)));
        break;
      case 6:
        return parts.join('').slice(0, random.below(text.length + 1));
    }
    text = parts.join('');
  }
  return text;
}

/** A document of `kind` holding `sql` where each kind's SQL goes: a file, a driver call's template, a Python string. */
export function documentOf(kind: 'sql' | 'typescript' | 'python', sql: string, random: Random): string {
  switch (kind) {
    case 'sql':
      return sql;
    case 'typescript':
      return random.chance(0.5)
        ? `import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function run(id: string) {\n  return pool.query(\`${sql}\`, [id]);\n}\n`
        : `export const q = (db: any, x: string) => db.query('${sql.replace(/\n/g, ' ')}' + x);\n`;
    case 'python':
      return random.chance(0.5)
        ? `import psycopg\n\ndef run(cur, value):\n    cur.execute("""${sql}""", (value,))\n`
        : `def run(cur, value):\n    cur.execute(f"${sql.replace(/\n/g, ' ')} {value}")\n`;
  }
}
