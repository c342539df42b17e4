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
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  enable: true,
  dialect: 'postgresql',
  debounceMs: 150,
  maxFileSizeKb: 5120,
  rules: Object.freeze({}),
});

/** The settings keys the server reads, under the `queryLens` section (for the schema test). */
export const SERVER_SETTING_KEYS: readonly (keyof Settings)[] = ['enable', 'dialect', 'debounceMs', 'maxFileSizeKb', 'rules'];

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
  };
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
