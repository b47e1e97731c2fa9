/**
 * Reads a model's grade label ("II", "G3", "4", "grade IV") as a grade number in Arabic numerals. Note that the
 * reference model's grade head predicts the histological grade recorded in TCGA (pre-2021 WHO), not a CNS WHO grade
 * (docs/who-cns5.md); the number is only compared with the pathologist's grade so that "accepted" cannot silently
 * carry a different grade. Unreadable labels give null, so that check is skipped rather than guessed.
 */
import type { WhoGrade } from '../../shared/contract/review.ts';

const ROMAN: Record<string, WhoGrade> = { I: '1', II: '2', III: '3', IV: '4' };

export function whoGradeOfLabel(label: string): WhoGrade | null {
  const m = /^\s*(?:cns\s+who\s+)?(?:grade\s*|g)?\s*(IV|III|II|I|[1-4])\s*$/i.exec(label);
  if (!m?.[1]) return null;
  const token = m[1].toUpperCase();
  if (/^[1-4]$/.test(token)) return token as WhoGrade;
  return ROMAN[token] ?? null;
}
