"""Metrics on hand cases, and on Pathomic Fusion's own per-patient predictions (must give the published numbers)."""
import csv
import math

import numpy as np
import pytest

from umeml.calibration import fit_temperature, nll_at, softmax_t
from umeml.metrics import (auc_binary, c_index, classification_metrics, ece, kaplan_meier, logrank_p, _chi2_sf)


def test_c_index_hand_case():
    time = np.array([1, 2, 3, 4, 5])
    event = np.array([1, 1, 0, 1, 0])
    risk = np.array([0.9, 0.5, 0.7, 0.5, 0.1])
    # comparable (i died, t_i < t_j): 1-2 1-3 1-4 1-5 | 2-3 2-4 2-5 | 4-5  -> 8 pairs
    # concordant: 1-2 1-3 1-4 1-5 (4) ; 2-3 no (0.5 < 0.7) ; 2-4 tie (1/2) ; 2-5 yes ; 4-5 yes -> 6.5
    assert c_index(time, event, risk) == pytest.approx(6.5 / 8)


def test_c_index_time_ties():
    # death and censoring at the same time: the censored patient outlived the death (comparable)
    assert c_index(np.array([3, 3]), np.array([1, 0]), np.array([0.9, 0.1])) == pytest.approx(1.0)
    assert c_index(np.array([3, 3]), np.array([1, 0]), np.array([0.1, 0.9])) == pytest.approx(0.0)


def test_c_index_simultaneous_deaths_not_comparable():
    # patients 1 and 2 both die at t = 2: that pair is not comparable
    # comparable: (1,3) concordant (1.0 > 0.5), (2,3) discordant (0.0 < 0.5)
    assert c_index(np.array([2, 2, 5]), np.array([1, 1, 0]), np.array([1.0, 0.0, 0.5])) == pytest.approx(0.5)


def test_auc_and_classification_metrics_hand_case():
    assert auc_binary(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert auc_binary(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    labels = np.array([0, 1, 2, 2])
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.6, 0.3], [0.1, 0.2, 0.7]])
    m = classification_metrics(labels, probs)
    assert m["accuracy"] == pytest.approx(0.75)
    assert m["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5) / 3)
    # per class OvR AUCs: class0 1.0, class1 (pos .5 vs negs .1 .6 .2) = 2/3, class2 (pos .3 .7 vs .1 .3) = (1.5+2)/4
    assert m["auc_macro"] == pytest.approx((1 + 2 / 3 + 3.5 / 4) / 3)
    assert m["auc_micro"] == pytest.approx(auc_binary(np.eye(3)[labels].ravel(), probs.ravel()))


def test_ece_hand_case():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])
    # bin (0.8667,0.9333]: conf .9 acc .5 ; bin (0.6-,0.6]: conf .6 acc 1 -> .5*.4 + .5*.4
    assert ece(labels, probs) == pytest.approx(0.4)


def test_kaplan_meier_and_logrank():
    t, s, r = kaplan_meier(np.array([1, 2, 2, 3, 4]), np.array([1, 1, 0, 1, 0]))
    assert t.tolist() == [0, 1, 2, 3]
    assert s == pytest.approx([1, 0.8, 0.6, 0.3])
    assert r.tolist() == [5, 5, 4, 2]
    assert _chi2_sf(3.0, 2) == pytest.approx(math.exp(-1.5))
    assert _chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-9)
    rng = np.random.RandomState(0)
    time = np.concatenate([rng.exponential(10, 80), rng.exponential(3, 80)])
    event = np.ones(160, int)
    group = np.repeat([0, 1], 80)
    assert logrank_p(time, event, group) < 1e-4
    assert logrank_p(time[:80], event[:80], rng.randint(0, 2, 80)) > 1e-3


def test_temperature_scaling_reduces_nll():
    rng = np.random.RandomState(0)
    logits = rng.randn(400, 3) * 4          # overconfident
    labels = np.array([rng.choice(3, p=softmax_t(l[None], 4.0)[0]) for l in logits])
    t = fit_temperature(logits, labels)
    assert t > 1.5
    assert nll_at(logits, labels, t) < nll_at(logits, labels, 1.0)


def test_pathomic_fusion_published_numbers(data_root):
    """Computed per fold from Pathomic Fusion's own per-patient predictions: c-index 0.826 / 0.8085, grade
    accuracy 0.652 and AUC micro 0.853 for its genomic network."""
    path = data_root / "predictions" / "pathomicfusion_15cv_test_predictions_per_patient.csv"
    rows = list(csv.DictReader(open(path, newline="")))

    def fold_mean_cindex(model):
        vals = []
        for k in range(1, 16):
            rr = [r for r in rows if r["task"] == "surv_15_rnaseq" and r["model"] == model and int(r["fold"]) == k]
            vals.append(c_index(np.array([float(r["survival_days"]) for r in rr]),
                                np.array([int(float(r["event"])) for r in rr]),
                                np.array([float(r["hazard_mean"]) for r in rr])))
        return float(np.mean(vals))

    assert fold_mean_cindex("pathgraphomic_fusion") == pytest.approx(0.826, abs=5e-4)
    assert fold_mean_cindex("omic") == pytest.approx(0.8085, abs=5e-4)
    acc, auc = [], []
    for k in range(1, 16):
        rr = [r for r in rows if r["task"] == "grad_15" and r["model"] == "omic" and int(r["fold"]) == k]
        y = np.array([int(r["grade_gt"]) - 2 for r in rr])   # grade 2/3/4 -> 0/1/2
        p = np.array([[float(r[f"p_grade{j}"]) for j in (2, 3, 4)] for r in rr])
        m = classification_metrics(y, p)
        acc.append(m["accuracy"])
        auc.append(m["auc_micro"])
    assert np.mean(acc) == pytest.approx(0.652, abs=5e-4)
    assert np.mean(auc) == pytest.approx(0.853, abs=5e-4)
