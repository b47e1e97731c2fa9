/**
 * What exactly a signature covers. Each signature stores one canonical JSON document (the audit log's rule:
 * sorted keys, no whitespace — src/main/audit/canonical.ts) and its sha256. The document names the case by its
 * pseudonymous ids, the layered diagnosis, how the AI suggestion was used, the signer and the time; an addendum's
 * document also pins the diagnosis signature it amends. Verification re-hashes the stored text and, for the
 * diagnosis, compares it with the diagnosis row, so an edit made behind the app's back is visible.
 */
import crypto from 'node:crypto';
import { canonicalJson } from '../audit/canonical.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';
import type { AiAgreement, LayeredDiagnosis } from '../../shared/contract/review.ts';

export interface Signer {
  userId: number;
  username: string;
  displayName: string;
  role: string;
}

export interface CaseIdentity {
  caseId: number;
  patientPseudonym: string;
  accession: string;
}

export interface AiSuggestionRef {
  analysisId: number;
  modelId: string;
  modelVersion: string;
  packageDigest: string;
  grade: { label: string; p: number };
  class: { label: string; p: number };
}

export interface DiagnosisContent {
  kind: 'gliofuse.diagnosis.v1';
  case: CaseIdentity;
  diagnosis: Required<LayeredDiagnosis>;
  aiAgreement: AiAgreement;
  overrideReason: string | null;
  aiSuggestion: AiSuggestionRef | null;
  signer: Signer;
  signedAt: string;
  ruo: string;
}

export interface AddendumContent {
  kind: 'gliofuse.addendum.v1';
  case: CaseIdentity;
  seq: number;
  text: string;
  amendsSignatureSha256: string;
  signer: Signer;
  signedAt: string;
  ruo: string;
}

export function diagnosisContent(c: Omit<DiagnosisContent, 'kind' | 'ruo'>): DiagnosisContent {
  return { kind: 'gliofuse.diagnosis.v1', ...c, ruo: RUO_STATEMENT };
}

export function addendumContent(c: Omit<AddendumContent, 'kind' | 'ruo'>): AddendumContent {
  return { kind: 'gliofuse.addendum.v1', ...c, ruo: RUO_STATEMENT };
}

export function sealContent(content: DiagnosisContent | AddendumContent): { json: string; sha256: string } {
  const json = canonicalJson(content);
  return { json, sha256: crypto.createHash('sha256').update(json, 'utf8').digest('hex') };
}

/** True when `json` is canonical, hashes to `sha256`, and (optionally) says what `expect` says. */
export function verifySealed(json: string, sha256: string, expect?: (content: Record<string, unknown>) => boolean): boolean {
  if (crypto.createHash('sha256').update(json, 'utf8').digest('hex') !== sha256) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== 'object' || canonicalJson(parsed) !== json) return false;
  return expect ? expect(parsed as Record<string, unknown>) : true;
}
