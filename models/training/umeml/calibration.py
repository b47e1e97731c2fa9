"""Temperature scaling (Guo et al. 2017): one scalar T per head minimising the NLL of softmax(logits / T)."""
from __future__ import annotations

import math

import numpy as np


def nll_at(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray, lo: float = 0.05, hi: float = 20.0) -> float:
    """Golden-section search on log T (the NLL is unimodal in T for a fixed set of logits)."""
    if len(labels) == 0:
        return 1.0
    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll_at(logits, labels, math.exp(c)), nll_at(logits, labels, math.exp(d))
    for _ in range(100):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll_at(logits, labels, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll_at(logits, labels, math.exp(d))
        if b - a < 1e-6:
            break
    return float(math.exp((a + b) / 2.0))


def softmax_t(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# ---- reporting (issue 11 deliverable 4) -------------------------------------------------------------------------

def brier_multiclass(labels: np.ndarray, probs: np.ndarray) -> float:
    """Mean over patients of Σ_k (p_k − 1[y = k])² (Brier 1950; 0 = perfect, 2 = worst)."""
    onehot = np.eye(probs.shape[1])[np.asarray(labels, int)]
    return float(((np.asarray(probs, float) - onehot) ** 2).sum(axis=1).mean())


def nll_probs(labels: np.ndarray, probs: np.ndarray) -> float:
    p = np.asarray(probs, float)[np.arange(len(labels)), np.asarray(labels, int)]
    return float(-np.log(np.clip(p, 1e-12, None)).mean())


def uncalibrate(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities before temperature scaling from the calibrated ones: softmax(T · log p) (exact up to rounding)."""
    return softmax_t(np.log(np.clip(np.asarray(probs, float), 1e-300, None)), 1.0 / temperature)


RELIABILITY_BINS = 10


def _bin_of(conf: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, len(edges) - 2)


def reliability(labels: np.ndarray, probs: np.ndarray, n_boot: int = 1000, seed: int = 20261203,
                n_bins: int = RELIABILITY_BINS) -> dict:
    """Top-class reliability diagram: equal-width confidence bins over [1/K, 1]; per bin n, mean confidence,
    accuracy and a 95 % percentile-bootstrap band of the accuracy (patients resampled with replacement).
    Also the ECE with the same bins and its distribution under perfect calibration (labels drawn from the
    predicted probabilities), so an observed ECE can be read against sampling noise."""
    labels, probs = np.asarray(labels, int), np.asarray(probs, float)
    k = probs.shape[1]
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(1.0 / k, 1.0, n_bins + 1)
    b = _bin_of(conf, edges)
    rng = np.random.RandomState(seed)
    n = len(labels)
    boots = np.full((n_boot, n_bins), np.nan)
    for r in range(n_boot):
        idx = rng.randint(0, n, n)
        cnt = np.bincount(b[idx], minlength=n_bins)
        acc = np.bincount(b[idx], weights=correct[idx], minlength=n_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            boots[r] = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
    bins = []
    for j in range(n_bins):
        sel = b == j
        if not sel.any():
            continue
        col = boots[:, j][~np.isnan(boots[:, j])]
        bins.append({"lo": float(edges[j]), "hi": float(edges[j + 1]), "n": int(sel.sum()),
                     "confidence": float(conf[sel].mean()), "accuracy": float(correct[sel].mean()),
                     "accuracyLo": float(np.percentile(col, 2.5)), "accuracyHi": float(np.percentile(col, 97.5))})
    ece_obs = float(sum(x["n"] / n * abs(x["accuracy"] - x["confidence"]) for x in bins))
    null = []
    cum = probs.cumsum(axis=1)
    for _ in range(200):
        u = rng.random_sample(n)[:, None]
        y = (u > cum).sum(axis=1).clip(0, k - 1)
        c = (probs.argmax(axis=1) == y).astype(float)
        null.append(sum((b == j).mean() * abs(c[b == j].mean() - conf[b == j].mean())
                        for j in range(n_bins) if (b == j).any()))
    return {"bins": bins, "n": n, "ece": ece_obs, "eceIfCalibratedMean": float(np.mean(null)),
            "eceIfCalibrated95": float(np.percentile(null, 95)), "bootstrap": n_boot}
