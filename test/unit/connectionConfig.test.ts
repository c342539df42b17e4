import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lookUpPassword, readPgpass, resolveConnection, secretKey } from '../../server/src/db/connectionConfig';
import { normaliseSettings } from '../../server/src/settings';

describe('connection settings, resolved as libpq users expect', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-connection-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const settings = (raw: Record<string, unknown>) => normaliseSettings(raw);

  it('takes queryLens.connection first, as a URL, with percent-decoding and the PG* variables for what it leaves out', () => {
    const target = resolveConnection(settings({ connection: 'postgres://app%40corp@db.internal/app%20db?sslmode=require' }), root, { PGPORT: '6543', DATABASE_URL: 'postgres://other@elsewhere/x' });
    assert.deepStrictEqual(target, { host: 'db.internal', port: 6543, database: 'app db', user: 'app@corp', sslmode: 'require', source: 'queryLens.connection' });
    assert.strictEqual(secretKey(target!), 'app@corp@db.internal:6543/app db');
  });

  it('takes the parts form of queryLens.connection', () => {
    const target = resolveConnection(settings({ connection: { host: '/var/run/postgresql', database: 'shop', port: 5433 } }), root, { PGUSER: 'me' });
    assert.deepStrictEqual(target, { host: '/var/run/postgresql', port: 5433, database: 'shop', user: 'me', sslmode: undefined, source: 'queryLens.connection' });
  });

  it('keeps a password written in the URL for when the server asks, out of the secret key', () => {
    const target = resolveConnection(settings({ connection: 'postgresql://u:p%3Ass@h:1/d' }), root, {});
    assert.strictEqual(target?.inlinePassword, 'p:ss');
    assert.strictEqual(secretKey(target!), 'u@h:1/d');
  });

  it('falls back to DATABASE_URL, then to the PG* variables, then to nothing (the embedded database)', () => {
    assert.strictEqual(resolveConnection(settings({}), root, { DATABASE_URL: 'postgres://a@b:2/c' })?.source, 'DATABASE_URL');
    assert.deepStrictEqual(resolveConnection(settings({}), root, { PGHOST: 'pg', PGDATABASE: 'shop', PGUSER: 'app' }), {
      host: 'pg',
      port: 5432,
      database: 'shop',
      user: 'app',
      sslmode: undefined,
      source: 'PG* variables',
    });
    // A DATABASE_URL of another database kind is not ours.
    assert.strictEqual(resolveConnection(settings({}), root, { DATABASE_URL: 'mysql://a@b/c' }), undefined);
    assert.strictEqual(resolveConnection(settings({}), root, {}), undefined);
  });

  it('reads the workspace .env only when asked to, and lets the process environment win', () => {
    fs.writeFileSync(path.join(root, '.env'), '# local\nDATABASE_URL="postgres://fromfile@localhost:5432/shop"\nPGUSER=ignored\n');
    assert.strictEqual(resolveConnection(settings({}), root, {}), undefined);
    const fromFile = resolveConnection(settings({ useEnvFile: true }), root, {});
    assert.deepStrictEqual(fromFile && [fromFile.user, fromFile.database, fromFile.source], ['fromfile', 'shop', 'DATABASE_URL in .env']);
    const fromProcess = resolveConnection(settings({ useEnvFile: true }), root, { DATABASE_URL: 'postgres://proc@h/d' });
    assert.deepStrictEqual(fromProcess && [fromProcess.user, fromProcess.source], ['proc', 'DATABASE_URL']);
  });

  it('says in one line what is wrong with a malformed connection', () => {
    assert.throws(() => resolveConnection(settings({ connection: 'not a url' }), root, {}), /^Error: queryLens\.connection is not a valid URL \(expected postgres:\/\/user@host:5432\/database\)$/);
    assert.throws(() => resolveConnection(settings({ connection: 'mysql://a@b/c' }), root, {}), /^Error: queryLens\.connection must start with postgres:\/\/ or postgresql:\/\/, not mysql:\/\/$/);
  });

  it('reads ~/.pgpass like libpq: wildcards, escapes, first match, and not when others can read it', () => {
    const file = path.join(root, 'pgpass');
    fs.writeFileSync(file, '# comment\nother:5432:*:app:nope\nlocalhost:5432:shop:app:pa\\:ss\\\\word\n*:*:*:app:fallback\n', { mode: 0o600 });
    const env = { PGPASSFILE: file };
    assert.strictEqual(readPgpass({ host: 'localhost', port: 5432, database: 'shop', user: 'app' }, env), 'pa:ss\\word');
    assert.strictEqual(readPgpass({ host: 'db', port: 6000, database: 'x', user: 'app' }, env), 'fallback');
    assert.strictEqual(readPgpass({ host: 'db', port: 6000, database: 'x', user: 'root' }, env), undefined);
    fs.chmodSync(file, 0o644);
    assert.strictEqual(readPgpass({ host: 'localhost', port: 5432, database: 'shop', user: 'app' }, env), undefined);
  });

  it('looks a password up in order: the stored secret, the URL, PGPASSWORD, ~/.pgpass', async () => {
    const file = path.join(root, 'pgpass');
    fs.writeFileSync(file, '*:*:*:*:from-pgpass\n', { mode: 0o600 });
    const target = { host: 'h', port: 1, database: 'd', user: 'u', source: 'test' };
    const none = async () => undefined;
    assert.strictEqual(await lookUpPassword(target, async () => 'stored', { PGPASSWORD: 'env', PGPASSFILE: file }), 'stored');
    assert.strictEqual(await lookUpPassword({ ...target, inlinePassword: 'inline' }, none, { PGPASSWORD: 'env', PGPASSFILE: file }), 'inline');
    assert.strictEqual(await lookUpPassword(target, none, { PGPASSWORD: 'env', PGPASSFILE: file }), 'env');
    assert.strictEqual(await lookUpPassword(target, none, { PGPASSFILE: file }), 'from-pgpass');
    assert.strictEqual(await lookUpPassword(target, none, { PGPASSFILE: path.join(root, 'missing') }), undefined);
  });
});
