// Data sizes as people write them for data plans: "10GB", "500 MB", "1.5GiB". Pure: used by the
// client config (links[].cap.bytes), the CLI (`braid cap NAME 10GB`) and status text.
// SI units are powers of 1000 (how carriers sell data), IEC units powers of 1024. Units are
// case-insensitive: a data cap is always bytes, so "10gb" means 10 GB, never gigabits.

const SI: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15 };
const IEC: Record<string, number> = { kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50 };
// "10Gi" as in Kubernetes: the "i" already says powers of 1024
for (const unit of Object.keys(IEC)) IEC[unit.slice(0, 2)] = IEC[unit]!;

export type DataSizeResult = { ok: true; bytes: number } | { ok: false; reason: string };

const UNITS_HINT = 'use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB';

/** "10GB" -> 10_000_000_000; a plain number is bytes; the result is a whole number >= 1 */
export function parseDataSize(text: string): DataSizeResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'is empty: give a size like "10GB" or "500MB"' };
  const match = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)$/.exec(trimmed);
  if (!match) return { ok: false, reason: `"${clip(trimmed)}" is not a size like "10GB" or "500MB"` };
  const [, sign, digits, rawUnit] = match as unknown as [string, string, string, string];
  const unit = rawUnit.toLowerCase();
  let multiplier: number | undefined;
  if (unit === '') multiplier = 1;
  else multiplier = SI[unit] ?? IEC[unit];
  if (multiplier === undefined) {
    if (/^[kmgtp]$/.test(unit)) {
      const p = unit[0]!.toUpperCase().replace('K', 'k');
      return { ok: false, reason: `unit "${rawUnit}" is ambiguous: write ${p}B (powers of 1000) or ${p.toUpperCase()}iB (powers of 1024)` };
    }
    return { ok: false, reason: `unknown unit "${clip(rawUnit)}": ${UNITS_HINT}` };
  }
  const value = Number(digits);
  if (sign === '-' || value === 0) return { ok: false, reason: 'must be more than 0 bytes' };
  const bytes = Math.round(value * multiplier);
  if (multiplier === 1 && !Number.isInteger(value)) return { ok: false, reason: 'a number of bytes must be a whole number' };
  if (bytes < 1) return { ok: false, reason: 'must be at least 1 byte' };
  if (!Number.isSafeInteger(bytes)) return { ok: false, reason: 'is too large' };
  return { ok: true, bytes };
}

/** decimal units with three significant digits ("10.0 GB", "512 MB", "999 B"); parses back */
export function formatDataSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = Number.isFinite(bytes) ? Math.max(0, bytes) : 0;
  let unit = 0;
  // 999.5 MB would print as "1000 MB": move up a unit once rounding reaches 1000
  while (unit < units.length - 1 && (unit === 0 ? value >= 1000 : value >= 999.5)) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const text = value >= 99.95 ? value.toFixed(0) : value >= 9.995 ? value.toFixed(1) : value.toFixed(2);
  return `${text} ${units[unit]}`;
}

function clip(text: string): string {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}
