/** Router handlers for genomic profiles (channels in src/shared/contract/genomics.ts), beside their service. */
import type { genomicsChannels } from '../../shared/contract/genomics.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { Actor } from '../../shared/actor.ts';
import type { HandlerCtx, PartialHandlers } from '../handler-types.ts';
import type { ModelRegistry } from '../inference/model-packages.ts';
import type { GenomicsService } from './genomics-service.ts';
import { validateProfile } from './profile.ts';

function need(ctx: HandlerCtx): Actor {
  if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
  return ctx.actor;
}

export function genomicsHandlers(d: { models: ModelRegistry; genomics: GenomicsService }): PartialHandlers<keyof typeof genomicsChannels> {
  return {
    'genomics.validate': async (req) => {
      const pkg = await d.models.get(req.modelId);
      return validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, req.fileName, req.content, req.rowId).report;
    },
    'genomics.import': async (req, ctx) => d.genomics.import(need(ctx), req),
    'genomics.get': async (req) => ({ caseId: req.caseId, ...(await d.genomics.forCase(req.caseId)) }),
  };
}
