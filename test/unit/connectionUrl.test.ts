import * as assert from 'assert';
import * as os from 'os';
import { ConnectionUrlParts, ConnectionUrlResult, connectionUrlProblem, splitConnectionUrl } from '../../client/src/connectionUrl';
import { resolveConnection, secretKey } from '../../server/src/db/connectionConfig';

/** No PG* variables, so that the defaults are libpq's own whatever the machine running the test has set. */
const NO_ENV = {};

function parts(result: ConnectionUrlResult): ConnectionUrlParts {
  assert.ok(!('error' in result), `unexpected error: ${JSON.stringify(result)}`);
  return result;
}

function error(result: ConnectionUrlResult): string {
  assert.ok('error' in result, `expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('splitConnectionUrl (Configure Connection)', () => {
  it('takes the password out of the URL, %-decoded, and keys it by user@host:port/database', () => {
    const split = parts(splitConnectionUrl('postgres://alice:s%40cr%3Aet@db.example.com:6543/app%20db?sslmode=require', NO_ENV));
    assert.deepStrictEqual(split, {
      url: 'postgres://alice@db.example.com:6543/app%20db?sslmode=require',
      secretKey: 'alice@db.example.com:6543/app db',
      password: 's@cr:et',
    });
  });

  it('also takes out a ?password= parameter, keeping the other parameters byte for byte', () => {
    const split = parts(splitConnectionUrl('postgresql://dave@h/db?sslmode=disable&password=p%26w&application_name=a+b%20c', NO_ENV));
    assert.strictEqual(split.url, 'postgresql://dave@h/db?sslmode=disable&application_name=a+b%20c');
    assert.strictEqual(split.password, 'p&w');
    assert.strictEqual(split.secretKey, 'dave@h:5432/db');
  });

  it('has no password when the URL carries none (or an empty one), and leaves such a URL as it was', () => {
    for (const url of ['postgresql://bob@localhost/shop', 'postgresql://bob:@localhost/shop', 'postgresql://bob@localhost/shop?password=']) {
      const split = parts(splitConnectionUrl(url, NO_ENV));
      assert.strictEqual(split.password, undefined, url);
      assert.strictEqual(split.url, 'postgresql://bob@localhost/shop', url);
      assert.strictEqual(split.secretKey, 'bob@localhost:5432/shop', url);
    }
  });

  it("fills the parts the URL leaves out with libpq's defaults: the OS user, localhost, 5432, a database named after the user", () => {
    const user = os.userInfo().username;
    assert.strictEqual(parts(splitConnectionUrl('postgres://', NO_ENV)).secretKey, `${user}@localhost:5432/${user}`);
    assert.strictEqual(parts(splitConnectionUrl('  postgres://db.local:5433  ', NO_ENV)).secretKey, `${user}@db.local:5433/${user}`);
  });

  it('fills them from the PG* variables first, as the server (which inherits the same environment) does', () => {
    const env = { PGUSER: 'carol', PGPORT: '5499', PGDATABASE: 'reports' };
    assert.strictEqual(parts(splitConnectionUrl('postgres://db.local', env)).secretKey, 'carol@db.local:5499/reports');
  });

  it('keys IPv6 hosts without brackets and socket folders decoded, from the host part or ?host=', () => {
    assert.strictEqual(parts(splitConnectionUrl('postgres://u:p@[::1]:5432/d', NO_ENV)).secretKey, 'u@::1:5432/d');
    assert.strictEqual(parts(splitConnectionUrl('postgres://u@%2Fvar%2Frun%2Fpostgresql/d', NO_ENV)).secretKey, 'u@/var/run/postgresql:5432/d');
    assert.strictEqual(parts(splitConnectionUrl('postgres:///d?host=/tmp', NO_ENV)).secretKey, `${os.userInfo().username}@/tmp:5432/d`);
  });

  it('gives the key the server computes from the URL it finds in the settings', () => {
    const urls = [
      'postgres://alice:pw@db.example.com:6543/app%20db?sslmode=require',
      'postgresql://bob@localhost/shop?password=x',
      'postgres://db.local',
      'postgres://u:p@[::1]/d',
      'postgres:///d?host=/tmp&password=x',
    ];
    for (const url of urls) {
      const split = parts(splitConnectionUrl(url, NO_ENV));
      const target = resolveConnection({ connection: { url: split.url }, useEnvFile: false }, undefined, NO_ENV);
      assert.ok(target, url);
      assert.strictEqual(split.secretKey, secretKey(target), url);
      assert.strictEqual(target.inlinePassword, undefined, `${url}: the saved URL still has a password`);
    }
  });

  it('says what is wrong with a URL it cannot use', () => {
    assert.match(error(splitConnectionUrl('mysql://root@localhost/app', NO_ENV)), /postgres:\/\/ or postgresql:\/\//);
    assert.match(error(splitConnectionUrl('localhost:5432/app', NO_ENV)), /postgres:\/\/ or postgresql:\/\//);
    assert.match(error(splitConnectionUrl('', NO_ENV)), /postgres:\/\/ or postgresql:\/\//);
    assert.match(error(splitConnectionUrl('postgres://h:99999/app', NO_ENV)), /not a valid URL/);
    assert.match(error(splitConnectionUrl('postgres://h:0/app', NO_ENV)), /port 0 is not a port number/);
    assert.match(error(splitConnectionUrl('postgres://u:50%zz@h/app', NO_ENV)), /malformed %-escape/);
  });

  it('is the input box validation: a message for a bad URL, none for a good one', () => {
    assert.strictEqual(connectionUrlProblem('postgres://alice@localhost/app'), undefined);
    assert.match(connectionUrlProblem('http://localhost/app') ?? '', /postgres:\/\//);
  });
});
