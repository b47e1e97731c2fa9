/** Handler for src/shared/contract/genomics-view.ts, beside the interpretation it serves. */
import type { genomicsViewChannels } from '../../shared/contract/genomics-view.ts';
import type { AgePlan } from '../../shared/contract/genomics-view.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { PatientsRepo } from '../patients/patients-repo.ts';
import { interpret } from './interpretation.ts';

/**
 * The age the analysis will use, said before it runs — the same rule as the job manager's deriveAge (collection
 * year − birth year when the profile lacks age and both are recorded), so the Genomics tab no longer says
 * "imputed" for an age the analysis then derives.
 */
export function agePlan(ageObserved: boolean, profileAge: number | null, birthYear: number | null | undefined, collectedOn: string | null): AgePlan {
  if (ageObserved) return { plan: 'profile', years: profileAge, text: 'Age at diagnosis is taken from the profile.' };
  if (birthYear && collectedOn) {
    const years = Number(collectedOn.slice(0, 4)) - birthYear;
    return { plan: 'derived', years, text: `The analysis will derive age at diagnosis: ${years} years (collection date ${collectedOn} − birth year; up to one year high).` };
  }
  return { plan: 'imputed', years: null, text: 'The analysis will impute age at diagnosis with the training-cohort value: the profile lacks it, and the patient has no birth year with a collection date.' };
}

export function genomicsViewHandlers(d: { patients: PatientsRepo }): PartialHandlers<keyof typeof genomicsViewChannels> {
  return {
    'genomics.interpret': async (req) => {
      const kase = await d.patients.getCase(req.caseId);
      const patient = await d.patients.get(kase.patientId);
      const age = req.values['age_at_diagnosis'] ?? null;
      return { ...interpret(req.values), age: agePlan(req.ageObserved, age, patient.phi.birthYear, kase.collectedOn) };
    },
  };
}
