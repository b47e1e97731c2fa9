"""Survival reporting beyond the c-index (numpy only): time-dependent AUC, calibration at a horizon, S(t) from
discrete-time hazards, Kaplan–Meier read-outs.

Time-dependent AUC (cumulative/dynamic, IPCW; the definition of scikit-survival's `cumulative_dynamic_auc`,
Uno et al. 2007 / Hung & Chiang 2010): at horizon t, cases are patients who died at T_i ≤ t, controls those still
alive at T_j > t; each case is weighted by 1/Ĝ(T_i), Ĝ = Kaplan–Meier estimate of the censoring distribution from
the training patients; AUC(t) = Σ_i Σ_j w_i [1(r_i > r_j) + ½·1(r_i = r_j)] / (Σ_i w_i · #controls).

Calibration at horizon t (pooled out-of-fold predictions, one per patient): y_i = 1 if the patient died by t,
0 if alive at t; patients censored before t are left out and the others weighted by 1/Ĝ(min(T_i, t)) (IPCW, Ĝ from
the same patients). Slope = b of the weighted logistic regression y ~ a + b·logit(F̂_i(t)), F̂ = 1 − Ŝ(t);
intercept (calibration-in-the-large) = a of y ~ a + offset(logit F̂). Perfect calibration: slope 1, intercept 0.

S(t) from the UMEML discrete-time hazards h_1..h_J over bins [e_0=0, e_1), …, [e_{J-1}, ∞): S(e_j) = Π_{i≤j}(1 − h_i);
inside a finite bin the hazard is taken as constant (S decays geometrically in time); beyond the last finite edge
S(t) is not defined (the last bin is open-ended), so a 5-year probability is only available when e_{J-1} ≥ 5 years.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence

import numpy as np

from .metrics import kaplan_meier

YEAR_DAYS = 365.25


def km_step(time: np.ndarray, event: np.ndarray):
    """-> function t ↦ Ŝ(t) (right-continuous step function: includes the drop at t)."""
    ts, s, _ = kaplan_meier(time, event)

    def at(t):
        i = np.searchsorted(ts, np.asarray(t, float), side="right") - 1
        return s[np.clip(i, 0, None)]
    return at


def censoring_km(time: np.ndarray, event: np.ndarray):
    """Ĝ: Kaplan–Meier of the censoring times (censoring = the 'event')."""
    return km_step(time, 1 - np.asarray(event, int))


def td_auc(train_time, train_event, time, event, risk, t: float) -> float:
    """Cumulative/dynamic AUC at t with IPCW weights from the training patients' censoring distribution."""
    time, event, risk = np.asarray(time, float), np.asarray(event, int), np.asarray(risk, float)
    g = censoring_km(np.asarray(train_time, float), np.asarray(train_event, int))
    cases = (time <= t) & (event == 1)
    controls = time > t
    if not cases.any() or not controls.any():
        return float("nan")
    gi = g(time[cases])
    if np.any(gi <= 0):
        return float("nan")
    w = 1.0 / gi
    rc = risk[controls]
    num = 0.0
    for wi, ri in zip(w, risk[cases]):
        num += wi * (float((ri > rc).sum()) + 0.5 * float((ri == rc).sum()))
    return float(num / (w.sum() * controls.sum()))


def survival_from_hazards(hazards: np.ndarray, edges: Sequence[Optional[float]], t: float) -> np.ndarray:
    """S(t) per row from discrete-time hazards [n, J] and bin edges [J+1] (last may be None/inf = open)."""
    hazards = np.asarray(hazards, float)
    fin = [float(e) for e in edges if e is not None and math.isfinite(float(e))]
    if t > fin[-1]:
        return np.full(len(hazards), np.nan)
    s = np.ones(len(hazards))
    for j in range(len(fin) - 1):
        lo, hi = fin[j], fin[j + 1]
        if t >= hi:
            s = s * (1.0 - hazards[:, j])
        else:
            s = s * (1.0 - hazards[:, j]) ** ((t - lo) / (hi - lo))
            break
    return s


def _weighted_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, offset: np.ndarray, fit_slope: bool):
    """Newton–Raphson for y ~ a [+ b·x] + offset with weights w. -> (a, b or None)."""
    X = np.column_stack([np.ones_like(x), x]) if fit_slope else np.ones((len(x), 1))
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        eta = X @ beta + offset
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = X.T @ (w * (y - p))
        hess = (X * (w * p * (1 - p))[:, None]).T @ X
        step = np.linalg.solve(hess + 1e-12 * np.eye(len(beta)), grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return (float(beta[0]), float(beta[1])) if fit_slope else (float(beta[0]), None)


def calibration_at(time, event, surv_t, t: float) -> Dict[str, float]:
    """Calibration slope / intercept of predicted survival probabilities at t (module docstring)."""
    time, event, surv_t = np.asarray(time, float), np.asarray(event, int), np.asarray(surv_t, float)
    known = (time > t) | (event == 1)
    g = censoring_km(time, event)
    tt = np.minimum(time[known], t)
    # Ĝ just before the patient's own time: a patient censored exactly at t is still "known alive at t"
    gk = g(np.nextafter(tt, -np.inf))
    w = 1.0 / np.clip(gk, 1e-12, None)
    y = ((time[known] <= t) & (event[known] == 1)).astype(float)
    f = np.clip(1.0 - surv_t[known], 1e-8, 1 - 1e-8)
    lf = np.log(f / (1 - f))
    a, b = _weighted_logistic(lf, y, w, np.zeros_like(lf), fit_slope=True)
    a0, _ = _weighted_logistic(lf, y, w, lf, fit_slope=False)
    km_t = float(km_step(time, event)(t))
    observed = 1.0 - km_t
    return {"slope": b, "interceptWithSlope": a, "intercept": a0, "observedRisk": observed,
            "meanPredictedRisk": float(np.mean(1.0 - surv_t)), "n": int(len(time)), "nKnownStatus": int(known.sum()),
            "brier": brier_at(time, event, surv_t, t), "brierKaplanMeier": brier_at(time, event, np.full(len(time), km_t), t)}


def brier_at(time, event, surv_t, t: float) -> float:
    """IPCW Brier score at t (Graf et al. 1999): deaths by t contribute S(t)²/Ĝ(T_i−), patients alive at t
    (1 − S(t))²/Ĝ(t), patients censored before t 0; divided by n. Ĝ = censoring Kaplan–Meier of the same patients.
    'brierKaplanMeier' = the same score for the cohort's Kaplan–Meier S(t) given to everyone (no covariates)."""
    time, event, surv_t = np.asarray(time, float), np.asarray(event, int), np.asarray(surv_t, float)
    g = censoring_km(time, event)
    died = (time <= t) & (event == 1)
    alive = time > t
    g_died = np.clip(g(np.nextafter(time[died], -np.inf)), 1e-12, None)
    g_t = max(float(g(np.nextafter(t, -np.inf))), 1e-12)
    return float(((surv_t[died] ** 2) / g_died).sum() / len(time) + (((1 - surv_t[alive]) ** 2) / g_t).sum() / len(time))


def median_survival(time, event):
    """KM median with a 95 % CI (Brookmeyer–Crowley via the log-log transformed pointwise interval)."""
    ts, s, r = kaplan_meier(np.asarray(time, float), np.asarray(event, int))
    med = next((float(t) for t, v in zip(ts, s) if v <= 0.5), None)
    # Greenwood variance of log S
    var = np.zeros(len(ts))
    acc = 0.0
    for i in range(1, len(ts)):
        d = int(((np.asarray(time) == ts[i]) & (np.asarray(event) == 1)).sum())
        n = r[i]
        acc += d / (n * (n - d)) if n > d else 0.0
        var[i] = acc
    lo = hi = None
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.log(-np.log(np.clip(s, 1e-12, 1 - 1e-12)))
        se = np.sqrt(var) / np.abs(np.log(np.clip(s, 1e-12, 1 - 1e-12)))
    z = 1.959963984540054
    for i in range(1, len(ts)):
        upper = math.exp(-math.exp(ll[i] - z * se[i])) if np.isfinite(se[i]) else s[i]
        lower = math.exp(-math.exp(ll[i] + z * se[i])) if np.isfinite(se[i]) else s[i]
        # the band's lower edge reaches 0.5 first (lower CI limit of the median), its upper edge later (upper limit)
        if lo is None and lower <= 0.5:
            lo = float(ts[i])
        if hi is None and upper <= 0.5:
            hi = float(ts[i])
    return {"median": med, "ci95": [lo, hi]}
