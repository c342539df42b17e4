/**
 * PostgreSQL's quote_identifier, short of its keyword list: a name written bare when it is a
 * plain lower-case identifier, else in double quotes (with its own quotes doubled), so that
 * PostgreSQL reads back exactly that name.
 */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
