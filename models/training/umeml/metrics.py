"""Evaluation metrics (numpy only). Definitions are shared with `gliofuse evaluate` (docs/model.md).

c-index (Harrell): a pair (i, j) is comparable when patient i died (event_i = 1) and j was still at risk after
i's death: t_j > t_i, or t_j = t_i with j censored (lifelines / scikit-survival, the rule behind Pathomic Fusion's
published numbers); two deaths at the same time are not comparable. A comparable pair counts 1 when
risk_i > risk_j and 1/2 when the risks are equal.
AUC: Mann–Whitney, ties 1/2. Micro AUC pools all (patient, class) one-vs-rest scores; macro AUC averages the
per-class one-vs-rest AUCs over classes present with both positives and negatives.
ECE: 15 equal-width confidence bins on the top-class probability, weighted |accuracy − confidence|.
"""
from __future__ import annotations

import math
from typing import Dict, List, Sequence

import numpy as np


def c_index(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    time, event, risk = np.asarray(time, float), np.asarray(event, int), np.asarray(risk, float)
    conc = 0.0
    comp = 0
    for i in np.nonzero(event == 1)[0]:
        later = (time > time[i]) | ((time == time[i]) & (event == 0))
        n = int(later.sum())
        if n == 0:
            continue
        comp += n
        conc += float((risk[i] > risk[later]).sum()) + 0.5 * float((risk[i] == risk[later]).sum())
    return conc / comp if comp else float("nan")


def auc_binary(y: np.ndarray, score: np.ndarray) -> float:
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, float)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    # average ranks handle ties as 1/2
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s_sorted = score[order]
    i = 0
    while i < len(score):
        j = i
        while j + 1 < len(score) and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def classification_metrics(labels: np.ndarray, probs: np.ndarray) -> Dict[str, float]:
    labels = np.asarray(labels, int)
    probs = np.asarray(probs, float)
    k = probs.shape[1]
    onehot = np.eye(k)[labels]
    pred = probs.argmax(axis=1)
    per_class = [auc_binary(onehot[:, c], probs[:, c]) for c in range(k)]
    valid = [a for a in per_class if not math.isnan(a)]
    recalls = [float((pred[labels == c] == c).mean()) for c in range(k) if (labels == c).any()]
    return {
        "accuracy": float((pred == labels).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "auc_micro": auc_binary(onehot.ravel(), probs.ravel()),
        "auc_macro": float(np.mean(valid)) if valid else float("nan"),
        "n": int(len(labels)),
    }


def ece(labels: np.ndarray, probs: np.ndarray, n_bins: int = 15) -> float:
    labels = np.asarray(labels, int)
    probs = np.asarray(probs, float)
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        sel = (conf > lo) & (conf <= hi) if b > 0 else (conf >= lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(total)


def kaplan_meier(time: np.ndarray, event: np.ndarray):
    """-> (times [m+1] starting at 0, survival [m+1] just after each time, at_risk [m+1] just before)."""
    time, event = np.asarray(time, float), np.asarray(event, int)
    ts = np.unique(time[event == 1])
    s = 1.0
    out_t, out_s, out_r = [0.0], [1.0], [int(len(time))]
    for t in ts:
        at_risk = int((time >= t).sum())
        d = int(((time == t) & (event == 1)).sum())
        s *= 1.0 - d / at_risk
        out_t.append(float(t))
        out_s.append(float(s))
        out_r.append(at_risk)
    return np.array(out_t), np.array(out_s), np.array(out_r)


def _chi2_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution (regularised upper incomplete gamma Q(df/2, x/2))."""
    if x <= 0:
        return 1.0
    a, z = df / 2.0, x / 2.0
    if z < a + 1.0:   # series for P, then Q = 1 - P
        term = 1.0 / a
        total = term
        n = 1
        while abs(term) > 1e-15 * abs(total) and n < 10000:
            term *= z / (a + n)
            total += term
            n += 1
        p = total * math.exp(-z + a * math.log(z) - math.lgamma(a))
        return max(0.0, 1.0 - p)
    # continued fraction for Q (Lentz)
    tiny = 1e-300
    b = z + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return math.exp(-z + a * math.log(z) - math.lgamma(a)) * h


def logrank_p(time: np.ndarray, event: np.ndarray, group: np.ndarray) -> float:
    """k-group log-rank test p-value."""
    time, event, group = np.asarray(time, float), np.asarray(event, int), np.asarray(group)
    groups = sorted(set(group.tolist()))
    k = len(groups)
    if k < 2:
        return float("nan")
    o_minus_e = np.zeros(k)
    var = np.zeros((k, k))
    for t in np.unique(time[event == 1]):
        at = time >= t
        n = at.sum()
        d = ((time == t) & (event == 1)).sum()
        n_g = np.array([(at & (group == g)).sum() for g in groups], float)
        d_g = np.array([((time == t) & (event == 1) & (group == g)).sum() for g in groups], float)
        o_minus_e += d_g - d * n_g / n
        if n > 1:
            f = d * (n - d) / (n * n * (n - 1))
            var += f * (np.diag(n_g * n) - np.outer(n_g, n_g))
    stat = float(o_minus_e[:-1] @ np.linalg.pinv(var[:-1, :-1]) @ o_minus_e[:-1])
    return _chi2_sf(stat, k - 1)


def mean_sd(values: Sequence[float]) -> Dict[str, float]:
    v = np.asarray(values, float)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0}
