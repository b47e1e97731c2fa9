"""Clinical reference models beside UMEML (issue 10 deliverable 4): ridge Cox on IDH + 1p/19q + age, ridge Cox on the
full 80-feature panel + age, and ridge softmax regression for grade on panel + age.

Each is fitted on every pnas split's training patients (same populations as UMEML: survival = IDH and 1p/19q known,
grade = also grade known); its L2 strength is chosen by inner 5-fold CV on that split's training patients only
(cross-validated partial likelihood for Cox, log-loss for softmax). Standardisation (mean, population sd) and mean imputation of a
missing value (33 of the 697 patients lack age, 3 lack CNVs) use the training patients only. Out-of-fold
predictions go to the package beside UMEML's:

  oof_predictions/cox_clinical_survival_fold<k>.csv   patient_id,fold,risk,surv_2y,surv_5y
  oof_predictions/cox_panel_survival_fold<k>.csv      patient_id,fold,risk,surv_2y,surv_5y
  oof_predictions/softmax_panel_grade_fold<k>.csv     patient_id,fold,p_II,p_III,p_IV

risk = the linear predictor Σ β_j z_j (higher = worse); surv_Xy = S(t | x) = exp(−H0(t)·exp(risk)) with Breslow's
H0 from the split's training patients, at t = 730.5 and 1826.25 days (2 and 5 years of 365.25 days).

The final fit on all 697 patients goes to `clinical_reference.json` (role "clinical-reference"): coefficients on the
standardised scale with the means/sds they need, the genomic-profile field names they read (the package's genomic
schema ids, e.g. `idh_mutation`, `codeletion_1p19q`, `age_at_diagnosis` in years), and risk-group cut-offs chosen
without outcomes (tertiles of the final linear predictor over the 697 patients). The cross-validated figures and the
paired comparison with UMEML are added by `evaluation.py` from the stored OOF files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from .baselines import LAMBDAS, fit_ridge_cox, inner_folds, ridge_softmax_cv, softmax_np
from .data import Cohort
from .package import write_csv

# Own seed (not the UMEML recipe's) so a change of the network recipe never changes the reference fits.
REFERENCE_SEED = 20261203
YEAR_DAYS = 365.25
HORIZONS_YEARS = (2, 5)
RISK_GROUP_LABELS = ["low", "intermediate", "high"]
N_SPLITS = 15


@dataclass(frozen=True)
class ReferenceModel:
    id: str
    label: str
    task: str            # "survival" | "grade"
    file_prefix: str     # oof_predictions/<prefix>_fold<k>.csv
    features: str        # "clinical3" | "panel_age"


CLINICAL_FIELDS = ["idh_mutation", "codeletion_1p19q", "age_at_diagnosis"]

MODELS: List[ReferenceModel] = [
    ReferenceModel("cox-idh-1p19q-age", "Cox: IDH + 1p/19q + age", "survival", "cox_clinical_survival", "clinical3"),
    ReferenceModel("cox-panel-age", "Cox: 80-feature panel + age", "survival", "cox_panel_survival", "panel_age"),
    ReferenceModel("softmax-panel-age", "Ridge softmax: 80-feature panel + age", "grade", "softmax_panel_grade",
                   "panel_age"),
]
PRIMARY_MODEL_ID = "cox-idh-1p19q-age"


def feature_columns(cohort: Cohort, features: str) -> List[int]:
    ids = [s.id for s in cohort.specs]
    if features == "clinical3":
        return [ids.index(f) for f in CLINICAL_FIELDS]
    if features == "panel_age":
        return list(range(len(ids)))   # 80 panel features + age_at_diagnosis (the package's genomic schema order)
    raise ValueError(features)


@dataclass
class Standardiser:
    mean: np.ndarray
    sd: np.ndarray

    @staticmethod
    def fit(x: np.ndarray) -> "Standardiser":
        mean = np.nanmean(x, axis=0)
        sd = np.nanstd(x, axis=0)
        return Standardiser(mean, np.where(sd > 1e-8, sd, 1.0))

    def z(self, x: np.ndarray) -> np.ndarray:
        """Missing values become 0 = the training mean (mean imputation)."""
        return np.where(np.isnan(x), 0.0, (np.nan_to_num(x) - self.mean) / self.sd)


def cox_log_pl(x: np.ndarray, time: np.ndarray, event: np.ndarray, beta: np.ndarray) -> float:
    """Breslow partial log-likelihood (sum over deaths; risk set = time ≥ the death's time)."""
    order = np.argsort(-time, kind="mergesort")
    x, time, event = x[order], time[order], event[order]
    eta = x @ beta
    _, first_idx, counts = np.unique(-time, return_index=True, return_counts=True)
    last = np.repeat(first_idx + counts - 1, counts)
    log_s0 = np.logaddexp.accumulate(eta)[last]
    ev = event > 0
    return float(np.sum((eta - log_s0)[ev]))


def ridge_cox_cvpl(x, time, event, seed: int, lambdas=LAMBDAS):
    """L2 strength by inner 5-fold cross-validated partial likelihood (Verweij & van Houwelingen, Stat Med 1993:
    CVPL = Σ_k [l(β₋ₖ) − l₋ₖ(β₋ₖ)], the k-th fold's contribution to the full partial likelihood), which, unlike
    the c-index, also rewards the size of the coefficients (calibration). -> (beta refit on all rows, lambda)."""
    scores = []
    for lam in lambdas:
        total = 0.0
        for tr, _ in inner_folds(len(x), 5, seed, event):
            beta = fit_ridge_cox(x[tr], time[tr], event[tr], lam)
            total += cox_log_pl(x, time, event, beta) - cox_log_pl(x[tr], time[tr], event[tr], beta)
        scores.append(total)
    lam = lambdas[int(np.argmax(scores))]
    return fit_ridge_cox(x, time, event, lam), lam


def breslow_cumhaz(time: np.ndarray, event: np.ndarray, lp: np.ndarray):
    """-> (event times ascending, H0 at those times) from a fitted linear predictor (Breslow, ties summed)."""
    ts = np.unique(time[event == 1])
    w = np.exp(lp - lp.max())
    h = np.array([((time == t) & (event == 1)).sum() / w[time >= t].sum() for t in ts]) * np.exp(-lp.max())
    return ts, np.cumsum(h)


def cox_survival_at(ts: np.ndarray, h0: np.ndarray, lp: np.ndarray, t: float) -> np.ndarray:
    """S(t | x) = exp(−H0(t)·exp(lp)); H0 is a right-continuous step function (0 before the first event)."""
    i = np.searchsorted(ts, t, side="right")
    h = 0.0 if i == 0 else float(h0[i - 1])
    return np.exp(-h * np.exp(lp))


def fit_split(cohort: Cohort, model: ReferenceModel, train_mask: np.ndarray, seed: int) -> Dict:
    """Fits one reference model on the rows of train_mask (within the model's population). -> parameters."""
    cols = feature_columns(cohort, model.features)
    x = cohort.x[:, cols]
    if model.task == "survival":
        rows = np.nonzero(train_mask & cohort.markers_known)[0]
    else:
        rows = np.nonzero(train_mask & cohort.grade_eval_mask())[0]
    st = Standardiser.fit(x[rows])
    z = st.z(x)
    out = {"cols": cols, "standardiser": st, "train_rows": rows}
    if model.task == "survival":
        beta, lam = ridge_cox_cvpl(z[rows], cohort.time_days[rows], cohort.event[rows], seed=seed)
        lp_train = z[rows] @ beta
        ts, h0 = breslow_cumhaz(cohort.time_days[rows], cohort.event[rows], lp_train)
        out.update(beta=beta, lam=lam, breslow=(ts, h0), lp=z @ beta, lp_train=lp_train)
    else:
        (w, b), lam = ridge_softmax_cv(z[rows], cohort.grade[rows], 3, seed=seed)
        out.update(w=w, b=b, lam=lam, probs=softmax_np(z @ w + b))
    return out


def _r8(v: float) -> float:
    return float(f"{v:.8g}")


def write_split_oof(pkg: Path, cohort: Cohort, model: ReferenceModel, k: int, fit: Dict) -> Dict:
    """Writes oof_predictions/<prefix>_fold<k+1>.csv for split index k; returns {lambda}."""
    te = ~cohort.train_splits[:, k]
    path = pkg / "oof_predictions" / f"{model.file_prefix}_fold{k + 1}.csv"
    if model.task == "survival":
        rows = np.nonzero(te & cohort.markers_known)[0]
        lp = fit["lp"][rows]
        ts, h0 = fit["breslow"]
        surv = [cox_survival_at(ts, h0, lp, y * YEAR_DAYS) for y in HORIZONS_YEARS]
        write_csv(path, ["patient_id", "fold", "risk"] + [f"surv_{y}y" for y in HORIZONS_YEARS],
                  [(cohort.ids[i], k + 1, _r8(lp[j]), *[_r8(s[j]) for s in surv]) for j, i in enumerate(rows)])
    else:
        rows = np.nonzero(te & cohort.grade_eval_mask())[0]
        p = fit["probs"][rows]
        write_csv(path, ["patient_id", "fold", "p_II", "p_III", "p_IV"],
                  [(cohort.ids[i], k + 1, *[_r8(v) for v in p[j]]) for j, i in enumerate(rows)])
    return {"lambda": fit["lam"]}


def final_model_entry(cohort: Cohort, model: ReferenceModel, fit: Dict) -> Dict:
    """The deployable part of a survival reference model (fitted on all patients)."""
    st: Standardiser = fit["standardiser"]
    names = [cohort.specs[c].id for c in fit["cols"]]
    lp_all = fit["lp_train"]
    cut = [float(v) for v in np.quantile(lp_all, [1 / 3, 2 / 3])]
    ts, h0 = fit["breslow"]
    entry = {
        "id": model.id,
        "label": model.label,
        "oofFilePrefix": model.file_prefix,
        "terms": [{"field": n, "coef": float(b), "mean": float(m), "sd": float(s)}
                  for n, b, m, s in zip(names, fit["beta"], st.mean, st.sd)],
        "lambda": float(fit["lam"]),
        "riskGroupCutoffs": cut,
        "riskGroupLabels": list(RISK_GROUP_LABELS),
        "riskGroupSource": "tertiles of the final fit's linear predictor over the 697 training patients (no outcomes)",
        "baselineCumulativeHazard": {f"{y}y": float(h0[np.searchsorted(ts, y * YEAR_DAYS, side='right') - 1])
                                     for y in HORIZONS_YEARS},
    }
    entry["checkRows"] = check_rows(cohort, entry)
    return entry


def check_rows(cohort: Cohort, entry: Dict, n: int = 4) -> List[Dict]:
    """A few real patients with the risk this Python code gives them, so the app's implementation can be tested
    against it (values are read from the TCGA tables by the test, not stored here); plus one patient with a
    missing term (risk withheld)."""
    fields = [t["field"] for t in entry["terms"]]
    cols = [[s.id for s in cohort.specs].index(f) for f in fields]
    out = []
    missing_done = False
    for i in np.nonzero(cohort.markers_known)[0]:
        vals = cohort.x[i, cols]
        if np.isnan(vals).any():
            if not missing_done:
                out.append({"patientId": cohort.ids[i], "risk": None,
                            "missing": [f for f, v in zip(fields, vals) if np.isnan(v)]})
                missing_done = True
            continue
        if sum(1 for r in out if r["risk"] is not None) < n:
            lp = linear_predictor(entry, dict(zip(fields, vals.tolist())))
            out.append({"patientId": cohort.ids[i], "risk": lp, "riskGroup": risk_group(entry, lp)})
        if missing_done and len(out) > n:
            break
    return out


_JOB_STATE: Dict = {}


def _job(spec):
    """One (model, split) fit in a worker: writes its OOF file, returns the chosen L2 (split -1 = all patients)."""
    import torch
    torch.set_num_threads(1)
    pkg, cohort = _JOB_STATE["pkg"], _JOB_STATE["cohort"]
    mi, k = spec
    model = MODELS[mi]
    if k < 0:
        fit = fit_split(cohort, model, np.ones(cohort.n, bool), REFERENCE_SEED)
        return spec, final_model_entry(cohort, model, fit)
    fit = fit_split(cohort, model, cohort.train_splits[:, k], REFERENCE_SEED + k + 1)
    return spec, write_split_oof(pkg, cohort, model, k, fit)["lambda"]


def fit_and_write(pkg: Path, cohort: Cohort, n_splits: int = N_SPLITS, log=print, workers: int = 2) -> Dict:
    """Fits every reference model per split (OOF files) and on all patients. -> partial clinical_reference dict.
    Each fit is seeded on its own, so the result does not depend on the number of worker processes."""
    import multiprocessing as mp
    (pkg / "oof_predictions").mkdir(parents=True, exist_ok=True)
    specs = [(mi, k) for mi in range(len(MODELS)) for k in range(n_splits)]
    specs += [(mi, -1) for mi, m in enumerate(MODELS) if m.task == "survival"]
    _JOB_STATE.update(pkg=pkg, cohort=cohort)
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            done = dict(pool.imap_unordered(_job, specs))
    else:
        done = dict(_job(s) for s in specs)
    lambdas = {m.id: [done[(mi, k)] for k in range(n_splits)] for mi, m in enumerate(MODELS)}
    for m in MODELS:
        log(f"{m.id}: {n_splits} splits fitted, L2 chosen {lambdas[m.id]}")
    finals = [done[(mi, -1)] for mi, m in enumerate(MODELS) if m.task == "survival"]
    return {"models": finals, "lambdasPerSplit": lambdas}


def linear_predictor(entry: Dict, values: Dict[str, float]) -> float:
    """The same computation as src/main/inference/clinical-reference.ts (tested against each other)."""
    return float(sum(t["coef"] * (values[t["field"]] - t["mean"]) / t["sd"] for t in entry["terms"]))


def risk_group(entry: Dict, lp: float) -> str:
    c = entry["riskGroupCutoffs"]
    labels: Sequence[str] = entry["riskGroupLabels"]
    return labels[sum(1 for x in c if lp >= x)]
