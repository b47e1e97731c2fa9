/**
 * The per-database audit key: 32 random bytes kept OUTSIDE the database, so that someone who can edit the
 * SQLite file with the sqlite3 tool but cannot read the key cannot recompute keyed event hashes (HMAC-SHA-256).
 *
 * Where the key lives (docs/store-and-audit.md, "Integrity design"):
 *  - `<db>.audit-key`, a file beside the database with owner-only permissions (0600). The CLI, the loopback
 *    bridge and headless runs use it; a key file that other users can read (or that another user owns) is refused.
 *  - In the Electron app additionally a copy wrapped by the OS keychain (safeStorage, `src/main/electron/`), which
 *    is the reference copy there: a replaced key file is detected because it differs from the keychain copy.
 * Every store that holds a key must hold the same key; the key is created once, by whichever process first opens
 * the database for writing, and written to every store (exclusive create: two processes racing get one key).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GliofuseError } from '../../shared/errors.ts';

export const AUDIT_KEY_BYTES = 32;
const HEADER = 'gliofuse-audit-key v1';

/** A place that may hold the audit key. `save` must never overwrite an existing, different key. */
export interface AuditKeyStore {
  /** Human description for messages ("key file /x/db.sqlite.audit-key"). */
  readonly description: string;
  load(): Buffer | null;
  /** Stores `key` if this store holds none yet; returns the key the store holds afterwards. */
  save(key: Buffer): Buffer;
}

/** Short public fingerprint of a key, recorded in checkpoints so a swapped key is named as such. */
export function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update('gliofuse-audit-key-id\0').update(key).digest('hex').slice(0, 16);
}

export const keyFilePathFor = (dbPath: string): string => `${dbPath}.audit-key`;

function parseKeyText(text: string, where: string): Buffer {
  const [head, b64] = text.split(/\r?\n/);
  const key = head === HEADER && b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
  if (key.length !== AUDIT_KEY_BYTES) {
    throw new GliofuseError('INTEGRITY', `The audit key ${where} is not a Gliofuse audit key (damaged or replaced); restore it from your backup.`);
  }
  return key;
}

export const formatKeyText = (key: Buffer): string => `${HEADER}\n${key.toString('base64')}\n`;

/**
 * Refuses a key file others can read or that another account owns: such a key protects nothing. Windows has no
 * POSIX mode bits; there the file inherits the ACL of the user's profile folder (documented).
 */
export function checkOwnerOnly(file: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new GliofuseError('STORAGE', `The audit key file ${file} can be read by other users (mode ${mode}); make it private with "chmod 600 ${file}" and retry.`);
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new GliofuseError('STORAGE', `The audit key file ${file} belongs to another account (uid ${st.uid}); it must belong to the account that runs Gliofuse.`);
  }
}

/** The owner-only key file beside the database. */
export class KeyFileStore implements AuditKeyStore {
  readonly description: string;
  constructor(readonly file: string) {
    this.description = `key file ${file}`;
  }

  load(): Buffer | null {
    let text: string;
    try {
      checkOwnerOnly(this.file);
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new GliofuseError('STORAGE', `permission denied: ${this.file} (the audit key file of this database)`);
      throw err;
    }
    return parseKeyText(text, `in ${this.file}`);
  }

  save(key: Buffer): Buffer {
    // Written under a private temporary name, then hard-linked into place: link() fails if the name exists, so of
    // two processes creating a key at once exactly one wins and the other reads the winner's key.
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, formatKeyText(key));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, this.file);
      fsyncDir(path.dirname(this.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const held = this.load();
    if (!held) throw new GliofuseError('STORAGE', `The audit key file ${this.file} could not be written.`);
    return held;
  }
}

export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename/link itself is still atomic.
  }
}

/**
 * Loads the key from the stores (every store that holds one must agree). With `create`, a missing key is
 * generated and written to every store; without it (verification), a missing key stays missing.
 */
export function resolveAuditKey(stores: readonly AuditKeyStore[], opts: { create: boolean }): Buffer | null {
  let key: Buffer | null = null;
  let from: AuditKeyStore | null = null;
  const holding = new Set<AuditKeyStore>();
  for (const s of stores) {
    const k = s.load();
    if (!k) continue;
    holding.add(s);
    if (key && !crypto.timingSafeEqual(key, k)) {
      throw new GliofuseError('INTEGRITY', `Two different audit keys: the ${from!.description} and the ${s.description} disagree; one was replaced. Restore the right one from your backup (docs/store-and-audit.md).`);
    }
    key = k;
    from = s;
  }
  if (!opts.create) return key;
  let wanted = key ?? crypto.randomBytes(AUDIT_KEY_BYTES);
  // Stores that lack the key get it (e.g. the app's keychain copy of a key the CLI created first). The key file
  // comes first in every list: its exclusive create decides the key when two processes start at once, and the
  // stores after it copy what it holds.
  stores.forEach((s, i) => {
    // A store that already holds the key is not written to (nothing to do, and a full disk must not matter).
    if (holding.has(s)) return;
    const held = s.save(wanted);
    if (!crypto.timingSafeEqual(held, wanted)) {
      if (i > 0) throw new GliofuseError('INTEGRITY', `Two different audit keys: the ${s.description} already holds another key; restore the right one from your backup (docs/store-and-audit.md).`);
      wanted = held;
    }
  });
  return wanted;
}
