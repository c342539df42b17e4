/**
 * The server's view of the `queryLens.*` settings. package.json `contributes.configuration` is
 * the one schema; a test fails when this type and that schema disagree.
 */

export const DIALECTS = ['postgresql', 'mysql', 'mariadb', 'sqlite'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface Settings {
  /** `queryLens.enable` */
  enable: boolean;
  /** `queryLens.dialect` */
  dialect: Dialect;
  /** `queryLens.debounceMs` */
  debounceMs: number;
  /** `queryLens.maxFileSizeKb` */
  maxFileSizeKb: number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  enable: true,
  dialect: 'postgresql',
  debounceMs: 150,
  maxFileSizeKb: 5120,
});

/** The settings keys the server reads, under the `queryLens` section (for the schema test). */
export const SERVER_SETTING_KEYS: readonly (keyof Settings)[] = ['enable', 'dialect', 'debounceMs', 'maxFileSizeKb'];

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
  };
}
