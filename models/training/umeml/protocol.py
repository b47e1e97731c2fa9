"""The evaluation protocol on TCGA-GBMLGG (Pathomic Fusion's 15 pnas splits) and per-fold data preparation.

Populations (as Pathomic Fusion's genomic network):
  survival: IDH and 1p/19q known (697 patients); grade: also grade known (664); class: a 6-class label (592).
Every model (UMEML and the linear baselines) trains on the training-split patients of these populations and is
scored on the test-split patients of the same populations. Normalisation statistics, imputation values and
survival bin edges are computed from the training rows only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import Cohort, Normaliser, survival_bin_edges, survival_bins
from .train import TabularData

N_SPLITS = 15


@dataclass
class FoldData:
    data: TabularData            # all cohort rows (labels outside the populations set to unknown)
    normaliser: Normaliser
    edges: np.ndarray
    train_rows: np.ndarray       # indices: training split ∩ survival population


def prepare(cohort: Cohort, train_mask: np.ndarray, n_bins: int = 4, n_features: int | None = None) -> FoldData:
    """train_mask [n] bool. n_features < G drops trailing features (e.g. 80 = panel without age)."""
    x = cohort.x if n_features is None else cohort.x[:, :n_features]
    pop = cohort.markers_known
    train_rows = np.nonzero(train_mask & pop)[0]
    norm = Normaliser.fit(x[train_rows])
    z, mask = norm.transform(x)
    tr_t, tr_e = cohort.time_days[train_rows], cohort.event[train_rows]
    edges = survival_bin_edges(tr_t, tr_e, n_bins)
    event = np.where(pop, cohort.event, -1).astype(np.int64)
    grade = np.where(pop, cohort.grade, -1).astype(np.int64)
    klass = np.where(pop, cohort.klass, -1).astype(np.int64)
    data = TabularData(z, mask, grade, klass, survival_bins(cohort.time_days, edges), event,
                       cohort.time_days.astype(np.float64))
    return FoldData(data, norm, edges, train_rows)


def stratified_split(rows: np.ndarray, strata: np.ndarray, frac: float, seed: int):
    """Split rows into (a, b) with about frac of each stratum in b."""
    rng = np.random.RandomState(seed)
    a, b = [], []
    for s in np.unique(strata):
        r = rows[strata == s]
        r = r[rng.permutation(len(r))]
        k = int(round(frac * len(r)))
        b.extend(r[:k].tolist())
        a.extend(r[k:].tolist())
    return np.array(sorted(a)), np.array(sorted(b))


def strata_for(cohort: Cohort, rows: np.ndarray) -> np.ndarray:
    """Stratify inner splits by event and grade so small inner sets keep both."""
    return cohort.event[rows] * 10 + (cohort.grade[rows] + 1)
