/**
 * Figures as the plan's messages and CodeLenses write them: costs and row counts with thousands
 * separators, compact counts (`4.8k`, `1.2M`), sizes in kB and MB.
 */
import { formatCount, formatNumber } from '../text/numbers';

export { formatCount };

/** A number, also when given as text (the text parser's figures, some exporters' JSON). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}


/**
 * A planner cost: whole with thousands separators from 100 up (`9,412`), with the decimals that
 * still say something below (`41.4`, `8.27`, `0.01`).
 */
export function formatCost(value: number): string {
  if (value >= 100) return formatCount(value);
  return formatNumber(value, value < 10 ? 2 : 1);
}

const COMPACT_UNITS: [number, string][] = [
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'B'],
];

/** A row count in a few characters: `12`, `4.8k`, `480k`, `1.2M`. */
export function compactCount(value: number): string {
  const rounded = Math.round(value);
  if (rounded < 1000) return String(rounded);
  for (const [size, suffix] of COMPACT_UNITS) {
    const scaled = rounded / size;
    const text = scaled < 9.95 ? String(Number(scaled.toFixed(1))) : String(Math.round(scaled));
    // 999,999 rounds to "1000k": say "1M" instead.
    if (Number(text) < 1000 || suffix === 'B') return text + suffix;
  }
  return formatCount(rounded);
}

/** A size in bytes as MB, with a decimal below 10 MB: `61 MB`, `5.2 MB`, `0.3 MB`. */
export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return `${megabytes < 10 ? Number(megabytes.toFixed(1)) : formatCount(megabytes)} MB`;
}

/** A memory setting given in kB, as `SHOW` would put it: `64 kB`, `4 MB`, `1.5 MB`. */
export function formatKilobytes(kilobytes: number): string {
  if (kilobytes < 1024) return `${formatCount(kilobytes)} kB`;
  return `${formatNumber(kilobytes / 1024, 1)} MB`;
}

/**
 * A `work_mem` value that holds `bytes`: the next power of two in MB, as SET takes it
 * (`'64MB'`, `'2GB'`).
 */
export function workMemSettingFor(bytes: number): string {
  let megabytes = 1;
  while (megabytes * 1024 * 1024 < bytes) megabytes *= 2;
  return megabytes >= 1024 ? `'${megabytes / 1024}GB'` : `'${megabytes}MB'`;
}

/** A moment for messages, to the minute: `2026-10-01 09:00 UTC`. */
export function formatTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
