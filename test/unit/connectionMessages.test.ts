import * as assert from 'assert';
import { redactPasswords } from '../../server/src/db/connectionConfig';
import { describeConnectionError } from '../../server/src/db/planner';

describe('what is said of a connection', () => {
  it('redactPasswords: the password of a URL (up to the last @), of ?password= and of a libpq keyword', () => {
    assert.strictEqual(redactPasswords('postgress://user:S3cret@host/db is wrong'), 'postgress://user:***@host/db is wrong');
    assert.strictEqual(redactPasswords('postgres://u:p@ss@h:5/d?sslmode=require&password=abc&x=1'), 'postgres://u:***@h:5/d?sslmode=require&password=***&x=1');
    assert.strictEqual(redactPasswords("host=h password='a b\\' c' user=u"), 'host=h password=*** user=u');
    assert.strictEqual(redactPasswords('postgres://:pw@h/d'), 'postgres://:***@h/d');
    // Nothing to hide: unchanged.
    assert.strictEqual(redactPasswords('postgres://user@host/db, connection refused at host:5432'), 'postgres://user@host/db, connection refused at host:5432');
  });

  it('describeConnectionError names the address, once, whatever the error', () => {
    const target = { host: '127.0.0.1', port: 5433 };
    assert.strictEqual(describeConnectionError({ code: '57P01', message: 'terminating connection due to administrator command' }, target), 'the database at 127.0.0.1:5433 is shutting down or starting up');
    assert.strictEqual(describeConnectionError(new Error('Connection terminated unexpectedly'), target), 'connection to 127.0.0.1:5433 was lost');
    assert.strictEqual(describeConnectionError(new Error('Client has encountered a connection error and is not queryable'), target), 'connection to 127.0.0.1:5433 was lost');
    assert.strictEqual(describeConnectionError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), target), 'connection to 127.0.0.1:5433 was lost');
    assert.strictEqual(describeConnectionError({ code: '57P03' }, { host: '/var/run/postgresql', port: 5432 }), 'the database at /var/run/postgresql/.s.PGSQL.5432 is shutting down or starting up');
  });
});
