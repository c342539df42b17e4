/**
 * `query-lens`: the command line over the same engine as the language server.
 *
 *   query-lens check   [options] <files or folders…>   diagnostics; exit 0 clean, 1 errors, 2 could not run
 *   query-lens queries [options] <files or folders…>   every query found, with its place
 *   query-lens explain [options] "<sql>"               the plan of a query and what it reveals
 *   query-lens explain --plan <file|->                 a saved plan's nodes and tips, without a database
 *   query-lens advise  [options] <files or folders…>   the index set the workload needs; exit 1 when it suggests any
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocumentAnalysis, Finding } from './analyze/analyzeDocument';
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
import { parseConnectionUrl, redactPasswords } from './db/connectionConfig';
import { ActivePlanner, DatabaseService } from './db/databaseService';
import { isReportedUnused, PlanCache, planDocument, type DocumentPlans } from './db/planDocument';
import { accountQueries, QueryTally } from './cli/accounting';
import { documentRole } from './analyze/documentRole';
import { splitGlobList } from './db/embedded/workspaceSchema';
import { ConnectionSetting, DIALECTS, normaliseSettings, Settings } from './settings';
import { mappedConnection } from './db/connectionMap';
import type { IndexCandidate } from './advise/verifyIndex';
import { adviseIndexes, foreignKeyIndexes, redundantIndexesOf, unusedIndexDrops, type AdvisedQuery, type IndexToDrop, type WorkloadAdvice } from './advise/workload';
import { formatAdviceAsText } from './advise/adviceReport';
import { indexName } from './advise/migrationFile';
import { DEFAULT_SETTINGS_FILE, readProjectSettings } from './cli/projectSettings';
import { LineIndex } from './text/offsets';
import { PlanParseError, readSavedPlan, renderPlanText, type Plan } from './plan/planModel';
import { planReport, type PlanReport } from './plan/planReport';

declare const QUERY_LENS_VERSION: string | undefined;
const VERSION = typeof QUERY_LENS_VERSION === 'string' ? QUERY_LENS_VERSION : 'dev';

export const EXIT_CLEAN = 0;
export const EXIT_ERRORS = 1;
export const EXIT_CANNOT_RUN = 2;

const USAGE = `Usage: query-lens <command> [options] <files or folders…>
       query-lens explain [options] "<sql>"
       query-lens explain --plan <file|-> [--format text|json]

Commands:
  check      report syntax errors and findings as diagnostics
  queries    list every query found, with where it is
  explain    print the plan of a query (or of "-": SQL read from stdin) and what it reveals
  advise     plan every query and propose the smallest set of indexes that serves them all,
             each verified by the planner, and the indexes the database can do without
             (exit 1 when it suggests anything, so CI can gate on it)

Options:
  --dialect <name>          postgresql (default), mysql, mariadb or sqlite
  --format <name>           text (default), json, or sarif (check only)
  --max-file-size-kb <n>    skip files larger than this (default 5120)
  --db <url|embedded>       plan queries against this PostgreSQL (postgres://user@host/db), or
                            against an embedded one built from the project's schema files
                            (check: adds plan diagnostics; queries: adds each query's plan or
                            why it is not planned; both end with a count on stderr; explain:
                            defaults to DATABASE_URL or the PG* variables, else the embedded
                            database)
  --plan <file|->           explain: read a saved EXPLAIN output (JSON or text, with or without
                            ANALYZE, as pasted from psql) from a file or stdin instead of planning
                            SQL; no database is used. text: the plan, then one line per tip;
                            json: {"nodes":[…],"tips":[…]}
  --statement-timeout-ms <n>  the longest one EXPLAIN may take (default 2000)
  --settings <file|none>    the queryLens.* settings to apply (rules, oneOffFiles, schemaFiles,
                            connections: folders planned against another database than --db…);
                            default .vscode/settings.json here, if there is one; options win
  --schema <globs>          the files the embedded database is built from, instead of the
                            queryLens.schemaFiles defaults: globs relative to the first folder
                            given (explain: the working directory); repeatable, or comma-separated;
                            they are migrations too (no performance advice)
  -h, --help                show this help
  -v, --version             show the version

Only EXPLAIN (never ANALYZE) and catalog reads are sent, in read-only sessions.
Exit status: 0 no errors, 1 errors found, 2 could not run.
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface Invocation {
  command: 'check' | 'queries' | 'explain' | 'advise';
  format: Format;
  settings: Settings;
  /** What the options set, applied over the settings file's values. */
  optionSettings: Record<string, unknown>;
  /** `--settings`: a file, `none`, or (absent) the default file if there is one. */
  settingsFile?: string;
  /** Files and folders; for explain, the SQL text. */
  paths: string[];
  /** `--db`: a URL, `embedded`, or (explain only) `auto`. Absent: static analysis only. */
  db?: string;
  /** `explain --plan`: the saved plan's file, or `-` for stdin. */
  plan?: string;
}

/** Options that take a value, with what they set. */
const VALUE_OPTIONS = ['--dialect', '--format', '--max-file-size-kb', '--db', '--statement-timeout-ms', '--schema', '--settings', '--plan'];

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
  if (command !== 'check' && command !== 'queries' && command !== 'explain' && command !== 'advise') {
    throw new UsageError(`unknown command '${command}' (expected check, queries, explain or advise; see query-lens --help)`);
  }
  let format: Format = 'text';
  let db: string | undefined;
  let settingsFile: string | undefined;
  let plan: string | undefined;
  const raw: Record<string, unknown> = {};
  const paths: string[] = [];
  const schemaFiles: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const argument = rest[i];
    if (argument === '-h' || argument === '--help') {
      return 'help';
    }
    if (argument === '--') {
      for (const given of rest.slice(i + 1)) paths.push(given); // any number of them: no spread
      break;
    }
    if (!argument.startsWith('--') || argument === '-') {
      paths.push(argument);
      continue;
    }
    const eq = argument.indexOf('=');
    const name = eq < 0 ? argument : argument.slice(0, eq);
    const value = eq < 0 ? rest[++i] : argument.slice(eq + 1);
    if (!VALUE_OPTIONS.includes(name)) {
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
      if (!(FORMATS as readonly string[]).includes(value) || (command !== 'check' && value === 'sarif')) {
        const allowed = command !== 'check' ? 'text or json' : 'text, json or sarif';
        throw new UsageError(`unknown format '${value}' for ${command} (expected ${allowed})`);
      }
      format = value as Format;
    } else if (name === '--db') {
      if (value !== 'embedded') {
        try {
          // Checked here, to be reported as --db's; the message never repeats the URL (a password).
          parseConnectionUrl(value, '--db');
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      db = value;
    } else if (name === '--settings') {
      settingsFile = value;
    } else if (name === '--plan') {
      if (command !== 'explain') throw new UsageError('--plan is for explain');
      plan = value;
    } else if (name === '--schema') {
      schemaFiles.push(...splitGlobList(value));
    } else if (name === '--statement-timeout-ms') {
      const timeout = Number(value);
      if (!Number.isInteger(timeout) || timeout < 100) {
        throw new UsageError(`--statement-timeout-ms takes a whole number of milliseconds (at least 100), not '${value}'`);
      }
      raw.statementTimeoutMs = timeout;
    } else {
      const size = Number(value);
      if (!Number.isInteger(size) || size < 1) {
        throw new UsageError(`--max-file-size-kb takes a whole number of KiB, not '${value}'`);
      }
      raw.maxFileSizeKb = size;
    }
  }
  if (schemaFiles.length > 0) {
    if (command !== 'explain' && db === undefined) {
      throw new UsageError('--schema is for --db embedded');
    }
    raw.schemaFiles = schemaFiles;
  }
  if (command === 'explain' && plan !== undefined) {
    if (paths.length > 0 || db !== undefined) {
      throw new UsageError('explain --plan reads a saved plan: it takes no SQL and no --db');
    }
    return { command, format, settings: normaliseSettings(raw), optionSettings: raw, settingsFile, paths, plan };
  }
  if (command === 'explain') {
    if (paths.length !== 1) {
      throw new UsageError(`explain takes one SQL text in quotes (or - to read it from stdin), not ${paths.length} arguments`);
    }
    return { command, format, settings: normaliseSettings(raw), optionSettings: raw, settingsFile, paths, db: db ?? 'auto' };
  }
  if (paths.length === 0) {
    throw new UsageError(`${command}: no files or folders given (see query-lens --help)`);
  }
  if (command === 'advise') {
    // Advice needs plans: the libpq variables' database when --db is not given, else the embedded one.
    return { command, format, settings: normaliseSettings(raw), optionSettings: raw, settingsFile, paths, db: db ?? 'auto' };
  }
  return { command, format, settings: normaliseSettings(raw), optionSettings: raw, settingsFile, paths, db };
}

/** Runs the CLI; returns the exit status. Output goes to the given writers (the tests' too). */
export async function runCli(
  argv: string[],
  out: (text: string) => void,
  writeErr: (text: string) => void,
  cwd = process.cwd(),
): Promise<number> {
  // Everything on stderr may quote a URL or a driver's error: never a password.
  const err = (text: string) => writeErr(redactPasswords(text));
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
  if (invocation.settingsFile !== 'none') {
    const file = path.resolve(cwd, invocation.settingsFile ?? DEFAULT_SETTINGS_FILE);
    const project = readProjectSettings(file, invocation.settingsFile !== undefined);
    if ('error' in project) {
      note(project.error);
      return EXIT_CANNOT_RUN;
    }
    project.problems.forEach(note);
    if (project.names.length > 0) {
      note(`settings from ${path.relative(cwd, file) || file}: ${project.names.join(', ')}`);
      invocation.settings = normaliseSettings({ ...project.raw, ...invocation.optionSettings });
    }
  }
  if (invocation.command === 'explain' && invocation.plan !== undefined) {
    return explainSavedPlan(invocation.plan, invocation.format, out, note, cwd);
  }
  if (invocation.command === 'explain') {
    return explain(invocation, out, note, cwd);
  }
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
  let plans: Planning | undefined;
  if (invocation.db) {
    // The embedded database's schema is the checked project's: the first folder given, else here.
    const folder = invocation.paths.map((p) => path.resolve(cwd, p)).find((p) => isDirectory(p)) ?? cwd;
    const opened = await openDatabase(invocation.db, invocation.settings, folder);
    if ('reason' in opened) {
      note(`cannot plan: ${opened.reason}`);
      return EXIT_CANNOT_RUN;
    }
    plans = opened;
  }

  let diagnostics: ReportedDiagnostic[] = [];
  const oneOffFiles = new Set<string>();
  // `advise`: each database's queries whose findings name an index.
  const advised = new Map<Planning, AdvisedQuery[]>();
  const queries: ReportedQuery[] = [];
  const tally = new QueryTally();
  const maxBytes = invocation.settings.maxFileSizeKb * 1024;
  // Migrations and one-off scripts are told by their place in the project: relative to here (the
  // project's root, as CI runs it), or to the folder given that holds them.
  const folders = invocation.paths.map((p) => path.resolve(cwd, p)).filter((p) => isDirectory(p));
  const projectPath = (absolute: string): string | undefined => {
    for (const root of [cwd, ...folders]) {
      const relative = path.relative(root, absolute);
      if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
    }
    return undefined;
  };
  // The databases of `queryLens.connections`, opened when a file mapped to one is first planned.
  const mappedDatabases = new Map<string, Promise<Planning | { reason: string }>>();
  const databaseOf = async (relative: string | undefined): Promise<Planning | { reason: string }> => {
    const mapped = mappedConnection(relative, invocation.settings.connections);
    if (!plans || !mapped) {
      return plans!;
    }
    const key = JSON.stringify(mapped.setting);
    let opened = mappedDatabases.get(key);
    if (!opened) {
      opened = openDatabase(mapped.setting, invocation.settings, cwd).then((o) => ('reason' in o ? { reason: `${mapped.glob} (queryLens.connections): ${o.reason}` } : o));
      mappedDatabases.set(key, opened);
    }
    return opened;
  };
  const disposeAll = async () => {
    await plans?.service.dispose();
    for (const opened of mappedDatabases.values()) {
      const planning = await opened;
      if (!('reason' in planning)) await planning.service.dispose();
    }
  };
  for (const file of files) {
    const read = readSourceFile(file, maxBytes, note);
    if (!read.ok) {
      note(`skipped ${file.displayPath}: ${read.reason}`);
      continue;
    }
    // Size was checked on the bytes; the engine's own size check must not fire a second time.
    const settings = { ...invocation.settings, maxFileSizeKb: Math.max(invocation.settings.maxFileSizeKb, Math.ceil(read.text.length / 1024)) };
    const role = documentRole(projectPath(file.absolutePath), settings);
    if (role.oneOff) oneOffFiles.add(file.displayPath);
    // No time budget: the editor analyses the rest of a long file on the next keystroke, a check has no next run.
    const result = new DocumentAnalysis(Infinity).run(read.text, file.kind, settings, file.languageId, role);
    const lines = new LineIndex(read.text);
    let findings: Finding[] = result.findings;
    let planned: DocumentPlans | undefined;
    if (plans) {
      const target = await databaseOf(projectPath(file.absolutePath));
      if ('reason' in target) {
        await disposeAll();
        note(`cannot plan: ${target.reason}`);
        return EXIT_CANNOT_RUN;
      }
      planned = await planDocument(read.text, result, target.active, settings, target.cache, new AbortController().signal, (reason) => (target.lost = reason), role);
      if (!planned) {
        await disposeAll();
        note(`cannot plan: ${target.lost ?? 'the database went away'}`);
        return EXIT_CANNOT_RUN;
      }
      const settled = planned.settled;
      const standing = settled.size === 0 ? findings : findings.filter((f) => f.queryStart === undefined || !settled.get(f.queryStart)?.includes(f.code));
      findings = [...standing, ...planned.findings].sort((a, b) => a.start - b.start || a.end - b.end);
    }
    for (const diagnostic of toReportedDiagnostics(file.displayPath, lines, findings)) {
      diagnostics.push(diagnostic);
    }
    if (planned && invocation.command === 'advise') {
      const target = (await databaseOf(projectPath(file.absolutePath))) as Planning;
      const list = advised.get(target) ?? [];
      for (const advice of planned.indexAdvice) list.push({ file: file.displayPath, line: lines.positionAt(advice.start).line + 1, advice });
      advised.set(target, list);
    }
    const accounts = plans ? accountQueries(result, planned, settings.dialect) : undefined;
    if (accounts) {
      tally.add(accounts);
    }
    for (const query of toReportedQueries(file.displayPath, lines, result.queries, accounts)) {
      queries.push(query);
    }
  }

  let advice: WorkloadAdvice | undefined;
  if (invocation.command === 'advise' && plans) {
    advice = { indexes: [], drop: [] };
    const name = (candidate: IndexCandidate, taken: ReadonlySet<string>) => indexName(candidate.table, [...candidate.columns, ...(candidate.include ?? [])], taken);
    for (const target of new Set([plans, ...advised.keys()])) {
      const suggested = await adviseIndexes(target.active, advised.get(target) ?? [], name, invocation.settings.indexMinGainPercent / 100);
      const taken = new Set([...target.active.tables.values()].flatMap((table) => table.indexes.map((index) => index.name)).concat(suggested.map((index) => /EXISTS (\S+) ON/.exec(index.statement)?.[1] ?? '')));
      const foreignKeys = await target.active.planner.unindexedForeignKeys().catch(() => []);
      advice.indexes.push(...suggested, ...foreignKeyIndexes(foreignKeys, suggested, name, taken));
    }
    for (const target of new Set([plans, ...advised.keys()])) {
      advice.drop.push(...indexesToDrop(target, invocation.settings.unusedIndexMinDays));
    }
  }
  await disposeAll();
  diagnostics = onceEachSchemaFact(diagnostics, oneOffFiles);
  if (plans) {
    // Every query accounted for, on stderr so that stdout stays machine-readable.
    note(tally.line());
  }
  if (advice) {
    out(invocation.format === 'json' ? JSON.stringify(advice, null, 2) + '\n' : formatAdviceAsText(advice));
    return advice.indexes.length > 0 || advice.drop.length > 0 ? EXIT_ERRORS : EXIT_CLEAN;
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

/** Findings on the database's schema, not on a query: the same fact wherever it is declared. */
const SCHEMA_FACT_CODES = new Set(['unindexed-foreign-key', 'redundant-index']);

/**
 * Each schema fact once (the foreign key of `tables/users_roles.sql` declared again in two old
 * migrations was reported three times): where the schema is declared outside migrations, else at
 * its last mention, the newest migration that declares it. The editor shows each file's own.
 */
function onceEachSchemaFact(diagnostics: ReportedDiagnostic[], oneOffFiles: ReadonlySet<string>): ReportedDiagnostic[] {
  const chosen = new Map<string, ReportedDiagnostic>();
  for (const diagnostic of diagnostics) {
    if (!SCHEMA_FACT_CODES.has(diagnostic.code)) continue;
    const key = `${diagnostic.code}\0${diagnostic.message}`;
    const held = chosen.get(key);
    // The first outside migrations stays; until there is one, each migration's replaces the last.
    if (!held || oneOffFiles.has(held.file)) chosen.set(key, diagnostic);
  }
  return diagnostics.filter((diagnostic) => !SCHEMA_FACT_CODES.has(diagnostic.code) || chosen.get(`${diagnostic.code}\0${diagnostic.message}`) === diagnostic);
}

/** The indexes a database can do without: duplicates, prefixes of others, and (not on the embedded database) unused ones. */
function indexesToDrop(target: Planning, unusedIndexMinDays: number): IndexToDrop[] {
  const redundant = [...target.active.tables.values()].flatMap((table) => [...redundantIndexesOf(table).values()].map(({ statement, reason }) => ({ statement, reason })));
  const named = new Set(redundant.map((drop) => drop.statement));
  const unused = target.active.embedded ? [] : unusedIndexDrops(target.active.tables.values(), (table, name) => isReportedUnused(table, name, unusedIndexMinDays)).filter((drop) => !named.has(drop.statement));
  return [...redundant, ...unused].sort((a, b) => a.statement.localeCompare(b.statement));
}

/** An open database for planning, with its cache. */
interface Planning {
  service: DatabaseService;
  active: ActivePlanner;
  cache: PlanCache;
  lost?: string;
}

/** Opens `--db` (a URL, `embedded`, or `auto`: the libpq variables, else embedded), or a connection of `queryLens.connections`. */
async function openDatabase(db: string | ConnectionSetting, settings: Settings, workspaceRoot: string): Promise<Planning | { reason: string }> {
  let lastReason = 'no database';
  const service = new DatabaseService(
    {
      log: () => undefined,
      statusChanged: (status) => {
        if (status.reason) {
          lastReason = status.reason;
        }
      },
      replanAll: () => undefined,
      askPassword: async () => undefined,
    },
    workspaceRoot,
    undefined,
    true,
  );
  if (typeof db !== 'string') {
    service.configure({ ...settings, plans: 'connection', connection: db });
  } else {
    const url = /^postgres/i.test(db) ? db : null;
    service.configure({ ...settings, plans: db === 'embedded' ? 'embedded' : url ? 'connection' : 'auto', connection: url ? { url } : null });
  }
  const active = await service.get();
  if (!active) {
    await service.dispose();
    return { reason: lastReason };
  }
  return { service, active, cache: new PlanCache() };
}

/** `explain "<sql>"`: each statement's plan drawn as text (or JSON), then what it reveals. */
async function explain(invocation: Invocation, out: (text: string) => void, note: (line: string) => void, cwd: string): Promise<number> {
  const sql = invocation.paths[0] === '-' ? fs.readFileSync(0, 'utf8') : invocation.paths[0];
  await initParsers();
  const result = new DocumentAnalysis().run(sql, 'sql', invocation.settings, 'sql');
  const syntaxErrors = result.findings.filter((f) => f.severity === 'error');
  const lines = new LineIndex(sql);
  if (syntaxErrors.length > 0) {
    out(formatDiagnosticsAsText(toReportedDiagnostics('<sql>', lines, syntaxErrors)));
    return EXIT_ERRORS;
  }
  if (!result.statements.some((s) => s?.explainSql)) {
    note('nothing to explain: EXPLAIN plans SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES statements');
    return EXIT_CANNOT_RUN;
  }
  const opened = await openDatabase(invocation.db ?? 'auto', invocation.settings, cwd);
  if ('reason' in opened) {
    note(`cannot plan: ${opened.reason}`);
    return EXIT_CANNOT_RUN;
  }
  try {
    let lost: string | undefined;
    const planned = await planDocument(sql, result, opened.active, invocation.settings, opened.cache, new AbortController().signal, (reason) => (lost = reason));
    if (!planned) {
      note(`cannot plan: ${lost ?? 'the database went away'}`);
      return EXIT_CANNOT_RUN;
    }
    const errors = planned.findings.filter((f) => f.severity === 'error');
    const plans = [...planned.plans.values()];
    if (invocation.format === 'json') {
      const reports = plans.map((plan) => reportJson(plan.viewer().report));
      out(
        JSON.stringify(
          {
            database: opened.active.label,
            // One statement: its nodes and tips at the top, as `explain --plan` prints them.
            ...(reports.length === 1 ? reports[0] : {}),
            plans: plans.map((plan, i) => ({ sql: plan.sql, ...reports[i], plan: plan.json, insights: plan.insights })),
            diagnostics: toReportedDiagnostics('<sql>', lines, planned.findings.filter((f) => !plans.some((p) => p.insights.some((i) => i.message === f.message)))),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      const blocks = [`-- ${opened.active.label}${opened.active.embedded ? ' (its tables are empty: costs are not the real ones)' : ''}`];
      for (const plan of plans) {
        blocks.push(plans.length > 1 ? `-- ${plan.sql.replace(/\s+/g, ' ').trim()}\n${plan.text}` : plan.text);
        for (const insight of plan.insights) {
          blocks.push(`${insight.severity} ${insight.code}: ${insight.message}`);
        }
      }
      if (errors.length > 0) {
        blocks.push(formatDiagnosticsAsText(toReportedDiagnostics('<sql>', lines, errors)).trimEnd());
      }
      out(blocks.join('\n') + '\n');
    }
    return errors.length > 0 ? EXIT_ERRORS : EXIT_CLEAN;
  } finally {
    await opened.service.dispose();
  }
}

/**
 * `explain --plan <file|->`: a saved EXPLAIN output (JSON or text, any version, as pasted) read
 * into the plan report, without a database. Exit 2 with one line when it is not a plan.
 */
async function explainSavedPlan(file: string, format: Format, out: (text: string) => void, note: (line: string) => void, cwd: string): Promise<number> {
  let source: string;
  try {
    source = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    note(`cannot read ${file === '-' ? 'the plan from stdin' : file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    return EXIT_CANNOT_RUN;
  }
  let plan: Plan;
  try {
    plan = readSavedPlan(source).plan;
  } catch (error) {
    if (!(error instanceof PlanParseError)) throw error;
    note(`${file === '-' ? 'stdin' : file} is not a plan EXPLAIN printed: ${error.message}`);
    return EXIT_CANNOT_RUN;
  }
  // The tips read filters with PostgreSQL's parser.
  await initParsers();
  const report = planReport(plan);
  if (format === 'json') {
    out(JSON.stringify(reportJson(report), null, 2) + '\n');
  } else {
    const lines = [renderPlanText(plan).trimEnd()];
    for (const tip of report.tips) lines.push(`tip ${tip.id} on node ${tip.node} (${report.nodes[tip.node].label}): ${tip.message}`);
    out(lines.join('\n') + '\n');
  }
  return EXIT_CLEAN;
}

/**
 * The plan report as `explain --format json` prints it: these keys, in this order, null where the
 * plan has no such figure (a tip's `index` only when it names one). Kept stable for scripts.
 */
function reportJson(report: PlanReport): { nodes: Record<string, unknown>[]; tips: Record<string, unknown>[] } {
  return {
    nodes: report.nodes.map((node) => ({
      id: node.id,
      parent: node.parent,
      type: node.type,
      relation: node.relation ?? null,
      index: node.index ?? null,
      estimatedRows: node.estimatedRows,
      actualRows: node.actualRows ?? null,
      loops: node.loops ?? null,
      totalCost: node.totalCost,
      exclusiveMs: node.exclusiveMs ?? null,
      inclusiveMs: node.inclusiveMs ?? null,
    })),
    tips: report.tips.map((tip) => ({ id: tip.id, node: tip.node, message: tip.message, ...(tip.index ? { index: tip.index } : {}) })),
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
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
      process.stderr.write(redactPasswords(`query-lens: internal error: ${error instanceof Error ? error.stack : String(error)}\n`));
      process.exitCode = EXIT_CANNOT_RUN;
    },
  );
}
