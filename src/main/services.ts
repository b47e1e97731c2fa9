/**
 * Composition root: builds every service from one config. The Electron shell, the CLI and the loopback bridge all
 * call createServices() and talk to the same Router, so they validate, authorise and audit identically.
 */
import path from 'node:path';
import { Db, type Tx } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { AuditKeyStore } from './audit/audit-key.ts';
import { defaultKeyStores, prepareAuditKey } from './audit/keying.ts';
import { checkpointPathFor } from './audit/checkpoint.ts';
import { withStoreChecks } from './integrity/verify-store.ts';
import { Sessions } from './auth/sessions.ts';
import { UsersService } from './auth/users-service.ts';
import { PasswordService } from './auth/password-service.ts';
import { passwordHandlers } from './auth/password-handlers.ts';
import { PatientsRepo } from './patients/patients-repo.ts';
import { SettingsService } from './settings/settings-service.ts';
import { Router, type Handlers } from './router.ts';
import { coreHandlers } from './core-handlers.ts';
import { ModelRegistry, defaultModelFolders, userModelFolder } from './inference/model-packages.ts';
import { genomicsHandlers } from './genomics/handlers.ts';
import { modelHandlers } from './inference/model-handlers.ts';
import { GenomicsService } from './genomics/genomics-service.ts';
import { engineThumbnail, reviewHandlers, reviewServices, type ReviewServices } from './report/handlers.ts';
import { SlideEngine } from './wsi/engine.ts';
import { SlideService } from './wsi/service.ts';
import { slideHandlers } from './wsi/handlers.ts';
import { EncoderService } from './analysis/encoder-service.ts';
import { encoderHandlers } from './analysis/encoder-handlers.ts';
import { slideSettingsHandlers } from './wsi/slide-settings-handlers.ts';
import { AnalysisService } from './analysis/job-manager.ts';
import { analysisHandlers } from './analysis/handlers.ts';
import { auditViewHandlers } from './audit-view/handlers.ts';
import { genomicsViewHandlers } from './genomics/interpretation-handlers.ts';
import { caseRecordHandlers } from './case-records/handlers.ts';
import { WhoCaseService } from './who-cns5/case-service.ts';
import { whoCns5Handlers } from './who-cns5/handlers.ts';
import { fileOriginHandlers } from './file-origins/handlers.ts';
import { appVersion as readAppVersion, } from './version.ts';
import { defaultDataDir } from './paths.ts';
import type { ChainStatus } from '../shared/contract/audit.ts';
import type { AppEvent } from '../shared/preload-api.ts';
import { ANALYSIS_EVENT_TOPIC } from '../shared/contract/analysis.ts';

export interface ServicesConfig {
  dbPath: string;
  /** User data folder (models imported by users, caches). Defaults to the OS user-data folder. */
  dataDir?: string;
  /** Folders searched for model packages, in order (bundled first, then user-imported). */
  modelDirs?: string[];
  appVersion?: string;
  /** Resources folder of a packaged app (bundled OpenSlide, models); undefined when running from sources. */
  resourcesPath?: string;
  /**
   * How worker processes are started, by worker name ('slide-worker', 'analysis-worker'). Default: child_process.fork
   * of the module next to the caller. The Electron shell passes utilityProcess instead (the RunAsNode fuse is off in
   * packaged builds, so forking the Electron binary as Node is impossible there).
   */
  workerFactory?: (name: string) => import('./workers/transport.ts').WorkerFactory;
  /**
   * Where the audit key is kept (docs/store-and-audit.md, "Integrity design"). Default: the owner-only key file
   * beside the database; the Electron shell adds its OS-keychain copy.
   */
  auditKeyStores?: AuditKeyStore[];
  /** Open the database read-only (the CLI's fallback on a full disk: listings and verification keep working). */
  readonly?: boolean;
}

export interface Services {
  config: Required<Pick<ServicesConfig, 'dbPath' | 'dataDir' | 'modelDirs' | 'appVersion'>> & Pick<ServicesConfig, 'resourcesPath'>;
  db: Db;
  audit: AuditLog;
  sessions: Sessions;
  settings: SettingsService;
  users: UsersService;
  patients: PatientsRepo;
  /** Model packages in modelDirs (verified on use). */
  models: ModelRegistry;
  genomics: GenomicsService;
  /** Sign-off (layered diagnosis, signatures, addenda) and case reports. */
  review: ReviewServices;
  /** Whole-slide engine (slide workers start on first use). */
  slides: SlideService;
  /** Deep-zoom JPEG tile of a registered slide, for the wsi:// scheme and the bridge's /wsi/ route. */
  slideTile(slideId: number, level: number, col: number, row: number, ctx: { sessionId: string }): Promise<Buffer>;
  /** Analysis jobs (the analysis worker starts on first use); `analysis.events` emits 'progress' for the shells to push. */
  analysis: AnalysisService;
  router: Router;
  /** The one feed of events pushed to the renderer (job progress, ...); both shells forward it. Returns unsubscribe. */
  onEvent(cb: (event: AppEvent) => void): () => void;
  /** Chain status measured when the services started. */
  startupChain: ChainStatus;
  close(): Promise<void>;
}

export async function createServices(cfg: ServicesConfig): Promise<Services> {
  const version = cfg.appVersion ?? readAppVersion();
  const dataDir = cfg.dataDir ?? defaultDataDir();
  // Explicit folders count as bundled unless one is the user folder under dataDir (`gliofuse models import`).
  const modelFolders = cfg.modelDirs
    ? cfg.modelDirs.map((dir) => ({ dir, source: path.resolve(dir) === path.resolve(userModelFolder(dataDir)) ? 'user' as const : 'bundled' as const }))
    : defaultModelFolders(dataDir, cfg.resourcesPath);
  const modelDirs = modelFolders.map((f) => f.dir);
  const db = await Db.open(cfg.dbPath, { readonly: cfg.readonly === true });
  const keyStores = cfg.auditKeyStores ?? defaultKeyStores(cfg.dbPath);
  let auditKey: Buffer | null;
  try {
    await migrate(db);
    auditKey = await prepareAuditKey(db, cfg.dbPath, keyStores, { appVersion: version, readonly: cfg.readonly === true });
  } catch (err) {
    await db.close();
    throw err;
  }
  const audit = new AuditLog(db, version, undefined, {
    key: auditKey, checkpointFile: checkpointPathFor(cfg.dbPath), keyDescription: keyStores.map((k) => k.description).join('; '),
    onCheckpointError: (err) => console.warn(`[audit] the checkpoint beside ${cfg.dbPath} could not be written: ${err instanceof Error ? err.message : String(err)}`),
  });
  const settings = new SettingsService(db, audit);
  await settings.load();
  const sessions = new Sessions(() => settings.current().idleLockMinutes * 60_000);
  const users = new UsersService(db, audit, settings);
  const patients = new PatientsRepo(db, audit);
  const models = new ModelRegistry(modelFolders);
  const genomics = new GenomicsService(db, audit, patients, models);
  // OpenSlide library: GLIOFUSE_OPENSLIDE_LIB wins (a session override), else the Settings value (read at start-up:
  // workers load the library once), else the bundled or system library.
  const openslideLibraryPath = process.env.GLIOFUSE_OPENSLIDE_LIB || settings.current().openslideLibraryPath || undefined;
  const slideEngine = new SlideEngine({ factory: cfg.workerFactory?.('slide-worker'), resourcesPath: cfg.resourcesPath, libraryPath: openslideLibraryPath });
  const slides = new SlideService({ db, audit, engine: slideEngine, sessions });
  // Slide thumbnails for the report's heatmap come from the slide engine.
  // WHO CNS5 rules on the case's profile + histology findings: shown beside the AI, in the PDF, proposed at sign-off.
  const whoCases = new WhoCaseService(db, audit, patients, models);
  const reviewDeps = { db, audit, users, patients, models, appVersion: version, dataDir, slideThumbnail: engineThumbnail(slideEngine), whoProposal: (caseId: number, tx: Tx) => whoCases.proposal(caseId, tx), whoView: (caseId: number, analysisId?: number) => whoCases.view(caseId, analysisId) };
  const review = reviewServices(reviewDeps);
  const analysis = new AnalysisService({ db, audit, patients, settings, models, genomics, dataDir, resourcesPath: cfg.resourcesPath, appVersion: version, workerFactory: cfg.workerFactory?.('analysis-worker'), openslideLibraryPath });
  // Jobs left queued/running by a process that is gone are failed with a reason (never left running).
  await analysis.recoverInterrupted();
  const verifyIntegrity = async () => withStoreChecks(db, await audit.verify());
  const startupChain = await verifyIntegrity();

  const closers: (() => Promise<void>)[] = [];
  const handlers: Handlers = {
    ...coreHandlers({ appVersion: version, audit, users, patients, settings, startupChain: () => startupChain, verifyIntegrity }),
    ...modelHandlers({ models }),
    ...genomicsHandlers({ models, genomics }),
    ...reviewHandlers(reviewDeps, review),
    ...slideHandlers({ slides }),
    ...encoderHandlers(new EncoderService({ audit, models, dataDir, resourcesPath: cfg.resourcesPath })),
    ...slideSettingsHandlers({ slides }),
    ...analysisHandlers(analysis),
    ...auditViewHandlers({ db }),
    ...genomicsViewHandlers({ patients }),
    ...caseRecordHandlers({ db, audit }),
    ...whoCns5Handlers(whoCases),
    ...fileOriginHandlers(db),
    ...passwordHandlers(new PasswordService(db, audit, users)),
  };
  closers.push(() => slides.close());
  closers.push(() => analysis.close());
  const router = new Router(handlers, audit, sessions);

  return {
    config: { dbPath: cfg.dbPath, dataDir, modelDirs, appVersion: version, resourcesPath: cfg.resourcesPath },
    db, audit, sessions, settings, users, patients, models, genomics, review, slides, analysis, router, startupChain,
    onEvent(cb) {
      const fn = (data: unknown) => cb({ topic: ANALYSIS_EVENT_TOPIC, at: new Date().toISOString(), data });
      analysis.events.on('progress', fn);
      return () => { analysis.events.off('progress', fn); };
    },
    slideTile: (slideId, level, col, row, ctx) => slides.serveSlideTile(slideId, level, col, row, 'jpeg', ctx),
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await db.close();
    },
  };
}
