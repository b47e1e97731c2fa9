/**
 * The PDF's WHO CNS5 parts (docs/who-cns5.md): the disagreement line at the top of the report, and the
 * "WHO CNS5 molecular criteria" block (rule-based on the entered and measured data — not AI, so it is printed
 * outside the dashed AI frames).
 */
import type { WhoCaseView } from '../../shared/contract/who-cns5.ts';
import { WHO_RULES_LABEL } from '../../shared/who-cns5.ts';
import { COLOR, FONT, type PdfWriter } from './pdf-writer.ts';

/** One line under the title naming what disagrees between the AI class, the AI grade and the criteria. */
export function whoDisagreementLine(w: PdfWriter, who: WhoCaseView | null | undefined): void {
  if (!who?.disagreements.length) return;
  w.para(`DISAGREEMENT: ${who.disagreements.map((d) => d.message.replace(/\.$/, '')).join('; ')}.`, { font: FONT.bold, color: COLOR.warn, size: 9.2, after: 8 });
}

export function whoCriteriaSection(w: PdfWriter, who: WhoCaseView | null | undefined): void {
  w.heading('WHO CNS5 molecular criteria (rule-based, not AI)', { keepWith: 80 });
  if (!who) {
    w.para('The WHO CNS5 criteria were not applied to this report.', { size: 8.6, color: COLOR.muted, after: 8 });
    return;
  }
  const c = who.criteria;
  if (!c) {
    w.para(who.unavailableReason ?? 'No genomic profile.', { size: 9, after: 8 });
    return;
  }
  w.rows([
    ['Integrated diagnosis', `${c.integratedDiagnosis}${c.status === 'classified' ? '' : ` (${c.status})`}`],
    ...(c.reason ? [['Why not decided', c.reason] as const] : []),
    ['Molecular information', c.molecularInformation],
    ['Histology findings', who.histologyUpdatedAt ? `entered by ${who.histologyUpdatedBy ?? '?'}${c.histologicalFeaturesGrade ? `; features of grade ${c.histologicalFeaturesGrade}` : ''}` : 'not entered'],
  ], { labelWidth: 150, size: 9.2 });
  if (c.criteria.length) {
    w.subheading('Criteria that fired', 30);
    for (const x of c.criteria) w.para(`${x.statement} — ${x.field} ${x.value} (${x.threshold}; ${x.source})`, { size: 8.4, after: 2 });
  }
  if (c.missing.length) {
    w.subheading('Missing inputs', 30);
    for (const m of c.missing) w.para(`${m.field} — ${m.why}`, { size: 8.4, after: 2 });
  }
  for (const n of c.notes) w.para(`Note: ${n}`, { size: 8, color: COLOR.muted, after: 2 });
  w.para(`Thresholds: ${c.thresholds.summary}. ${WHO_RULES_LABEL}.`, { size: 7.8, color: COLOR.muted, after: 10 });
  clinicalReferenceSection(w, who);
}

/** The clinical reference risk beside UMEML's, with the package's measured added value (not AI). */
function clinicalReferenceSection(w: PdfWriter, who: WhoCaseView): void {
  const r = who.clinicalReference;
  if (!r) {
    if (who.clinicalReferenceNote) w.para(`Clinical reference risk: ${who.clinicalReferenceNote}`, { size: 8.4, color: COLOR.muted, after: 8 });
    return;
  }
  const primary = r.primarySurvival === 'clinical-reference';
  w.heading(`Clinical reference risk (statistical model, not AI)${primary ? ' - primary survival figure' : ''}`, { keepWith: 60 });
  w.rows([
    ['Model', r.label],
    ['Risk group', r.riskGroup !== null ? `${r.riskGroup} (risk ${r.risk?.toFixed(2)})` : `not computed: ${r.missing.join(', ')} not measured (nothing is imputed)`],
    ['AI (UMEML) risk group', r.aiRiskGroup],
    ['Cross-validated c-index', `${r.cIndexMean.toFixed(3)} +/- ${r.cIndexSd.toFixed(3)} (${r.splits} splits)`],
  ], { labelWidth: 150, size: 9.2 });
  w.para(r.addedValueLine, { size: 8.4, after: 10 });
}
