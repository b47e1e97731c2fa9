"""Train, evaluate and package the reference UMEML model on TCGA-GBMLGG (genomics + age), protocol v2 (leak-free).

  /usr/bin/python3 models/training/train_reference.py [--data ../shared/data] [--out models/umeml-gbmlgg-genomic-ref]
  (npm run train:reference)

Protocol v2 (docs/model.md; fixed 2026-12-03, umeml/recipe.py). Per pnas split k = 1..15, using that split's
training patients ONLY (protocol.check_selection_rows refuses anything else):
  1. nested selection: inner 3-fold CV on the training patients; each inner model (the linear clinical path
     initialised from ridge fits on the inner-training rows, plus the deep UMEML path) is scored on its inner
     held-out patients at every candidate (epochs 0/5/10/15/20 x raw/EMA weights; epoch 0 = the clinical path
     alone). The candidate with the best mean inner (c-index + grade AUC micro) is selected; grade and class
     temperatures are fitted on the pooled inner held-out logits of that candidate;
  2. the split's model: the same recipe on all its training patients with the selected candidate; scored once on
     its test patients, calibrated with the temperatures from 1; training-risk tertiles give its risk cut-offs;
  3. linear baselines on the same patients (ridge Cox / softmax on the 80 features and 80 + age).
The final model repeats 1-2 on all patients (no test split is reported for it). The package: umeml.onnx,
manifest.json, MODEL_CARD.md, parity_fixture.json, out-of-fold predictions (ids + predictions only), cohort
Kaplan–Meier curves per risk group; the per-split selection tables go to models/training/results/.
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
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from umeml.baselines import inner_folds, ridge_cox_cv, ridge_softmax_cv, softmax_np  # noqa: E402
from umeml.calibration import fit_temperature, softmax_t  # noqa: E402
from umeml.clinical import FEATURES as CLINICAL_FEATURES, clinical_index  # noqa: E402
from umeml.clinical import ARM_GAIN, ARM_LOSS, GISTIC_AMP, GISTIC_HOMDEL  # noqa: E402
from umeml.clinical_init import apply_clinical_init, fit_clinical_init  # noqa: E402
from umeml.data import (CLASS_DISPLAY, CLASS_LABELS, GRADE_LABELS, REPO_ROOT, default_data_root, group_names,  # noqa: E402
                        group_sizes, load_tcga)
from umeml.export import export_onnx, parity_fixture, synthetic_cases, write_json  # noqa: E402
from umeml.metrics import c_index, classification_metrics, ece, kaplan_meier, logrank_p, mean_sd  # noqa: E402
from umeml.model import UMEML  # noqa: E402
from umeml.survival_eval import YEAR_DAYS, survival_from_hazards  # noqa: E402
from umeml.package import TILE_ENCODER, clean_json, sha256_file, write_csv, write_manifest  # noqa: E402
from umeml.protocol import N_SPLITS, check_selection_rows, prepare, strata_for  # noqa: E402
from umeml import recipe, v2_report  # noqa: E402
from umeml.recipe import (BASE_SEED, FIXED, PACKAGE_ID, PACKAGE_VERSION, RECIPE_DATE, limit_threads,  # noqa: E402
                          reference_model_config, reference_train_config)
from umeml.train import predict_tabular, train_tabular  # noqa: E402

_COHORT = None
_T0 = time.time()
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def log(msg: str) -> None:
    print(f"[{time.time() - _T0:7.1f}s] {msg}", flush=True)


def r8(a):
    """Round to 8 significant digits: the OOF files hold these values, and the metrics are computed from them."""
    return np.array([float(f"{v:.8g}") for v in np.ravel(a)]).reshape(np.shape(a))


def _model_cfg(c):
    return reference_model_config(group_sizes(c.specs), group_names(c.specs),
                                  clinical_index([s.id for s in c.specs], allow_missing=True))


def _fold_no(k) -> int:
    return 0 if k == "all" else k + 1


def _reported(k):
    """Splits whose test patients a selection for k must not see: split k itself (none for the final model)."""
    return [] if k == "all" else [k]


def _split_rows(c, k):
    """Training patients of split k in the survival population (all of that population for the final model)."""
    train_mask = np.ones(c.n, bool) if k == "all" else c.train_splits[:, k]
    return np.nonzero(train_mask & c.markers_known)[0]


def _init_fn(c, fd, rows, seed):
    """Ridge initialisation of the clinical path on exactly the rows the network trains on."""
    mcfg = _model_cfg(c)
    params = fit_clinical_init(mcfg.clinical_index, fd.data.subset(rows), fd.normaliser.mean, fd.normaliser.std,
                               mcfg.n_bins, mcfg.n_grade, mcfg.n_class, seed)
    return params, (lambda model: apply_clinical_init(model, params, fd.normaliser.mean, fd.normaliser.std))


def _preds(model, fd, rows):
    p = predict_tabular(model, fd.data.z[rows], fd.data.mask[rows])
    return {"risk": p["risk"], "hazards": p["hazards"], "grade_logits": p["grade_logits"],
            "class_logits": p["class_logits"]}


def job_inner(k, i):
    """Inner fold i of split k: train on the other inner folds, predict the held-out one at every candidate."""
    c = _COHORT
    rows = _split_rows(c, k)
    fno = _fold_no(k)
    folds = inner_folds(len(rows), recipe.INNER_FOLDS, BASE_SEED + fno, strata_for(c, rows))
    tr, va = rows[folds[i][0]], rows[folds[i][1]]
    # the labels of tr and va decide the selection used for split k: none may be a test patient of split k
    check_selection_rows(c, np.concatenate([tr, va]), _reported(k))
    train_mask = np.zeros(c.n, bool)
    train_mask[tr] = True
    fd = prepare(c, train_mask)                       # normalisation, imputation, bins: inner-training rows only
    _, init = _init_fn(c, fd, fd.train_rows, BASE_SEED + 500 + 10 * fno + i)
    cands = {}

    def on_epoch(ep, raw, ema_model):
        if ep not in recipe.EPOCH_CANDIDATES:
            return
        cands[(ep, "raw")] = _preds(raw, fd, va)
        if ep > 0:
            cands[(ep, "ema")] = _preds(ema_model(), fd, va)

    train_tabular(fd.data.subset(fd.train_rows), _model_cfg(c),
                  reference_train_config(BASE_SEED + 2000 + 10 * fno + i), on_epoch=on_epoch, init=init)
    return {"val_rows": va, "cands": cands}


def select(c, inner):
    """Nested choice from the inner folds' held-out predictions -> (selection dict, score table)."""
    table = []
    for cand in inner[0]["cands"]:
        cs, aucs = [], []
        for r in inner:
            va, p = r["val_rows"], r["cands"][cand]
            cs.append(c_index(c.time_days[va], c.event[va], p["risk"]))
            g = c.grade[va] >= 0
            # a cohort without grade labels (PORPOISE) is selected on the c-index alone
            aucs.append(classification_metrics(c.grade[va][g], softmax_np(p["grade_logits"][g]))["auc_micro"]
                        if g.any() else 0.0)
        table.append({"epochs": cand[0], "weights": cand[1], "innerCIndex": float(np.mean(cs)),
                      "innerGradeAucMicro": float(np.mean(aucs)), "score": float(np.mean(cs) + np.mean(aucs))})
    best = max(table, key=lambda t: (round(t["score"], 12), -t["epochs"], t["weights"] == "raw"))
    cand = (best["epochs"], best["weights"])
    va = np.concatenate([r["val_rows"] for r in inner])
    gl = np.concatenate([r["cands"][cand]["grade_logits"] for r in inner])
    cl = np.concatenate([r["cands"][cand]["class_logits"] for r in inner])
    g, kl = c.grade[va] >= 0, c.klass[va] >= 0
    sel = {"epochs": best["epochs"], "weights": best["weights"], "innerScore": best["score"],
           "gradeT": fit_temperature(gl[g], c.grade[va][g]), "classT": fit_temperature(cl[kl], c.klass[va][kl]),
           "nInnerHeldOut": int(len(va))}
    return sel, table


def job_main(k, sel):
    """Split k's model (or the final model) on all its training patients with the selected candidate."""
    c = _COHORT
    train_mask = np.ones(c.n, bool) if k == "all" else c.train_splits[:, k]
    fd = prepare(c, train_mask)
    fno = _fold_no(k)
    params, init = _init_fn(c, fd, fd.train_rows, BASE_SEED + 500 + 10 * fno + 9)
    linear = {}

    def on_epoch(ep, raw, ema_model):
        if ep == 0:      # the clinical path alone (ridge initialisation), kept for the "what was tried" table
            linear.update(_preds(raw, fd, np.arange(c.n)))

    model = train_tabular(fd.data.subset(fd.train_rows), _model_cfg(c),
                          reference_train_config(BASE_SEED + fno, sel["epochs"], sel["weights"] == "ema"),
                          on_epoch=on_epoch, init=init)
    p_all = _preds(model, fd, np.arange(c.n))
    res = dict(p_all, linear=linear, edges=fd.edges, cutoffs=np.quantile(p_all["risk"][fd.train_rows], [1 / 3, 2 / 3]).tolist(),
               ridge={"survLambda": float(params["surv_lambda"]), "gradeLambda": float(params["grade_lambda"]),
                      "classLambda": float(params["class_lambda"]), "survBeta": [float(b) for b in params["surv"]],
                      "survSubset": params["surv_subset"], "survSubsetInnerCIndex": params["surv_subset_scores"]})
    if k == "all":
        res["state_dict"] = {kk: v.clone() for kk, v in model.state_dict().items()}
        res["normaliser"] = (fd.normaliser.mean, fd.normaliser.std)
    return res


def job_baseline(k):
    """This script's own check: ridge Cox on IDH + 1p/19q + age on split k's training patients (same L2 search as
    the package's clinical reference, umeml/clinical_reference.py, whose stored predictions the card reports)."""
    c = _COHORT
    tr = c.train_splits[:, k]
    ids = [s.id for s in c.specs]
    cols = [ids.index("idh_mutation"), ids.index("codeletion_1p19q"), ids.index("age_at_diagnosis")]
    fd = prepare(c, tr)
    z = fd.data.z[:, cols]
    s_tr, s_te = tr & c.markers_known, ~tr & c.markers_known
    beta, lam = ridge_cox_cv(z[s_tr], c.time_days[s_tr], c.event[s_tr], seed=BASE_SEED + k)
    return {"cox3": {"c_index": c_index(c.time_days[s_te], c.event[s_te], z[s_te] @ beta), "lambda": lam}}


def job(spec):
    limit_threads()
    kind = spec[0]
    if kind == "inner":
        return spec, job_inner(spec[1], spec[2])
    if kind == "main":
        return spec, job_main(spec[1], spec[2])
    return spec, job_baseline(spec[1])


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


def run_all(c, n_splits, workers, baselines=True):
    """Inner-fold jobs first (the final model's, the largest, at the front); a split's main job is queued as soon
    as its inner folds are in, so the two workers stay busy."""
    keys = ["all"] + list(range(n_splits))
    inner_specs = [("inner", k, i) for k in keys for i in range(recipe.INNER_FOLDS)]
    results, inner, selections, pending = {}, {k: {} for k in keys}, {}, []
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        it = pool.imap_unordered(job, inner_specs + ([("baseline", k) for k in range(n_splits)] if baselines else []))
        for spec, res in it:
            log(f"done {spec[:3] if spec[0] == 'inner' else spec}")
            if spec[0] == "baseline":
                results[spec] = res
                continue
            k = spec[1]
            inner[k][spec[2]] = res
            if len(inner[k]) == recipe.INNER_FOLDS:
                sel, table = select(c, [inner[k][i] for i in range(recipe.INNER_FOLDS)])
                selections[k] = {"selected": sel, "candidates": table}
                log(f"split {k}: selected {sel['epochs']} epochs, {sel['weights']} weights "
                    f"(inner score {sel['innerScore']:.4f})")
                pending.append((k, pool.apply_async(job, (("main", k, sel),))))
        for k, ar in pending:
            spec, res = ar.get()
            results[("main", k)] = res
            log(f"done main {k}")
    return results, selections


def main():
    global _COHORT
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--out", default=str(REPO_ROOT / "models" / PACKAGE_ID))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--smoke", action="store_true",
                    help="pipeline check only: 2 splits, at most 2 epochs; refuses to write the package folder")
    args = ap.parse_args()
    n_splits = 2 if args.smoke else N_SPLITS
    results_dir = RESULTS_DIR
    if args.smoke:
        if Path(args.out).resolve() == (REPO_ROOT / "models" / PACKAGE_ID).resolve():
            raise SystemExit("--smoke needs --out outside the package folder")
        recipe.EPOCH_CANDIDATES[:] = [0, 1, 2]
        results_dir = Path(args.out).parent / (Path(args.out).name + "-results")   # the package folder is replaced
    warnings.filterwarnings("ignore", message=".*shape inference of prim::Constant.*")
    data_root = Path(args.data)
    c = load_tcga(data_root)
    _COHORT = c
    log(f"cohort: {c.n} patients, survival set {c.markers_known.sum()}, grade set {c.grade_eval_mask().sum()}, "
        f"class-labelled {(c.klass >= 0).sum()}")
    results, selections = run_all(c, n_splits, args.workers)

    # ---- cross-validated metrics ------------------------------------------------------------------------------
    surv_pop, grade_pop, class_pop = c.markers_known, c.grade_eval_mask(), c.klass >= 0
    per_fold = []
    oof_surv, oof_grade, oof_class = [], [], []
    ece_g_before, ece_g_after, ece_c_before, ece_c_after = [], [], [], []
    tried = []
    km_first = {}
    for k in range(n_splits):
        te = ~c.train_splits[:, k]
        main_r, sel = results[("main", k)], selections[k]["selected"]
        s = np.nonzero(te & surv_pop)[0]
        g = np.nonzero(te & grade_pop)[0]
        kl = np.nonzero(te & class_pop)[0]
        risk = r8(main_r["risk"][s])
        pg_before = softmax_t(main_r["grade_logits"][g], 1.0)
        pg = r8(softmax_t(main_r["grade_logits"][g], sel["gradeT"]))
        pc_before = softmax_t(main_r["class_logits"][kl], 1.0)
        pc = r8(softmax_t(main_r["class_logits"][kl], sel["classT"]))
        gm = classification_metrics(c.grade[g], pg)
        cm = classification_metrics(c.klass[kl], pc)
        ci = c_index(c.time_days[s], c.event[s], risk)
        per_fold.append({"fold": k + 1, "cIndex": ci, "gradeAccuracy": gm["accuracy"], "gradeAucMicro": gm["auc_micro"],
                         "gradeAucMacro": gm["auc_macro"], "gradeBalancedAccuracy": gm["balanced_accuracy"],
                         "classAccuracy": cm["accuracy"], "classAucMicro": cm["auc_micro"], "classAucMacro": cm["auc_macro"],
                         "gradeTemperature": sel["gradeT"], "classTemperature": sel["classT"],
                         "selectedEpochs": sel["epochs"], "selectedWeights": sel["weights"],
                         "nSurvival": int(len(s)), "nGrade": int(len(g)), "nClass": int(len(kl))})
        ece_g_before.append(ece(c.grade[g], pg_before))
        ece_g_after.append(ece(c.grade[g], pg))
        ece_c_before.append(ece(c.klass[kl], pc_before))
        ece_c_after.append(ece(c.klass[kl], pc))
        # S(2 y), S(5 y) from the split model's discrete-time hazards (for survival calibration, evaluation.py)
        s2, s5 = (r8(survival_from_hazards(main_r["hazards"][s], main_r["edges"], t)) for t in (2 * YEAR_DAYS, 5 * YEAR_DAYS))
        oof_surv.append([(c.ids[i], k + 1, float(v), float(a), float(b)) for i, v, a, b in zip(s, risk, s2, s5)])
        oof_grade.append([(c.ids[i], k + 1, *map(float, row), *map(float, raw))
                          for i, row, raw in zip(g, pg, r8(pg_before))])
        oof_class.append([(c.ids[i], k + 1, *map(float, row), *map(float, raw))
                          for i, row, raw in zip(kl, r8(pc), r8(pc_before))])
        grp = assign_group(main_r["risk"][s], main_r["cutoffs"])
        for i, gi in zip(s, grp):
            km_first.setdefault(int(i), int(gi))
        lin = main_r["linear"]
        lm = classification_metrics(c.grade[g], softmax_np(lin["grade_logits"][g]))
        tried.append({"fold": k + 1,
                      "selected": {"cIndex": ci, "gradeAccuracy": gm["accuracy"], "gradeAucMicro": gm["auc_micro"]},
                      "clinicalPathAlone": {"cIndex": c_index(c.time_days[s], c.event[s], lin["risk"][s]),
                                            "gradeAccuracy": lm["accuracy"], "gradeAucMicro": lm["auc_micro"]},
                      "cox3": results[("baseline", k)]["cox3"]["c_index"],
                      "ridge": main_r["ridge"]})

    def agg(key):
        return mean_sd([f[key] for f in per_fold])

    base = {"cox3": [results[("baseline", k)]["cox3"] for k in range(n_splits)]}

    # ---- raw results of the nested selection and of the variants (committed; docs/model.md quotes them) --------
    results_dir.mkdir(parents=True, exist_ok=True)
    cox3 = np.array([t["cox3"] for t in tried])
    sel_c = np.array([t["selected"]["cIndex"] for t in tried])
    lin_c = np.array([t["clinicalPathAlone"]["cIndex"] for t in tried])
    summary = {
        "protocol": "v2 (fixed " + RECIPE_DATE + "): nested selection inside each split's training patients",
        "recipe": {"fixed": FIXED, "innerFolds": recipe.INNER_FOLDS, "epochCandidates": recipe.EPOCH_CANDIDATES,
                   "weightCandidates": recipe.WEIGHT_CANDIDATES, "selectionScore": recipe.SELECTION_SCORE},
        "summary": {
            "umeml": {"cIndex": mean_sd(sel_c), "gradeAucMicro": mean_sd([t["selected"]["gradeAucMicro"] for t in tried]),
                      "gradeAccuracy": mean_sd([t["selected"]["gradeAccuracy"] for t in tried])},
            "clinicalPathAlone": {"cIndex": mean_sd(lin_c),
                                  "gradeAucMicro": mean_sd([t["clinicalPathAlone"]["gradeAucMicro"] for t in tried]),
                                  "gradeAccuracy": mean_sd([t["clinicalPathAlone"]["gradeAccuracy"] for t in tried])},
            "cox3": {"cIndex": mean_sd(cox3),
                     "note": "ridge Cox on IDH + 1p/19q + age, this script's check; the package's clinical reference "
                             "models (umeml/clinical_reference.py) are the ones the model card reports"},
            "umemlAheadOfCox3": int((sel_c > cox3).sum()), "clinicalPathAheadOfCox3": int((lin_c > cox3).sum()),
            "splits": n_splits},
        "perSplit": tried,
        "selections": {("final" if k == "all" else str(k + 1)): v for k, v in selections.items()},
    }
    write_json(results_dir / "reference_v2_selection.json", clean_json(summary))
    docs_md = REPO_ROOT / "docs" / "model.md"
    if not args.smoke and v2_report.BEGIN in docs_md.read_text():
        v2_report.update_docs(results_dir / "reference_v2_selection.json", docs_md)
    log("nested selection + variants: " + json.dumps(summary["summary"]))

    # ---- final model -------------------------------------------------------------------------------------------
    fin, fin_sel = results[("main", "all")], selections["all"]["selected"]
    mcfg = _model_cfg(c)
    model = UMEML(mcfg)
    model.load_state_dict(fin["state_dict"])
    model.grade_temperature.fill_(fin_sel["gradeT"])
    model.class_temperature.fill_(fin_sel["classT"])
    model.eval()
    fin_cal = {"grade_T": fin_sel["gradeT"], "class_T": fin_sel["classT"]}
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
        write_csv(out / "oof_predictions" / f"survival_fold{k + 1}.csv",
                  ["patient_id", "fold", "risk", "surv_2y", "surv_5y"], oof_surv[k])
        write_csv(out / "oof_predictions" / f"grade_fold{k + 1}.csv",
                  ["patient_id", "fold"] + [f"p_{x}" for x in GRADE_LABELS] + [f"raw_p_{x}" for x in GRADE_LABELS],
                  oof_grade[k])
        write_csv(out / "oof_predictions" / f"class_fold{k + 1}.csv",
                  ["patient_id", "fold"] + [f"p_{x}" for x in CLASS_LABELS] + [f"raw_p_{x}" for x in CLASS_LABELS],
                  oof_class[k])

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
                    "592 with a 6-class label; protocol v2 (fixed " + RECIPE_DATE + "): every fit and every label-"
                    "looking choice (normalisation, imputation, bins, ridge L2 strengths, epochs, raw/EMA weights, "
                    "temperatures, risk cut-offs) made inside each split's training patients (nested inner 3-fold CV)",
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
        "clinicalPathAlone": {"description": "the ridge-initialised linear clinical path alone (each split's model "
                                             "before training; a variant documented, not selected by test folds)",
                              "cIndexMean": summary["summary"]["clinicalPathAlone"]["cIndex"]["mean"],
                              "cIndexSd": summary["summary"]["clinicalPathAlone"]["cIndex"]["sd"],
                              "gradeAccuracyMean": summary["summary"]["clinicalPathAlone"]["gradeAccuracy"]["mean"],
                              "gradeAucMicroMean": summary["summary"]["clinicalPathAlone"]["gradeAucMicro"]["mean"]},
        "nestedSelection": {"innerFolds": recipe.INNER_FOLDS, "epochCandidates": recipe.EPOCH_CANDIDATES,
                            "weightCandidates": recipe.WEIGHT_CANDIDATES, "score": recipe.SELECTION_SCORE,
                            "selectedEpochsPerFold": [f["selectedEpochs"] for f in per_fold],
                            "selectedWeightsPerFold": [f["selectedWeights"] for f in per_fold],
                            "final": {"epochs": fin_sel["epochs"], "weights": fin_sel["weights"]}},
        "baselines": {
            "ridgeCox3": {"cIndexMean": mean_sd([b["c_index"] for b in base["cox3"]])["mean"],
                          "cIndexSd": mean_sd([b["c_index"] for b in base["cox3"]])["sd"],
                          "note": "IDH + 1p/19q + age, L2 by inner CV on the split's training patients"},
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
            # Minimum evidence (issue 12 §5, enforced by the app's profile validation): the markers that decide the
            # molecular class are never imputed, and at most 8 of the 81 fields (≈10 %) may be missing.
            "requiredObserved": ["idh_mutation", "codeletion_1p19q"],
            "maxImputed": 8,
        },
        "labels": {"grade": GRADE_LABELS, "class": CLASS_LABELS, "classDisplay": CLASS_DISPLAY},
        "survival": {"binEdgesDays": [float(e) for e in edges],
                     "riskGroups": {"cutoffs": cutoffs, "names": names, "source": "tertiles of training-cohort risk"}},
        "calibration": {"method": "temperature", "gradeTemperature": fin_cal["grade_T"],
                        "classTemperature": fin_cal["class_T"], "fitOn": "pooled inner-CV held-out logits of the selected candidate "
                        "(training patients only)", "appliedInModel": True},
        "validatedModalities": ["genomics", "clinical"],
        "metrics": metrics,
        "trainingData": {
            "source": "TCGA-GBMLGG (Pathomic Fusion release): all_dataset.csv, grade_data.csv, pnas_splits.csv",
            "patients": int(c.n),
            "licence": "GPLv3, non-commercial academic use (data tables released with Pathomic Fusion, IEEE TMI 2020); "
                       "underlying TCGA data open access (NIH GDC)",
            "provenance": "trained by models/training/train_reference.py (protocol v2 fixed " + RECIPE_DATE + ", recipe "
                          + json.dumps(FIXED) + f", nested epochs {fin_sel['epochs']} / {fin_sel['weights']} weights, width "
                          f"{mcfg.dim}); the final model is fitted on the {int(surv_pop.sum())} patients with IDH and 1p/19q known; "
                          "input table sha256: " + ", ".join(f"{k} {v}" for k, v in tables.items()),
        },
        "intendedUse": "For Research Use Only. Not for use in diagnostic procedures.",
    }
    manifest = write_manifest(out, manifest)
    # clinical reference models, re-scoring from the stored OOF files, MODEL_CARD.md, docs block (umeml/evaluation.py)
    import evaluate_reference
    eval_args = [str(out), "--data", str(data_root)]
    docs = REPO_ROOT / "docs" / "model.md"
    if not args.smoke and evaluate_reference.DOCS_BEGIN in docs.read_text():
        eval_args += ["--docs", str(docs)]
    rc = evaluate_reference.main(eval_args)
    if rc:
        raise SystemExit(f"evaluate_reference.py exited {rc}")
    manifest = json.loads((out / "manifest.json").read_text())
    size = sum(f["bytes"] for f in manifest["files"]) + (out / "manifest.json").stat().st_size
    log(f"package written to {out} ({size / 1e6:.2f} MB)")
    log(f"c-index {metrics['survival']['cIndexMean']:.4f} ± {metrics['survival']['cIndexSd']:.4f}; grade acc "
        f"{metrics['grade']['accuracyMean']:.4f}, AUC micro {metrics['grade']['aucMicroMean']:.4f}")
    log("goals (evaluate_reference): " + json.dumps(manifest["metrics"].get("goals")))
    log(f"clinical path alone: " + json.dumps(metrics["clinicalPathAlone"]))


if __name__ == "__main__":
    main()
