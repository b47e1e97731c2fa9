/**
 * What disagrees between the AI's molecular class, the AI's grade head and the WHO CNS5 criteria, each as one line
 * for the top of the result and the PDF (issue 10 item 5, issue 14 item 2). The AI grade head predicts the
 * histological grade recorded in TCGA (pre-2021 WHO), so it is named that way here; a molecular upgrade (e.g.
 * EGFR amplification in a histologically grade 3 IDH-wildtype glioma) is exactly the disagreement to show.
 * Also the layered diagnosis the rules propose for the sign-off form. Pure.
 */
import type { WhoClassification, WhoType } from '../../shared/who-cns5.ts';
import type { LayeredProposal, WhoDisagreement } from '../../shared/contract/who-cns5.ts';

export interface AiSummary {
  classLabel: string;
  classDisplay: string;
  gradeLabel: string;
}

/** Reads "II", "G3", "4", "grade IV" (the model's grade labels) as an Arabic-numeral grade. */
export function gradeOfLabel(label: string): '1' | '2' | '3' | '4' | null {
  const m = /^\s*(?:cns\s+who\s+)?(?:grade\s*|g)?\s*(IV|III|II|I|[1-4])\s*$/i.exec(label);
  if (!m?.[1]) return null;
  const t = m[1].toUpperCase();
  const arabic: Record<string, '1' | '2' | '3' | '4'> = { I: '1', II: '2', III: '3', IV: '4', 1: '1', 2: '2', 3: '3', 4: '4' };
  return arabic[t] ?? null;
}

/** The type and grade an AI class stands for, from its label (GBM_IDHwt_G4, A_IDHmut_G3, O_IDHmut_codel_G2) or display. */
export function aiClassMeaning(label: string, display: string): { type: WhoType | null; grade: string | null } {
  const l = /^(GBM|A|O)_.*_G([1-4])$/i.exec(label);
  const d = display.toLowerCase();
  const type: WhoType | null = l
    ? ({ GBM: 'glioblastoma-idh-wildtype', A: 'astrocytoma-idh-mutant', O: 'oligodendroglioma-idh-mutant-codeleted' } as const)[l[1]!.toUpperCase() as 'GBM' | 'A' | 'O']
    : d.startsWith('glioblastoma, idh-wildtype') ? 'glioblastoma-idh-wildtype'
      : d.startsWith('astrocytoma, idh-mutant') ? 'astrocytoma-idh-mutant'
        : d.startsWith('oligodendroglioma, idh-mutant') ? 'oligodendroglioma-idh-mutant-codeleted' : null;
  const grade = l?.[2] ?? /grade\s+([1-4])\b/i.exec(display)?.[1] ?? null;
  return { type, grade };
}

const TYPE_SHORT: Record<WhoType, string> = {
  'glioblastoma-idh-wildtype': 'Glioblastoma, IDH-wildtype',
  'astrocytoma-idh-mutant': 'Astrocytoma, IDH-mutant',
  'oligodendroglioma-idh-mutant-codeleted': 'Oligodendroglioma, IDH-mutant and 1p/19q-codeleted',
};

/** The criteria's grade statement for a disagreement line ("CNS WHO grade 4 (EGFR amplification)"). */
function criteriaGrade(w: WhoClassification): string {
  const why = w.criteria.filter((c) => /^(gbm|astro\.grade|oligo\.grade)/.test(c.id)).map((c) => c.statement.replace(/ \(.*\)$/, '').replace(/:.*$/, '')).slice(0, 3);
  return `${w.grade ? `CNS WHO grade ${w.grade}` : `CNS WHO grade ${w.gradeOptions.join('/')}`}${why.length ? ` (${why.join('; ')})` : ''}`;
}

export function disagreements(ai: AiSummary | null, who: WhoClassification | null): WhoDisagreement[] {
  if (!ai) return [];
  const out: WhoDisagreement[] = [];
  const cls = aiClassMeaning(ai.classLabel, ai.classDisplay);
  const aiGrade = gradeOfLabel(ai.gradeLabel);
  const aiGradeText = `AI histological grade ${aiGrade ?? ai.gradeLabel} (TCGA, pre-2021)`;
  if (cls.grade && aiGrade && cls.grade !== aiGrade) {
    out.push({ code: 'ai-class-vs-ai-grade', message: `AI class "${ai.classDisplay}" vs ${aiGradeText}.` });
  }
  if (who && who.type !== null) {
    if (cls.type && cls.type !== who.type) {
      out.push({ code: 'ai-class-vs-criteria-type', message: `AI class "${ai.classDisplay}" vs WHO CNS5 criteria: ${TYPE_SHORT[who.type]}.` });
    } else if (cls.type && cls.grade && !who.gradeOptions.includes(cls.grade as '2' | '3' | '4')) {
      out.push({ code: 'ai-class-vs-criteria-grade', message: `AI class "${ai.classDisplay}" vs WHO CNS5 criteria ${criteriaGrade(who)}.` });
    }
    if (aiGrade && !who.gradeOptions.includes(aiGrade as '2' | '3' | '4')) {
      out.push({ code: 'ai-grade-vs-criteria-grade', message: `${aiGradeText} vs WHO CNS5 criteria ${criteriaGrade(who)}.` });
    }
  }
  return out;
}

/** One line for the top of the result and the PDF; null when nothing disagrees. */
export function disagreementHeadline(list: readonly WhoDisagreement[]): string | null {
  return list.length ? `Disagreement — ${list.map((d) => d.message.replace(/\.$/, '')).join('; ')}.` : null;
}

/** The layered diagnosis the rules propose (the pathologist accepts or edits it on the sign-off form). */
export function proposalOf(who: WhoClassification | null): LayeredProposal | null {
  if (!who) return null;
  return { integratedDiagnosis: who.integratedDiagnosis, whoGrade: who.grade ?? '', molecularInformation: who.molecularInformation };
}
