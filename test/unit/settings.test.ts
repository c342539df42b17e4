import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { DEFAULT_SETTINGS, DIALECTS, normaliseSettings, SERVER_SETTING_KEYS } from '../../server/src/settings';

interface SchemaProperty {
  type: string;
  default: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  scope?: string;
  additionalProperties?: unknown;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
const schema: Record<string, SchemaProperty> = manifest.contributes.configuration.properties;

describe('settings', () => {
  it('reads exactly the queryLens settings that package.json declares, with the same defaults', () => {
    const declared = Object.keys(schema)
      .filter((key) => !key.startsWith('queryLens.trace.')) // read by the client, not the server
      .map((key) => key.slice('queryLens.'.length))
      .sort();
    assert.deepStrictEqual([...SERVER_SETTING_KEYS].sort(), declared);
    for (const key of SERVER_SETTING_KEYS) {
      const property = schema[`queryLens.${key}`];
      // A text box in the Settings UI needs a string: the empty URL there is "none" here.
      const declaredDefault = key === 'connection' && property.default === '' ? null : property.default;
      assert.deepStrictEqual(declaredDefault, DEFAULT_SETTINGS[key], `default of queryLens.${key}`);
      assert.strictEqual(property.scope, 'resource', `queryLens.${key} is per resource`);
    }
    assert.deepStrictEqual(schema['queryLens.dialect'].enum, [...DIALECTS]);
  });

  it('declares the connection settings as URLs, which the Settings UI edits (a text box, a table of globs to URLs)', () => {
    assert.deepStrictEqual([schema['queryLens.connection'].type, schema['queryLens.connection'].default], ['string', '']);
    assert.deepStrictEqual(schema['queryLens.connections'].additionalProperties, { type: 'string' });
    assert.strictEqual(normaliseSettings({ connection: '' }).connection, null);
    assert.deepStrictEqual(normaliseSettings({ connections: { 'analytics/**': 'postgres://app@localhost/analytics' } }).connections, { 'analytics/**': { url: 'postgres://app@localhost/analytics' } });
  });

  it('normalises untrusted values: wrong types fall back, numbers are clamped to the schema range', () => {
    assert.deepStrictEqual(normaliseSettings(null), DEFAULT_SETTINGS);
    assert.deepStrictEqual(normaliseSettings({ enable: 'yes', dialect: 'oracle', debounceMs: 'fast', maxFileSizeKb: NaN }), DEFAULT_SETTINGS);
    const clamped = normaliseSettings({ dialect: 'MySQL', debounceMs: 99_999, maxFileSizeKb: 0 });
    assert.strictEqual(clamped.dialect, 'mysql');
    assert.strictEqual(clamped.debounceMs, schema['queryLens.debounceMs'].maximum);
    assert.strictEqual(clamped.maxFileSizeKb, schema['queryLens.maxFileSizeKb'].minimum);
  });

  it('clamps every numeric setting to exactly the range package.json declares, and rounds it', () => {
    const numeric = Object.entries(schema).filter(([key, property]) => !key.startsWith('queryLens.trace.') && (property.type === 'integer' || property.type === 'number'));
    assert.strictEqual(numeric.length, 10, `numeric settings: ${numeric.map(([key]) => key).join(', ')}`);
    for (const [key, property] of numeric) {
      const name = key.slice('queryLens.'.length);
      const read = (value: number) => (normaliseSettings({ [name]: value }) as unknown as Record<string, unknown>)[name];
      assert.ok(typeof property.minimum === 'number', `${key} declares its minimum`);
      // No maximum declared: any safe integer.
      const minimum = property.minimum as number;
      const maximum = property.maximum ?? Number.MAX_SAFE_INTEGER;
      assert.strictEqual(read(minimum), minimum, `${key} at its minimum`);
      assert.strictEqual(read(minimum - 1), minimum, `${key} below its minimum`);
      assert.strictEqual(read(maximum), maximum, `${key} at its maximum`);
      if (maximum < Number.MAX_SAFE_INTEGER) assert.strictEqual(read(maximum + 1), maximum, `${key} above its maximum`);
      if (minimum + 1 <= maximum) assert.strictEqual(read(minimum + 0.6), minimum + 1, `${key} is rounded`);
    }
  });
});
