/**
 * Handlers for the review / sign-off channels (src/shared/contract/review.ts), beside their service.
 * The report channels and the composition of both services are in src/main/report/handlers.ts.
 */
import type { reviewChannels } from '../../shared/contract/review.ts';
import type { PartialHandlers, HandlerCtx } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { SignoffService } from './signoff-service.ts';

export type SignoffChannel = keyof typeof reviewChannels;

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function signoffHandlers(signoff: SignoffService): PartialHandlers<SignoffChannel> {
  return {
    'review.get': async (req) => signoff.review(req.caseId, req.analysisId),
    'review.saveDraft': async (req, ctx) => signoff.saveDraft(need(ctx), req),
    'review.sign': async (req, ctx) => signoff.sign(need(ctx), req),
    'review.addendum': async (req, ctx) => signoff.addAddendum(need(ctx), req),
  };
}
