"""MODEL_CARD.md for the reference package, generated from the manifest so the numbers cannot drift."""
from __future__ import annotations

from typing import Dict

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
