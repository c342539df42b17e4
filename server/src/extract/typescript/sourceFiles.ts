import * as ts from 'typescript';

/** The VS Code language ids the extractor reads. */
export type TypescriptLanguageId = 'typescript' | 'typescriptreact' | 'javascript' | 'javascriptreact';

const SCRIPT_KINDS: Record<TypescriptLanguageId, { kind: ts.ScriptKind; fileName: string }> = {
  typescript: { kind: ts.ScriptKind.TS, fileName: 'query-lens.ts' },
  typescriptreact: { kind: ts.ScriptKind.TSX, fileName: 'query-lens.tsx' },
  javascript: { kind: ts.ScriptKind.JS, fileName: 'query-lens.js' },
  javascriptreact: { kind: ts.ScriptKind.JSX, fileName: 'query-lens.jsx' },
};

/** The most recently parsed documents, newest last: the versions the next edit most likely starts from. */
const recent: { text: string; languageId: TypescriptLanguageId; sourceFile: ts.SourceFile }[] = [];
/**
 * Two: the document being edited and one other (an editor alternating between two files, or the
 * CLI's previous file). A 5,000-line file's tree is about 10 MB.
 */
const RECENT_LIMIT = 2;
/** An incremental parse pays off when most of the text is unchanged. */
const MIN_UNCHANGED_SHARE = 0.5;

/**
 * Parses a document with the TypeScript compiler's own parser.
 *
 * When the text is an edit of a recently parsed version, the parse is incremental
 * (`ts.updateSourceFile`, what tsserver does on every keystroke): unchanged subtrees are reused
 * as they are, which takes about 1 ms for a one-line edit of a 5,000-line file instead of 5–10.
 *
 * A fresh parse does not set parent pointers (`setParentNodes` false): `collectSyntaxFacts` sets
 * them during the one walk it makes anyway, which saves TypeScript's separate full-tree pass
 * (about a quarter of the parse). JSDoc is not parsed: it holds no queries.
 */
export function parseTypescriptSource(text: string, languageId: TypescriptLanguageId): ts.SourceFile {
  const script = SCRIPT_KINDS[languageId] ?? SCRIPT_KINDS.typescript;
  const updated = updateRecent(text, languageId);
  let sourceFile = updated;
  if (!sourceFile) {
    sourceFile = ts.createSourceFile(script.fileName, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, script.kind);
    freshTrees.add(sourceFile);
  }
  recent.push({ text, languageId, sourceFile });
  if (recent.length > RECENT_LIMIT) {
    recent.shift();
  }
  return sourceFile;
}

/** Trees parsed from scratch, not from an earlier version of their text. */
const freshTrees = new WeakSet<ts.SourceFile>();

/**
 * Whether `sourceFile` was parsed from scratch: a document opened (or reopened) or replaced
 * wholesale, rather than an edit of a text parsed before.
 */
export function isFreshTree(sourceFile: ts.SourceFile): boolean {
  return freshTrees.has(sourceFile);
}

/**
 * Forgets the tree of a document that was closed (its last text): a closed document's tree would
 * otherwise stay until two other parses push it out, about 3 MB for a 5,000-line file.
 */
export function forgetParsedText(text: string): void {
  for (let i = recent.length - 1; i >= 0; i--) {
    if (recent[i].text === text) {
      recent.splice(i, 1);
    }
  }
}

/** Forgets the recently parsed documents (tests compare incremental and fresh parses). */
export function forgetParsedDocuments(): void {
  recent.length = 0;
}

/**
 * Re-parses the recent version that shares the most text with `text`, if it shares enough.
 * The old tree is given up: `ts.updateSourceFile` reuses (and moves) its nodes.
 */
function updateRecent(text: string, languageId: TypescriptLanguageId): ts.SourceFile | undefined {
  let best = -1;
  let bestRange: ts.TextChangeRange | undefined;
  let bestUnchanged = MIN_UNCHANGED_SHARE * text.length;
  for (let i = 0; i < recent.length; i++) {
    const candidate = recent[i];
    if (candidate.languageId !== languageId) {
      continue;
    }
    if (candidate.text === text) {
      recent.splice(i, 1);
      return candidate.sourceFile;
    }
    const range = changeRange(candidate.text, text);
    const unchanged = text.length - range.newLength;
    if (unchanged > bestUnchanged) {
      best = i;
      bestRange = range;
      bestUnchanged = unchanged;
    }
  }
  if (best < 0 || !bestRange) {
    return undefined;
  }
  const [old] = recent.splice(best, 1);
  try {
    return ts.updateSourceFile(old.sourceFile, text, bestRange);
  } catch {
    return undefined; // an internal assertion of the incremental parser: parse afresh
  }
}

/** The one span of `oldText` that `newText` replaces: everything between the common prefix and suffix. */
function changeRange(oldText: string, newText: string): ts.TextChangeRange {
  const shorter = Math.min(oldText.length, newText.length);
  // Whole blocks first (string comparison is a memory compare), then character by character.
  const block = 1024;
  let prefix = 0;
  while (prefix + block <= shorter && oldText.slice(prefix, prefix + block) === newText.slice(prefix, prefix + block)) {
    prefix += block;
  }
  while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) {
    prefix++;
  }
  let suffix = 0;
  const oldEnd = oldText.length;
  const newEnd = newText.length;
  while (suffix + block <= shorter - prefix && oldText.slice(oldEnd - suffix - block, oldEnd - suffix) === newText.slice(newEnd - suffix - block, newEnd - suffix)) {
    suffix += block;
  }
  while (suffix < shorter - prefix && oldText.charCodeAt(oldEnd - 1 - suffix) === newText.charCodeAt(newEnd - 1 - suffix)) {
    suffix++;
  }
  return ts.createTextChangeRange(ts.createTextSpan(prefix, oldText.length - prefix - suffix), newText.length - prefix - suffix);
}
