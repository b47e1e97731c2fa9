/** Display formats from UI.md: dates ISO 8601 in local time, probabilities to two decimals, sizes with units. */
import { formatProbability } from '../../shared/probability.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local time as `YYYY-MM-DD HH:mm:ss` (ISO 8601 order); the UTC instant goes in a title attribute. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The local UTC offset, e.g. `UTC+01:00`, shown once next to tables of times. */
export function localOffset(date = new Date()): string {
  const m = -date.getTimezoneOffset();
  const sign = m >= 0 ? '+' : '-';
  return `UTC${sign}${pad(Math.floor(Math.abs(m) / 60))}:${pad(Math.abs(m) % 60)}`;
}

export function fmtDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Two decimals, but never "1.00" or "0.00": "≥ 0.99" / "< 0.01" (src/shared/probability.ts). */
export function fmtProb(p: number): string {
  return formatProbability(p);
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function shortHash(h: string, n = 12): string {
  return h.length > n ? `${h.slice(0, n)}…` : h;
}
