"""Initialise the linear clinical path from ridge fits on the SAME training rows the network is trained on.

survival: ridge Cox (Breslow) on the marker features -> the path's log-hazard shift; the deep hazard head's bias
          becomes the logit of each bin's empirical discrete hazard at the average linear predictor;
grade / class: ridge softmax regression -> the path's weights, the intercepts go to the deep heads' biases.
The L2 strengths are chosen by inner 5-fold CV on those rows (umeml/baselines.py), never on held-out patients.
"""
from __future__ import annotations

from typing import Dict

import numpy as np
import torch

from .baselines import fit_ridge_cox, inner_folds, ridge_softmax_cv
from .metrics import c_index
from .clinical import feature_matrix
from .model import UMEML
from .train import TabularData


# Survival feature sets compared by inner CV on the training rows (nested choice): the three variables of the clinical
# reference (IDH, 1p/19q, age); those plus the two WHO CNS5 grading criteria that change an entity's prognosis
# (CDKN2A/B deletion in an IDH-mutant astrocytoma, molecular glioblastoma); or all eight marker features (the raw
# CDKN2A/B, EGFR and +7/-10 calls are mostly IDH-wildtype surrogates, so they may add only variance). Unused
# features get a zero weight (the graph is the same).
SURVIVAL_SUBSETS = {"idh_1p19q_age": [0, 1, 2], "idh_1p19q_age_who_criteria": [0, 1, 2, 6, 7],
                    "who_cns5_markers": list(range(8))}


def ridge_cox_subset_cv(x: np.ndarray, time: np.ndarray, event: np.ndarray, seed: int):
    """Choose (feature subset, L2 strength) by inner 5-fold CV c-index on these rows; refit on all of them.
    -> (beta over all columns, lambda, subset name, {subset: best inner c-index})"""
    folds = inner_folds(len(x), 5, seed, event)
    best, table = None, {}
    for name, cols in SURVIVAL_SUBSETS.items():
        for lam in COX_LAMBDAS:
            cs = [c_index(time[va], event[va], x[va][:, cols] @ fit_ridge_cox(x[tr][:, cols], time[tr], event[tr], lam))
                  for tr, va in folds]
            score = float(np.mean(cs))
            table[name] = max(table.get(name, -1.0), score)
            if best is None or score > best[0] + 1e-12:
                best = (score, name, lam)
    _, name, lam = best
    cols = SURVIVAL_SUBSETS[name]
    beta = np.zeros(x.shape[1])
    beta[cols] = fit_ridge_cox(x[:, cols], time, event, lam)
    return beta, lam, name, table


# coarser grids than the baselines' (<= 8 features; 64 initialisations per run; training refines them anyway)
COX_LAMBDAS = [1e-3, 1e-2, 1e-1, 1.0]
SOFTMAX_LAMBDAS = [1e-3, 1e-2, 1e-1, 1.0]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_clinical_init(index: Dict[str, int], data: TabularData, mean: np.ndarray, std: np.ndarray, n_bins: int,
                      n_grade: int, n_class: int, seed: int) -> Dict[str, np.ndarray]:
    """Ridge fits on data's rows (all of them are training rows) -> parameters for the clinical path."""
    x = feature_matrix(index, data.z, data.mask, mean, std)
    out: Dict[str, np.ndarray] = {}
    s = data.event >= 0
    beta, lam_s, subset, table = ridge_cox_subset_cv(x[s], data.time[s], data.event[s], seed=seed)
    out["surv"] = beta
    out["surv_subset"] = subset
    out["surv_subset_scores"] = table
    eta_mean = float(np.mean(x[s] @ beta))
    bins, ev = data.bins[s], data.event[s]
    # discrete hazard of bin j = deaths in bin j / patients still in follow-up at the start of bin j
    at_risk = np.array([(bins >= j).sum() for j in range(n_bins)], float)
    deaths = np.array([((bins == j) & (ev == 1)).sum() for j in range(n_bins)], float)
    out["hazard_bias"] = _logit(deaths / np.maximum(at_risk, 1.0)) - eta_mean
    for key, labels, k in (("grade", data.grade, n_grade), ("class", data.klass, n_class)):
        sel = labels >= 0
        if len(np.unique(labels[sel])) < 2:      # no such labels (e.g. a survival-only cohort): nothing to fit
            out[f"{key}_w"], out[f"{key}_b"], out[f"{key}_lambda"] = np.zeros((x.shape[1], k)), np.zeros(k), np.array(0.0)
            continue
        (w, b), lam = ridge_softmax_cv(x[sel], labels[sel], k, seed=seed, lambdas=SOFTMAX_LAMBDAS)
        out[f"{key}_w"], out[f"{key}_b"] = w, b
        out[f"{key}_lambda"] = np.array(lam)
    out["surv_lambda"] = np.array(lam_s)
    return out


def apply_clinical_init(model: UMEML, params: Dict[str, np.ndarray], mean: np.ndarray, std: np.ndarray) -> None:
    cp = model.clinical
    if cp is None:
        raise ValueError("the model has no clinical path (UMEMLConfig.clinical_index is empty)")
    cp.features.set_normaliser(mean, std)
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float32)   # noqa: E731
    with torch.no_grad():
        cp.surv.weight.copy_(t(params["surv"])[None, :])
        model.hazard_head.bias.copy_(t(params["hazard_bias"]))
        cp.grade.weight.copy_(t(params["grade_w"]).T)
        model.grade_head.bias.copy_(t(params["grade_b"]))
        cp.klass.weight.copy_(t(params["class_w"]).T)
        model.class_head.bias.copy_(t(params["class_b"]))
