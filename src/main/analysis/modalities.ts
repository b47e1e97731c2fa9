/**
 * Which modalities an analysis uses (docs/pipeline.md, "Modalities"). The rule: run with what the case has, but
 * only through pathways the model package is validated for.
 *
 * - pathology (slide): used only if `pathology` is in validatedModalities. Otherwise no slide work is done (issue
 *   13: tiling and encoding a slide the model cannot use costs minutes and proves nothing) unless the user asks
 *   for slide QC — tissue detection, tile grid and quality flags, without encoding. The model runs with
 *   modality_present[pathology] = 0, the result carries an `unvalidated_modality` warning, `pathologyIsEvidence`
 *   is false and no heatmap or top patches are produced.
 * - genomics (profile): used only if `genomics` is validated; otherwise the same treatment.
 * - clinical (age at diagnosis, part of the genomic vector): used only if `clinical` is validated; otherwise its
 *   fields are fed as imputed (mask 0) with a warning. Clinical data alone never makes a run: without a genomic
 *   profile the genomic pathway is absent.
 * - a validated modality the case lacks → `modality_missing` (info).
 * - nothing usable → BAD_INPUT before the job is queued.
 */
import { badInput } from '../../shared/errors.ts';
import type { Modality, Warning } from '../../shared/analysis-result.ts';

export interface ModalityInputs {
  hasSlide: boolean;
  hasGenomics: boolean;
  /** The genomic vector has an observed clinical field (age). */
  clinicalObserved: boolean;
  /** The package's genomic schema has clinical fields at all. */
  schemaHasClinical: boolean;
  /** The user asked for slide QC (tissue, tiles, quality flags) although the model does not use the slide. */
  slideQc?: boolean;
}

/** What is done with the case's slide: encode it for the model, check it only (QC), or leave it alone. */
export type SlideWork = 'features' | 'qc' | 'none';

export interface ModalityPlan {
  usePathology: boolean;
  useGenomics: boolean;
  useClinical: boolean;
  /** Tile and encode the slide (only when the model uses it). */
  encodeSlide: boolean;
  slideWork: SlideWork;
  /** Clinical fields must be fed as imputed (present but not validated). */
  maskClinical: boolean;
  pathologyIsEvidence: boolean;
  usedModalities: Modality[];
  warnings: Warning[];
}

export function planModalities(validated: readonly Modality[], i: ModalityInputs, modelName = 'the model'): ModalityPlan {
  const v = new Set(validated);
  const warnings: Warning[] = [];
  const usePathology = i.hasSlide && v.has('pathology');
  const useGenomics = i.hasGenomics && v.has('genomics');
  const useClinical = useGenomics && i.clinicalObserved && v.has('clinical');
  const maskClinical = useGenomics && i.clinicalObserved && !v.has('clinical');

  if (i.hasSlide && !v.has('pathology')) {
    warnings.push({
      code: 'unvalidated_modality', severity: 'warning',
      message: i.slideQc
        ? `The slide was not used for the prediction: ${modelName} is not validated for pathology (validated: ${validated.join(', ')}). Slide QC (tissue, tile grid, quality flags) was run on request; no tiles were encoded and no attention map is shown.`
        : `The slide was not analysed: ${modelName} is not validated for pathology (validated: ${validated.join(', ')}). Slide QC (tissue, tile grid, quality flags) runs only when asked for.`,
    });
  }
  if (i.hasGenomics && !v.has('genomics')) {
    warnings.push({ code: 'unvalidated_modality', severity: 'warning', message: `The genomic profile was not used: ${modelName} is not validated for genomics (validated: ${validated.join(', ')}).` });
  }
  if (maskClinical) {
    warnings.push({ code: 'unvalidated_modality', severity: 'warning', message: `Clinical fields (age) were treated as missing: ${modelName} is not validated for clinical data.` });
  }
  if (!i.hasSlide && v.has('pathology')) warnings.push({ code: 'modality_missing', severity: 'info', message: `${modelName} can use a slide, but the case has none.` });
  if (!i.hasGenomics && v.has('genomics')) warnings.push({ code: 'modality_missing', severity: 'info', message: `${modelName} can use a genomic profile, but the case has none.` });
  if (useGenomics && i.schemaHasClinical && !i.clinicalObserved && v.has('clinical')) {
    warnings.push({ code: 'modality_missing', severity: 'info', message: 'Age at diagnosis is unknown (not in the profile, and no birth year with a collection date); it was imputed.' });
  }

  if (!usePathology && !useGenomics) {
    const have = [i.hasSlide ? 'a slide' : null, i.hasGenomics ? 'a genomic profile' : null].filter(Boolean).join(' and ') || 'neither a slide nor a genomic profile';
    throw badInput(`Nothing to analyse: the case has ${have}, and ${modelName} is validated for ${validated.join(', ')}; add ${v.has('genomics') ? 'a genomic profile' : 'a slide'} or choose another model.`);
  }
  const usedModalities: Modality[] = [];
  if (usePathology) usedModalities.push('pathology');
  if (useGenomics) usedModalities.push('genomics');
  if (useClinical) usedModalities.push('clinical');
  const slideWork: SlideWork = usePathology ? 'features' : i.hasSlide && i.slideQc ? 'qc' : 'none';
  return { usePathology, useGenomics, useClinical, encodeSlide: slideWork === 'features', slideWork, maskClinical, pathologyIsEvidence: usePathology, usedModalities, warnings };
}
