/**
 * How the Genomics tab explains a profile before and after import (issue 14 items 3 and 4): values in words by the
 * WHO CNS5 rules' thresholds, and what the analysis will do about age at diagnosis.
 */
import { z } from 'zod';
import { channel } from './define.ts';
import { Id } from './common.ts';

export const AgePlan = z.object({
  /** 'profile': the profile has it; 'derived': collection year − birth year at analysis; 'imputed': training-cohort value. */
  plan: z.enum(['profile', 'derived', 'imputed']),
  years: z.number().nullable(),
  text: z.string(),
});
export type AgePlan = z.infer<typeof AgePlan>;

export const genomicsViewChannels = {
  'genomics.interpret': channel({
    request: z.object({
      caseId: Id,
      values: z.record(z.string().max(128), z.number().nullable()).refine((r) => Object.keys(r).length <= 10000, 'too many fields'),
      /** Whether the profile itself gives age at diagnosis (observed). */
      ageObserved: z.boolean(),
    }).strict(),
    response: z.object({ fields: z.record(z.string(), z.string()), combined: z.array(z.string()), thresholds: z.string(), age: AgePlan }),
    access: 'any', summary: 'genomic values in words (WHO CNS5 thresholds) and what the analysis will do about age at diagnosis',
  }),
};
