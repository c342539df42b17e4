import type { Dialect } from '../settings';
import type { DocumentKind, Query } from './query';
import { extractSqlFileQueries } from './sqlFile';
import type * as PythonExtractor from './python/extractPython';
import type * as TypescriptExtractor from './typescript/extractTypescript';

/**
 * Finds every query in a document. In a SQL file each statement is a query and maps to the
 * document by a plain shift; TypeScript, JavaScript and Python files are read by their own
 * parsers, and each query keeps an exact map back to the characters of its string literals.
 * `languageId` tells TSX and JSX apart (the CLI derives it from the file extension).
 */
export function extractQueries(text: string, kind: DocumentKind, dialect: Dialect, languageId?: string): Query[] {
  switch (kind) {
    case 'sql':
      return extractSqlFileQueries(text, dialect);
    case 'typescript':
    case 'javascript':
      return typescriptExtractor().extractQueriesFromTypescript(text, { dialect, languageId: typescriptLanguageId(kind, languageId) });
    case 'python':
      return pythonExtractor().extractQueriesFromPython(text, { dialect });
    case 'unsupported':
      return [];
  }
}

/**
 * Lets go of what the extractors keep of a closed document's last text to make its next edit
 * cheap (the host language's syntax tree). Loads no extractor that is not loaded already.
 */
export function forgetDocument(text: string, kind: DocumentKind): void {
  if ((kind === 'typescript' || kind === 'javascript') && typescript) {
    typescript.forgetTypescriptText(text);
  } else if (kind === 'python' && python) {
    python.forgetPythonText(text);
  }
}

// The host-language extractors are loaded on first use: the TypeScript compiler alone costs
// about a second and 60 MB to load, which a workspace of SQL files should never pay.
let typescript: typeof TypescriptExtractor | undefined;
let python: typeof PythonExtractor | undefined;

function typescriptExtractor(): typeof TypescriptExtractor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  typescript ??= require('./typescript/extractTypescript') as typeof TypescriptExtractor;
  return typescript;
}

function pythonExtractor(): typeof PythonExtractor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  python ??= require('./python/extractPython') as typeof PythonExtractor;
  return python;
}

function typescriptLanguageId(kind: 'typescript' | 'javascript', languageId: string | undefined): TypescriptExtractor.TypescriptLanguageId {
  if (languageId === 'typescriptreact' || languageId === 'javascriptreact' || languageId === kind) {
    return languageId;
  }
  return kind;
}
