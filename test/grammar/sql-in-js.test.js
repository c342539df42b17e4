// SYNTAX TEST "source.js" "SQL in JavaScript"
// Tagged templates: sql`...`, Prisma.sql`...`, db.sql`...`, prisma.$queryRaw`...`, $executeRaw.
const byId = sql`SELECT id, email FROM users WHERE id = ${id}`;
//           ^^^ entity.name.function.tagged-template.js
//              ^ string.template.js punctuation.definition.string.template.begin.js
//               ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                ^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                           ^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                                    ^ string.template.js meta.embedded.block.sql keyword.operator.comparison.sql
//                                                      ^^ string.template.js meta.embedded.block.sql meta.template.expression.js punctuation.definition.template-expression.begin.js
//                                                        ^^ meta.template.expression.js meta.embedded.line.js variable.other.readwrite.js
//                                                          ^ meta.template.expression.js punctuation.definition.template-expression.end.js
//                                                           ^ string.template.js punctuation.definition.string.template.end.js - meta.embedded.block.sql
//                                                            ^ punctuation.terminator.statement.js - string.template.js

// An expression in a hole stays TypeScript, whatever its names: `from` and `select` are variables.
await sql`SELECT * FROM t WHERE a = ${from} AND b = ${select.where}`;
//                                    ^^^^ meta.embedded.line.js variable.other.readwrite.js - keyword.other.DML.sql
//                                          ^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                    ^^^^^^ meta.embedded.line.js variable.other.object.js - keyword.other.DML.sql
//                                                           ^^^^^ meta.embedded.line.js variable.other.property.js - keyword.other.DML.sql

const page = await Prisma.sql`SELECT * FROM posts ORDER BY created_at DESC LIMIT ${n}`;
//                 ^^^^^^ variable.other.object.js - meta.embedded.block.sql
//                       ^ punctuation.accessor.js
//                        ^^^ entity.name.function.tagged-template.js
//                                                ^^^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                                    ^^^^ meta.embedded.block.sql keyword.other.order.sql
//                                                                         ^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                                                 ^ meta.embedded.line.js variable.other.readwrite.js

const users = await prisma.$queryRaw`SELECT * FROM users WHERE email = ${email}`;
//                  ^^^^^^ variable.other.object.js
//                         ^^^^^^^^^ entity.name.function.tagged-template.js
//                                   ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                          ^ meta.embedded.block.sql keyword.operator.star.sql
await tx.$executeRaw`UPDATE users SET name = ${name} WHERE id = ${id}`;
//       ^^^^^^^^^^^ entity.name.function.tagged-template.js
//                   ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                ^^^ meta.embedded.block.sql keyword.other.DML.sql
const one = this.db.sql`SELECT 1`;
//          ^^^^ variable.language.this.js
//               ^^ variable.other.object.property.js
//                  ^^^ entity.name.function.tagged-template.js
//                             ^ meta.embedded.block.sql constant.numeric.sql
const fragment = sql.fragment`AND deleted_at IS NULL`, legacy = SQL`DELETE FROM t`;
//               ^^^ variable.other.object.js
//                   ^^^^^^^^ entity.name.function.tagged-template.js
//                            ^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                              ^^^^ meta.embedded.block.sql keyword.other.DDL.create.II.sql
//                                                              ^^^ entity.name.function.tagged-template.js
//                                                                  ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const typed = sql.type(User)`SELECT id FROM users`;
//                ^^^^ entity.name.function.js
//                     ^^^^ variable.other.readwrite.js - meta.embedded.block.sql
//                           ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql

// Nested fragments: a sql`...` inside a hole is SQL again; the outer template goes on after it.
const q = sql`SELECT * FROM t WHERE ${cond ? sql`a = ${x}` : sql`TRUE`} ORDER BY id`;
//                                    ^^^^ meta.template.expression.js meta.embedded.line.js variable.other.readwrite.js
//                                           ^^^ meta.embedded.line.js entity.name.function.tagged-template.js
//                                               ^^^ meta.embedded.line.js string.template.js meta.embedded.block.sql
//                                                     ^ meta.embedded.line.js string.template.js meta.embedded.block.sql meta.template.expression.js meta.embedded.line.js variable.other.readwrite.js
//                                                               ^^^^ meta.embedded.line.js string.template.js meta.embedded.block.sql
//                                                                      ^^^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql

// Multi-line templates, with SQL strings, comments, placeholders and escapes.
const report = sql`
//                ^ string.template.js punctuation.definition.string.template.begin.js
  -- monthly totals
//^^ string.template.js meta.embedded.block.sql comment.line.double-dash.sql punctuation.definition.comment.sql
//   ^^^^^^^^^^^^^^ meta.embedded.block.sql comment.line.double-dash.sql
  SELECT date_trunc('month', created_at) AS month, count(*)
//^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                  ^^^^^^^ meta.embedded.block.sql string.quoted.single.sql
//                                       ^^ meta.embedded.block.sql keyword.other.alias.sql
//                                                 ^^^^^ meta.embedded.block.sql support.function.aggregate.sql
  FROM orders /* all of them */
//^^^^ meta.embedded.block.sql keyword.other.DML.sql
//               ^^^^^^^^^^^ meta.embedded.block.sql comment.block.sql
  WHERE status = '${status}' AND note <> 'it\'s' AND id = $1
//               ^ meta.embedded.block.sql string.quoted.single.sql punctuation.definition.string.begin.sql
//                ^^ meta.embedded.block.sql string.quoted.single.sql meta.template.expression.js punctuation.definition.template-expression.begin.js
//                  ^^^^^^ meta.embedded.block.sql string.quoted.single.sql meta.template.expression.js meta.embedded.line.js variable.other.readwrite.js
//                                    ^^ meta.embedded.block.sql keyword.operator.comparison.sql
//                                          ^^ meta.embedded.block.sql string.quoted.single.sql constant.character.escape.js
  GROUP BY 1\n`;
//^^^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//          ^^ string.template.js meta.embedded.block.sql constant.character.escape.js
//            ^ string.template.js punctuation.definition.string.template.end.js
const after = 1;
// <----- storage.type.js - string.template.js
//    ^^^^^ variable.other.constant.js - meta.embedded.block.sql

// Host rules around a template close where they should: an arrow body, a return.
const byName = (name) => sql`SELECT * FROM users WHERE name = ${name}`;
//                           ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
function recent() { return sql`SELECT * FROM events ORDER BY at DESC`; }
//                  ^^^^^^ keyword.control.flow.js
//                                                              ^^^^ meta.embedded.block.sql keyword.other.order.sql
//                                                                     ^ punctuation.definition.block.js - string.template.js
const next = 2;
// <----- storage.type.js - string.template.js
//    ^^^^ variable.other.constant.js

// The first argument of a driver call, when it starts on the line of the call.
const { rows } = await pool.query(`SELECT * FROM users WHERE id = $1`, [id]);
//                          ^^^^^ entity.name.function.js
//                                ^ string.template.js punctuation.definition.string.template.begin.js
//                                 ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                                                     ^^^^ meta.array.literal.js - meta.embedded.block.sql
const r = await client.query('SELECT * FROM users WHERE email = $1', [email]);
//                           ^ string.quoted.single.js punctuation.definition.string.begin.js - meta.embedded.block.sql
//                            ^^^^^^ string.quoted.single.js meta.embedded.block.sql keyword.other.DML.sql
//                                                      ^^^^^^^^^^ string.quoted.single.js meta.embedded.block.sql
//                                                                ^ string.quoted.single.js punctuation.definition.string.end.js - meta.embedded.block.sql
await conn.execute("INSERT INTO logs (msg) VALUES (?)", [msg]);
//                  ^^^^^^^^^^^ string.quoted.double.js meta.embedded.block.sql keyword.other.DML.sql
//                                         ^^^^^^ meta.embedded.block.sql keyword.other.DML.II.sql
knex.raw('select * from users where id = ?', [1]);
//        ^^^^^^ string.quoted.single.js meta.embedded.block.sql keyword.other.DML.sql
db('users').whereRaw("lower(email) = ?", [e]).orderByRaw('created_at DESC');
//                    ^^^^^ string.quoted.double.js meta.embedded.block.sql support.function.string.sql
//                                                                   ^^^^ string.quoted.single.js meta.embedded.block.sql keyword.other.order.sql
await prisma.$queryRawUnsafe('SELECT * FROM t WHERE id = $1', id);
//                            ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
await sequelize.query(`DELETE FROM sessions WHERE expires < now()`);
//                     ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                        ^ meta.embedded.block.sql keyword.operator.comparison.sql
await sql.unsafe('select 1');
//                ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql

// ... and when the call ends its line and the argument starts the next one.
const result = await pool.query(
  `SELECT *
//^ string.template.js punctuation.definition.string.template.begin.js
// ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
   FROM accounts WHERE owner = $1`,
// ^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
//                                ^ punctuation.separator.comma.js - meta.embedded.block.sql
  [owner],
// ^^^^^ variable.other.readwrite.js - meta.embedded.block.sql
);

// A /* sql */ comment before a template or string marks it as SQL.
const marked = /* sql */ `SELECT name FROM products`;
//             ^^ comment.block.js punctuation.definition.comment.js
//               ^^^^^ comment.block.js - meta.embedded.block.sql
//                        ^^^^^^ string.template.js meta.embedded.block.sql keyword.other.DML.sql
const marked2 = /*SQL*/ 'update t set a = 1';
//                       ^^^^^^ string.quoted.single.js meta.embedded.block.sql keyword.other.DML.sql

// Not SQL: other calls, other arguments, plain templates, names that only contain sql.
console.log('select a file');
//           ^^^^^^^^^^^^^ string.quoted.single.js - meta.embedded.block.sql
fetch('/api/select?from=1');
//     ^^^^^^^^^^^^^^^^^^ string.quoted.single.js - meta.embedded.block.sql
const msg = `select ${n} rows from the list`;
//           ^^^^^^ string.template.js - meta.embedded.block.sql
db.query(options, 'SELECT not the first argument');
//                 ^^^^^^ string.quoted.single.js - meta.embedded.block.sql
const s = mysql`SELECT 1`, t = querySql('SELECT 1'), u = myquery(`SELECT 1`);
//              ^^^^^^ string.template.js - meta.embedded.block.sql
//                                       ^^^^^^ string.quoted.single.js - meta.embedded.block.sql
//                                                                ^^^^^^ string.template.js - meta.embedded.block.sql
// pool.query('SELECT in a comment') and sql`SELECT`
//             ^^^^^^ comment.line.double-slash.js - meta.embedded.block.sql
//                                           ^^^^^^ comment.line.double-slash.js - meta.embedded.block.sql
const text = 'pool.query(`SELECT`)';
//                        ^^^^^^ string.quoted.single.js - meta.embedded.block.sql

// A broken one-line string ends at the end of its line, as TypeScript's own does.
knex.raw('SELECT 1 -- comment');
//      ^ meta.brace.round.js
//                 ^^^^^^^^^^ meta.embedded.block.sql comment.line.double-dash.sql
//                           ^ string.quoted.single.js punctuation.definition.string.end.js - comment.line.double-dash.sql
knex.raw("SELECT 'unterminated");
//               ^^^^^^^^^^^^^ meta.embedded.block.sql string.quoted.single.sql
//                            ^ string.quoted.double.js punctuation.definition.string.end.js - string.quoted.single.sql
knex.raw('SELECT [unterminated
//               ^^^^^^^^^^^^ meta.embedded.block.sql text.bracketed
//                           ^ string.quoted.single.js invalid.illegal.newline.js - meta.embedded.block.sql
);
// <- meta.brace.round.js - string.quoted.single.js
const stillCode = sql`SELECT 1 -- trailing comment`;
// <----- storage.type.js - string.quoted.single.js
//    ^^^^^^^^^ variable.other.constant.js
//                                ^^^^^^^^^^^^^^^^ meta.embedded.block.sql comment.line.double-dash.sql
//                                                ^ string.template.js punctuation.definition.string.template.end.js - comment.line.double-dash.sql
const alsoCode = sql`SELECT 'unterminated`;
//                                       ^ string.template.js punctuation.definition.string.template.end.js - string.quoted.single.sql
//                                        ^ punctuation.terminator.statement.js - string.template.js
export const done = true;
// <------ keyword.control.export.js - string.template.js
