/** Router handlers for the tile-encoder channels (src/shared/contract/encoder.ts). */
import type { encoderChannels } from '../../shared/contract/encoder.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { EncoderService } from './encoder-service.ts';

export function encoderHandlers(encoders: EncoderService): PartialHandlers<keyof typeof encoderChannels> {
  return {
    'encoder.status': async () => encoders.status(),
    'encoder.install': async (req, ctx) => {
      if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
      return encoders.install(ctx.actor, req);
    },
  };
}
