import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { QueryFilesRequest } from '../../server/src/protocol';
import { TestLspClient } from '../support/lspClient';

/**
 * "Open a File with Queries" (the walkthrough's "Open a query" step): the server lists the
 * workspace's files that hold queries the application runs, with how many and where the first is.
 */
describe('language server over LSP: the files that hold queries', function () {
  this.timeout(30_000);
  let workspace: string;
  let server: TestLspClient | undefined;

  const write = (relative: string, text: string | Buffer) => {
    const file = path.join(workspace, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const uriOf = (relative: string) => pathToFileURL(path.join(workspace, ...relative.split('/'))).href;

  beforeEach(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-files-'));
    write('src/orders.ts', "import { pool } from './db';\n\nexport async function order(id: number) {\n  return pool.query('SELECT id, total FROM orders WHERE id = $1', [id]);\n}\n\nexport const all = () => pool.query('SELECT id FROM orders');\n");
    write('src/util.ts', 'export const twice = (n: number) => n * 2;\n');
    write('reports/monthly.sql', '-- monthly totals\nSELECT sum(total) FROM orders;\nSELECT count(*) FROM customers;\n');
    write('app/models.py', 'def load(cursor):\n    cursor.execute("SELECT id FROM customers WHERE id = %s", (1,))\n');
    // Run once, against the schema of their time, or dependencies: not the application's queries.
    write('migrations/0001_init.sql', 'CREATE TABLE orders (id int PRIMARY KEY, total int);\nSELECT 1;\n');
    write('schema.sql', 'CREATE TABLE customers (id int PRIMARY KEY);\n');
    write('tests/orders.test.ts', "pool.query('SELECT * FROM orders');\n");
    write('node_modules/pg-thing/index.js', "client.query('SELECT 1 FROM pg_class');\n");
    // Over queryLens.maxFileSizeKb (1 KB here), and binary: passed over.
    write('dumps/big.sql', `SELECT 1;\n${'-- padding\n'.repeat(200)}`);
    write('data/blob.sql', Buffer.from([0x53, 0x45, 0x4c, 0x00, 0x01, 0x02]));
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('lists the application files with queries, in path order, with their count and first line; migrations, schema files, tests, dependencies, large and binary files left out', async () => {
    server = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, settings: { debounceMs: 0, maxFileSizeKb: 1 } });
    const found = await server.connection.sendRequest(QueryFilesRequest.type);
    assert.deepStrictEqual(found, {
      files: [
        { uri: uriOf('app/models.py'), queries: 1, firstQueryLine: 1 },
        { uri: uriOf('reports/monthly.sql'), queries: 2, firstQueryLine: 1 },
        { uri: uriOf('src/orders.ts'), queries: 2, firstQueryLine: 3 },
      ],
      // blob.sql, models.py, monthly.sql, orders.ts and util.ts were read; big.sql was not.
      read: 5,
    });
  });

  it('reads an open document as the editor holds it, unsaved edits included', async () => {
    server = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, settings: { debounceMs: 0, maxFileSizeKb: 1 } });
    await server.open(uriOf('src/util.ts'), 'typescript', "export const twice = (n: number) => n * 2;\nexport const count = () => pool.query('SELECT count(*) FROM orders');\n");
    const found = await server.connection.sendRequest(QueryFilesRequest.type);
    assert.deepStrictEqual(
      found.files.map((file) => [path.relative(workspace, new URL(file.uri).pathname), file.queries, file.firstQueryLine]),
      [
        ['app/models.py', 1, 1],
        ['reports/monthly.sql', 2, 1],
        ['src/orders.ts', 2, 3],
        ['src/util.ts', 1, 1],
      ],
    );
  });

  it('lists nothing without a workspace folder, and nothing when Query Lens is turned off', async () => {
    server = await TestLspClient.start({ settings: { debounceMs: 0 } });
    assert.deepStrictEqual(await server.connection.sendRequest(QueryFilesRequest.type), { files: [], read: 0 });
    await server.stop();
    server = await TestLspClient.start({ rootUri: pathToFileURL(workspace).href, settings: { debounceMs: 0, enable: false } });
    assert.deepStrictEqual(await server.connection.sendRequest(QueryFilesRequest.type), { files: [], read: 0 });
  });
});
