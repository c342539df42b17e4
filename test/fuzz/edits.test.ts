import * as assert from 'assert';
import { DidChangeTextDocumentNotification, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestLspClient } from '../support/lspClient';
import { corpusSample, documentOf, mutate, Random, SEED } from './fuzz';

const EDITS_PER_DOCUMENT = 300;
/** A publish this late is a hang (the documents are small: tens of milliseconds is usual). */
const HANG_MS = 10_000;

/**
 * Random incremental edits over LSP, as an editor sends them while one types, pastes and
 * deletes, some in bursts the server sees before it analyses: the diagnostics published for the
 * last version must be those of a fresh open of the same text (what the server reuses from one
 * run to the next must never show), and the server must still be running.
 */
describe(`fuzz: incremental edits over LSP (seed ${SEED})`, function () {
  this.timeout(120_000);
  let client: TestLspClient;

  before(async () => {
    console.log(`    QUERY_LENS_FUZZ_SEED=${SEED}`);
    client = await TestLspClient.start({ settings: { debounceMs: 0, plans: 'off' } });
  });
  after(async () => {
    await client.stop();
  });

  const cases = [
    { kind: 'sql', languageId: 'sql', extension: 'sql' },
    { kind: 'typescript', languageId: 'typescript', extension: 'ts' },
    { kind: 'python', languageId: 'python', extension: 'py' },
  ] as const;

  for (const { kind, languageId, extension } of cases) {
    it(`${extension}: the last version's diagnostics are a fresh open's`, async () => {
      const random = new Random(SEED ^ (extension.charCodeAt(0) * 0x85ebca6b));
      const statements = corpusSample(random, 12);
      // Holes in value places, for the edits that change what is spliced in.
      const holes = kind === 'typescript' ? ' /* ${a} */ AND ${b}' : kind === 'python' ? ' AND {b}' : ' AND {{b}}';
      let text = statements.map((sql) => documentOf(kind, kind === 'sql' ? `${sql};` : sql, random)).join('\n');
      text += '\n' + documentOf(kind, `SELECT id FROM t WHERE a = 1${holes}`, random);
      const uri = `file:///ws/fuzz/edited.${extension}`;
      await client.open(uri, languageId, text);
      let document = TextDocument.create(uri, languageId, 1, text);
      let version = 1;
      const history: string[] = [];
      for (let sent = 0; sent < EDITS_PER_DOCUMENT; ) {
        // A burst of one to four changes, in one notification or in one each, then the analysis.
        const burst = 1 + random.below(4);
        const together = random.chance(0.5);
        const events: TextDocumentContentChangeEvent[] = [];
        for (let b = 0; b < burst; b++, sent++) {
          const change = randomChange(random, text, statements);
          // A NUL makes the whole file binary, and every later version with it: no more to compare.
          change.text = change.text.replace(/\u0000/g, '');
          history.push(JSON.stringify(change));
          // Each range is in the text as the changes before it left it, as LSP orders them.
          const event: TextDocumentContentChangeEvent = { range: { start: document.positionAt(change.start), end: document.positionAt(change.end) }, text: change.text };
          document = TextDocument.update(document, [event], together ? version + 1 : ++version);
          text = document.getText();
          events.push(event);
          if (!together) {
            await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [event] });
          }
        }
        if (together) {
          version++;
          await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: events });
        }
        const last = version;
        const edited = await client.nextDiagnostics(uri, (p) => p.version === last, HANG_MS);
        // After every burst: a fresh document of the same text gets the same diagnostics.
        const freshUri = `file:///ws/fuzz/fresh-${version}.${extension}`;
        const fresh = await client.open(freshUri, languageId, text);
        await client.close(freshUri);
        assert.deepStrictEqual(edited.diagnostics, fresh.diagnostics, `after ${history.length} edits (seed ${SEED}):\n${history.join('\n')}\ntext: ${JSON.stringify(text)}`);
      }
      assert.ok(!client.exited, 'the server is still running');
    });
  }
});

/** An edit somewhere in `text`: typing a character, deleting a range, pasting a (mutated) statement or a piece of syntax. */
function randomChange(random: Random, text: string, statements: readonly string[]): { start: number; end: number; text: string } {
  const start = random.below(text.length + 1);
  const hole = holeAfter(text, start);
  if (hole >= 0 && random.chance(0.25)) {
    // Inside a hole (`${…}`, `{…}`): the SQL stays the same while what is spliced in changes.
    return { start: hole, end: hole + random.below(3), text: random.pick(['a', 'id', 'Number(', ')', 'name: number', '.x', ' ', '']) };
  }
  switch (random.below(5)) {
    case 0:
      return { start, end: start, text: random.pick(['a', ' ', '\n', "'", '(', ')', ',', ';', '$', '{', '}', '"', '`', '-', '*', '/', '%', '\\', 'é']) };
    case 1:
      return { start, end: Math.min(text.length, start + 1 + random.below(8)), text: '' };
    case 2:
      return { start, end: Math.min(text.length, start + random.below(40)), text: '' };
    case 3:
      // Pastes are cut at 400 characters: the analysis fuzz has the very long ones, and here
      // each would slow every later run of the document.
      return { start, end: start, text: mutate(random, random.pick(statements)).slice(0, 400) };
    default:
      return { start, end: Math.min(text.length, start + random.below(4)), text: mutate(random, random.pick(['SELECT 1', "'x'", '${x}', '{x}', '%s', '/* c */', '-- c\n', '$$', 'WHERE a = 1'])).slice(0, 400) };
  }
}

/** The position just inside the first hole (`${` or `{`) at or after `from`, or -1. */
function holeAfter(text: string, from: number): number {
  const at = text.indexOf('{', from);
  return at < 0 ? -1 : at + 1;
}
