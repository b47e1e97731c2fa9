/** Typed app settings with defaults; every change is audited with before/after. */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import { badInput } from '../../shared/errors.ts';
import { EP_NAMES, type EpName } from '../inference/execution-providers.ts';

export interface Settings {
  idleLockMinutes: number;
  maxFailedLogins: number;
  lockoutMinutes: number;
  forceCpu: boolean;
  openslideLibraryPath: string | null;
  /** 'auto' = the machine's plan (vendor GPU provider, WebGPU, CPU); a name = try that provider first, then CPU. */
  executionProvider: 'auto' | EpName;
}

export const DEFAULT_SETTINGS: Settings = {
  idleLockMinutes: 15,
  maxFailedLogins: 5,
  lockoutMinutes: 15,
  forceCpu: false,
  openslideLibraryPath: null,
  executionProvider: 'auto',
};

export type SettingKey = keyof Settings;

export class SettingsService {
  private cache: Settings = { ...DEFAULT_SETTINGS };
  constructor(private readonly db: Db, private readonly audit: AuditLog) {}

  async load(): Promise<Settings> {
    const rows = await this.db.all<{ key: string; value_json: string }>('SELECT key, value_json FROM settings');
    const next: Settings = { ...DEFAULT_SETTINGS };
    for (const r of rows) {
      if (r.key in next) (next as unknown as Record<string, unknown>)[r.key] = JSON.parse(r.value_json) as unknown;
    }
    this.cache = next;
    return next;
  }

  /** Synchronous read of the last loaded values (used on hot paths such as the idle check). */
  current(): Settings {
    return this.cache;
  }

  async set<K extends SettingKey>(actor: Actor | null, key: K, value: Settings[K]): Promise<Settings> {
    validate(key, value);
    const before = this.cache[key];
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO settings (key, value_json, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [key, JSON.stringify(value), actor?.userId ?? null, new Date().toISOString()],
      );
      await this.audit.appendTx(tx, actor, { action: 'settings.changed', entityType: 'setting', entityId: key, before: { [key]: before }, after: { [key]: value } });
    });
    this.cache = { ...this.cache, [key]: value };
    return this.cache;
  }
}

function validate(key: SettingKey, value: unknown): void {
  const bad = (why: string): never => { throw badInput(`Setting ${key} must be ${why}.`); };
  switch (key) {
    case 'idleLockMinutes': if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 240) bad('a whole number of minutes from 1 to 240'); break;
    case 'maxFailedLogins': if (typeof value !== 'number' || !Number.isInteger(value) || value < 3 || value > 20) bad('a whole number from 3 to 20'); break;
    case 'lockoutMinutes': if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1440) bad('a whole number of minutes from 1 to 1440'); break;
    case 'forceCpu': if (typeof value !== 'boolean') bad('true or false'); break;
    case 'executionProvider': if (value !== 'auto' && !(EP_NAMES as readonly unknown[]).includes(value)) bad(`"auto" or one of ${EP_NAMES.join(', ')}`); break;
    case 'openslideLibraryPath':
      if (value === null) break;
      if (typeof value !== 'string' || value.length > 1024 || !path.isAbsolute(value)) bad('an absolute file path or empty');
      // Checked here so a typo is refused when typed, not found at the next start when slides fail to open.
      if (!fs.statSync(value as string, { throwIfNoEntry: false })?.isFile()) bad(`an existing file (there is none at ${value as string})`);
      break;
  }
}
