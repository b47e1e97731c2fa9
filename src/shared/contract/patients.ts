import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id, IsoDateTime, Paging } from './common.ts';
import { PastDate, safeLine, safeText } from './safe-text.ts';

export const Sex = z.enum(['female', 'male', 'other', 'unknown']);
/** PHI is a separate object: never part of exports, reports or the audit log's patient reference. */
export const PatientPhi = z.object({
  mrn: safeLine(64).nullable().optional(),
  fullName: safeLine(200).nullable().optional(),
  sex: Sex.nullable().optional(),
  birthYear: z.number().int().min(1880).max(2100).nullable().optional(),
});
export type PatientPhi = z.infer<typeof PatientPhi>;

/**
 * Unicode NFKC first (full-width "ＧＬＩＯ-0001" is "GLIO-0001"), then the ASCII rule. Pseudonyms are compared
 * case-insensitively (src/shared/text-safety.ts pseudonymKey; migration 0030).
 */
export const Pseudonym = z.string().trim().transform((s) => s.normalize('NFKC'))
  .pipe(z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'));

export const Patient = z.object({
  id: Id,
  pseudonym: z.string(),
  phi: PatientPhi,
  /** True when MRN and name were withheld because the caller's role may not see identifiers (viewer). */
  phiRedacted: z.boolean().optional(),
  caseCount: z.number().int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Patient = z.infer<typeof Patient>;

export const CASE_STATUSES = ['new', 'analysing', 'ready_for_review', 'signed', 'archived'] as const;
export const CaseStatus = z.enum(CASE_STATUSES);

export const CaseFields = z.object({
  accession: safeLine(64).pipe(z.string().min(1)),
  specimen: safeLine(200).default(''),
  site: safeLine(200).default(''),
  collectedOn: PastDate.nullable().optional(),
  receivedOn: PastDate.nullable().optional(),
});

export const Case = z.object({
  id: Id,
  patientId: Id,
  patientPseudonym: z.string(),
  accession: z.string(),
  specimen: z.string(),
  site: z.string(),
  collectedOn: z.string().nullable(),
  receivedOn: z.string().nullable(),
  status: CaseStatus,
  slideCount: z.number().int(),
  hasGenomics: z.boolean(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Case = z.infer<typeof Case>;

export const StatusChange = z.object({ status: CaseStatus, changedBy: z.string(), changedAt: IsoDateTime, note: z.string().nullable() });

export const patientChannels = {
  'patients.list': channel({
    request: Paging.extend({ search: z.string().trim().max(100).optional() }).strict(),
    response: z.object({ total: z.number().int(), patients: z.array(Patient) }),
    access: 'any', auditRead: true, summary: 'search patients by pseudonym, MRN or name',
  }),
  'patients.get': channel({ request: z.object({ id: Id }).strict(), response: Patient, access: 'any', auditRead: true, summary: 'one patient' }),
  'patients.create': channel({
    request: z.object({ pseudonym: Pseudonym, phi: PatientPhi.default({}) }).strict(),
    response: Patient, access: EDITORS, summary: 'register a patient',
  }),
  'patients.update': channel({
    request: z.object({ id: Id, pseudonym: Pseudonym.optional(), phi: PatientPhi.optional() }).strict(),
    response: Patient, access: EDITORS, summary: 'edit a patient',
  }),
  'cases.list': channel({
    request: Paging.extend({ patientId: Id.optional(), status: CaseStatus.optional(), search: z.string().trim().max(100).optional() }).strict(),
    response: z.object({ total: z.number().int(), cases: z.array(Case) }),
    access: 'any', auditRead: true, summary: 'worklist / cases of a patient',
  }),
  'cases.get': channel({
    request: z.object({ id: Id }).strict(),
    response: Case.extend({ history: z.array(StatusChange) }),
    access: 'any', auditRead: true, summary: 'one case with its status timeline',
  }),
  'cases.create': channel({ request: CaseFields.extend({ patientId: Id }).strict(), response: Case, access: EDITORS, summary: 'open a case' }),
  'cases.update': channel({ request: CaseFields.partial().extend({ id: Id }).strict(), response: Case, access: EDITORS, summary: 'edit case fields' }),
  'cases.setStatus': channel({
    request: z.object({ id: Id, status: CaseStatus, note: safeText(500).optional() }).strict(),
    response: Case, access: EDITORS, summary: 'move a case along its workflow',
  }),
};
