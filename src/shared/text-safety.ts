/**
 * Text that people type into names, pseudonyms, accessions and specimen fields ends up in the PDF, the audit log,
 * exports and terminals. Control characters (escape sequences can rewrite a terminal line, a bell rings) and
 * bidirectional overrides (which make "GLIO-0001" display as something else) are refused with one clear message
 * instead of being stored. Rules: docs/input-validation.md.
 */

/** C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, ALM/LRM/RLM, line/paragraph separators. */
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
/** The same, but tab, line feed and carriage return are allowed (multi-line notes and comments). */
const UNSAFE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first forbidden character of a single-line value as "U+001B", or null when the text is clean. */
export function unsafeCharIn(text: string, multiline = false): string | null {
  const m = (multiline ? UNSAFE_TEXT : UNSAFE_LINE).exec(text);
  return m ? codePoint(m[0]) : null;
}

export function unsafeCharMessage(found: string): string {
  return `must not contain control or text-direction characters (found ${found})`;
}

/**
 * Shortens text quoted back in an error message, so a refusal never echoes megabytes (or a control character)
 * onto a terminal, into a log or into the audit trail.
 */
export function quoteForMessage(text: string, max = 60): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu, '?');
  const chars = [...clean];
  return chars.length <= max ? clean : `${chars.slice(0, max).join('')}… (${chars.length} characters)`;
}

/**
 * The key under which pseudonyms are compared: Unicode NFKC (full-width "ＧＬＩＯ" is "GLIO"), trimmed, lower case.
 * "GLIO-0001" and "glio-0001" are the same patient.
 */
export function pseudonymKey(pseudonym: string): string {
  return pseudonym.normalize('NFKC').trim().toLowerCase();
}
