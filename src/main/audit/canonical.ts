/**
 * Canonical JSON for the audit hash chain — the one place this rule lives:
 *  - object keys sorted by UTF-16 code unit order (JS default sort), recursively;
 *  - no insignificant whitespace; strings as JSON.stringify escapes them; numbers as JSON numbers
 *    (non-finite numbers are refused, they have no JSON form); `undefined` members are dropped, null is kept.
 *  hash = sha256_hex(prev_hash + canonical(row without `hash`)), UTF-8. Genesis prev_hash = 64 zeros.
 *  Keyed events (docs/store-and-audit.md, "Integrity design") use the same message under HMAC-SHA-256 with the
 *  installation's audit key: hash = hmac_sha256_hex(key, prev_hash + canonical(row without `hash`)).
 */
import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot encode a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

export function chainHash(prevHash: string, rowWithoutHash: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(prevHash + canonicalJson(rowWithoutHash), 'utf8').digest('hex');
}

/** The keyed rule: without the key, nobody can recompute a keyed event's hash after editing it. */
export function chainMac(key: Buffer, prevHash: string, rowWithoutHash: Record<string, unknown>): string {
  return crypto.createHmac('sha256', key).update(prevHash + canonicalJson(rowWithoutHash), 'utf8').digest('hex');
}
