/**
 * Handlers for the report channels (src/shared/contract/report.ts: report.* and models.cohort), and the
 * composition of the review services: the report service reads the sign-off, so it is built here, above signoff/.
 * Wired into the router by src/main/services.ts.
 */
import type { reportChannels } from '../../shared/contract/report.ts';
import type { reviewChannels } from '../../shared/contract/review.ts';
import type { WhoCaseView } from '../../shared/contract/who-cns5.ts';
import type { PartialHandlers, HandlerCtx } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { UsersService } from '../auth/users-service.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import type { ModelRegistry } from '../inference/model-packages.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { SignoffService, type LayeredProposalSource } from '../signoff/signoff-service.ts';
import { signoffHandlers } from '../signoff/handlers.ts';
import { ReportService, type SlideRef } from './report-service.ts';
import { modelInfo } from './model-info.ts';
import type { SlideThumbnail } from './heatmap-image.ts';

export interface ReviewDeps {
  db: Db;
  audit: AuditLog;
  users: UsersService;
  patients: PatientsRepo;
  models: Pick<ModelRegistry, 'get'>;
  appVersion: string;
  dataDir: string;
  /** Whole-slide thumbnail for the report's heatmap (the slide engine's); optional. */
  slideThumbnail?: ((slide: SlideRef) => Promise<SlideThumbnail | null>) | undefined;
  /** The WHO CNS5 rules' proposed layered diagnosis (recorded at signing as accepted or edited); optional. */
  whoProposal?: LayeredProposalSource | undefined;
  /** The case's WHO CNS5 view for the PDF; optional. */
  whoView?: ((caseId: number, analysisId?: number) => Promise<WhoCaseView>) | undefined;
}

/** Adapts the slide engine's thumbnail (`SlideEngine.thumbnail(path, maxSize, 'png')`) to the report's need. */
export function engineThumbnail(engine: { thumbnail(path: string, maxSize: number, format: 'png'): Promise<{ data: Buffer; width: number; height: number; downsampleX: number; downsampleY: number }> }) {
  return async (slide: SlideRef): Promise<SlideThumbnail | null> => {
    const t = await engine.thumbnail(slide.path, 1024, 'png');
    const level0Width = slide.width ?? Math.round(t.width * t.downsampleX);
    const level0Height = slide.height ?? Math.round(t.height * t.downsampleY);
    return { image: t.data, level0Width, level0Height };
  };
}

export interface ReviewServices {
  signoff: SignoffService;
  reports: ReportService;
}

export function reviewServices(d: ReviewDeps): ReviewServices {
  const signoff = new SignoffService(d.db, d.audit, d.users, d.patients);
  if (d.whoProposal) signoff.proposalSource = d.whoProposal;
  const reports = new ReportService({
    db: d.db, audit: d.audit, patients: d.patients, signoff, appVersion: d.appVersion, dataDir: d.dataDir,
    modelInfo: (id) => modelInfo(d.models, id), slideThumbnail: d.slideThumbnail, whoView: d.whoView,
  });
  return { signoff, reports };
}

type ReportChannel = keyof typeof reportChannels;

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function reportHandlers(d: Pick<ReviewDeps, 'models'>, reports: ReportService): PartialHandlers<ReportChannel> {
  return {
    'report.export': async (req, ctx) => {
      const { report, pdf } = await reports.export(need(ctx), req.caseId, req.analysisId);
      return { report, pdfBase64: pdf.toString('base64') };
    },
    'report.list': async (req) => ({ reports: await reports.list(req.caseId) }),
    'report.download': async (req, ctx) => {
      const { report, pdf } = await reports.download(need(ctx), req.reportId);
      return { report, pdfBase64: pdf.toString('base64') };
    },
    'models.cohort': async (req) => {
      const info = await modelInfo(d.models, req.id);
      return { modelId: info.modelId, available: info.available, reason: info.reason, packageDigest: info.packageDigest, modelVersion: info.modelVersion, cohort: info.cohort };
    },
  };
}

/** Every review channel: sign-off (signoff/handlers.ts) and report. */
export function reviewHandlers(d: ReviewDeps, services: ReviewServices = reviewServices(d)): PartialHandlers<keyof typeof reviewChannels | keyof typeof reportChannels> {
  return { ...signoffHandlers(services.signoff), ...reportHandlers(d, services.reports) };
}
