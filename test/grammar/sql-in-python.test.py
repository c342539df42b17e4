# SYNTAX TEST "source.python" "SQL in Python"
"""Select what this module does: a module docstring, never SQL."""
#  ^^^^^^^^^^^ string.quoted.docstring.multi.python - meta.embedded.block.sql

# The first argument of execute / executemany / executescript (DB-API: psycopg, sqlite3, mysqlclient).
cur.execute("SELECT id, email FROM users WHERE id = %s", (user_id,))
#           ^ string.quoted.single.python punctuation.definition.string.begin.python - meta.embedded.block.sql
#            ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                             ^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                                                 ^ meta.embedded.block.sql keyword.operator.comparison.sql
#                                                   ^^ string.quoted.single.python meta.embedded.block.sql meta.format.percent.python constant.character.format.placeholder.other.python
#                                                     ^ string.quoted.single.python punctuation.definition.string.end.python - meta.embedded.block.sql
#                                                         ^^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
cur.execute('UPDATE users SET name = %(name)s WHERE id = %(id)s', params)
#            ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                                    ^^^^^^^^ meta.embedded.block.sql meta.format.percent.python constant.character.format.placeholder.other.python
#                                                                 ^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
cur.execute( "SELECT id " "FROM users"  "WHERE id = %s", (user_id,))
#             ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                          ^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                                        ^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#                                                         ^^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
cur.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)
#                ^^^^^^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
#                                     ^^^^^^ meta.embedded.block.sql keyword.other.DML.II.sql
conn.executescript("""CREATE TABLE t (id integer PRIMARY KEY); DROP TABLE old""")
#                  ^^^ string.quoted.multi.python punctuation.definition.string.begin.python
#                     ^^^^^^ string.quoted.multi.python meta.embedded.block.sql
#                                        ^^^^^^^ meta.embedded.block.sql storage.type.sql
#                                                ^^^^^^^^^^^ meta.embedded.block.sql storage.modifier.sql
#                                                              ^^^^ meta.embedded.block.sql
#                                                                            ^^^ string.quoted.multi.python punctuation.definition.string.end.python - meta.embedded.block.sql

# asyncpg (fetch, fetchrow, fetchval, execute), Django (raw), SQLAlchemy (text).
rows = await conn.fetch("SELECT * FROM orders WHERE total > $1", minimum)
#                        ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
#                                                         ^ meta.embedded.block.sql keyword.operator.comparison.sql
row = await conn.fetchrow('select name from users where id = $1', uid)
#                          ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
#                                                 ^^^^^ meta.embedded.block.sql keyword.other.DML.sql
n = await conn.fetchval("SELECT count(*) FROM t")
#                               ^^^^^ meta.embedded.block.sql support.function.aggregate.sql
people = Person.objects.raw("SELECT * FROM myapp_person WHERE last_name = %s", [name])
#                            ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
stmt = text("SELECT * FROM users WHERE id = :id")
#            ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
session.execute(sa.text("DELETE FROM sessions WHERE expires < now()"))
#                        ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql

# Prefixes: u, r and R (raw: no escapes), f (holes stay Python), rf.
cur.execute(u'SELECT 1')
#           ^ string.quoted.single.python storage.type.string.python
#             ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
cur.execute(r'SELECT * FROM t WHERE name ~ \'\d+\'')
#           ^ string.quoted.raw.single.python storage.type.string.python
#             ^^^^^^ string.quoted.raw.single.python meta.embedded.block.sql keyword.other.DML.sql
#                                            ^^ meta.embedded.block.sql - constant.character.escape.python
cur.execute(f"SELECT * FROM {table} WHERE id = {user.id} AND n > {len(names)}")
#           ^ meta.fstring.python storage.type.string.python
#            ^ meta.fstring.python punctuation.definition.string.begin.python
#             ^^^^^^ meta.fstring.python meta.embedded.block.sql keyword.other.DML.sql
#                           ^ meta.fstring.python meta.embedded.block.sql constant.character.format.placeholder.other.python
#                            ^^^^^ meta.fstring.python - keyword.other.DML.sql
#                                                   ^ meta.fstring.python meta.member.access.python punctuation.separator.period.python
#                                                        ^^^ meta.fstring.python meta.embedded.block.sql keyword.other.DML.sql
#                                                                 ^^^ meta.fstring.python support.function.builtin.python
#                                                                            ^ meta.fstring.python punctuation.definition.string.end.python - meta.embedded.block.sql
cur.execute(f"SELECT * FROM t WHERE name = '{name}' AND note = '{{literal}}'")
#                                          ^ meta.embedded.block.sql string.quoted.single.sql punctuation.definition.string.begin.sql
#                                           ^ meta.embedded.block.sql string.quoted.single.sql constant.character.format.placeholder.other.python
#                                            ^^^^ meta.fstring.python meta.embedded.block.sql string.quoted.single.sql - keyword.other.DML.sql
#                                                               ^^ meta.embedded.block.sql string.quoted.single.sql constant.character.escape.python
cur.execute(rf"SELECT {col} FROM t")
#           ^^ meta.fstring.python storage.type.string.python
#              ^^^^^^ meta.fstring.python meta.embedded.block.sql keyword.other.DML.sql
#                     ^ meta.fstring.python meta.embedded.block.sql constant.character.format.placeholder.other.python

# Triple-quoted arguments, and arguments that start on the line after the call.
cur.execute("""
#           ^^^ string.quoted.multi.python punctuation.definition.string.begin.python
    SELECT u.id, u.email -- newest first
#   ^^^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
#                        ^^^^^^^^^^^^^^^ string.quoted.multi.python meta.embedded.block.sql comment.line.double-dash.sql
    FROM users u
#   ^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
    WHERE u.name = 'it''s' AND u.id = %s
#                  ^^^^ meta.embedded.block.sql string.quoted.single.sql
#                                     ^^ meta.embedded.block.sql constant.character.format.placeholder.other.python
""", (user_id,))
# <--- string.quoted.multi.python punctuation.definition.string.end.python - meta.embedded.block.sql
#     ^^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
cur.execute(
    'SELECT id, name '
#    ^^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
    'FROM users '
#    ^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
    'WHERE id = %s',
#    ^^^^^ string.quoted.single.python meta.embedded.block.sql keyword.other.DML.sql
#               ^^ meta.embedded.block.sql constant.character.format.placeholder.other.python
    (user_id,),
#    ^^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
)
result = await conn.execute(
    f'''
#   ^ meta.fstring.python storage.type.string.python
    INSERT INTO events (kind) VALUES ('{kind}')
#   ^^^^^^^^^^^ meta.fstring.python meta.embedded.block.sql keyword.other.DML.sql
#                                      ^ meta.embedded.block.sql string.quoted.single.sql constant.character.format.placeholder.other.python
    '''
#   ^^^ meta.fstring.python punctuation.definition.string.end.python - meta.embedded.block.sql
)

# Elsewhere, triple-quoted strings whose text starts with a SQL keyword.
USERS_BY_NAME = """
#               ^^^ string.quoted.multi.python punctuation.definition.string.begin.python - meta.embedded.block.sql
    select id, name
#   ^^^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
    from users
#   ^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
    where name = %(name)s
#                ^^^^^^^^ string.quoted.multi.python meta.embedded.block.sql constant.character.format.placeholder.other.python
"""
# <--- string.quoted.multi.python punctuation.definition.string.end.python - meta.embedded.block.sql
RECENT = '''WITH recent AS (SELECT * FROM events) SELECT count(*) FROM recent'''
#           ^^^^ string.quoted.multi.python meta.embedded.block.sql
#                           ^^^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
ONE = '''SELECT 'a' AS x'''
#               ^^^ string.quoted.multi.python meta.embedded.block.sql string.quoted.single.sql
#                   ^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.alias.sql
#                       ^^^ string.quoted.multi.python punctuation.definition.string.end.python - string.quoted.single.sql
def insert_event(kind):
    """Insert an event. A docstring that starts with a keyword stays a docstring."""
#      ^^^^^^^^^^^^^^^ string.quoted.docstring.multi.python - meta.embedded.block.sql
    return f"""
#           ^^^ meta.fstring.python punctuation.definition.string.begin.python
        INSERT INTO events (kind) VALUES ({kind!r})
#       ^^^^^^^^^^^ meta.fstring.python meta.embedded.block.sql keyword.other.DML.sql
#                                         ^ meta.fstring.python meta.embedded.block.sql constant.character.format.placeholder.other.python
    """
frame = pd.read_sql(
    """
#   ^^^ string.quoted.multi.python punctuation.definition.string.begin.python
    SELECT * FROM sales
#   ^^^^^^ string.quoted.multi.python meta.embedded.block.sql keyword.other.DML.sql
    """,
#   ^^^ string.quoted.multi.python punctuation.definition.string.end.python - meta.embedded.block.sql
    engine,
#   ^^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
)

# Not SQL.
HELP = """
Select a file, then update the list.
# <------------- string.quoted.multi.python - meta.embedded.block.sql
"""
MESSAGE = f"""
Update {name}: see the list
# <------ meta.fstring.python string.interpolated.python string.quoted.multi.python - meta.embedded.block.sql
#      ^ meta.fstring.python constant.character.format.placeholder.other.python - meta.embedded.block.sql
"""
GREETING = """With kind regards"""
#             ^^^^^^^^^^^^^^^^^ string.quoted.multi.python - meta.embedded.block.sql
TITLE = f"""Select {name}"""
#           ^^^^^^ meta.fstring.python string.interpolated.python string.quoted.multi.python - meta.embedded.block.sql
#                  ^ meta.fstring.python constant.character.format.placeholder.other.python - meta.embedded.block.sql
#                        ^^^ meta.fstring.python punctuation.definition.string.end.python
EMPTY = """""", ALSO_EMPTY = f""""""
#          ^^^ string.quoted.multi.python punctuation.definition.string.end.python
#               ^^^^^^^^^^ - string.quoted.multi.python
#                                ^^^ meta.fstring.python punctuation.definition.string.end.python
cur.execute(query); cur.execute(build("SELECT 1")); after = "SELECT 1"
#           ^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
#                                      ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
#                                                   ^^^^^ - string.quoted.single.python
#                                                            ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
class Report:
    """
    Select the rows to show. A docstring, even when the first line is blank.
#   ^^^^^^^^^^^^^^^ string.quoted.docstring.multi.python - meta.embedded.block.sql
    """
print("SELECT * FROM t")
#      ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
query = "SELECT * FROM t"  # a one-line string on its own: left to the language server
#        ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
st.text("Select a file")
#        ^^^^^^^^^^^^^ string.quoted.single.python - meta.embedded.block.sql
logger.info('update from %s', source)
#            ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
cur.execute(query, "SELECT not the first argument")
#                   ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
cur.execute(
    query,
#   ^^^^^ meta.function-call.arguments.python - meta.embedded.block.sql
    "SELECT not the first argument either",
#    ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
)
requests.get("https://example.com/select")
#                                 ^^^^^^ string.quoted.single.python - meta.embedded.block.sql
# cur.execute('SELECT in a comment')
#              ^^^^^^ comment.line.number-sign.python - meta.embedded.block.sql

# A broken one-line string ends at the end of its line, as Python's own does.
cur.execute("SELECT 'unterminated")
#                   ^^^^^^^^^^^^^ meta.embedded.block.sql string.quoted.single.sql
#                                ^ string.quoted.single.python punctuation.definition.string.end.python - string.quoted.single.sql
#                                 ^ punctuation.definition.arguments.end.python - string.quoted.single.python
cur.execute('SELECT 1 -- comment')
#                               ^ string.quoted.single.python punctuation.definition.string.end.python - comment.line.double-dash.sql
cur.execute("SELECT 'no closing quote at all
#                   ^^^^^^^^^^^^^^^^^^^^^^^^ meta.embedded.block.sql string.quoted.single.sql
done = True
# <---- - string.quoted.single.python
#      ^^^^ constant.language.python - string.quoted.single.python
