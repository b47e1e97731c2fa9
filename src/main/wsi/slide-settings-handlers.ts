/**
 * Router handlers for what users enter about a slide (issue 13): its µm/px and its tissue-detection parameters.
 * Beside handlers.ts so the capability's channels stay in its folder.
 */
import type { slideSettingsChannels } from '../../shared/contract/slide-settings.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { SlideService } from './service.ts';

export function slideSettingsHandlers(d: { slides: SlideService }): PartialHandlers<keyof typeof slideSettingsChannels> {
  return {
    'slides.setMpp': async (req, ctx) => {
      if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
      return d.slides.setMpp(ctx.actor, req.id, req.mpp);
    },
    'slides.setTissueParams': async (req, ctx) => {
      if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
      return d.slides.setTissueParams(ctx.actor, req.id, req.params);
    },
  };
}
