"""Re-scores a reference package from its stored out-of-fold (OOF) prediction files (issue 11 deliverables 4-5).

Every figure of MODEL_CARD.md, `evaluation/report.json`, the manifest's metrics and the generated block of
docs/model.md comes from `evaluate(pkg, cohort)`: ids + predictions from the package, labels joined from the TCGA
tables. Files read (k = 1..15, the pnas split; each row's `fold` must equal k):

  survival_fold<k>.csv                 UMEML: patient_id,fold,risk [,surv_2y,surv_5y]
  grade_fold<k>.csv                    UMEML: patient_id,fold,p_II,p_III,p_IV [,raw_p_II,raw_p_III,raw_p_IV]
  class_fold<k>.csv        (optional)  UMEML: patient_id,fold,p_<class label>… [,raw_p_<class label>…]
  umeml_panel_survival_fold<k>.csv (optional) UMEML recipe without age: patient_id,fold,risk
  cox_clinical_survival_fold<k>.csv, cox_panel_survival_fold<k>.csv, softmax_panel_grade_fold<k>.csv
                                       the clinical reference models (clinical_reference.py)

`surv_2y`/`surv_5y` = predicted probability of being alive at 730.5 / 1826.25 days (for UMEML from its
discrete-time hazards with `survival_eval.survival_from_hazards`); without them the survival calibration of that
model is reported as not available. `raw_p_*` = probabilities before temperature scaling; without them they are
recovered exactly from the calibrated ones with the split's temperature in the manifest
(metrics.perFold[].gradeTemperature / classTemperature), and otherwise reported as not available.

Two kinds of summary: per split (metric per test fold, mean ± sd over the 15 folds — the protocol's figures), and
pooled "one prediction per patient" (each patient that is a test patient of some split, with its prediction from
the first such split; used for bootstrap intervals, reliability diagrams, survival calibration and Kaplan–Meier,
since the 15 test sets overlap).
"""
from __future__ import annotations

import csv
import math
import zlib
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from .calibration import brier_multiclass, nll_probs, reliability, uncalibrate
from .clinical_reference import MODELS as REFERENCE_MODELS, PRIMARY_MODEL_ID
from .data import CLASS_LABELS, GRADE_LABELS, Cohort
from .metrics import c_index, classification_metrics, ece, kaplan_meier, logrank_p, mean_sd
from .survival_eval import YEAR_DAYS, calibration_at, median_survival, td_auc

HORIZONS = (2, 5)
BOOTSTRAP = 500
SEED = 20261203
RISK_GROUPS = ["low", "intermediate", "high"]

# Issue 11's goals on the 15 pnas splits (paired against the 3-variable Cox on the same training patients).
GOALS = {
    "survival": {"goal": {"cIndex": 0.82, "wins": 11}, "minimum": {"cIndex": 0.8115, "wins": 8}},
    "gradeAucMicro": {"goal": 0.87, "minimum": 0.856},
    "gradeAccuracy": {"goal": 0.67},
}

SURVIVAL_MODELS = [  # (id, label, file prefix)
    ("umeml", "UMEML reference (80 features + age)", "survival"),
    ("umeml-panel", "UMEML, same recipe, 80-feature panel only", "umeml_panel_survival"),
] + [(m.id, m.label, m.file_prefix) for m in REFERENCE_MODELS if m.task == "survival"]
GRADE_MODELS = [("umeml", "UMEML reference (80 features + age)", "grade")] + \
    [(m.id, m.label, m.file_prefix) for m in REFERENCE_MODELS if m.task == "grade"]


def _read(path: Path, fold: int) -> List[Dict[str, str]]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if int(r["fold"]) != fold:
            raise ValueError(f"{path}: row {r['patient_id']} says fold {r['fold']}, the file name says {fold}")
    return rows


def _files(pkg: Path, prefix: str, n_splits: int) -> Optional[List[List[Dict[str, str]]]]:
    paths = [pkg / "oof_predictions" / f"{prefix}_fold{k}.csv" for k in range(1, n_splits + 1)]
    if not all(p.exists() for p in paths):
        return None
    return [_read(p, k) for k, p in enumerate(paths, start=1)]


def n_splits_of(pkg: Path) -> int:
    return len(list((pkg / "oof_predictions").glob("survival_fold*.csv")))


def _first_appearance(folds: List[List[Dict[str, str]]]) -> List[Dict[str, str]]:
    seen, out = set(), []
    for rows in folds:
        for r in rows:
            if r["patient_id"] not in seen:
                seen.add(r["patient_id"])
                out.append(r)
    return out


def _boot_ci(fn, n: int, rng: np.random.RandomState, n_boot: int = BOOTSTRAP) -> List[float]:
    vals = []
    for _ in range(n_boot):
        v = fn(rng.randint(0, n, n))
        if v is not None and not math.isnan(v):
            vals.append(v)
    return [float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))]


class Labels:
    def __init__(self, cohort: Cohort):
        self.index = {pid: i for i, pid in enumerate(cohort.ids)}
        self.c = cohort

    def rows(self, rows: List[Dict[str, str]]) -> np.ndarray:
        try:
            return np.array([self.index[r["patient_id"]] for r in rows], dtype=int)
        except KeyError as e:
            raise ValueError(f"patient {e.args[0]} is not in all_dataset.csv") from None


def _tertile_groups(risk: np.ndarray) -> np.ndarray:
    """Outcome-free grouping within one test fold: tertiles of that fold's predicted risk."""
    cut = np.quantile(risk, [1 / 3, 2 / 3])
    return (risk >= cut[0]).astype(int) + (risk >= cut[1]).astype(int)


def _km_curve(time, event) -> Dict:
    ts, s, r = kaplan_meier(time, event)
    med = median_survival(time, event)
    return {"n": int(len(time)), "events": int(np.sum(event)), "medianDays": med["median"],
            "medianCi95Days": med["ci95"], "timesDays": [float(x) for x in ts],
            "survival": [round(float(x), 6) for x in s], "atRisk": [int(x) for x in r]}


def _pair_matrices(t, e, risk):
    """comparable[i, j]: i died and j outlived it (t_j > t_i, or t_j = t_i with j censored); concordant: + risk order."""
    comp = (e[:, None] == 1) & ((t[None, :] > t[:, None]) | ((t[None, :] == t[:, None]) & (e[None, :] == 0)))
    conc = comp * ((risk[:, None] > risk[None, :]) + 0.5 * (risk[:, None] == risk[None, :]))
    return comp.astype(float), conc.astype(float)


def survival_model(lab: Labels, folds, with_calibration: bool, rng) -> Dict:
    c = lab.c
    per = []
    group_of: Dict[str, int] = {}
    for k, rows in enumerate(folds, start=1):
        idx = lab.rows(rows)
        risk = np.array([float(r["risk"]) for r in rows])
        t, e = c.time_days[idx], c.event[idx]
        tr = c.train_splits[:, k - 1] & c.markers_known
        item = {"fold": k, "n": int(len(idx)), "events": int(e.sum()), "cIndex": c_index(t, e, risk)}
        for h in HORIZONS:
            item[f"tdAuc{h}y"] = td_auc(c.time_days[tr], c.event[tr], t, e, risk, h * YEAR_DAYS)
        per.append(item)
        for r, g in zip(rows, _tertile_groups(risk)):
            group_of.setdefault(r["patient_id"], int(g))
    out = {"perSplit": per}
    for key in ["cIndex"] + [f"tdAuc{h}y" for h in HORIZONS]:
        ms = mean_sd([p[key] for p in per])
        out[f"{key}Mean"], out[f"{key}Sd"] = ms["mean"], ms["sd"]
    pooled = _first_appearance(folds)
    idx = lab.rows(pooled)
    t, e = c.time_days[idx], c.event[idx]
    risk = np.array([float(r["risk"]) for r in pooled])
    comp, conc = _pair_matrices(t, e, risk)

    def boot_c(b):
        # c-index of the resample = wᵀ·concordant·w / wᵀ·comparable·w with w = how often each patient was drawn
        # (the same pairs and tie rules as metrics.c_index on the resampled rows, without re-looping)
        w = np.bincount(b, minlength=len(t)).astype(float)
        den = w @ comp @ w
        return float(w @ conc @ w / den) if den > 0 else float("nan")
    out["pooled"] = {"n": int(len(idx)), "events": int(e.sum()), "cIndex": c_index(t, e, risk),
                     "cIndexCi95": _boot_ci(boot_c, len(idx), rng)}
    groups = np.array([group_of[r["patient_id"]] for r in pooled])
    out["riskGroups"] = {
        "rule": "tertiles of the predicted risk among the test patients of the patient's first test split "
                "(no outcomes used); pooled one prediction per patient",
        "groups": [dict(name=name, **_km_curve(t[groups == g], e[groups == g])) for g, name in enumerate(RISK_GROUPS)],
        "logRankP": logrank_p(t, e, groups),
    }
    cal = {}
    for h in HORIZONS:
        col = f"surv_{h}y"
        if with_calibration and all(col in r and r[col] not in ("", "nan") for r in pooled):
            s = np.array([float(r[col]) for r in pooled])
            cal[f"{h}y"] = calibration_at(t, e, s, h * YEAR_DAYS)
            cal[f"{h}y"]["deciles"] = _survival_reliability(t, e, s, h * YEAR_DAYS, rng)
        else:
            cal[f"{h}y"] = None
            out.setdefault("calibrationNotAvailable", {})[f"{h}y"] = (
                "not defined by the model at this time (its survival bins end before it)" if pooled and col in pooled[0]
                else "no out-of-fold survival probabilities are stored for this model")
    out["calibration"] = cal
    return out


def _survival_reliability(t, e, s, horizon: float, rng, n_groups: int = 10, n_boot: int = 200) -> List[Dict]:
    """Predicted vs Kaplan–Meier observed risk by 1/n_groups quantile groups of predicted risk, bootstrap band."""
    from .survival_eval import km_step
    f = 1.0 - s
    order = np.argsort(f, kind="mergesort")
    parts = np.array_split(order, n_groups)
    gid = np.empty(len(f), dtype=int)
    for g, p in enumerate(parts):
        gid[p] = g
    obs = lambda tt, ee: 1.0 - float(km_step(tt, ee)(horizon))  # noqa: E731
    boots = np.full((n_boot, n_groups), np.nan)
    for b in range(n_boot):
        i = rng.randint(0, len(f), len(f))
        for g in range(n_groups):
            sel = i[gid[i] == g]
            if len(sel) > 1:
                boots[b, g] = obs(t[sel], e[sel])
    out = []
    for g, p in enumerate(parts):
        col = boots[:, g][~np.isnan(boots[:, g])]
        out.append({"n": int(len(p)), "predicted": float(f[p].mean()), "observed": obs(t[p], e[p]),
                    "observedLo": float(np.percentile(col, 2.5)), "observedHi": float(np.percentile(col, 97.5))})
    return out


def _temperatures(manifest: Dict, key: str, n: int) -> Optional[List[float]]:
    per = (manifest.get("metrics") or {}).get("perFold") or []
    temps = [p.get(key) for p in per]
    return temps if len(temps) == n and all(isinstance(x, (int, float)) for x in temps) else None


def classification_model(lab: Labels, folds, labels_arr: np.ndarray, classes: List[str], temps, rng) -> Dict:
    per = []
    before_available = True
    for k, rows in enumerate(folds, start=1):
        idx = lab.rows(rows)
        y = labels_arr[idx]
        if np.any(y < 0):
            raise ValueError(f"fold {k}: a patient has no label for this task")
        p = np.array([[float(r[f"p_{cl}"]) for cl in classes] for r in rows])
        raw = _raw(rows, classes, p, temps[k - 1] if temps else None)
        m = classification_metrics(y, p)
        item = {"fold": k, "n": int(len(idx)), "accuracy": m["accuracy"], "balancedAccuracy": m["balanced_accuracy"],
                "aucMicro": m["auc_micro"], "aucMacro": m["auc_macro"], "brier": brier_multiclass(y, p),
                "nll": nll_probs(y, p), "ece15": ece(y, p)}
        # the 15-bin ECE a perfectly calibrated model would show on these predictions (labels drawn from them)
        item["ece15IfCalibrated"] = float(np.mean([ece(_draw_labels(p, rng), p) for _ in range(50)]))
        if raw is not None:
            item.update(brierBefore=brier_multiclass(y, raw), nllBefore=nll_probs(y, raw), ece15Before=ece(y, raw))
        else:
            before_available = False
        per.append(item)
    out = {"perSplit": per}
    keys = ["accuracy", "balancedAccuracy", "aucMicro", "aucMacro", "brier", "nll", "ece15", "ece15IfCalibrated"]
    if before_available:
        keys += ["brierBefore", "nllBefore", "ece15Before"]
    for key in keys:
        ms = mean_sd([p[key] for p in per])
        out[f"{key}Mean"], out[f"{key}Sd"] = ms["mean"], ms["sd"]
    pooled = _first_appearance(folds)
    idx = lab.rows(pooled)
    y = labels_arr[idx]
    p = np.array([[float(r[f"p_{cl}"]) for cl in classes] for r in pooled])
    out["pooled"] = {
        "n": int(len(idx)),
        "accuracy": float((p.argmax(1) == y).mean()),
        "accuracyCi95": _boot_ci(lambda b: float((p[b].argmax(1) == y[b]).mean()), len(y), rng),
        "aucMicro": classification_metrics(y, p)["auc_micro"],
        "aucMicroCi95": _boot_ci(lambda b: classification_metrics(y[b], p[b])["auc_micro"], len(y), rng, 200),
    }
    out["reliability"] = reliability(y, p, seed=SEED)
    if before_available:
        fold_of = {}
        for k, rows in enumerate(folds, start=1):
            for r in rows:
                fold_of.setdefault(r["patient_id"], k)
        raw = np.vstack([_raw([r], classes, p[i:i + 1], temps[fold_of[r["patient_id"]] - 1] if temps else None)
                         for i, r in enumerate(pooled)])
        out["reliabilityBefore"] = reliability(y, raw, seed=SEED)
    return out


def _draw_labels(p: np.ndarray, rng) -> np.ndarray:
    u = rng.random_sample(len(p))[:, None]
    return (u > p.cumsum(axis=1)).sum(axis=1).clip(0, p.shape[1] - 1)


def _raw(rows, classes, p, temperature):
    if all(f"raw_p_{cl}" in rows[0] for cl in classes):
        return np.array([[float(r[f"raw_p_{cl}"]) for cl in classes] for r in rows])
    if temperature is not None:
        return uncalibrate(p, temperature)
    return None


def paired(umeml: Dict, ref: Dict) -> Dict:
    d = [a["cIndex"] - b["cIndex"] for a, b in zip(umeml["perSplit"], ref["perSplit"])]
    ms = mean_sd(d)
    return {"meanDelta": ms["mean"], "sdDelta": ms["sd"], "umemlWins": int(sum(1 for x in d if x > 0)),
            "splits": len(d), "perSplitDelta": d}


def goals(report: Dict) -> Dict:
    s = report["survival"]["umeml"]
    pr = report["paired"][PRIMARY_MODEL_ID]
    g = report["grade"]["umeml"]
    surv_goal = s["cIndexMean"] >= GOALS["survival"]["goal"]["cIndex"] and pr["umemlWins"] >= GOALS["survival"]["goal"]["wins"]
    surv_min = s["cIndexMean"] >= GOALS["survival"]["minimum"]["cIndex"] and pr["umemlWins"] >= GOALS["survival"]["minimum"]["wins"]
    return {
        "survival": {"goal": surv_goal, "minimum": surv_min, "cIndexMean": s["cIndexMean"], "wins": pr["umemlWins"],
                     "splits": pr["splits"], "thresholds": GOALS["survival"]},
        "gradeAucMicro": {"goal": g["aucMicroMean"] >= GOALS["gradeAucMicro"]["goal"],
                          "minimum": g["aucMicroMean"] > GOALS["gradeAucMicro"]["minimum"], "value": g["aucMicroMean"],
                          "thresholds": GOALS["gradeAucMicro"]},
        "gradeAccuracy": {"goal": g["accuracyMean"] >= GOALS["gradeAccuracy"]["goal"], "value": g["accuracyMean"],
                          "thresholds": GOALS["gradeAccuracy"]},
    }


def fmt_delta(x: float, nd: int = 3) -> str:
    """Signed difference; one more decimal when it would round to ±0 at nd decimals (never "-0.000")."""
    if x is None or math.isnan(x):
        return "–"
    return f"{x:+.{nd}f}" if round(abs(x), nd) > 0 else f"{x:+.{nd + 1}f}"


def added_value_line(report: Dict) -> str:
    s = report["survival"]["umeml"]
    ref = report["survival"][PRIMARY_MODEL_ID]
    pr = report["paired"][PRIMARY_MODEL_ID]
    label = next(m.label for m in REFERENCE_MODELS if m.id == PRIMARY_MODEL_ID)
    head = (f"On {pr['splits']} cross-validation splits of TCGA-GBMLGG, the AI's survival c-index was "
            f"{s['cIndexMean']:.3f} ± {s['cIndexSd']:.3f} vs {ref['cIndexMean']:.3f} ± {ref['cIndexSd']:.3f} for the "
            f"clinical reference ({label}); difference {fmt_delta(pr['meanDelta'])} ± {pr['sdDelta']:.3f}, AI ahead on "
            f"{pr['umemlWins']} of {pr['splits']} splits")
    if report["goals"]["survival"]["goal"]:
        return head + ": the AI adds survival discrimination beyond the clinical reference."
    if pr["meanDelta"] > 0:
        return head + ": a small, inconsistent gain, below the project's goal (≥ 0.82 and ahead on ≥ 11 of 15)."
    return head + ": no measurable added value over the clinical reference."


PF_FILE = "predictions/pathomicfusion_15cv_test_predictions_per_patient.csv"
PF_MODELS = {"omic": "Pathomic Fusion genomic network (80 features + 240 RNA-seq genes)",
             "pathgraphomic_fusion": "Pathomic Fusion trimodal fusion (histology + graph + genomics)"}


def pf_comparison(pkg: Path, lab: Labels, n: int, data_root: Optional[Path]) -> Optional[Dict]:
    """c-index on exactly the patients Pathomic Fusion scored (its RNA-seq subset) in each split, from PF's own
    per-patient predictions (hazard_mean) and this package's OOF files; mean ± sd over splits."""
    if data_root is None or not (Path(data_root) / PF_FILE).exists():
        return None
    pf: Dict[str, Dict[int, Dict[str, float]]] = {m: {} for m in PF_MODELS}
    with open(Path(data_root) / PF_FILE, newline="") as f:
        for r in csv.DictReader(f):
            if r["task"] == "surv_15_rnaseq" and r["model"] in PF_MODELS:
                pf[r["model"]].setdefault(int(r["fold"]), {})[r["TCGA ID"].strip()] = float(r["hazard_mean"])
    ours = {mid: _files(pkg, prefix, n) for mid, _, prefix in SURVIVAL_MODELS}
    ours = {mid: v for mid, v in ours.items() if v is not None}
    c = lab.c
    per = {mid: [] for mid in list(ours) + list(PF_MODELS)}
    sizes = []
    for k in range(1, n + 1):
        pf_ids = set(pf["omic"].get(k, {})) & set(pf["pathgraphomic_fusion"].get(k, {}))
        fold_risk = {mid: {r["patient_id"]: float(r["risk"]) for r in v[k - 1]} for mid, v in ours.items()}
        ids = sorted(pf_ids & set(fold_risk["umeml"]))
        if not ids:
            return None
        idx = np.array([lab.index[i] for i in ids])
        t, e = c.time_days[idx], c.event[idx]
        sizes.append(len(ids))
        for mid in ours:
            per[mid].append(c_index(t, e, np.array([fold_risk[mid][i] for i in ids])))
        for m in PF_MODELS:
            per[m].append(c_index(t, e, np.array([pf[m][k][i] for i in ids])))
    return {"patientsPerSplitMean": float(np.mean(sizes)), "patientsPerSplitMin": int(min(sizes)),
            "patientsPerSplitMax": int(max(sizes)),
            "models": {mid: {"label": PF_MODELS.get(mid), **{f"cIndex{k.capitalize()}": v for k, v in mean_sd(vals).items()}}
                       for mid, vals in per.items()}}


def population_facts(cohort: Cohort) -> Dict:
    from .survival_eval import km_step
    m = cohort.markers_known
    t, e = cohort.time_days[m], cohort.event[m]
    ts, s, _ = kaplan_meier(t, 1 - e)   # reverse Kaplan–Meier: median potential follow-up
    fu = next((float(x) for x, v in zip(ts, s) if v <= 0.5), None)
    age = cohort.x[m, [sp.id for sp in cohort.specs].index("age_at_diagnosis")]
    panel_missing = int(np.isnan(cohort.x[m, :80]).any(axis=1).sum())
    return {"tablePatients": int(cohort.n), "markersUnknown": int((~m).sum()), "survivalPatients": int(m.sum()),
            "survivalEvents": int(e.sum()), "medianFollowUpDays": fu, "ageMissing": int(np.isnan(age).sum()),
            "ageMedian": float(np.nanmedian(age)), "ageRange": [float(np.nanmin(age)), float(np.nanmax(age))],
            "panelRowsWithMissing": panel_missing, "gradePatients": int(cohort.grade_eval_mask().sum()),
            "gradeCounts": {g: int(((cohort.grade == i) & m).sum()) for i, g in enumerate(GRADE_LABELS)},
            "classPatients": int(((cohort.klass >= 0) & m).sum()),
            "survivalAt": {f"{h}y": float(km_step(t, e)(h * YEAR_DAYS)) for h in HORIZONS}}


def evaluate(pkg: Path, cohort: Cohort, manifest: Dict, data_root: Optional[Path] = None) -> Dict:
    pkg = Path(pkg)
    n = n_splits_of(pkg)
    if n == 0:
        raise ValueError(f"{pkg}: no oof_predictions/survival_fold<k>.csv")
    lab = Labels(cohort)

    def rng_for(task: str, mid: str) -> np.random.RandomState:
        # one stream per (task, model): adding or removing a model never moves another model's bootstrap draws
        return np.random.RandomState((SEED + zlib.crc32(f"{task}/{mid}".encode())) % (2 ** 32))
    report: Dict = {"splits": n, "survival": {}, "grade": {}, "class": {}, "labels": {}}
    for mid, label, prefix in SURVIVAL_MODELS:
        folds = _files(pkg, prefix, n)
        if folds is None:
            continue
        report["survival"][mid] = survival_model(lab, folds, True, rng_for('survival', mid))
        report["labels"][mid] = label
    if "umeml" not in report["survival"]:
        raise ValueError(f"{pkg}: incomplete UMEML survival OOF files")
    report["paired"] = {mid: paired(report["survival"]["umeml"], report["survival"][mid])
                        for mid, _, _ in SURVIVAL_MODELS if mid not in ("umeml", "umeml-panel") and mid in report["survival"]}
    gtemps = _temperatures(manifest, "gradeTemperature", n)
    for mid, label, prefix in GRADE_MODELS:
        folds = _files(pkg, prefix, n)
        if folds is None:
            continue
        report["grade"][mid] = classification_model(lab, folds, cohort.grade, GRADE_LABELS,
                                                    gtemps if mid == "umeml" else None, rng_for('grade', mid))
        report["labels"].setdefault(mid, label)
    folds = _files(pkg, "class", n)
    if folds is not None:
        report["class"]["umeml"] = classification_model(lab, folds, cohort.klass, CLASS_LABELS,
                                                        _temperatures(manifest, "classTemperature", n), rng_for('class', 'umeml'))
    report["goals"] = goals(report)
    report["primarySurvival"] = "umeml" if report["goals"]["survival"]["goal"] else "clinical-reference"
    report["addedValueLine"] = added_value_line(report)
    report["populations"] = {"survival": int(cohort.markers_known.sum()), "grade": int(cohort.grade_eval_mask().sum()),
                             "class": int(((cohort.klass >= 0) & cohort.markers_known).sum())}
    report["cohort"] = population_facts(cohort)
    report["pathomicFusionPatients"] = pf_comparison(pkg, lab, n, data_root)
    return report
