// Deterministic fixtures for scripts/bench.mjs. Every fixture says what the server must report
// for it (the lines of its syntax errors) and which line the edit benchmark rewrites, so the
// bench can check that each timing it takes is of a real analysis, not of a no-op.

/** A small seeded PRNG (mulberry32): the same seed gives the same file on every machine. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];
const COUNTRIES = ['DE', 'FR', 'NL', 'US', 'GB', 'SE', 'JP', 'BR'];
const METHODS = ['card', 'sepa', 'paypal', 'invoice'];
const TOPICS = ['orders', 'customers', 'billing', 'inventory', 'reporting', 'housekeeping', 'audit'];

/**
 * Statement templates: each takes the statement's number (which makes its text unique, so the
 * server cannot reuse another statement's result) and the PRNG, and returns its lines.
 */
const TEMPLATES = [
  {
    weight: 9,
    name: 'select-join',
    lines: (i, r) => {
      const status = pick(r, STATUSES);
      const lines = [
        'SELECT o.id, o.total, c.name AS customer_name, count(oi.id) AS items',
        'FROM orders o',
        'JOIN customers c ON c.id = o.customer_id',
        'LEFT JOIN order_items oi ON oi.order_id = o.id',
        `WHERE o.status = '${status}'`,
        `  AND o.created_at >= now() - interval '${1 + Math.floor(r() * 90)} days'`,
        `  AND o.total > ${i}`,
        'GROUP BY o.id, o.total, c.name',
        `ORDER BY o.created_at DESC`,
        `LIMIT ${10 * (1 + Math.floor(r() * 10))};`,
      ];
      return r() < 0.5 ? lines : [lines[0].replace(', count(oi.id) AS items', ''), lines[1], lines[2], lines[4], lines[6], lines[8] + ';'];
    },
  },
  {
    weight: 22,
    name: 'select',
    lines: (i, r) =>
      r() < 0.5
        ? [`SELECT id, email, name, created_at FROM users WHERE id = ${i};`]
        : [`SELECT p.id, p.name, p.price`, `FROM products p`, `WHERE p.category_id = ${1 + Math.floor(r() * 40)} AND p.stock > ${i % 50}`, 'ORDER BY p.price;'],
  },
  {
    weight: 14,
    name: 'insert',
    lines: (i, r) => {
      const rows = 1 + Math.floor(r() * 3);
      const values = [];
      for (let k = 0; k < rows; k++) {
        const price = (5 + r() * 500).toFixed(2);
        values.push(`('Product ${i}-${k}', ${1 + Math.floor(r() * 40)}, ${price}, ${Math.floor(r() * 1000)})`);
      }
      return [
        'INSERT INTO products (name, category_id, price, stock)',
        ...values.map((v, k) => (k === 0 ? 'VALUES ' : '       ') + v + (k < values.length - 1 ? ',' : '')),
        'RETURNING id;',
      ];
    },
  },
  {
    weight: 14,
    name: 'update',
    lines: (i, r) => [
      'UPDATE orders',
      `SET status = '${pick(r, STATUSES)}', updated_at = now()`,
      `WHERE id = ${i} AND status = '${pick(r, STATUSES)}';`,
    ],
  },
  {
    weight: 10,
    name: 'delete',
    lines: (i, r) => [`DELETE FROM sessions`, `WHERE expires_at < now() - interval '${1 + Math.floor(r() * 30)} days' AND id < ${i * 1000};`],
  },
  {
    weight: 5,
    name: 'create-table',
    lines: (i) => [
      `CREATE TABLE IF NOT EXISTS audit_${i} (`,
      '  id bigserial PRIMARY KEY,',
      '  actor_id bigint NOT NULL REFERENCES users (id),',
      '  action text NOT NULL,',
      "  payload jsonb NOT NULL DEFAULT '{}'::jsonb,",
      '  created_at timestamptz NOT NULL DEFAULT now()',
      ');',
    ],
  },
  {
    weight: 10,
    name: 'create-index',
    lines: (i, r) =>
      r() < 0.5
        ? [`CREATE INDEX IF NOT EXISTS idx_orders_customer_${i} ON orders (customer_id, created_at DESC);`]
        : [`CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email_${i} ON users (lower(email)) WHERE deleted_at IS NULL;`],
  },
  {
    weight: 5,
    name: 'cte',
    lines: (i, r) => [
      'WITH recent AS (',
      '  SELECT customer_id, sum(total) AS spent',
      '  FROM orders',
      `  WHERE created_at > now() - interval '${30 + Math.floor(r() * 300)} days'`,
      '  GROUP BY customer_id',
      ')',
      'SELECT c.id, c.name, r.spent',
      'FROM customers c',
      'JOIN recent r ON r.customer_id = c.id',
      `WHERE r.spent > ${i} AND c.country = '${pick(r, COUNTRIES)}'`,
      'ORDER BY r.spent DESC;',
    ],
  },
  {
    weight: 2,
    name: 'function',
    lines: (i) => [
      `CREATE OR REPLACE FUNCTION order_total_${i}(p_order_id bigint)`,
      'RETURNS numeric',
      'LANGUAGE plpgsql',
      'STABLE',
      'AS $$',
      'DECLARE',
      '  v_total numeric;',
      'BEGIN',
      '  SELECT sum(quantity * price) INTO v_total',
      '  FROM order_items',
      '  WHERE order_id = p_order_id;',
      '  RETURN coalesce(v_total, 0);',
      'END;',
      '$$;',
    ],
  },
  {
    weight: 6,
    name: 'payments',
    lines: (i, r) => [
      `SELECT method, count(*) AS n, sum(amount) AS total`,
      'FROM payments',
      `WHERE paid_at::date = date '2024-01-01' + ${i % 365} AND method <> '${pick(r, METHODS)}'`,
      'GROUP BY method',
      'HAVING count(*) > 1;',
    ],
  },
  {
    weight: 3,
    name: 'transaction',
    lines: (i) => ['BEGIN;', `UPDATE accounts SET balance = balance - 10 WHERE id = ${i};`, `UPDATE accounts SET balance = balance + 10 WHERE id = ${i + 1};`, 'COMMIT;'],
    statements: 4,
  },
];

function pick(r, values) {
  return values[Math.floor(r() * values.length)];
}

/**
 * A psql script of exactly `lines` lines: about one statement per five lines, with comments and
 * blank lines between statements, two statements PostgreSQL rejects, and one SELECT in the
 * middle whose WHERE line the edit benchmark rewrites.
 *
 * Returns `{ text, lines, statements, expectedErrors: [{ line, message }], editLine }` where
 * `editLine` is `{ line, original, broken, alternative }`: the 0-based line, its text, a variant
 * with a syntax error on that line, and another valid variant.
 */
export function generateSqlFixture({ lines: lineCount = 5000, seed = 20240611 } = {}) {
  const r = seededRandom(seed);
  const totalWeight = TEMPLATES.reduce((sum, t) => sum + t.weight, 0);
  const out = [];
  const expectedErrors = [];
  let statements = 0;
  let editLine;
  let i = 0;

  out.push('-- Query Lens benchmark fixture (generated by scripts/bench-fixtures.mjs; do not edit).', '');

  const emit = (stmtLines, count = 1) => {
    out.push(...stmtLines, '');
    statements += count;
  };

  while (out.length < lineCount - 16) {
    i++;
    // Comments: a line comment before a third of the statements, now and then a block comment.
    const c = r();
    if (c < 0.3) {
      out.push(`-- ${pick(r, TOPICS)}: query ${i}`);
    } else if (c < 0.34) {
      out.push('/*', ` * ${pick(r, TOPICS)} section ${i}.`, ' * Kept for the nightly job; see the runbook.', ' */');
    }

    if (expectedErrors.length === 0 && out.length >= lineCount * 0.24) {
      // Trailing comma before FROM: PostgreSQL stops at FROM on the next line.
      emit([`SELECT id, email,`, 'FROM users', `WHERE id = ${i};`]);
      expectedErrors.push({ line: out.length - 4 + 1, message: 'syntax error at or near "FROM"' });
      continue;
    }
    if (!editLine && out.length >= lineCount / 2) {
      const original = `WHERE o.status = 'shipped' AND o.id > ${i}`;
      emit([
        'SELECT o.id, o.total, c.name',
        'FROM orders o',
        'JOIN customers c ON c.id = o.customer_id',
        original,
        'ORDER BY o.created_at DESC',
        'LIMIT 50;',
      ]);
      editLine = {
        line: out.length - 4,
        original,
        // A doubled AND: PostgreSQL reports the second one, on the edited line.
        broken: `WHERE o.status = 'shipped' AND AND o.id > ${i}`,
        alternative: `WHERE o.status = 'delivered' AND o.id >= ${i}`,
      };
      continue;
    }
    if (expectedErrors.length === 1 && out.length >= lineCount * 0.76) {
      // A dangling operator: PostgreSQL stops at WHERE on the next line.
      emit(['UPDATE accounts', 'SET balance = balance +', `WHERE id = ${i};`]);
      expectedErrors.push({ line: out.length - 2, message: 'syntax error at or near "WHERE"' });
      continue;
    }

    let w = r() * totalWeight;
    let template = TEMPLATES[0];
    for (const t of TEMPLATES) {
      w -= t.weight;
      if (w < 0) {
        template = t;
        break;
      }
    }
    const stmt = template.lines(i, r);
    if (out.length + stmt.length + 1 > lineCount - 1) {
      break;
    }
    emit(stmt, template.statements ?? 1);
  }
  while (out.length < lineCount - 1) {
    out.push('-- (padding)');
  }
  out.push('-- end of fixture');
  if (out.length !== lineCount || !editLine || expectedErrors.length !== 2) {
    throw new Error(`fixture generator: ${out.length} lines, edit line ${editLine?.line}, ${expectedErrors.length} errors`);
  }
  if (out[editLine.line] !== editLine.original) {
    throw new Error(`fixture generator: line ${editLine.line} is not the edit line`);
  }
  return { text: out.join('\n') + '\n', lines: out.length, statements, expectedErrors, editLine };
}

/**
 * Query templates for the TypeScript fixture: each is exactly 10 lines (a function and a blank
 * line) holding one query, in the forms application code uses: pg's pool.query with a template
 * literal, knex.raw, a postgres.js `sql` tagged template and Prisma's $queryRaw. All are
 * parameterised and name their columns, so the only diagnostics are the deliberate errors.
 * `where` is the line of the query that the edit benchmark (and the deliberate errors) rewrite.
 */
const TS_TEMPLATES = [
  (i, r) => [
    `export async function ordersOfCustomer${i}(pool: Pool, customerId: number) {`,
    '  const { rows } = await pool.query(',
    '    `SELECT o.id, o.total, o.status, o.created_at',
    '     FROM orders o',
    `     WHERE o.customer_id = $1 AND o.total > ${i}`,
    `     ORDER BY o.created_at DESC LIMIT ${10 + Math.floor(r() * 40)}\`,`,
    '    [customerId],',
    '  );',
    '  return rows;',
    '}',
  ],
  (i, r) => [
    `export function shippedSince${i}(knex: Knex, since: Date) {`,
    '  return knex.raw(',
    `    'SELECT s.id, s.carrier, s.tracking_code FROM shipments s ' +`,
    `      'WHERE s.shipped_at >= ? AND s.weight_grams > ${i} ' +`,
    `      'ORDER BY s.shipped_at LIMIT ${5 + Math.floor(r() * 50)}',`,
    '    [since],',
    '  );',
    '}',
    `// shipments report ${i}`,
    '',
  ],
  (i) => [
    `export async function customerTotals${i}(sql: Sql, country: string) {`,
    '  return sql`',
    '    SELECT c.id, c.name, sum(o.total) AS total',
    '    FROM customers c JOIN orders o ON o.customer_id = c.id',
    `    WHERE c.country = \${country} AND o.total > ${i}`,
    '    GROUP BY c.id, c.name',
    '  `;',
    '}',
    '',
    '',
  ],
  (i) => [
    `export async function productStock${i}(prisma: PrismaClient, sku: string) {`,
    '  return prisma.$queryRaw`',
    '    SELECT p.id, p.sku, i.quantity',
    '    FROM products p JOIN inventory i ON i.product_id = p.id',
    `    WHERE p.sku = \${sku} AND i.quantity > ${i % 100}`,
    '  `;',
    '}',
    '',
    `// stock lookups ${i}`,
    '',
  ],
];

/** The line (0-based, within a template's 10) that holds each template's WHERE clause. */
const TS_WHERE_LINE = [4, 3, 4, 4];

/**
 * A 5,000-line TypeScript module with 500 embedded queries (10 lines each after a 10-line
 * header), two of which carry a doubled AND that PostgreSQL rejects.
 */
export function generateTypescriptFixture({ seed = 7, queries = 500 } = {}) {
  const r = seededRandom(seed);
  const out = [
    "import type { Pool } from 'pg';",
    "import type { Knex } from 'knex';",
    "import type { Sql } from 'postgres';",
    "import type { PrismaClient } from '@prisma/client';",
    '',
    '// Generated by scripts/bench-fixtures.mjs for `npm run bench`: 500 queries in the forms',
    '// application code writes them, so the bench measures finding and analysing embedded SQL.',
    '',
    '/* eslint-disable */',
    '',
  ];
  const expectedErrors = [];
  let editLine;
  for (let i = 0; i < queries; i++) {
    const kind = i % TS_TEMPLATES.length;
    const lines = TS_TEMPLATES[kind](i, r);
    const whereLine = out.length + TS_WHERE_LINE[kind];
    const where = lines[TS_WHERE_LINE[kind]];
    if ((i === 100 || i === 380) && kind === 0) {
      lines[TS_WHERE_LINE[kind]] = where.replace(' AND ', ' AND AND ');
      expectedErrors.push({ line: whereLine, message: 'syntax error at or near "AND"' });
    } else if (i === 248 && kind === 0) {
      editLine = { line: whereLine, original: where, broken: where.replace(' AND ', ' AND AND '), alternative: where.replace('o.total >', 'o.total >=') };
    }
    out.push(...lines);
  }
  const text = out.join('\n') + '\n';
  if (out.length !== 10 + queries * 10 || expectedErrors.length !== 2 || !editLine) {
    throw new Error(`TypeScript fixture generator: ${out.length} lines, ${expectedErrors.length} errors, edit line ${editLine?.line}`);
  }
  return { text, lines: out.length, queries, expectedErrors, editLine };
}
