/**
 * The Electron app's copy of the audit key, wrapped by the OS keychain through `safeStorage` (Keychain on macOS,
 * DPAPI on Windows, libsecret/kwallet on Linux) in `<db>.audit-key.safe`. Only the shell imports this module; it
 * takes safeStorage as a parameter (no electron import) so it is unit-tested in plain Node with a fake.
 *
 * The app uses both stores: the owner-only key file (shared with the CLI on the same account, which has no access
 * to the keychain) and this wrapped copy, which is the app's reference: a replaced key file no longer matches it
 * (start-up refuses, naming both), and a deleted key file is restored from it (docs/store-and-audit.md).
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { GliofuseError } from '../../shared/errors.ts';
import { AUDIT_KEY_BYTES, KeyFileStore, keyFilePathFor, type AuditKeyStore } from '../audit/audit-key.ts';

/** The part of Electron's safeStorage this store needs. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means a fixed obfuscation password, i.e. no protection at all. */
  getSelectedStorageBackend?: () => string;
}

export const keychainFilePathFor = (dbPath: string): string => `${keyFilePathFor(dbPath)}.safe`;

export class KeychainKeyStore implements AuditKeyStore {
  readonly description: string;
  constructor(readonly file: string, private readonly safe: SafeStorageLike) {
    this.description = `OS-keychain copy ${file}`;
  }

  load(): Buffer | null {
    let blob: Buffer;
    try {
      blob = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let key: Buffer;
    try {
      key = Buffer.from(this.safe.decryptString(blob), 'base64');
    } catch {
      throw new GliofuseError('INTEGRITY', `The ${this.description} cannot be opened with this account's keychain (copied from another account or machine, or damaged).`);
    }
    if (key.length !== AUDIT_KEY_BYTES) throw new GliofuseError('INTEGRITY', `The ${this.description} does not hold a Gliofuse audit key.`);
    return key;
  }

  save(key: Buffer): Buffer {
    const held = this.load();
    if (held) return held;
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, this.safe.encryptString(key.toString('base64')), { mode: 0o600 });
    try {
      fs.linkSync(tmp, this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return this.load() ?? key;
  }
}

/** Whether safeStorage really protects anything here (a keyring, not Linux's fixed-password fallback). */
export function keychainUsable(safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): boolean {
  if (!safe.isEncryptionAvailable()) return false;
  if (platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text') return false;
  return true;
}

/** The app's key stores: the key file first (its exclusive create decides a new key), then the keychain copy. */
export function appKeyStores(dbPath: string, safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): AuditKeyStore[] {
  const stores: AuditKeyStore[] = [new KeyFileStore(keyFilePathFor(dbPath))];
  if (keychainUsable(safe, platform)) stores.push(new KeychainKeyStore(keychainFilePathFor(dbPath), safe));
  return stores;
}
