"""Customer look-ups, as a Python service writes them."""
import psycopg


def by_email(conn, email):
    # lower() on the column: no index on email can serve this condition.
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM customers WHERE lower(email) = %s", (email.lower(),))
        return cur.fetchone()


def search(conn, term):
    # A leading wildcard: a b-tree index cannot be used.
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM customers WHERE name LIKE '%%' || %s", (term,))
        return cur.fetchall()
