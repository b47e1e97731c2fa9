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
