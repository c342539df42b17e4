import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProjectSettings } from '../../server/src/cli/projectSettings';
import { mappedConnection } from '../../server/src/db/connectionMap';

describe('the CLI reads the project’s .vscode/settings.json', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-settings-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('takes the queryLens.* entries that mean something in CI, and leaves the editor’s own', () => {
    const file = write('a.json', '{ "queryLens.rules": { "select-star": "off" }, "queryLens.debounceMs": 10, "queryLens.connection": "postgres://dev/db", "queryLens.oneOffFiles": ["scripts/**"], "editor.tabSize": 2 }');
    assert.deepStrictEqual(readProjectSettings(file, true), {
      raw: { rules: { 'select-star': 'off' }, oneOffFiles: ['scripts/**'] },
      names: ['queryLens.rules', 'queryLens.oneOffFiles'],
      problems: [],
    });
  });

  it('reads what it can of a damaged file, as VS Code does, and says where the damage is', () => {
    const file = write('b.json', '{\n  "queryLens.oneOffFiles": ["x/**"],\n  "queryLens.rules": { "select-star": "off" \n}\n');
    const read = readProjectSettings(file, true);
    assert.ok(!('error' in read));
    assert.deepStrictEqual(read.raw, { oneOffFiles: ['x/**'], rules: { 'select-star': 'off' } });
    assert.deepStrictEqual(read.problems, [`${file}:5:1: CloseBraceExpected; read what could be read`]);
  });

  it('gives nothing for a missing default file, and an error for a missing named one', () => {
    assert.deepStrictEqual(readProjectSettings(path.join(dir, 'none.json'), false), { raw: {}, names: [], problems: [] });
    assert.deepStrictEqual(readProjectSettings(path.join(dir, 'none.json'), true), { error: `cannot read the settings file ${path.join(dir, 'none.json')}: no such file` });
  });
});

describe('queryLens.connections: which database a file’s queries run against', () => {
  const connections = { 'analytics/': { url: 'postgres://a/analytics' }, 'services/*/reports/**/*.py': { url: 'postgres://r/reports' } };

  it('the first entry whose folder holds the file, or whose glob matches it', () => {
    assert.deepStrictEqual(mappedConnection('analytics/views.sql', connections), { glob: 'analytics/', setting: { url: 'postgres://a/analytics' } });
    assert.deepStrictEqual(mappedConnection('services/billing/reports/x/monthly.py', connections)?.glob, 'services/*/reports/**/*.py');
  });

  it('none for a file outside them, a folder whose name only starts the same, or a file outside the project', () => {
    assert.strictEqual(mappedConnection('app/orders.sql', connections), undefined);
    assert.strictEqual(mappedConnection('analytics-old/views.sql', connections), undefined);
    assert.strictEqual(mappedConnection(undefined, connections), undefined);
  });
});
