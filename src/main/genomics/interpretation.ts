/**
 * What a genomic value means, in words, for the Genomics tab's interpretation column (issue 14 item 3): EGFR 2 →
 * amplified, CDKN2A −2 → homozygous deletion, IDH 0 → wild-type, 7p/7q gain with 10p/10q loss → +7/−10. The calls
 * use the WHO CNS5 rule engine's fields and thresholds (src/main/who-cns5/), so this column and the criteria block
 * can never disagree about what a value is.
 */
import { INPUT_FIELDS } from '../who-cns5/inputs.ts';
import { cnvCalls, NO_MOLECULAR, type MolecularInputs } from '../who-cns5/engine.ts';
import { DEFAULT_PROFILE_SOURCE, thresholdsFor, type CnvThresholds } from '../who-cns5/thresholds.ts';

/** Words for 1 / 0 of each binary marker. */
const BINARY_WORDS: Partial<Record<keyof MolecularInputs, [present: string, absent: string]>> = {
  idhMutant: ['mutant', 'wild-type'],
  codeletion1p19q: ['1p/19q-codeleted', 'not codeleted'],
  tertPromoterMutant: ['mutant', 'wild-type'],
  atrxLoss: ['lost', 'retained'],
  tp53Mutant: ['mutant', 'wild-type'],
  h3K27M: ['H3 K27M present', 'absent'],
  mgmtPromoterMethylated: ['methylated', 'unmethylated'],
};

function geneWords(v: number, t: CnvThresholds): string {
  if (v >= t.geneAmplification) return 'amplified';
  if (v <= t.geneHomozygousDeletion) return 'homozygous deletion';
  if (v > 0) return 'low-level gain (not amplified)';
  if (v < 0) return 'shallow loss (not homozygous)';
  return 'no change';
}

function armWords(v: number, t: CnvThresholds): string {
  if (v >= t.armGain) return 'gain';
  if (v <= t.armLoss) return 'loss';
  return 'no change';
}

export interface Interpretation {
  /** Feature id → words; only fields the rules read and that have a value. */
  fields: Record<string, string>;
  /** Combined calls over several fields, e.g. "+7/−10: yes (7p, 7q gained; 10p, 10q lost)". */
  combined: string[];
  thresholds: string;
}

export function interpret(values: Readonly<Record<string, number | null>>, t: CnvThresholds = thresholdsFor(DEFAULT_PROFILE_SOURCE)): Interpretation {
  const fields: Record<string, string> = {};
  const m: MolecularInputs = { ...NO_MOLECULAR };
  const set = (key: keyof MolecularInputs, v: number | boolean) => Object.assign(m, { [key]: v });
  for (const f of INPUT_FIELDS) {
    const v = values[f.field];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (f.kind === 'gene') {
      fields[f.field] = geneWords(v, t);
      set(f.key, v);
    } else if (f.kind === 'arm') {
      fields[f.field] = armWords(v, t);
      set(f.key, v);
    } else if (f.kind === 'binary') {
      const words = BINARY_WORDS[f.key];
      if (words && (v === 0 || v === 1)) fields[f.field] = v === 1 ? words[0] : words[1];
      if (v === 0 || v === 1) set(f.key, v === 1);
    } else if (f.kind === 'age') {
      fields[f.field] = `${Math.round(v)} years`;
    }
  }
  // Other copy-number features of a package (cnv_mdm4, cnv_myc, …) are in the same unit as the rules' genes.
  const ruled = new Set(INPUT_FIELDS.map((f) => f.field));
  for (const [id, v] of Object.entries(values)) {
    if (ruled.has(id) || v === null || !Number.isFinite(v)) continue;
    if (/^cnv_/i.test(id)) fields[id] = geneWords(v, t);
    else if (/^arm_/i.test(id)) fields[id] = armWords(v, t);
  }
  const c = cnvCalls(m, t);
  const yn = (x: boolean | null) => (x === null ? 'not decidable (a value is missing)' : x ? 'yes' : 'no');
  const combined = [
    `+7/−10 (gain of whole chromosome 7 with loss of whole chromosome 10): ${yn(c.plus7minus10)}`,
    `CDKN2A/B homozygous deletion: ${yn(c.cdknHomdel)}`,
    `EGFR amplification: ${yn(c.egfrAmplified)}`,
  ];
  return { fields, combined, thresholds: `gene ≥ ${t.geneAmplification} amplified, ≤ ${t.geneHomozygousDeletion} homozygous deletion; arm ≥ ${t.armGain} gain, ≤ ${t.armLoss} loss (${t.profileSource})` };
}
