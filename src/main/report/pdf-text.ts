/**
 * Text for pdfkit's built-in Helvetica, which can only draw the Windows-1252 (WinAnsi) character set. Common
 * symbols are spelled out (≥ → ">=", − → "-"); anything else becomes "?" and is counted, so the report can say
 * that the printed text differs from what was signed (the signed text itself is untouched in the store).
 */
import { formatProbability } from '../../shared/probability.ts';

const CP1252_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const SPELLED: Record<string, string> = {
  '≥': '>=', '≤': '<=', '≠': '!=', '≈': '~', '−': '-', '‐': '-', '‑': '-', '‒': '-', '→': '->', '←': '<-',
  'μ': 'µ', '∞': 'inf', '\u00a0': ' ', '\u2009': ' ', '\u202f': ' ', '\u2007': ' ', '\u200b': '', '\t': '    ', '✓': 'yes',
  'α': 'alpha', 'β': 'beta', 'γ': 'gamma', 'δ': 'delta', 'κ': 'kappa',
};

export interface Sanitised {
  text: string;
  replaced: number;
}

function allowed(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || c === 0x0a || CP1252_EXTRA.includes(ch);
}

export function sanitise(input: string): Sanitised {
  let out = '';
  let replaced = 0;
  for (const ch of input.replace(/\r\n?/g, '\n').normalize('NFC')) {
    if (allowed(ch)) out += ch;
    else if (ch in SPELLED) out += SPELLED[ch];
    else {
      out += '?';
      replaced++;
    }
  }
  return { text: out, replaced };
}

/** Sanitised text only (for fixed app strings and numbers). */
export function pdfText(s: string): string {
  return sanitise(s).text;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 in the machine's local time with its offset, e.g. 2026-11-28 14:03:12 +01:00. */
export function fmtLocal(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** As in the app (src/shared/probability.ts), spelled for Helvetica: ">= 0.99", "< 0.01". */
export function fmtP(p: number): string {
  return pdfText(formatProbability(p));
}

export function fmtNum(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}
