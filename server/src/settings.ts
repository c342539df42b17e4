/**
 * The server's view of the `queryLens.*` settings. package.json `contributes.configuration` is
 * the one schema; a test fails when this type and that schema disagree.
 */

export const DIALECTS = ['postgresql', 'mysql', 'mariadb', 'sqlite'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** What `queryLens.rules` may say of a rule. */
export const RULE_LEVELS = ['off', 'hint', 'information', 'warning', 'error'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export interface Settings {
  /** `queryLens.enable` */
  enable: boolean;
  /** `queryLens.dialect` */
  dialect: Dialect;
  /** `queryLens.debounceMs` */
  debounceMs: number;
  /** `queryLens.maxFileSizeKb` */
  maxFileSizeKb: number;
  /** `queryLens.rules`: rule id → level; rules not named keep their default severity. */
  rules: Readonly<Record<string, RuleLevel>>;
  /** `queryLens.plans`: where plans come from (see PLAN_SOURCES). */
  plans: PlanSource;
  /** `queryLens.connection`: a `postgres://` URL or its parts; null falls back to libpq's variables. */
  connection: ConnectionSetting | null;
  /**
   * `queryLens.connections`: workspace-relative globs (or folders) mapped to the database their
   * files' queries run against, when not `connection`'s (a second engine, another service's
   * database). The first that matches a file decides.
   */
  connections: Readonly<Record<string, ConnectionSetting>>;
  /** `queryLens.useEnvFile`: read `DATABASE_URL` and `PG*` from the workspace's `.env`. */
  useEnvFile: boolean;
  /** `queryLens.statementTimeoutMs`: the longest any database call may take. */
  statementTimeoutMs: number;
  /** `queryLens.schemaFiles`: globs (workspace-relative) of the files the embedded database is built from. */
  schemaFiles: readonly string[];
  /** `queryLens.embeddedIdleMinutes`: the embedded database stops after this long unused. */
  embeddedIdleMinutes: number;
  /** `queryLens.seqScanMinRows`: a sequential scan of a table at least this large is reported. */
  seqScanMinRows: number;
  /** `queryLens.nestedLoopMaxOuterRows`: a nested loop over more outer rows than this is reported. */
  nestedLoopMaxOuterRows: number;
  /** `queryLens.maxPlanCost`: a plan whose total estimated cost is above this is reported. */
  maxPlanCost: number;
  /** `queryLens.slowQueryMs`: a query whose mean run time in pg_stat_statements is at least this is reported; 0: run times are not read. */
  slowQueryMs: number;
  /** `queryLens.oneOffFiles`: globs (workspace-relative) of scripts that run once, like migrations. */
  oneOffFiles: readonly string[];
  /** `queryLens.oneOffAdvice`: give migrations and one-off scripts the performance findings too. */
  oneOffAdvice: boolean;
  /** `queryLens.unusedIndexMinDays`: how long the statistics must have been counting before an index counts as unused. */
  unusedIndexMinDays: number;
  /** `queryLens.indexMinGainPercent`: how much an index must lower a query's estimated cost to be suggested. */
  indexMinGainPercent: number;
  /** `queryLens.migrationsDir`: where the index quick fix writes its migration, instead of the folder the project's own migrations are in. */
  migrationsDir: string;
}

/** `auto`: the configured database, else the embedded one; `off`: static analysis only. */
export const PLAN_SOURCES = ['auto', 'connection', 'embedded', 'off'] as const;
export type PlanSource = (typeof PLAN_SOURCES)[number];

/** `queryLens.connection` as an object: libpq's names for the parts of a connection. */
export interface ConnectionFields {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  sslmode?: string;
}
export type ConnectionSetting = { url: string } | ConnectionFields;

/** Where the embedded database looks for the project's schema when `queryLens.schemaFiles` is not set. */
export const DEFAULT_SCHEMA_FILES = Object.freeze([
  'schema.sql',
  'db/schema.sql',
  'db/structure.sql',
  'migrations/**/*.sql',
  'db/migrations/**/*.sql',
  'prisma/migrations/**/migration.sql',
  'supabase/migrations/*.sql',
]);

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  enable: true,
  dialect: 'postgresql',
  debounceMs: 150,
  maxFileSizeKb: 5120,
  rules: Object.freeze({}),
  plans: 'auto',
  connection: null,
  connections: Object.freeze({}),
  useEnvFile: false,
  statementTimeoutMs: 2000,
  schemaFiles: DEFAULT_SCHEMA_FILES,
  embeddedIdleMinutes: 10,
  seqScanMinRows: 10000,
  nestedLoopMaxOuterRows: 10000,
  maxPlanCost: 100000,
  slowQueryMs: 100,
  oneOffFiles: Object.freeze([]),
  oneOffAdvice: false,
  unusedIndexMinDays: 7,
  indexMinGainPercent: 50,
  migrationsDir: '',
});

/** The settings keys the server reads, under the `queryLens` section (for the schema test). */
export const SERVER_SETTING_KEYS: readonly (keyof Settings)[] = [
  'enable',
  'dialect',
  'debounceMs',
  'maxFileSizeKb',
  'rules',
  'plans',
  'connection',
  'connections',
  'useEnvFile',
  'statementTimeoutMs',
  'schemaFiles',
  'embeddedIdleMinutes',
  'seqScanMinRows',
  'nestedLoopMaxOuterRows',
  'maxPlanCost',
  'slowQueryMs',
  'oneOffFiles',
  'oneOffAdvice',
  'unusedIndexMinDays',
  'indexMinGainPercent',
  'migrationsDir',
];

function integerIn(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, Math.round(value)));
}

/**
 * Normalises untrusted settings (a `workspace/configuration` reply, CLI flags) into `Settings`:
 * unknown or ill-typed values fall back to the defaults, numbers are clamped to their range.
 * This is the one place where settings are checked.
 */
export function normaliseSettings(raw: unknown): Settings {
  const value = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const dialect = typeof value.dialect === 'string' ? value.dialect.toLowerCase() : '';
  return {
    enable: typeof value.enable === 'boolean' ? value.enable : DEFAULT_SETTINGS.enable,
    dialect: (DIALECTS as readonly string[]).includes(dialect) ? (dialect as Dialect) : DEFAULT_SETTINGS.dialect,
    debounceMs: integerIn(value.debounceMs, 0, 5000, DEFAULT_SETTINGS.debounceMs),
    maxFileSizeKb: integerIn(value.maxFileSizeKb, 1, 1024 * 1024, DEFAULT_SETTINGS.maxFileSizeKb),
    rules: ruleLevels(value.rules),
    plans: (PLAN_SOURCES as readonly string[]).includes(String(value.plans)) ? (value.plans as PlanSource) : DEFAULT_SETTINGS.plans,
    connection: connectionSetting(value.connection),
    connections: connectionsSetting(value.connections),
    useEnvFile: typeof value.useEnvFile === 'boolean' ? value.useEnvFile : DEFAULT_SETTINGS.useEnvFile,
    statementTimeoutMs: integerIn(value.statementTimeoutMs, 100, 60_000, DEFAULT_SETTINGS.statementTimeoutMs),
    schemaFiles:
      Array.isArray(value.schemaFiles) && value.schemaFiles.every((glob) => typeof glob === 'string')
        ? (value.schemaFiles as string[])
        : DEFAULT_SETTINGS.schemaFiles,
    embeddedIdleMinutes: integerIn(value.embeddedIdleMinutes, 1, 24 * 60, DEFAULT_SETTINGS.embeddedIdleMinutes),
    seqScanMinRows: integerIn(value.seqScanMinRows, 0, Number.MAX_SAFE_INTEGER, DEFAULT_SETTINGS.seqScanMinRows),
    nestedLoopMaxOuterRows: integerIn(value.nestedLoopMaxOuterRows, 0, Number.MAX_SAFE_INTEGER, DEFAULT_SETTINGS.nestedLoopMaxOuterRows),
    maxPlanCost: integerIn(value.maxPlanCost, 0, Number.MAX_SAFE_INTEGER, DEFAULT_SETTINGS.maxPlanCost),
    slowQueryMs: integerIn(value.slowQueryMs, 0, 24 * 3_600_000, DEFAULT_SETTINGS.slowQueryMs),
    oneOffFiles: Array.isArray(value.oneOffFiles) && value.oneOffFiles.every((glob) => typeof glob === 'string') ? (value.oneOffFiles as string[]) : DEFAULT_SETTINGS.oneOffFiles,
    oneOffAdvice: typeof value.oneOffAdvice === 'boolean' ? value.oneOffAdvice : DEFAULT_SETTINGS.oneOffAdvice,
    unusedIndexMinDays: integerIn(value.unusedIndexMinDays, 0, 3650, DEFAULT_SETTINGS.unusedIndexMinDays),
    indexMinGainPercent: integerIn(value.indexMinGainPercent, 1, 99, DEFAULT_SETTINGS.indexMinGainPercent),
    migrationsDir: typeof value.migrationsDir === 'string' ? value.migrationsDir.trim() : DEFAULT_SETTINGS.migrationsDir,
  };
}

/** A URL string, or an object of libpq's connection parts (unknown keys and ill-typed values dropped). */
function connectionSetting(raw: unknown): ConnectionSetting | null {
  if (typeof raw === 'string') {
    return raw.trim() === '' ? null : { url: raw.trim() };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return null;
  }
  const value = raw as Record<string, unknown>;
  const fields: ConnectionFields = {};
  for (const key of ['host', 'database', 'user', 'sslmode'] as const) {
    if (typeof value[key] === 'string' && value[key] !== '') {
      fields[key] = value[key] as string;
    }
  }
  if (typeof value.port === 'number' && Number.isInteger(value.port) && value.port > 0 && value.port < 65536) {
    fields.port = value.port;
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

/** The entries of `queryLens.connections` whose key is a glob and whose value a connection. */
function connectionsSetting(raw: unknown): Record<string, ConnectionSetting> {
  const connections: Record<string, ConnectionSetting> = {};
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [glob, value] of Object.entries(raw)) {
      const connection = connectionSetting(value);
      if (glob.trim() !== '' && connection) {
        connections[glob.trim()] = connection;
      }
    }
  }
  return connections;
}

/** Keeps the entries of `queryLens.rules` whose level is one of RULE_LEVELS (ids are not checked here). */
function ruleLevels(raw: unknown): Record<string, RuleLevel> {
  const levels: Record<string, RuleLevel> = {};
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [id, level] of Object.entries(raw)) {
      const normalised = typeof level === 'string' ? level.toLowerCase() : '';
      if ((RULE_LEVELS as readonly string[]).includes(normalised)) {
        levels[id] = normalised as RuleLevel;
      }
    }
  }
  return levels;
}

/** A stable text for the settings that change what analysis finds (cache keys). */
export function analysisSignature(settings: Settings): string {
  const rules = Object.keys(settings.rules)
    .sort()
    .map((id) => `${id}=${settings.rules[id]}`)
    .join(',');
  return `${settings.dialect}|${rules}`;
}
