"""MODEL_CARD.md for the reference package, generated from the manifest so the numbers cannot drift."""
from __future__ import annotations

import math
from typing import Dict

import numpy as np

from .evaluation import fmt_delta

RUO = "For Research Use Only. Not for use in diagnostic procedures."


def _f(x, nd=3):
    return "–" if x is None else f"{x:.{nd}f}"


def _median_survival(group: Dict) -> str:
    for t, s in zip(group["timesDays"], group["survival"]):
        if s <= 0.5:
            return f"{t:.0f} days"
    return "not reached"


def model_card(manifest: Dict, km: Dict) -> str:
    m = manifest["metrics"]
    b = m["baselines"]
    pub = m["published"]
    s, g, k = m["survival"], m["grade"], m["class"]
    cal = m["calibration"]
    po = m["panelOnly"]
    lines = [
        f"# Model card — {manifest['name']}",
        "",
        f"**{RUO}**",
        "",
        f"- id `{manifest['id']}`, version {manifest['version']}, created {manifest['created']}, architecture UMEML "
        "(Unified Modeling Enhanced Multimodal Learning), ONNX opset 17",
        "- outputs: WHO grade (II/III/IV), 6-class WHO CNS 2021-style diagnosis, discrete-time survival (4 bins: "
        f"{', '.join(str(int(e)) if e is not None else '∞' for e in manifest['survival']['binEdgesDays'])} days), "
        "risk score and risk group",
        "",
        "## Intended use",
        "",
        f"{RUO} Research exploration of how a multimodal model relates a glioma's molecular profile (the "
        "Pathomic Fusion 80-feature panel: IDH mutation, 1p/19q codeletion, 41 gene-level and 37 arm-level copy-number "
        "values) and age at diagnosis to grade, diagnosis class and overall survival. Not for clinical decisions, not "
        "validated outside TCGA, not a medical device.",
        "",
        "## Validated modalities: genomics and clinical (age) only",
        "",
        "`validatedModalities` is `[\"genomics\", \"clinical\"]`. **Pathology is not validated.** No whole-slide "
        "images exist in the training environment, so the pathology pathway (patch projection, the 5 prototypes and "
        "their cross-attention) was never trained: its weights are the seeded random initialisation, and during "
        "training pathology was always marked absent (learned \"absent\" tokens). The model must be run with "
        "`modality_present = [0, 1]`; any pathology-derived output (`patch_assignment`, `patch_attention`, the "
        "pathology share of `modality_contributions`, or predictions with pathology marked present) is meaningless "
        "and the application must not present it as evidence.",
        "",
        "## Training data and licence",
        "",
        f"- {manifest['trainingData']['source']}; {manifest['trainingData']['patients']} patients in the tables.",
        f"- Licence: {manifest['trainingData']['licence']}. This model is derived from those tables and carries the "
        "same non-commercial academic-use restriction.",
        "- Survival = overall survival in days (`Survival months` holds days), event = 1 − `censored`.",
        "- Grade from `grade_data.csv` (2/3/4 → II/III/IV). Class (6): IDH-wt + grade 4 → glioblastoma; IDH-mut "
        "non-codeleted + grade 2/3/4 → astrocytoma of that grade; IDH-mut 1p/19q-codeleted + grade 2/3 → "
        "oligodendroglioma of that grade. IDH-wt grade 2/3 (no TERT in the panel to apply WHO 2021's molecular-GBM "
        "criteria), codeleted grade 4 and unknown subtype/grade get no class label. Grades are the historical "
        "(pre-2021) histological grades; CDKN2A/B homozygous deletion is not used to up-grade astrocytomas.",
        f"- Missing inputs: imputed with the training mean and flagged in `genomics_mask` (training randomly hid "
        "values and whole groups so the model learns to use the flag).",
        "",
        "## Performance (Pathomic Fusion's 15 splits, patient level, mean ± sd over folds)",
        "",
        m["protocol"] + ".",
        "",
        "| model | survival c-index | grade accuracy | grade AUC micro | grade AUC macro |",
        "|---|---|---|---|---|",
        f"| **UMEML reference (80 features + age)** | **{_f(s['cIndexMean'])} ± {_f(s['cIndexSd'])}** | "
        f"**{_f(g['accuracyMean'])} ± {_f(g['accuracySd'])}** | **{_f(g['aucMicroMean'])} ± {_f(g['aucMicroSd'])}** | "
        f"{_f(g['aucMacroMean'])} |",
        f"| UMEML, same recipe, 80-feature panel only | {_f(po['cIndexMean'])} ± {_f(po['cIndexSd'])} | "
        f"{_f(po['gradeAccuracyMean'])} | {_f(po['gradeAucMicroMean'])} | – |",
        f"| ridge Cox / ridge softmax, 80 features | {_f(b['ridgeCox80']['cIndexMean'])} ± {_f(b['ridgeCox80']['cIndexSd'])} | "
        f"{_f(b['ridgeSoftmax80']['accuracyMean'])} | {_f(b['ridgeSoftmax80']['aucMicroMean'])} | "
        f"{_f(b['ridgeSoftmax80']['aucMacroMean'])} |",
        f"| ridge Cox / ridge softmax, 80 features + age | {_f(b['ridgeCox80Age']['cIndexMean'])} ± "
        f"{_f(b['ridgeCox80Age']['cIndexSd'])} | {_f(b['ridgeSoftmax80Age']['accuracyMean'])} | "
        f"{_f(b['ridgeSoftmax80Age']['aucMicroMean'])} | {_f(b['ridgeSoftmax80Age']['aucMacroMean'])} |",
        f"| Pathomic Fusion genomic network (published; + 240 RNA-seq genes for survival) | "
        f"{_f(pub['pathomicFusionGenomic']['cIndex'], 4)} | {_f(pub['pathomicFusionGenomic']['gradeAccuracy'])} | "
        f"{_f(pub['pathomicFusionGenomic']['gradeAucMicro'])} | – |",
        f"| Pathomic Fusion, best fusion with histology (published) | {_f(pub['pathomicFusionBest']['cIndex'])} | "
        f"{_f(pub['pathomicFusionBest']['gradeAccuracy'])} | {_f(pub['pathomicFusionBest']['gradeAucMicro'])} | – |",
        "",
        f"6-class diagnosis (n = {k['n']}): accuracy {_f(k['accuracyMean'])} ± {_f(k['accuracySd'])}, AUC micro "
        f"{_f(k['aucMicroMean'])}, AUC macro {_f(k['aucMacroMean'])}.",
        "",
        "Linear baselines choose their L2 strength by inner 5-fold CV on each training fold. The published Pathomic "
        "Fusion numbers come from its own per-patient predictions on the same splits (its survival models were scored "
        "on fewer patients, those with RNA-seq).",
        "",
        "## Calibration",
        "",
        f"Temperature scaling per head, fitted on a held-out 20 % of each training fold (never on test patients); "
        f"final temperatures: grade {manifest['calibration']['gradeTemperature']:.3f}, class "
        f"{manifest['calibration']['classTemperature']:.3f} (applied inside the ONNX graph). Expected calibration "
        f"error on the test folds (15 bins, mean over folds): grade {_f(cal['eceBefore'])} before → "
        f"{_f(cal['eceAfter'])} after; class {_f(cal['classEceBefore'])} → {_f(cal['classEceAfter'])}.",
        "",
        "## Risk groups",
        "",
        f"Cut-offs on `risk` = tertiles of the final model's risk over the training cohort: "
        f"{km['riskGroups']['cutoffs'][0]:.4f} and {km['riskGroups']['cutoffs'][1]:.4f} (low < first ≤ intermediate "
        "< second ≤ high). Kaplan–Meier curves are in `cohort/km_by_risk_group.json`.",
        "",
        "| group | out-of-fold n | events | median OS | apparent n | median OS |",
        "|---|---|---|---|---|---|",
    ]
    for go, ga in zip(km["curves"]["outOfFold"]["groups"], km["curves"]["apparent"]["groups"]):
        lines.append(f"| {go['name']} | {go['n']} | {go['events']} | {_median_survival(go)} | {ga['n']} | "
                     f"{_median_survival(ga)} |")
    lines += [
        "",
        f"Log-rank p (3 groups): out-of-fold {km['logRankP']['outOfFold']:.2e}, apparent {km['logRankP']['apparent']:.2e}. "
        "Out-of-fold = each patient grouped by a model that did not see it; apparent = in-sample, optimistic.",
        "",
        "## Limitations",
        "",
        "- One cohort (TCGA GBM + LGG, mostly US centres, diagnosed before WHO 2021), no external validation.",
        "- The panel lacks TERT promoter, ATRX, MGMT, H3 K27M and treatment; survival reflects historical treatment.",
        "- 4 survival bins: S(t) is only defined at the bin ends; the risk score ranks patients, it is not a time.",
        "- Attention-based outputs (`modality_contributions`) are not causal explanations.",
        f"- Trained in {m['trainingMinutes']} min on 2 CPU cores by `npm run train:reference` "
        "(models/training/train_reference.py).",
        "",
    ]
    return "\n".join(lines)


# ---- TRIPOD+AI model card generated from the stored out-of-fold predictions (issue 11 deliverables 5-6) ----------

def _ms(d: Dict, key: str, nd: int = 3) -> str:
    return f"{_f(d.get(key + 'Mean'), nd)} ± {_f(d.get(key + 'Sd'), nd)}"


def _ci(v) -> str:
    return "–" if not v or v[0] is None else f"{v[0]:.3f}–{v[1]:.3f}"


def _days(v) -> str:
    return "not reached" if v is None else f"{v:.0f} d ({v / 365.25:.1f} y)"


def _p(v) -> str:
    return "–" if v is None else f"{v:.1e}"


def goal_lines(report: Dict, ref_label: str) -> list:
    g = report["goals"]
    s = g["survival"]
    ref = report["survival"]["cox-idh-1p19q-age"]
    pr = report["paired"]["cox-idh-1p19q-age"]

    def mark(ok_goal: bool, ok_min) -> str:
        if ok_goal:
            return "met"
        return "**missed**" + ("" if ok_min is None else (" (minimum met)" if ok_min else " (minimum also missed)"))
    return [
        "## Goals (issue 11) — read this first",
        "",
        f"- Survival: c-index {s['cIndexMean']:.3f} vs goal ≥ {s['thresholds']['goal']['cIndex']} and ahead of the "
        f"3-variable clinical reference ({ref_label}, {ref['cIndexMean']:.3f} ± {ref['cIndexSd']:.3f} on the same test "
        f"patients) on ≥ {s['thresholds']['goal']['wins']} of {s['splits']} splits: UMEML ahead on {s['wins']} of "
        f"{s['splits']}, mean difference {fmt_delta(pr['meanDelta'])} ± {pr['sdDelta']:.3f} — "
        f"{mark(s['goal'], s['minimum'])}.",
        f"- Grade AUC micro {g['gradeAucMicro']['value']:.3f} vs goal ≥ {g['gradeAucMicro']['thresholds']['goal']} "
        f"(minimum > {g['gradeAucMicro']['thresholds']['minimum']}) — "
        f"{mark(g['gradeAucMicro']['goal'], g['gradeAucMicro']['minimum'])}; grade accuracy "
        f"{g['gradeAccuracy']['value']:.3f} vs goal ≥ {g['gradeAccuracy']['thresholds']['goal']} — "
        f"{mark(g['gradeAccuracy']['goal'], None)}.",
        "- PORPOISE 5-fold goal (c-index ≥ 0.85): not part of this package's stored predictions, not assessed here.",
        f"- Consequence: the app shows **{'UMEML' if report['primarySurvival'] == 'umeml' else 'the clinical reference risk (' + ref_label + ')'}** "
        f"as the primary survival figure{'' if report['primarySurvival'] == 'umeml' else ', with the AI beside it'}.",
        f"- {report['addedValueLine']}",
        "",
    ]


def tripod_model_card(manifest: Dict, report: Dict, ref_doc: Dict) -> str:
    ref_models = {m["id"]: m for m in ref_doc["models"]}
    primary = ref_models[ref_doc["primaryModelId"]]
    co = report["cohort"]
    sv, gr = report["survival"], report["grade"]
    u, ug = sv["umeml"], gr["umeml"]
    lines = [
        f"# Model card — {manifest['name']}",
        "",
        f"**{RUO}**",
        "",
        "Generated by `models/training/evaluate_reference.py` from the out-of-fold prediction files in "
        "`oof_predictions/` (UMEML and every reference model) joined with the TCGA labels; a test fails when a figure "
        "here drifts from those files. Reporting follows TRIPOD+AI (Collins et al., BMJ 2024).",
        "",
    ]
    lines += goal_lines(report, primary["label"])
    lines += [
        "## Model",
        "",
        f"- id `{manifest['id']}`, version {manifest['version']}, created {manifest['created']}, architecture UMEML "
        "(Unified Modeling Enhanced Multimodal Learning), ONNX opset 17. Every output is AI-generated.",
        "- Outputs: histological grade as recorded in TCGA (II/III/IV, pre-2021 grading), 6-class WHO CNS5-style "
        "diagnosis class, discrete-time survival (bins "
        f"{', '.join(str(int(e)) if e is not None else '∞' for e in manifest['survival']['binEdgesDays'])} days), "
        "risk score and risk group.",
        f"- Clinical reference models in `clinical_reference.json`: {', '.join(m['label'] for m in ref_doc['models'])} "
        "(coefficients, means/sds, risk-group cut-offs); the app shows the primary one beside the AI.",
        "",
        "## Intended use",
        "",
        f"{RUO} Research exploration of how a glioma's molecular profile (the Pathomic Fusion 80-feature panel: IDH "
        "mutation, 1p/19q codeletion, 41 gene-level and 37 arm-level copy-number values) and age at diagnosis relate to "
        "grade, diagnosis class and overall survival, next to a standard clinical reference. Not for clinical "
        "decisions, not validated outside TCGA, not a medical device. Validated modalities: "
        f"{', '.join(manifest['validatedModalities'])}; the pathology pathway was never trained (no whole-slide images) "
        "and must be run as absent.",
        "",
        "## Data source, dates and licence",
        "",
        f"- {manifest['trainingData']['source']}; {co['tablePatients']} patients in the tables. The Cancer Genome Atlas "
        "GBM and LGG projects (tissue collected for TCGA before WHO CNS5, 2021; histology graded by the pre-2021 WHO "
        "system); the tables are the release used by Mobadersany et al. (PNAS 2018) and Pathomic Fusion (Chen et al., "
        "IEEE TMI 2020). Dates of diagnosis are not in the tables.",
        f"- Licence: {manifest['trainingData']['licence']}. **This model is derived from GPLv3 tables released for "
        "non-commercial academic use and carries the same restriction.**",
        "",
        "## Participants and selection",
        "",
        f"- Survival and model fitting: the {co['survivalPatients']} patients with IDH and 1p/19q known "
        f"({co['markersUnknown']} of {co['tablePatients']} excluded because either is unknown). Grade: the "
        f"{co['gradePatients']} of them with a histological grade (II {co['gradeCounts']['II']}, III "
        f"{co['gradeCounts']['III']}, IV {co['gradeCounts']['IV']}). Class: {co['classPatients']} with a 6-class label.",
        f"- Age at diagnosis: median {co['ageMedian']:.0f} years (range {co['ageRange'][0]:.0f}–{co['ageRange'][1]:.0f}).",
        "",
        "## Outcome",
        "",
        f"- Overall survival from diagnosis (`Survival months` holds days); event = death (1 − `censored`). "
        f"{co['survivalEvents']} deaths among {co['survivalPatients']} patients; median follow-up (reverse "
        f"Kaplan–Meier) {_days(co['medianFollowUpDays'])}; Kaplan–Meier survival {co['survivalAt']['2y']:.2f} at 2 "
        f"years and {co['survivalAt']['5y']:.2f} at 5 years.",
        "- Grade: `grade_data.csv` `Grade` 2/3/4 → II/III/IV (histological, pre-2021; CDKN2A/B is not used to up-grade).",
        "",
        "## Predictors",
        "",
        "- UMEML and the panel Cox: the 80-feature panel + age at diagnosis (years). Clinical reference: "
        + ", ".join(f"`{t['field']}`" for t in primary["terms"]) + ".",
        "- Not available in the panel: TERT promoter, ATRX, MGMT, H3 K27M, treatment, extent of resection.",
        "",
        "## Sample size and missing data",
        "",
        f"- {co['survivalPatients']} patients, {co['survivalEvents']} events; each of the {report['splits']} pnas "
        f"splits tests about {round(np.mean([p['n'] for p in u['perSplit']]))} of them "
        f"({min(p['events'] for p in u['perSplit'])}–{max(p['events'] for p in u['perSplit'])} deaths per test fold).",
        f"- Missing: age for {co['ageMissing']} patients, copy-number values for {co['panelRowsWithMissing']}; imputed "
        "with the training patients' mean (UMEML also receives an observed-mask). The app does not impute for the "
        "clinical reference: it shows that risk only when every term is present.",
        "",
        "## Analysis",
        "",
        f"- {manifest['metrics']['protocol']}.",
        "- Clinical reference and panel models: ridge Cox (Breslow) and ridge softmax regression, standardised on each "
        "split's training patients; L2 strength by inner 5-fold cross-validated partial likelihood (Cox) or log-loss "
        "(softmax) on those training patients only.",
        "- Per-split figures: metric on each split's test patients, mean ± sd (ddof 1) over the splits. Pooled figures "
        "(bootstrap 95 % CI, calibration, Kaplan–Meier): one out-of-fold prediction per patient (from the first split "
        "in which the patient is a test patient), since the splits' test sets overlap.",
        "- Definitions: Harrell's c-index (lifelines tie rule); time-dependent AUC cumulative/dynamic with IPCW weights "
        "from the training patients' censoring distribution (scikit-survival's definition); survival calibration at "
        "t: IPCW logistic recalibration of logit(predicted risk by t) — slope (ideal 1) and intercept with the slope "
        "fixed at 1 (ideal 0); reliability: equal-width bins of the top-class probability with percentile-bootstrap "
        "bands; Brier = Σ_k (p_k − y_k)², NLL = −log p_y. Details: docs/evaluation.md.",
        "",
        "## Performance (15 pnas splits, patient level)",
        "",
        "| survival model | c-index mean ± sd | pooled c-index (95 % CI) | td-AUC 2 y | td-AUC 5 y | vs UMEML: Δ (UMEML − model), UMEML wins |",
        "|---|---|---|---|---|---|",
    ]
    for mid, s in sv.items():
        pr = report["paired"].get(mid)
        lines.append(f"| {'**' + report['labels'][mid] + '**' if mid == 'umeml' else report['labels'][mid]} | "
                     f"{_ms(s, 'cIndex')} | {_f(s['pooled']['cIndex'])} ({_ci(s['pooled']['cIndexCi95'])}) | "
                     f"{_ms(s, 'tdAuc2y')} | {_ms(s, 'tdAuc5y')} | "
                     + (f"{fmt_delta(pr['meanDelta'])} ± {pr['sdDelta']:.3f}, {pr['umemlWins']} of {pr['splits']} |" if pr else "– |"))
    refs = [mid for mid in report["paired"]]
    lines += ["", "Per split (test patients of each pnas split; Δ = UMEML − model):", "",
              "| split | n | UMEML | " + " | ".join(f"{report['labels'][m]} (Δ)" for m in refs) + " |",
              "|---|---|---|" + "---|" * len(refs)]
    for i, p in enumerate(u["perSplit"]):
        cells = [f"{sv[m]['perSplit'][i]['cIndex']:.3f} ({fmt_delta(report['paired'][m]['perSplitDelta'][i])})" for m in refs]
        lines.append(f"| {p['fold']} | {p['n']} | {p['cIndex']:.3f} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| grade model | accuracy | balanced accuracy | AUC micro | AUC macro | pooled accuracy (95 % CI) | pooled AUC micro (95 % CI) |",
        "|---|---|---|---|---|---|---|",
    ]
    for mid, g in gr.items():
        lines.append(f"| {report['labels'][mid]} | {_ms(g, 'accuracy')} | {_ms(g, 'balancedAccuracy')} | "
                     f"{_ms(g, 'aucMicro')} | {_ms(g, 'aucMacro')} | {_f(g['pooled']['accuracy'])} "
                     f"({_ci(g['pooled']['accuracyCi95'])}) | {_f(g['pooled']['aucMicro'])} ({_ci(g['pooled']['aucMicroCi95'])}) |")
    if report["class"].get("umeml"):
        k = report["class"]["umeml"]
        lines += ["", f"6-class diagnosis (n = {co['classPatients']}): accuracy {_ms(k, 'accuracy')}, AUC micro "
                      f"{_ms(k, 'aucMicro')}, AUC macro {_ms(k, 'aucMacro')}."]
    else:
        lines += ["", "6-class diagnosis: no out-of-fold class predictions are stored in this package "
                      "(`class_fold<k>.csv`), so no class figure is reported."]
    lines += ["", f"Clinical reference as shipped ({primary['label']}, final fit on all {co['survivalPatients']} patients, "
                  f"L2 {primary['lambda']:g}; risk = Σ coef·(value − mean)/sd; risk groups: low < "
                  f"{primary['riskGroupCutoffs'][0]:.3f} ≤ intermediate < {primary['riskGroupCutoffs'][1]:.3f} ≤ high):", "",
              "| term (profile field) | coef per sd | mean | sd | hazard ratio per unit (ridge-shrunk) |",
              "|---|---|---|---|---|"]
    for t in primary["terms"]:
        unit = "per year" if t["field"] == "age_at_diagnosis" else "1 vs 0"
        lines.append(f"| `{t['field']}` | {t['coef']:+.3f} | {t['mean']:.3f} | {t['sd']:.3f} | "
                     f"{math.exp(t['coef'] / t['sd']):.3f} ({unit}) |")
    pf = report.get("pathomicFusionPatients")
    lines += ["", "### Pathomic Fusion, on Pathomic Fusion's own patients", ""]
    if pf:
        lines += [
            f"Pathomic Fusion scored survival only on its patients with RNA-seq ({pf['patientsPerSplitMin']}–"
            f"{pf['patientsPerSplitMax']} per test split). On exactly those patients, from its own per-patient "
            "predictions (`../shared/data/predictions/`) and this package's OOF files (c-index mean ± sd over splits):",
            "",
            "| model | c-index on PF's patients |",
            "|---|---|",
        ]
        for mid, v in pf["models"].items():
            lines.append(f"| {v['label'] or report['labels'][mid]} | {v['cIndexMean']:.3f} ± {v['cIndexSd']:.3f} |")
        lines += ["", "UMEML and the Cox models use age at diagnosis; Pathomic Fusion's networks do not. Figures on "
                      "different patient sets (e.g. the 697 above vs PF's published 0.826 / 0.808) are not comparable."]
    else:
        lines.append("Pathomic Fusion's per-patient predictions were not available when this card was generated.")
    lines += ["", "## Calibration", ""]
    cal_word = _calibration_verdict(ug)
    lines += [
        f"Grade (UMEML, temperature scaling; temperatures fitted on held-out training patients, never test patients), "
        f"per split mean ± sd: Brier {_ms(ug, 'brierBefore')} before → {_ms(ug, 'brier')} after; NLL "
        f"{_ms(ug, 'nllBefore')} → {_ms(ug, 'nll')}; ECE (15 bins) {_ms(ug, 'ece15Before')} → {_ms(ug, 'ece15')} "
        f"(a perfectly calibrated model would show {_ms(ug, 'ece15IfCalibrated')} on the same ~"
        f"{round(np.mean([p['n'] for p in ug['perSplit']]))}-patient test folds)."
        if "brierBeforeMean" in ug else
        f"Grade (UMEML), per split mean ± sd: Brier {_ms(ug, 'brier')}, NLL {_ms(ug, 'nll')}, ECE (15 bins) "
        f"{_ms(ug, 'ece15')} (probabilities before scaling are not recoverable from this package).",
        "",
        f"Reliability (pooled, n = {ug['reliability']['n']}, 10 bins): ECE {ug['reliability']['ece']:.3f}; a perfectly "
        f"calibrated model would show {ug['reliability']['eceIfCalibratedMean']:.3f} on average from sampling noise "
        f"(95th percentile {ug['reliability']['eceIfCalibrated95']:.3f}). {cal_word} Figures: "
        "`evaluation/reliability_grade.svg`"
        + (", `evaluation/reliability_grade_before.svg`." if "reliabilityBefore" in ug else "."),
        "",
        "| bin (top-class p) | n | mean p | observed accuracy (95 % bootstrap band) |",
        "|---|---|---|---|",
    ]
    for b in ug["reliability"]["bins"]:
        lines.append(f"| {b['lo']:.2f}–{b['hi']:.2f} | {b['n']} | {b['confidence']:.3f} | {b['accuracy']:.3f} "
                     f"({b['accuracyLo']:.3f}–{b['accuracyHi']:.3f}) |")
    uk = report["class"].get("umeml")
    if uk:
        lines += ["", (f"6-class diagnosis (UMEML), per split mean ± sd: Brier {_ms(uk, 'brierBefore')} before → "
                       f"{_ms(uk, 'brier')} after; NLL {_ms(uk, 'nllBefore')} → {_ms(uk, 'nll')}; ECE (15 bins) "
                       f"{_ms(uk, 'ece15Before')} → {_ms(uk, 'ece15')}." if "brierBeforeMean" in uk else
                       f"6-class diagnosis (UMEML), per split mean ± sd: Brier {_ms(uk, 'brier')}, NLL {_ms(uk, 'nll')}, "
                       f"ECE (15 bins) {_ms(uk, 'ece15')}."),
                  "",
                  f"Reliability (pooled, n = {uk['reliability']['n']}): ECE {uk['reliability']['ece']:.3f}; perfectly "
                  f"calibrated: {uk['reliability']['eceIfCalibratedMean']:.3f} (95th percentile "
                  f"{uk['reliability']['eceIfCalibrated95']:.3f}). {_calibration_verdict(uk)} Figure: "
                  "`evaluation/reliability_class.svg`."]
    lines += ["", "Survival at 2 and 5 years (pooled out-of-fold, IPCW):", "",
              "| model | t | mean predicted risk | observed risk (KM) | calibration slope | calibration intercept | "
              "Brier (IPCW) | Brier of KM alone |",
              "|---|---|---|---|---|---|---|---|"]
    for mid, s in sv.items():
        for h, c in s["calibration"].items():
            if c:
                lines.append(f"| {report['labels'][mid]} | {h[:-1]} y | {c['meanPredictedRisk']:.3f} | "
                             f"{c['observedRisk']:.3f} | {c['slope']:.2f} | {c['intercept']:+.2f} | {c['brier']:.3f} | "
                             f"{c['brierKaplanMeier']:.3f} |")
            else:
                why = (s.get("calibrationNotAvailable") or {}).get(h, "not available")
                lines.append(f"| {report['labels'][mid]} | {h[:-1]} y | {why} | – | – | – | – | – |")
    lines += ["", "A slope above 1 means predictions are too close to the average (too conservative), below 1 too "
                  "extreme. UMEML's discrete-time survival has an open last bin, so a 5-year probability is defined "
                  "only when its last finite bin edge reaches 5 years.", ""]
    lines += ["## Risk groups (out of fold)", "",
              "Tertiles of the predicted risk among the test patients of each patient's first test split (no outcomes "
              "used); pooled one prediction per patient. Figures: `evaluation/km_<model>.svg`.", "",
              "| model | group | n | deaths | median OS (95 % CI) | log-rank p |", "|---|---|---|---|---|---|"]
    for mid, s in sv.items():
        for i, g in enumerate(s["riskGroups"]["groups"]):
            ci = g["medianCi95Days"]
            lines.append(f"| {report['labels'][mid] if i == 0 else ''} | {g['name']} | {g['n']} | {g['events']} | "
                         f"{_days(g['medianDays'])} ({'–' if ci[0] is None else f'{ci[0]:.0f}'}–"
                         f"{'NR' if ci[1] is None else f'{ci[1]:.0f}'} d) | {_p(s['riskGroups']['logRankP']) if i == 0 else ''} |")
    lines += [
        "",
        "In the app the risk group of a new patient uses the cut-offs stored with each model (tertiles over the training "
        "cohort of the final model).",
        "",
        "## Limitations",
        "",
        "- One cohort (TCGA GBM + LGG, mostly US centres, diagnosed before WHO CNS5), internal validation only "
        f"({report['splits']} overlapping random splits); no external validation.",
        "- Histological grades are pre-2021 and not CNS WHO grades; the panel lacks TERT promoter, ATRX, MGMT, H3 K27M "
        "and treatment; survival reflects historical treatment.",
    ]
    if report["primarySurvival"] != "umeml":
        lines.append("- The three-variable clinical reference Cox model discriminates survival as well as the network or "
                     "better here (see Goals); the AI's survival output adds no demonstrated value over it.")
    lines += [
        f"- About {round(np.mean([p['n'] for p in u['perSplit']]))} test patients per split: the UMEML c-index varies "
        f"by ± {u['cIndexSd']:.3f} (sd) between splits; differences smaller than that are not evidence of an "
        "improvement.",
        "- Attention-based outputs are not causal explanations; the pathology pathway is untrained.",
        "",
    ]
    return "\n".join(lines)


def _calibration_checks(ug: Dict):
    rel = ug["reliability"]
    within = rel["ece"] <= rel["eceIfCalibrated95"]
    better = "nllBeforeMean" in ug and ug["nllMean"] < ug["nllBeforeMean"] and ug["brierMean"] < ug["brierBeforeMean"]
    return within, better


def calibrated_wording_supported(ug: Dict) -> bool:
    """'Calibrated' only when the pooled ECE is within sampling noise of a perfectly calibrated model and scaling
    improved both NLL and Brier (docs/evaluation.md)."""
    within, better = _calibration_checks(ug)
    return bool(within and better)


def _calibration_verdict(ug: Dict) -> str:
    within, better = _calibration_checks(ug)
    if within and better:
        return ("The observed ECE is within sampling noise and scaling improved NLL and Brier: the grade "
                "probabilities may be called calibrated on this cohort.")
    if within:
        return ("The observed ECE is within sampling noise, but temperature scaling did not improve NLL and Brier: "
                "the probabilities are not called \"calibrated\"; read them as model scores with the reliability "
                "diagram beside them.")
    return ("The observed ECE exceeds what sampling noise explains: the probabilities are not calibrated and must not "
            "be called so.")


def docs_results_block(manifest: Dict, report: Dict, ref_doc: Dict) -> str:
    """The generated results block of docs/model.md (the model card's key figures)."""
    sv, ug = report["survival"], report["grade"]["umeml"]
    lines = ["_Generated by `models/training/evaluate_reference.py --docs docs/model.md` from the package's stored "
             "out-of-fold predictions; `test_evaluation.py` fails when this block drifts. Do not edit by hand._", ""]
    lines += goal_lines(report, next(m["label"] for m in ref_doc["models"] if m["id"] == ref_doc["primaryModelId"]))[2:]
    lines += ["| survival model (15 splits, n = %d) | c-index | td-AUC 2 y | td-AUC 5 y | UMEML wins |" % report["populations"]["survival"],
              "|---|---|---|---|---|"]
    for mid, s in sv.items():
        pr = report["paired"].get(mid)
        lines.append(f"| {report['labels'][mid]} | {_ms(s, 'cIndex')} | {_ms(s, 'tdAuc2y')} | {_ms(s, 'tdAuc5y')} | "
                     f"{'–' if not pr else str(pr['umemlWins']) + ' of ' + str(pr['splits'])} |")
    lines += ["", "| grade model (n = %d) | accuracy | AUC micro | AUC macro | Brier | NLL |" % report["populations"]["grade"],
              "|---|---|---|---|---|---|"]
    for mid, g in report["grade"].items():
        lines.append(f"| {report['labels'][mid]} | {_ms(g, 'accuracy')} | {_ms(g, 'aucMicro')} | {_ms(g, 'aucMacro')} | "
                     f"{_ms(g, 'brier')} | {_ms(g, 'nll')} |")
    lines += ["", f"Grade calibration: {_calibration_verdict(ug)}", ""]
    return "\n".join(lines)
