/**
 * Composition root: builds every service from one config. The Electron shell, the CLI and the loopback bridge all
 * call createServices() and talk to the same Router, so they validate, authorise and audit identically.
 */
import path from 'node:path';
import { Db } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { AuditLog } from './audit/audit-log.ts';
import { Sessions } from './auth/sessions.ts';
import { UsersService } from './auth/users-service.ts';
import { PatientsRepo } from './store/patients-repo.ts';
import { SettingsService } from './settings/settings-service.ts';
import { Router, type Handlers } from './router.ts';
import { coreHandlers } from './core-handlers.ts';
import { appVersion as readAppVersion, } from './version.ts';
import { appRoot, defaultDataDir } from './paths.ts';
import type { ChainStatus } from '../shared/contract/audit.ts';

export interface ServicesConfig {
  dbPath: string;
  /** User data folder (models imported by users, caches). Defaults to the OS user-data folder. */
  dataDir?: string;
  /** Folders searched for model packages, in order (bundled first, then user-imported). */
  modelDirs?: string[];
  appVersion?: string;
  /** Resources folder of a packaged app (bundled OpenSlide, models); undefined when running from sources. */
  resourcesPath?: string;
}

export interface Services {
  config: Required<Pick<ServicesConfig, 'dbPath' | 'dataDir' | 'modelDirs' | 'appVersion'>> & Pick<ServicesConfig, 'resourcesPath'>;
  db: Db;
  audit: AuditLog;
  sessions: Sessions;
  settings: SettingsService;
  users: UsersService;
  patients: PatientsRepo;
  router: Router;
  /** Chain status measured when the services started. */
  startupChain: ChainStatus;
  close(): Promise<void>;
}

export async function createServices(cfg: ServicesConfig): Promise<Services> {
  const version = cfg.appVersion ?? readAppVersion();
  const dataDir = cfg.dataDir ?? defaultDataDir();
  const modelDirs = cfg.modelDirs ?? [
    ...(cfg.resourcesPath ? [path.join(cfg.resourcesPath, 'models')] : [path.join(appRoot(), 'models')]),
    path.join(dataDir, 'models'),
  ];
  const db = await Db.open(cfg.dbPath);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const audit = new AuditLog(db, version);
  const settings = new SettingsService(db, audit);
  await settings.load();
  const sessions = new Sessions(() => settings.current().idleLockMinutes * 60_000);
  const users = new UsersService(db, audit, settings);
  const patients = new PatientsRepo(db, audit);
  const startupChain = await audit.verify();

  const closers: (() => Promise<void>)[] = [];
  const handlers: Handlers = {
    ...coreHandlers({ appVersion: version, audit, users, patients, settings, startupChain: () => startupChain }),
  };
  const router = new Router(handlers, audit, sessions);

  return {
    config: { dbPath: cfg.dbPath, dataDir, modelDirs, appVersion: version, resourcesPath: cfg.resourcesPath },
    db, audit, sessions, settings, users, patients, router, startupChain,
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await db.close();
    },
  };
}
