/** Router handlers for the slide channels (src/shared/contract/slides.ts), over the SlideService. */
import type { slideChannels } from '../../shared/contract/slides.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { HandlerCtx, PartialHandlers } from '../handler-types.ts';
import type { Actor } from '../../shared/actor.ts';
import type { SlideService } from './service.ts';

export interface SlideHandlerDeps {
  slides: SlideService;
}

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function slideHandlers(d: SlideHandlerDeps): PartialHandlers<keyof typeof slideChannels> {
  return {
    'slides.attach': async (req, ctx) => d.slides.attach(need(ctx), req),
    'slides.list': async (req) => d.slides.list(req.caseId),
    'slides.get': async (req) => d.slides.get(req.id),
    'slides.dzi': async (req) => d.slides.dzi(req.id),
    'slides.tissue': async (req) => d.slides.tissue(req.id, req.params),
    'slides.tileGrid': async (req) => d.slides.tileGrid(req.id, req.params, req.tissue),
    'slides.associated': async (req, ctx) => d.slides.associated(need(ctx), req.id, req.name),
    'slides.thumbnail': async (req) => d.slides.thumbnail(req.id, req.maxSize),
  };
}
