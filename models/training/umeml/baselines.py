"""Linear baselines on the same protocol: ridge Cox (survival) and ridge softmax regression (grade).

The L2 strength is chosen per training fold by an inner 5-fold cross-validation on that training fold only
(c-index for Cox, log-loss for softmax), then the model is refit on the whole training fold.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .losses import cox_partial_nll
from .metrics import c_index

LAMBDAS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0]


def _lbfgs(params, closure_loss, iters: int = 200):
    opt = torch.optim.LBFGS(params, lr=1.0, max_iter=iters, tolerance_grad=1e-9, tolerance_change=1e-12,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = closure_loss()
        loss.backward()
        return loss

    opt.step(closure)


def fit_ridge_cox(x: np.ndarray, time: np.ndarray, event: np.ndarray, lam: float, iters: int = 50) -> np.ndarray:
    """Newton–Raphson on mean negative Breslow partial log-likelihood + lam/2 ||beta||^2 (strictly convex)."""
    order = np.argsort(-time, kind="mergesort")
    x, time, event = x[order].astype(np.float64), time[order], event[order].astype(np.float64)
    n, p = x.shape
    # risk set of row i (times sorted descending) = rows 0..last[i], last[i] = last row with the same time
    _, first_idx, counts = np.unique(-time, return_index=True, return_counts=True)
    last = np.repeat(first_idx + counts - 1, counts)
    ev = event > 0
    n_ev = max(ev.sum(), 1.0)
    beta = np.zeros(p)

    def objective(b):
        eta = x @ b
        log_s0 = np.logaddexp.accumulate(eta)[last]
        return -np.sum((eta - log_s0)[ev]) / n_ev + 0.5 * lam * b @ b

    f = objective(beta)
    for _ in range(iters):
        eta = x @ beta
        w = np.exp(eta - eta.max())
        s0 = np.cumsum(w)[last][ev]
        s1 = np.cumsum(w[:, None] * x, axis=0)[last][ev] / s0[:, None]
        # sum over events of S2/S0 = x^T diag(c) x, c_j = w_j * sum_{events i whose risk set holds j} 1/S0_i
        inv = np.zeros(n)
        np.add.at(inv, last[ev], 1.0 / s0)
        c = w * np.cumsum(inv[::-1])[::-1]
        grad = -(x[ev] - s1).sum(axis=0) / n_ev + lam * beta
        hess = ((x * c[:, None]).T @ x - s1.T @ s1) / n_ev + lam * np.eye(p)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while True:   # backtracking keeps Newton monotone far from the optimum
            cand = beta - t * step
            fc = objective(cand)
            if fc <= f + 1e-12 or t < 1e-6:
                break
            t *= 0.5
        if not np.isfinite(fc) or fc > f + 1e-12:
            break   # no descent possible along the Newton direction: at the optimum up to precision
        beta, f_old, f = cand, f, fc
        if abs(f_old - f) < 1e-10:
            break
    return beta


def fit_ridge_softmax(x: np.ndarray, y: np.ndarray, k: int, lam: float):
    xt = torch.tensor(x, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.long)
    w = torch.zeros(x.shape[1], k, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    _lbfgs([w, b], lambda: torch.nn.functional.cross_entropy(xt @ w + b, yt) + 0.5 * lam * (w ** 2).sum())
    return w.detach().numpy(), b.detach().numpy()


def softmax_np(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def inner_folds(n: int, k: int, seed: int, strata: np.ndarray | None = None) -> list:
    rng = np.random.RandomState(seed)
    fold = np.empty(n, dtype=int)
    if strata is None:
        strata = np.zeros(n, dtype=int)
    for s in np.unique(strata):
        idx = np.nonzero(strata == s)[0]
        idx = idx[rng.permutation(len(idx))]
        fold[idx] = np.arange(len(idx)) % k
    return [(np.nonzero(fold != f)[0], np.nonzero(fold == f)[0]) for f in range(k)]


def ridge_cox_cv(x, time, event, seed: int, lambdas: Sequence[float] = LAMBDAS):
    """-> (beta refit on all rows, chosen lambda)."""
    scores = []
    for lam in lambdas:
        cs = []
        for tr, va in inner_folds(len(x), 5, seed, event):
            beta = fit_ridge_cox(x[tr], time[tr], event[tr], lam)
            cs.append(c_index(time[va], event[va], x[va] @ beta))
        scores.append(np.mean(cs))
    lam = lambdas[int(np.argmax(scores))]
    return fit_ridge_cox(x, time, event, lam), lam


def ridge_softmax_cv(x, y, k: int, seed: int, lambdas: Sequence[float] = LAMBDAS):
    scores = []
    for lam in lambdas:
        ll = []
        for tr, va in inner_folds(len(x), 5, seed, y):
            w, b = fit_ridge_softmax(x[tr], y[tr], k, lam)
            p = softmax_np(x[va] @ w + b)
            ll.append(-np.mean(np.log(np.clip(p[np.arange(len(va)), y[va]], 1e-12, None))))
        scores.append(np.mean(ll))
    lam = lambdas[int(np.argmin(scores))]
    w, b = fit_ridge_softmax(x, y, k, lam)
    return (w, b), lam
