/**
 * The note beside a genomic attribution (issue 14 item 4): "imputed", "derived: 68 years (…)" for an age the
 * analysis derived from birth year and collection date (provenance.preprocessing.genomics.derivedAge), or the value
 * rounded for reading — so the result says "derived" where the PDF and the pipeline count the age as observed.
 */
import type { AnalysisResult } from '../../../shared/analysis-result.ts';

interface DerivedAge {
  featureId: string;
  years: number;
}

export function derivedAgeOf(r: AnalysisResult): DerivedAge | null {
  const g = r.provenance.preprocessing['genomics'];
  if (!g || typeof g !== 'object' || !('derivedAge' in g)) return null;
  const d = (g as { derivedAge: unknown }).derivedAge;
  if (!d || typeof d !== 'object') return null;
  const { featureId, years } = d as Record<string, unknown>;
  return typeof featureId === 'string' && typeof years === 'number' ? { featureId, years } : null;
}

export function attributionNote(a: { featureId: string; imputed: boolean; value: number | null }, derived: DerivedAge | null): string | undefined {
  if (derived && a.featureId === derived.featureId) return `derived: ${derived.years} years (collection date − birth year)`;
  if (a.imputed) return 'imputed';
  if (a.value === null) return undefined;
  return `value ${Number.isInteger(a.value) ? a.value : Math.round(a.value * 100) / 100}`;
}
