/** Router handlers for the analysis job channels (src/shared/contract/analysis.ts, "analysis jobs" block). */
import type { analysisJobChannels } from '../../shared/contract/analysis.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { HandlerCtx, PartialHandlers } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import type { AnalysisService } from './job-manager.ts';

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function analysisHandlers(analysis: AnalysisService): PartialHandlers<keyof typeof analysisJobChannels> {
  return {
    'analysis.start': async (req, ctx) => analysis.start(need(ctx), { caseId: req.caseId, modelId: req.modelId, forceCpu: req.forceCpu, slideId: req.slideId, requestedProvider: req.executionProvider, slideQc: req.slideQc }),
    'analysis.cancel': async (req, ctx) => analysis.cancel(need(ctx), req.id),
    'analysis.get': async (req) => analysis.get(req.id),
    'analysis.list': async (req) => analysis.list(req.caseId),
  };
}
