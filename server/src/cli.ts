/**
 * `query-lens`: the command line over the same engine as the language server.
 *
 *   query-lens check   [options] <files or folders…>   diagnostics; exit 0 clean, 1 errors, 2 could not run
 *   query-lens queries [options] <files or folders…>   every query found, with its place
 */
import { DocumentAnalysis } from './analyze/analyzeDocument';
import { initParsers } from './analyze/parse';
import { collectFiles, PathError, readSourceFile } from './cli/files';
import {
  formatDiagnosticsAsSarif,
  formatDiagnosticsAsText,
  formatQueriesAsText,
  ReportedDiagnostic,
  ReportedQuery,
  toReportedDiagnostics,
  toReportedQueries,
} from './cli/report';
import { DIALECTS, normaliseSettings, Settings } from './settings';
import { LineIndex } from './text/offsets';

declare const QUERY_LENS_VERSION: string | undefined;
const VERSION = typeof QUERY_LENS_VERSION === 'string' ? QUERY_LENS_VERSION : 'dev';

export const EXIT_CLEAN = 0;
export const EXIT_ERRORS = 1;
export const EXIT_CANNOT_RUN = 2;

const USAGE = `Usage: query-lens <command> [options] <files or folders…>

Commands:
  check      report syntax errors and findings as diagnostics
  queries    list every query found, with where it is

Options:
  --dialect <name>          postgresql (default), mysql, mariadb or sqlite
  --format <name>           text (default), json, or sarif (check only)
  --max-file-size-kb <n>    skip files larger than this (default 5120)
  -h, --help                show this help
  -v, --version             show the version

Exit status (check): 0 no errors, 1 errors found, 2 could not run.
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface Invocation {
  command: 'check' | 'queries';
  format: Format;
  settings: Settings;
  paths: string[];
}

class UsageError extends Error {}

function parseArguments(argv: string[]): Invocation | 'help' | 'version' | 'usage' {
  const [command, ...rest] = argv;
  if (command === undefined) {
    return 'usage';
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    return 'help';
  }
  if (command === '-v' || command === '--version') {
    return 'version';
  }
  if (command !== 'check' && command !== 'queries') {
    throw new UsageError(`unknown command '${command}' (expected check or queries; see query-lens --help)`);
  }
  let format: Format = 'text';
  const raw: Record<string, unknown> = {};
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const argument = rest[i];
    if (argument === '-h' || argument === '--help') {
      return 'help';
    }
    if (argument === '--') {
      paths.push(...rest.slice(i + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      paths.push(argument);
      continue;
    }
    const eq = argument.indexOf('=');
    const name = eq < 0 ? argument : argument.slice(0, eq);
    const value = eq < 0 ? rest[++i] : argument.slice(eq + 1);
    if (!['--dialect', '--format', '--max-file-size-kb'].includes(name)) {
      throw new UsageError(`unknown option '${name}' (see query-lens --help)`);
    }
    if (value === undefined || value === '') {
      throw new UsageError(`option '${name}' needs a value`);
    }
    if (name === '--dialect') {
      if (!(DIALECTS as readonly string[]).includes(value)) {
        throw new UsageError(`unknown dialect '${value}' (expected ${DIALECTS.join(', ')})`);
      }
      raw.dialect = value;
    } else if (name === '--format') {
      if (!(FORMATS as readonly string[]).includes(value) || (command === 'queries' && value === 'sarif')) {
        const allowed = command === 'queries' ? 'text or json' : 'text, json or sarif';
        throw new UsageError(`unknown format '${value}' for ${command} (expected ${allowed})`);
      }
      format = value as Format;
    } else {
      const size = Number(value);
      if (!Number.isInteger(size) || size < 1) {
        throw new UsageError(`--max-file-size-kb takes a whole number of KiB, not '${value}'`);
      }
      raw.maxFileSizeKb = size;
    }
  }
  if (paths.length === 0) {
    throw new UsageError(`${command}: no files or folders given (see query-lens --help)`);
  }
  return { command, format, settings: normaliseSettings(raw), paths };
}

/** Runs the CLI; returns the exit status. Output goes to the given writers (the tests' too). */
export async function runCli(
  argv: string[],
  out: (text: string) => void,
  err: (text: string) => void,
  cwd = process.cwd(),
): Promise<number> {
  let invocation: ReturnType<typeof parseArguments>;
  try {
    invocation = parseArguments(argv);
  } catch (error) {
    err(`query-lens: ${(error as Error).message}\n`);
    return EXIT_CANNOT_RUN;
  }
  if (invocation === 'usage') {
    err(USAGE);
    return EXIT_CANNOT_RUN;
  }
  if (invocation === 'help') {
    out(USAGE);
    return EXIT_CLEAN;
  }
  if (invocation === 'version') {
    out(`query-lens ${VERSION}\n`);
    return EXIT_CLEAN;
  }
  const note = (line: string) => err(`query-lens: ${line}\n`);
  let files;
  try {
    files = collectFiles(invocation.paths, note);
  } catch (error) {
    if (error instanceof PathError) {
      note(error.message);
      return EXIT_CANNOT_RUN;
    }
    throw error;
  }
  await initParsers();

  const diagnostics: ReportedDiagnostic[] = [];
  const queries: ReportedQuery[] = [];
  const maxBytes = invocation.settings.maxFileSizeKb * 1024;
  for (const file of files) {
    const read = readSourceFile(file, maxBytes, note);
    if (!read.ok) {
      note(`skipped ${file.displayPath}: ${read.reason}`);
      continue;
    }
    // Size was checked on the bytes; the engine's own size check must not fire a second time.
    const settings = { ...invocation.settings, maxFileSizeKb: Math.max(invocation.settings.maxFileSizeKb, Math.ceil(read.text.length / 1024)) };
    const result = new DocumentAnalysis().run(read.text, file.kind, settings, file.languageId);
    const lines = new LineIndex(read.text);
    diagnostics.push(...toReportedDiagnostics(file.displayPath, lines, result.findings));
    queries.push(...toReportedQueries(file.displayPath, lines, result.queries));
  }

  if (invocation.command === 'queries') {
    out(invocation.format === 'json' ? JSON.stringify({ queries }, null, 2) + '\n' : formatQueriesAsText(queries));
    return EXIT_CLEAN;
  }
  switch (invocation.format) {
    case 'json':
      out(JSON.stringify({ diagnostics }, null, 2) + '\n');
      break;
    case 'sarif':
      out(formatDiagnosticsAsSarif(diagnostics, VERSION, cwd));
      break;
    case 'text': {
      out(formatDiagnosticsAsText(diagnostics));
      err(summary(diagnostics, files.length));
      break;
    }
  }
  return diagnostics.some((d) => d.severity === 'error') ? EXIT_ERRORS : EXIT_CLEAN;
}

function summary(diagnostics: ReportedDiagnostic[], fileCount: number): string {
  const count = (severity: string) => diagnostics.filter((d) => d.severity === severity).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `query-lens: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(
    count('information') + count('hint'),
    'note',
  )} in ${plural(fileCount, 'file')}\n`;
}

if (require.main === module) {
  runCli(
    process.argv.slice(2),
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  ).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`query-lens: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = EXIT_CANNOT_RUN;
    },
  );
}
