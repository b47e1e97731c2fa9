/** Handlers for the WHO CNS5 channels (src/shared/contract/who-cns5.ts), beside the rules they call. */
import type { whoCns5Channels } from '../../shared/contract/who-cns5.ts';
import type { PartialHandlers, HandlerCtx } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { classifyFile } from './classify-file.ts';
import { describeThresholds, thresholdsFor } from './thresholds.ts';
import type { WhoCaseService } from './case-service.ts';

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function whoCns5Handlers(cases: WhoCaseService): PartialHandlers<keyof typeof whoCns5Channels> {
  return {
    'who.classify': async (req) => {
      const t = thresholdsFor(req.profileSource);
      const { columns, rows } = classifyFile(req, t);
      return { profileSource: req.profileSource, thresholds: describeThresholds(t), columns, rows };
    },
    'who.case': async (req) => cases.view(req.caseId, req.analysisId),
    'who.saveHistology': async (req, ctx) => cases.saveHistology(need(ctx), req),
  };
}
