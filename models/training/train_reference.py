"""Train, evaluate and package the reference UMEML model on TCGA-GBMLGG (genomics + age).

  /usr/bin/python3 models/training/train_reference.py [--data ../shared/data] [--out models/umeml-gbmlgg-genomic-ref]
  (npm run train:reference)

Steps (all seeded; 2 worker processes, 1 thread each):
  1. per pnas split k = 1..15 (training patients only for every fit):
       - linear baselines: ridge Cox on the 80 features and on 80 + age; ridge softmax regression for grade (same two
         feature sets); L2 strength by inner 5-fold CV on the training patients;
       - UMEML calibration model: trained on a stratified 80 % of the training patients, its logits on the other
         20 % fit the grade and class temperatures;
       - UMEML main model: trained on all training patients (recipe in umeml/recipe.py), scored on the test patients,
         calibrated with the temperatures above; training-risk tertiles give the split's risk-group cut-offs;
       - UMEML without age (80-feature panel only), for the "panel alone" comparison;
  2. the final model: the same two-step recipe on all patients; exported to ONNX with its temperatures;
  3. the package: umeml.onnx, manifest.json, MODEL_CARD.md, parity_fixture.json, out-of-fold predictions
     (ids + predictions only), cohort Kaplan–Meier curves per risk group.
"""
from __future__ import annotations

import os
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import datetime as dt
import json
import multiprocessing as mp
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from umeml.baselines import ridge_cox_cv, ridge_softmax_cv, softmax_np  # noqa: E402
from umeml.calibration import fit_temperature, softmax_t  # noqa: E402
from umeml.data import (CLASS_DISPLAY, CLASS_LABELS, GRADE_LABELS, REPO_ROOT, default_data_root, group_names,  # noqa: E402
                        group_sizes, load_tcga)
from umeml.export import export_onnx, parity_fixture, synthetic_cases, write_json  # noqa: E402
from umeml.metrics import c_index, classification_metrics, ece, kaplan_meier, logrank_p, mean_sd  # noqa: E402
from umeml.model import UMEML  # noqa: E402
from umeml.model_card import model_card  # noqa: E402
from umeml.package import TILE_ENCODER, clean_json, sha256_file, write_csv, write_manifest  # noqa: E402
from umeml.protocol import N_SPLITS, prepare, strata_for, stratified_split  # noqa: E402
from umeml.recipe import (BASE_SEED, PACKAGE_ID, PACKAGE_VERSION, SELECTED, limit_threads,  # noqa: E402
                          reference_model_config, reference_train_config)
from umeml.train import predict_tabular, train_tabular  # noqa: E402

_COHORT = None
_T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - _T0:7.1f}s] {msg}", flush=True)


def r8(a):
    """Round to 8 significant digits: the OOF files hold these values, and the metrics are computed from them."""
    return np.array([float(f"{v:.8g}") for v in np.ravel(a)]).reshape(np.shape(a))


def _model_cfg(c, n_features=None):
    specs = c.specs if n_features is None else c.specs[:n_features]
    return reference_model_config(group_sizes(specs), group_names(specs))


def job(spec):
    limit_threads()
    c = _COHORT
    kind = spec[0]
    if kind == "baseline":
        k = spec[1]
        tr = c.train_splits[:, k]
        te = ~tr
        out = {}
        for tag, nf in (("80", 80), ("80Age", 81)):
            fd = prepare(c, tr, n_features=nf)
            z = fd.data.z
            s_tr, s_te = tr & c.markers_known, te & c.markers_known
            beta, lam = ridge_cox_cv(z[s_tr], c.time_days[s_tr], c.event[s_tr], seed=BASE_SEED + k)
            out[f"cox{tag}"] = {"c_index": c_index(c.time_days[s_te], c.event[s_te], z[s_te] @ beta), "lambda": lam}
            g_tr, g_te = tr & c.grade_eval_mask(), te & c.grade_eval_mask()
            (w, b), lam = ridge_softmax_cv(z[g_tr], c.grade[g_tr], 3, seed=BASE_SEED + k)
            m = classification_metrics(c.grade[g_te], softmax_np(z[g_te] @ w + b))
            m["lambda"] = lam
            out[f"softmax{tag}"] = m
        return spec, out

    k = spec[1]
    n_features = 80 if kind == "panel" else None
    train_mask = np.ones(c.n, bool) if k == "all" else c.train_splits[:, k]
    fd = prepare(c, train_mask, n_features=n_features)
    mcfg = _model_cfg(c, n_features)
    fold_no = 0 if k == "all" else k + 1
    role = spec[2]
    if role == "calib":
        rows = fd.train_rows
        fit_rows, cal_rows = stratified_split(rows, strata_for(c, rows), 0.2, BASE_SEED + fold_no)
        # bins/normalisation from the fold's training rows; the calibration rows are held out of the fit
        model = train_tabular(fd.data.subset(fit_rows), mcfg, reference_train_config(BASE_SEED + 1000 + fold_no))
        p = predict_tabular(model, fd.data.z[cal_rows], fd.data.mask[cal_rows])
        g = fd.data.grade[cal_rows] >= 0
        kl = fd.data.klass[cal_rows] >= 0
        return spec, {"grade_T": fit_temperature(p["grade_logits"][g], fd.data.grade[cal_rows][g]),
                      "class_T": fit_temperature(p["class_logits"][kl], fd.data.klass[cal_rows][kl]),
                      "n_cal": int(len(cal_rows))}
    model = train_tabular(fd.data.subset(fd.train_rows), mcfg, reference_train_config(BASE_SEED + fold_no))
    p_all = predict_tabular(model, fd.data.z, fd.data.mask)
    res = {"risk": p_all["risk"], "grade_logits": p_all["grade_logits"], "class_logits": p_all["class_logits"],
           "cutoffs": np.quantile(p_all["risk"][fd.train_rows], [1 / 3, 2 / 3]).tolist()}
    if k == "all":
        res["state_dict"] = {kk: v.clone() for kk, v in model.state_dict().items()}
        res["normaliser"] = (fd.normaliser.mean, fd.normaliser.std)
        res["edges"] = fd.edges
    return spec, res


def km_groups(time_d, event, group, names):
    out = []
    for gi, name in enumerate(names):
        sel = group == gi
        t, s, r = kaplan_meier(time_d[sel], event[sel])
        out.append({"name": name, "n": int(sel.sum()), "events": int(event[sel].sum()),
                    "timesDays": [float(x) for x in t], "survival": [round(float(x), 6) for x in s],
                    "atRisk": [int(x) for x in r]})
    return out


def assign_group(risk, cutoffs):
    return np.where(risk < cutoffs[0], 0, np.where(risk >= cutoffs[1], 2, 1))


def main():
    global _COHORT
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--out", default=str(REPO_ROOT / "models" / PACKAGE_ID))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--smoke", action="store_true",
                    help="pipeline check only: 2 splits, 2 epochs; refuses to write the package folder")
    args = ap.parse_args()
    n_splits = 2 if args.smoke else N_SPLITS
    if args.smoke:
        if Path(args.out).resolve() == (REPO_ROOT / "models" / PACKAGE_ID).resolve():
            raise SystemExit("--smoke needs --out outside the package folder")
        SELECTED["epochs"] = 2
    warnings.filterwarnings("ignore", message=".*shape inference of prim::Constant.*")
    data_root = Path(args.data)
    c = load_tcga(data_root)
    _COHORT = c
    log(f"cohort: {c.n} patients, survival set {c.markers_known.sum()}, grade set {c.grade_eval_mask().sum()}, "
        f"class-labelled {(c.klass >= 0).sum()}")

    specs = [("final", "all", "main"), ("final", "all", "calib")]
    for k in range(n_splits):
        specs += [("umeml", k, "main"), ("umeml", k, "calib"), ("panel", k, "main"), ("baseline", k)]
    results = {}
    ctx = mp.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for spec, res in pool.imap_unordered(job, specs):
            results[spec] = res
            log(f"done {spec} ({len(results)}/{len(specs)})")

    # ---- cross-validated metrics ------------------------------------------------------------------------------
    surv_pop, grade_pop, class_pop = c.markers_known, c.grade_eval_mask(), c.klass >= 0
    per_fold = []
    oof_surv, oof_grade = [], []
    ece_g_before, ece_g_after, ece_c_before, ece_c_after = [], [], [], []
    panel = {"c": [], "acc": [], "auc": []}
    km_first = {}
    for k in range(n_splits):
        te = ~c.train_splits[:, k]
        main_r, cal = results[("umeml", k, "main")], results[("umeml", k, "calib")]
        s = np.nonzero(te & surv_pop)[0]
        g = np.nonzero(te & grade_pop)[0]
        kl = np.nonzero(te & class_pop)[0]
        risk = r8(main_r["risk"][s])
        pg_before = softmax_t(main_r["grade_logits"][g], 1.0)
        pg = r8(softmax_t(main_r["grade_logits"][g], cal["grade_T"]))
        pc_before = softmax_t(main_r["class_logits"][kl], 1.0)
        pc = softmax_t(main_r["class_logits"][kl], cal["class_T"])
        gm = classification_metrics(c.grade[g], pg)
        cm = classification_metrics(c.klass[kl], pc)
        ci = c_index(c.time_days[s], c.event[s], risk)
        per_fold.append({"fold": k + 1, "cIndex": ci, "gradeAccuracy": gm["accuracy"], "gradeAucMicro": gm["auc_micro"],
                         "gradeAucMacro": gm["auc_macro"], "gradeBalancedAccuracy": gm["balanced_accuracy"],
                         "classAccuracy": cm["accuracy"], "classAucMicro": cm["auc_micro"], "classAucMacro": cm["auc_macro"],
                         "gradeTemperature": cal["grade_T"], "classTemperature": cal["class_T"],
                         "nSurvival": int(len(s)), "nGrade": int(len(g)), "nClass": int(len(kl))})
        ece_g_before.append(ece(c.grade[g], pg_before))
        ece_g_after.append(ece(c.grade[g], pg))
        ece_c_before.append(ece(c.klass[kl], pc_before))
        ece_c_after.append(ece(c.klass[kl], pc))
        oof_surv.append([(c.ids[i], k + 1, float(v)) for i, v in zip(s, risk)])
        oof_grade.append([(c.ids[i], k + 1, *map(float, row)) for i, row in zip(g, pg)])
        grp = assign_group(main_r["risk"][s], main_r["cutoffs"])
        for i, gi in zip(s, grp):
            km_first.setdefault(int(i), int(gi))
        pr = results[("panel", k, "main")]
        panel["c"].append(c_index(c.time_days[s], c.event[s], pr["risk"][s]))
        pm = classification_metrics(c.grade[g], softmax_np(pr["grade_logits"][g]))
        panel["acc"].append(pm["accuracy"])
        panel["auc"].append(pm["auc_micro"])

    def agg(key):
        return mean_sd([f[key] for f in per_fold])

    base = {name: [results[("baseline", k)][name] for k in range(n_splits)]
            for name in ("cox80", "cox80Age", "softmax80", "softmax80Age")}

    # ---- final model -------------------------------------------------------------------------------------------
    fin, fin_cal = results[("final", "all", "main")], results[("final", "all", "calib")]
    mcfg = _model_cfg(c)
    model = UMEML(mcfg)
    model.load_state_dict(fin["state_dict"])
    model.grade_temperature.fill_(fin_cal["grade_T"])
    model.class_temperature.fill_(fin_cal["class_T"])
    model.eval()
    mean, std = fin["normaliser"]
    edges = fin["edges"]
    cutoffs = [float(x) for x in np.quantile(fin["risk"][surv_pop], [1 / 3, 2 / 3])]

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "oof_predictions").mkdir(parents=True)
    (out / "cohort").mkdir()
    export_onnx(model, out / "umeml.onnx")
    log("exported umeml.onnx")

    # parity fixture: hand-built profiles (not patient rows), normalised with the package's own statistics
    def profile(values):
        raw = mean.copy()
        for fid, v in values.items():
            raw[[s.id for s in c.specs].index(fid)] = v
        return ((raw - mean) / std).astype(np.float32)
    gbm = {"idh_mutation": 0, "codeletion_1p19q": 0, "cnv_egfr": 2, "cnv_cdkn2a": -2, "cnv_cdkn2b": -2, "cnv_pten": -1,
           "arm_7p": 0.6, "arm_7q": 0.6, "arm_10p": -0.6, "arm_10q": -0.6, "age_at_diagnosis": 62}
    oligo = {"idh_mutation": 1, "codeletion_1p19q": 1, "cnv_egfr": 0, "cnv_cdkn2a": 0, "cnv_cdkn2b": 0, "cnv_pten": 0,
             "arm_7p": 0, "arm_7q": 0, "arm_10p": 0, "arm_10q": 0, "age_at_diagnosis": 41}
    cases = synthetic_cases(mcfg, {"IDH-wt, EGFR amp, CDKN2A/B del, +7/-10, age 62": profile(gbm),
                                   "IDH-mut, 1p/19q codeleted, age 41": profile(oligo)})
    write_json(out / "parity_fixture.json", parity_fixture(model, cases))

    for k in range(n_splits):
        write_csv(out / "oof_predictions" / f"survival_fold{k + 1}.csv", ["patient_id", "fold", "risk"], oof_surv[k])
        write_csv(out / "oof_predictions" / f"grade_fold{k + 1}.csv", ["patient_id", "fold", "p_II", "p_III", "p_IV"],
                  oof_grade[k])

    names = ["low", "intermediate", "high"]
    sp = np.nonzero(surv_pop)[0]
    app_group = assign_group(fin["risk"][sp], cutoffs)
    oof_idx = np.array(sorted(km_first))
    oof_group = np.array([km_first[i] for i in oof_idx])
    km = {
        "riskGroups": {"names": names, "cutoffs": cutoffs},
        "curves": {
            "outOfFold": {"description": "each patient of the 697-patient survival set that is a test patient in at least "
                                         "one pnas split, grouped by its out-of-fold risk in the first such split, with "
                                         "that split's training-risk tertiles (honest estimate)",
                          "groups": km_groups(c.time_days[oof_idx], c.event[oof_idx], oof_group, names)},
            "apparent": {"description": "all 697 patients grouped by the final model's risk with riskGroups.cutoffs "
                                        "(in-sample, optimistic)",
                         "groups": km_groups(c.time_days[sp], c.event[sp], app_group, names)},
        },
        "logRankP": {"outOfFold": logrank_p(c.time_days[oof_idx], c.event[oof_idx], oof_group),
                     "apparent": logrank_p(c.time_days[sp], c.event[sp], app_group)},
    }
    write_json(out / "cohort" / "km_by_risk_group.json", km)

    elapsed_min = (time.time() - _T0) / 60.0
    metrics = {
        "protocol": "Pathomic Fusion 15 splits (pnas_splits.csv), patient level, mean ± sd over folds; survival on the "
                    "697 patients with IDH and 1p/19q known, grade on the 664 of them with grade known, class on the "
                    "592 with a 6-class label; every fit (normalisation, imputation, bins, temperatures, L2 strength) "
                    "on training patients only",
        "survival": {"cIndexMean": agg("cIndex")["mean"], "cIndexSd": agg("cIndex")["sd"], "n": int(surv_pop.sum()),
                     "folds": n_splits},
        "grade": {"accuracyMean": agg("gradeAccuracy")["mean"], "accuracySd": agg("gradeAccuracy")["sd"],
                  "aucMicroMean": agg("gradeAucMicro")["mean"], "aucMicroSd": agg("gradeAucMicro")["sd"],
                  "aucMacroMean": agg("gradeAucMacro")["mean"], "aucMacroSd": agg("gradeAucMacro")["sd"],
                  "balancedAccuracyMean": agg("gradeBalancedAccuracy")["mean"], "n": int(grade_pop.sum())},
        "class": {"accuracyMean": agg("classAccuracy")["mean"], "accuracySd": agg("classAccuracy")["sd"],
                  "aucMicroMean": agg("classAucMicro")["mean"], "aucMicroSd": agg("classAucMicro")["sd"],
                  "aucMacroMean": agg("classAucMacro")["mean"], "aucMacroSd": agg("classAucMacro")["sd"],
                  "n": int(class_pop.sum())},
        "calibration": {"method": "ECE, 15 equal-width bins on the top-class probability, mean over test folds",
                        "eceBefore": float(np.mean(ece_g_before)), "eceAfter": float(np.mean(ece_g_after)),
                        "classEceBefore": float(np.mean(ece_c_before)), "classEceAfter": float(np.mean(ece_c_after))},
        "panelOnly": {"description": "the same UMEML recipe on the 80-feature panel without age",
                      "cIndexMean": mean_sd(panel["c"])["mean"], "cIndexSd": mean_sd(panel["c"])["sd"],
                      "gradeAccuracyMean": mean_sd(panel["acc"])["mean"], "gradeAucMicroMean": mean_sd(panel["auc"])["mean"]},
        "baselines": {
            "ridgeCox80": {"cIndexMean": mean_sd([b["c_index"] for b in base["cox80"]])["mean"],
                           "cIndexSd": mean_sd([b["c_index"] for b in base["cox80"]])["sd"]},
            "ridgeCox80Age": {"cIndexMean": mean_sd([b["c_index"] for b in base["cox80Age"]])["mean"],
                              "cIndexSd": mean_sd([b["c_index"] for b in base["cox80Age"]])["sd"]},
            **{name: {"accuracyMean": mean_sd([b["accuracy"] for b in base[key]])["mean"],
                      "accuracySd": mean_sd([b["accuracy"] for b in base[key]])["sd"],
                      "aucMicroMean": mean_sd([b["auc_micro"] for b in base[key]])["mean"],
                      "aucMicroSd": mean_sd([b["auc_micro"] for b in base[key]])["sd"],
                      "aucMacroMean": mean_sd([b["auc_macro"] for b in base[key]])["mean"]}
               for name, key in (("ridgeSoftmax80", "softmax80"), ("ridgeSoftmax80Age", "softmax80Age"))},
        },
        "published": {
            "pathomicFusionGenomic": {"cIndex": 0.8085, "gradeAccuracy": 0.652, "gradeAucMicro": 0.853,
                                      "note": "80 features + 240 RNA-seq genes for survival; its own predictions"},
            "pathomicFusionBest": {"cIndex": 0.826, "gradeAccuracy": 0.751, "gradeAucMicro": 0.917,
                                   "note": "fusion with histology"},
        },
        "perFold": per_fold,
        "trainingMinutes": round(elapsed_min, 1),
    }
    tables = {n: sha256_file(data_root / "tcga" / n) for n in ("all_dataset.csv", "grade_data.csv", "pnas_splits.csv")}
    created = os.environ.get("SOURCE_DATE_EPOCH")
    created_at = dt.datetime.fromtimestamp(int(created), dt.timezone.utc) if created else dt.datetime.now(dt.timezone.utc)
    manifest = {
        "schemaVersion": 1,
        "id": PACKAGE_ID,
        "name": "UMEML reference (TCGA-GBMLGG, genomics + age)",
        "version": PACKAGE_VERSION,
        "created": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "architecture": "UMEML",
        "files": [],
        "onnx": {"opset": 17,
                 "inputs": {"patchFeatures": "patch_features", "patchMask": "patch_mask", "genomics": "genomics",
                            "genomicsMask": "genomics_mask", "modalityPresent": "modality_present"},
                 "outputs": {"gradeProbs": "grade_probs", "classProbs": "class_probs", "hazards": "hazards",
                             "survival": "survival", "risk": "risk", "patchAssignment": "patch_assignment",
                             "patchAttention": "patch_attention", "modalityContributions": "modality_contributions"},
                 "patchFeatureDim": mcfg.patch_dim, "genomicDim": mcfg.genomic_dim, "prototypes": mcfg.prototypes},
        "tileEncoder": TILE_ENCODER,
        "genomicSchema": {
            "features": [s.to_manifest(float(m_), float(m_), float(sd)) for s, m_, sd in zip(c.specs, mean, std)],
            "idColumnAliases": ["TCGA ID", "patient_id", "case_id", "id"],
        },
        "labels": {"grade": GRADE_LABELS, "class": CLASS_LABELS, "classDisplay": CLASS_DISPLAY},
        "survival": {"binEdgesDays": [float(e) for e in edges],
                     "riskGroups": {"cutoffs": cutoffs, "names": names, "source": "tertiles of training-cohort risk"}},
        "calibration": {"method": "temperature", "gradeTemperature": fin_cal["grade_T"],
                        "classTemperature": fin_cal["class_T"], "fitOn": "training folds only", "appliedInModel": True},
        "validatedModalities": ["genomics", "clinical"],
        "metrics": metrics,
        "trainingData": {
            "source": "TCGA-GBMLGG (Pathomic Fusion release): all_dataset.csv, grade_data.csv, pnas_splits.csv",
            "patients": int(c.n),
            "licence": "GPLv3, non-commercial academic use (data tables released with Pathomic Fusion, IEEE TMI 2020); "
                       "underlying TCGA data open access (NIH GDC)",
            "provenance": "trained by models/training/train_reference.py (recipe " + json.dumps(SELECTED) + ", width "
                          f"{mcfg.dim}); the final model is fitted on the {int(surv_pop.sum())} patients with IDH and 1p/19q known; "
                          "input table sha256: " + ", ".join(f"{k} {v}" for k, v in tables.items()),
        },
        "intendedUse": "For Research Use Only. Not for use in diagnostic procedures.",
    }
    (out / "MODEL_CARD.md").write_text(model_card(clean_json(manifest), km))
    manifest = write_manifest(out, manifest)
    size = sum(f["bytes"] for f in manifest["files"]) + (out / "manifest.json").stat().st_size
    log(f"package written to {out} ({size / 1e6:.2f} MB)")
    log(f"c-index {metrics['survival']['cIndexMean']:.4f} ± {metrics['survival']['cIndexSd']:.4f}; grade acc "
        f"{metrics['grade']['accuracyMean']:.4f}, AUC micro {metrics['grade']['aucMicroMean']:.4f}; ECE "
        f"{metrics['calibration']['eceBefore']:.4f} -> {metrics['calibration']['eceAfter']:.4f}")
    log(f"baselines: " + json.dumps(metrics["baselines"]))
    log(f"panel only: " + json.dumps(metrics["panelOnly"]))


if __name__ == "__main__":
    main()
