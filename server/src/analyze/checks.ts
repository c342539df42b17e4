import { CODES } from './analyzeDocument';

/** A check Query Lens always runs, with the one-line summary shown in reports. */
export interface CheckInfo {
  id: string;
  summary: string;
}

/**
 * The built-in checks, sorted by id. Each has a page in `docs/rules/<id>.md`; a test keeps the
 * two in step.
 */
export const BUILT_IN_CHECKS: readonly CheckInfo[] = [
  { id: CODES.fileNotAnalysed, summary: 'The file is too large or binary, so none of it was analysed.' },
  { id: CODES.notAnalysed, summary: 'A statement the parser for this dialect could not read, or that was too long to read; it may still be valid.' },
  { id: CODES.syntaxError, summary: "The dialect's own parser rejects the statement: it cannot run." },
  { id: CODES.tooManyFindings, summary: 'The document has more findings than the editor is shown; the rest are left out.' },
];
