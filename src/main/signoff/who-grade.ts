/**
 * Reads a model's grade label ("II", "G3", "4", "grade IV") as a CNS WHO grade. WHO CNS5 writes grades in Arabic
 * numerals; model packages (and the TCGA tables they were trained on) often use Roman ones. Unreadable labels
 * give null, so the "accepted but different grade" check is skipped rather than guessed.
 */
import type { WhoGrade } from '../../shared/contract/analysis.ts';

const ROMAN: Record<string, WhoGrade> = { I: '1', II: '2', III: '3', IV: '4' };

export function whoGradeOfLabel(label: string): WhoGrade | null {
  const m = /^\s*(?:cns\s+who\s+)?(?:grade\s*|g)?\s*(IV|III|II|I|[1-4])\s*$/i.exec(label);
  if (!m?.[1]) return null;
  const token = m[1].toUpperCase();
  if (/^[1-4]$/.test(token)) return token as WhoGrade;
  return ROMAN[token] ?? null;
}
