/**
 * Parsing Python with @lezer/python, reusing the previous parse of the same document.
 *
 * Lezer parses about 3–4 MB/s on this project's machine, so a 200 KB Python file costs 50–80 ms
 * from scratch: far more than the rest of the extraction. Editors send the whole text on every
 * change, so the last few trees are kept, and the closest one (the API takes no document
 * identity: closest by shared prefix and suffix) is reused by splicing top-level statements:
 * the statements around the change are parsed on their own and put between the old tree's
 * statements before and after it. A top-level statement starts in the same parser state wherever
 * it is, so the result is the tree a full parse gives, when the old tree has no syntax error
 * before the change. About 1 ms for an edit; when the re-parsed statements do not parse cleanly
 * (an unclosed bracket or string may run on past them), everything after the change is parsed.
 *
 * Lezer's own incremental parsing (`TreeFragment`) is not used: with @lezer/python 1.1.19 it
 * sometimes gives a tree that differs from a full parse of the same, valid, text (a function
 * running on over the following ones, seen in randomised tests), and it cannot reuse a run of
 * statements that begins with a comment, so in most real files it re-parses everything after
 * the change anyway.
 */
import { Tree, TreeBuffer } from '@lezer/common';
import { parser } from '@lezer/python';

interface CachedParse {
  /** The text as Lezer read it (see lezerText). */
  text: string;
  tree: Tree;
  /** Where the tree has error nodes: splicing needs them all inside the re-parsed region. */
  errors: number[];
}

/** A few documents open side by side each keep their tree. */
const MAX_ENTRIES = 4;
/** Texts are kept with their trees (about 3.5 bytes of tree per character): bound the total. */
const MAX_CACHED_CHARS = 4 * 1024 * 1024;
/** How many chunks a region end may move past looking for a boundary. */
const MAX_BOUNDARY_TRIES = 16;
/** Below this share of unchanged text, reuse costs more bookkeeping than it saves. */
const MIN_SHARED_FRACTION = 0.5;

const recent: CachedParse[] = [];

/**
 * The syntax tree of a Python document. Lezer recovers from any syntax error with error nodes,
 * which the extractor skips; it can exhaust the stack on input nested tens of thousands deep
 * (a RangeError, which the caller handles).
 */
export function parsePython(original: string): Tree {
  const text = lezerText(original);
  let best: { entry: CachedParse; index: number; prefix: number; suffix: number } | undefined;
  for (let index = 0; index < recent.length; index++) {
    const entry = recent[index];
    if (entry.text === text) {
      touch(index);
      return entry.tree;
    }
    const prefix = sharedPrefix(entry.text, text);
    const suffix = sharedSuffix(entry.text, text, prefix);
    if (!best || prefix + suffix > best.prefix + best.suffix) {
      best = { entry, index, prefix, suffix };
    }
  }
  let parsed: CachedParse | null = null;
  if (best && best.prefix + best.suffix >= text.length * MIN_SHARED_FRACTION) {
    parsed = splice(best.entry, text, best.prefix, best.suffix);
    if (parsed) {
      recent.splice(best.index, 1); // the older version of this document is not needed again
    }
  }
  if (!parsed) {
    const tree = parser.parse(text);
    parsed = { text, tree, errors: errorPositions(tree) };
  }
  remember(parsed);
  return parsed.tree;
}

/** A top-level piece of a tree: a statement, or a buffer of a few statements and comments. */
interface Chunk {
  node: Tree | TreeBuffer;
  from: number;
}

/**
 * Re-parses the top-level statements around the change, or everything from them on when they do
 * not parse cleanly; null when the old tree has a syntax error before them (the parser's state
 * there is then unknown) or when there is little to reuse.
 */
function splice(entry: CachedParse, text: string, prefix: number, suffix: number): CachedParse | null {
  const old = entry.text;
  const changeFrom = prefix;
  const changeTo = old.length - suffix;
  const delta = text.length - old.length;
  const chunks = topLevelChunks(entry.tree);
  const n = chunks.length;
  // The region: the chunks the change touches and one more on either side (an edit at a
  // statement's edge can join it to its neighbour), widened until both ends are boundaries.
  let first = 0;
  while (first < n && chunks[first].from + chunks[first].node.length < changeFrom) first++;
  first = Math.max(0, first - 1);
  // Each try may read a run of comment lines: a few tries, then a full parse is as cheap.
  let regionFrom = 0;
  for (let tries = 0; first > 0; first--) {
    const at = boundaryAt(text, chunks, first);
    if (at >= 0) {
      regionFrom = at;
      break;
    }
    if (++tries > MAX_BOUNDARY_TRIES) return null;
  }
  let after = first;
  while (after < n && chunks[after].from <= changeTo) after++;
  after = Math.min(n, after + 1);
  let regionTo = old.length;
  for (let tries = 0; after < n; after++) {
    const at = boundaryAt(old, chunks, after);
    if (at >= 0) {
      regionTo = at;
      break;
    }
    if (++tries > MAX_BOUNDARY_TRIES) return null;
  }
  if (entry.errors.some((at) => at < regionFrom)) {
    return null;
  }
  let region: Tree | null = null;
  let errors: number[] = [];
  if (after < n && !entry.errors.some((at) => at >= regionTo)) {
    region = parser.parse(text.slice(regionFrom, regionTo + delta));
    errors = errorPositions(region);
    // A statement being typed has errors, and the parser recovers from them. The region still
    // fits when it has recovered by the last chunk, which is text it parsed before: that chunk
    // then begins a top-level statement again, with no error from there on.
    const tail = chunks[after - 1].from + delta - regionFrom;
    if (errors.length > 0 && !(errors.every((at) => at < tail) && hasTopLevelNodeAt(region, tail))) region = null;
  }
  if (!region) {
    // An unclosed bracket or string may run on past the region: parse to the end, as a full
    // parse would from this statement on.
    after = n;
    region = parser.parse(text.slice(regionFrom));
    errors = errorPositions(region);
  }
  const children: (Tree | TreeBuffer)[] = [];
  const positions: number[] = [];
  for (let i = 0; i < first; i++) {
    children.push(chunks[i].node);
    positions.push(chunks[i].from);
  }
  region.children.forEach((child, i) => {
    children.push(child);
    positions.push(region.positions[i] + regionFrom);
  });
  for (let i = after; i < n; i++) {
    children.push(chunks[i].node);
    positions.push(chunks[i].from + delta);
  }
  const tree = new Tree(entry.tree.type, children, positions, text.length);
  return { text, tree, errors: errors.map((at) => at + regionFrom) };
}

function hasTopLevelNodeAt(tree: Tree, at: number): boolean {
  const cursor = tree.cursor();
  if (cursor.firstChild()) {
    do {
      if (cursor.from >= at) return cursor.from === at;
    } while (cursor.nextSibling());
  }
  return false;
}

/**
 * The top-level chunks of a tree, in order: its children, with the anonymous nodes Lezer adds to
 * balance long lists of statements opened up.
 */
function topLevelChunks(tree: Tree): Chunk[] {
  const chunks: Chunk[] = [];
  const stack: { tree: Tree; offset: number; index: number }[] = [{ tree, offset: 0, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.tree.children.length) {
      stack.pop();
      continue;
    }
    const index = top.index++;
    const child = top.tree.children[index];
    const from = top.offset + top.tree.positions[index];
    if (child instanceof Tree && child.type.isAnonymous) {
      stack.push({ tree: child, offset: from, index: 0 });
    } else {
      chunks.push({ node: child, from });
    }
  }
  return chunks;
}

/**
 * Where a region may begin or end before chunk `index`: the start of the chunk's line, when
 * only white space precedes the chunk on that line, the previous chunk has ended by then, and
 * the first line from there that is not blank or a comment starts at column 0. A full parse is
 * then between two top-level statements there, in the state it starts a file in: every block
 * is closed. (A chunk that begins with an indented comment may not be such a place: the next
 * line may still belong to the block before it.) -1 when it is not.
 */
function boundaryAt(text: string, chunks: Chunk[], index: number): number {
  const chunk = chunks[index];
  const previous = chunks[index - 1];
  let lineStart = chunk.from;
  while (lineStart > 0 && (text.charCodeAt(lineStart - 1) === 32 || text.charCodeAt(lineStart - 1) === 9)) lineStart--;
  if ((lineStart > 0 && text.charCodeAt(lineStart - 1) !== 10) || (previous && previous.from + previous.node.length > lineStart)) {
    return -1;
  }
  for (let at = lineStart; at < text.length; ) {
    let i = at;
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 12)) i++;
    const c = text.charCodeAt(i);
    if (i < text.length && c !== 10 && c !== 13 && c !== 35 /* # */) {
      return i === at ? lineStart : -1;
    }
    const end = text.indexOf('\n', i);
    if (end < 0) break;
    at = end + 1;
  }
  return lineStart;
}

function errorPositions(tree: Tree): number[] {
  const errors: number[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errors.push(cursor.from);
  } while (cursor.next());
  return errors;
}

/**
 * The text as Lezer is given it. @lezer/python takes a backslash followed by CRLF as a backslash
 * followed by CR, and the LF then ends the line (1.1.19): a line continuation in a Windows file,
 * inside a string or between tokens, would break the statement. The text Lezer reads has such a
 * pair written as space, backslash, LF instead: same length and so the same offsets, same
 * structure. Strings are read from the document's own text, so their values are untouched.
 */
function lezerText(text: string): string {
  let at = text.indexOf('\\\r\n');
  if (at < 0) {
    return text;
  }
  const parts: string[] = [];
  let done = 0;
  for (; at >= 0; at = text.indexOf('\\\r\n', at + 3)) {
    let run = 1;
    while (at - run >= 0 && text.charCodeAt(at - run) === 92) run++;
    if (run % 2 === 0) continue; // `\\` then CRLF: an escaped backslash, then a line end
    parts.push(text.slice(done, at), ' \\');
    done = at + 2;
  }
  parts.push(text.slice(done));
  return parts.join('');
}

/** A table from node type id to name, holding only the names asked for ('' for the others). */
export function pythonNodeNames(names: string[]): string[] {
  const wanted = new Set(names);
  return parser.nodeSet.types.map((type) => (wanted.has(type.name) ? type.name : ''));
}

/** Forgets every kept tree (tests measure cold parses with it). */
/** Forgets the tree of a document that was closed (its last text). */
export function forgetPythonText(original: string): void {
  const text = lezerText(original);
  for (let i = recent.length - 1; i >= 0; i--) {
    if (recent[i].text === text) {
      recent.splice(i, 1);
    }
  }
}

export function clearPythonParseCache(): void {
  recent.length = 0;
}

function touch(index: number): void {
  const [entry] = recent.splice(index, 1);
  recent.unshift(entry);
}

function remember(parsed: CachedParse): void {
  if (parsed.text.length > MAX_CACHED_CHARS) {
    return;
  }
  recent.unshift(parsed);
  let total = 0;
  for (let i = 0; i < recent.length; i++) {
    total += recent[i].text.length;
    if (i >= MAX_ENTRIES || total > MAX_CACHED_CHARS) {
      recent.length = i;
      break;
    }
  }
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) {
    i++;
  }
  return i;
}

/** The shared suffix, not overlapping the shared prefix in either text. */
function sharedSuffix(a: string, b: string, prefix: number): number {
  const n = Math.min(a.length, b.length) - prefix;
  let i = 0;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) {
    i++;
  }
  return i;
}
