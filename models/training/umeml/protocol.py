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


class TuningLeakError(ValueError):
    """A label-looking choice would be made on patients that are test patients of a split it is reported on."""


def check_selection_rows(cohort: Cohort, rows: np.ndarray, reported_splits) -> None:
    """Refuse a selection (hyper-parameters, epochs, variant, temperature, ...) made from the labels of `rows` and
    then used for the splits `reported_splits` (0-based) if any row is a test patient of one of those splits.

    The 15 pnas splits are overlapping resamples: split 1's training patients hold ~79 % of each other split's
    test patients, so a choice made there and used everywhere has seen test labels. Nested selection inside split
    k's training patients, used for split k only, passes; the final model (all patients, no split reported) too.
    """
    rows = np.asarray(rows, dtype=np.int64)
    splits = [int(k) for k in reported_splits]
    if not splits or len(rows) == 0:
        return
    is_test = ~cohort.train_splits[:, splits]                      # [n, S]
    hit = is_test[rows]
    if hit.any():
        bad_rows = np.nonzero(hit.any(axis=1))[0]
        worst = int(np.argmax(hit.sum(axis=0)))
        raise TuningLeakError(
            f"refusing to select on {len(rows)} patients: {len(bad_rows)} of them are test patients of the reported "
            f"split(s) (e.g. {cohort.ids[rows[bad_rows[0]]]}; split {splits[worst] + 1} has "
            f"{int(hit[:, worst].sum())}); select inside each split's training patients (nested) instead")
