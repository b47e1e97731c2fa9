"""Evaluation reporting (issue 11 deliverables 4-6, issue 10 deliverable 4): hand cases for the new statistics, and
the drift check — every derived figure of the committed package (MODEL_CARD.md, evaluation/report.json, figures,
manifest metrics, clinical_reference.json, the generated block of docs/model.md) equals what its stored
out-of-fold predictions give."""
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from umeml.calibration import reliability, softmax_t, uncalibrate
from umeml.clinical_reference import breslow_cumhaz, cox_log_pl, cox_survival_at, linear_predictor, risk_group
from umeml.evaluation import paired
from umeml.survival_eval import calibration_at, survival_from_hazards, td_auc

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "models" / "umeml-gbmlgg-genomic-ref"
DOCS = ROOT / "docs" / "model.md"
sys.path.insert(0, str(ROOT / "models" / "training"))
import evaluate_reference  # noqa: E402


def test_td_auc_hand_cases():
    # no censoring among the training patients: G = 1, AUC = plain case/control concordance at t
    t, e, r = np.array([1, 2, 3, 4, 5.0]), np.array([1, 1, 0, 1, 0]), np.array([5, 4, 3, 2, 1.0])
    assert td_auc(t, np.ones(5, int), t, e, r, 2.5) == pytest.approx(1.0)
    assert td_auc(t, np.ones(5, int), t, e, -r, 2.5) == pytest.approx(0.0)
    # censoring in training: G(t) = 1 (t < 1), 3/4 (1 ≤ t < 3), 3/8 (t ≥ 3)
    train_t, train_e = np.array([1, 2, 3, 4.0]), np.array([0, 1, 0, 1])
    # cases at t = 4: T = 2 (w 4/3, risk 1), T = 3.5 (w 8/3, risk 3); controls: risks 2 and 0
    # num = 4/3·1 + 8/3·2 = 20/3; den = (4/3 + 8/3)·2 = 8 -> 5/6
    got = td_auc(train_t, train_e, np.array([2, 3.5, 5, 6.0]), np.array([1, 1, 0, 1]), np.array([1, 3, 2, 0.0]), 4.0)
    assert got == pytest.approx(5 / 6)
    # a tied case/control pair counts 1/2
    assert td_auc(t, np.ones(5, int), np.array([1, 5.0]), np.array([1, 0]), np.array([1, 1.0]), 2) == pytest.approx(0.5)


def test_survival_from_discrete_hazards():
    h = np.array([[0.1, 0.2, 0.3, 0.4]])
    edges = [0, 100, 200, 300, None]
    assert survival_from_hazards(h, edges, 200)[0] == pytest.approx(0.72)
    assert survival_from_hazards(h, edges, 250)[0] == pytest.approx(0.72 * 0.7 ** 0.5)
    assert survival_from_hazards(h, edges, 0)[0] == pytest.approx(1.0)
    assert math.isnan(survival_from_hazards(h, edges, 301)[0])   # open last bin: not defined


def test_survival_calibration_slope_and_intercept():
    rng = np.random.RandomState(1)
    n = 4000
    lam = np.exp(rng.normal(-0.5, 0.8, n))            # exponential survival, S(t) = exp(-lam t)
    time = rng.exponential(1 / lam)
    cens = rng.exponential(4.0, n)
    obs, event = np.minimum(time, cens), (time <= cens).astype(int)
    true_s = np.exp(-lam * 1.0)
    c = calibration_at(obs, event, true_s, 1.0)
    assert c["slope"] == pytest.approx(1.0, abs=0.1)
    assert c["intercept"] == pytest.approx(0.0, abs=0.1)
    assert c["observedRisk"] == pytest.approx(np.mean(1 - true_s), abs=0.03)
    # predictions shrunk towards the average -> slope above 1; exaggerated -> below 1
    f = 1 - true_s
    logit = np.log(f / (1 - f))
    shrunk = 1 - 1 / (1 + np.exp(-(0.5 * logit)))
    wild = 1 - 1 / (1 + np.exp(-(2.0 * logit)))
    assert calibration_at(obs, event, shrunk, 1.0)["slope"] > 1.5
    assert calibration_at(obs, event, wild, 1.0)["slope"] < 0.7


def test_reliability_and_temperature_inverse():
    rng = np.random.RandomState(3)
    logits = rng.normal(0, 2, (3000, 3))
    p = softmax_t(logits, 1.0)
    y = np.array([rng.choice(3, p=row) for row in p])
    rel = reliability(y, p, n_boot=100)
    assert rel["ece"] <= rel["eceIfCalibrated95"] + 0.01
    for b in rel["bins"]:
        assert b["accuracyLo"] <= b["accuracy"] <= b["accuracyHi"]
    over = softmax_t(logits, 0.3)                        # over-confident
    assert reliability(y, over, n_boot=50)["ece"] > 3 * rel["eceIfCalibrated95"]
    # probabilities before temperature scaling are recovered exactly from the scaled ones
    assert np.allclose(uncalibrate(softmax_t(logits, 1.7), 1.7), p, atol=1e-12)


def test_breslow_and_partial_likelihood_hand_case():
    t, e = np.array([1.0, 2.0, 3.0]), np.array([1, 1, 1])
    ts, h0 = breslow_cumhaz(t, e, np.zeros(3))
    assert list(ts) == [1, 2, 3] and np.allclose(h0, [1 / 3, 1 / 3 + 1 / 2, 1 / 3 + 1 / 2 + 1])
    assert cox_survival_at(ts, h0, np.array([0.0]), 2.5)[0] == pytest.approx(math.exp(-(1 / 3 + 1 / 2)))
    assert cox_survival_at(ts, h0, np.array([0.0]), 0.5)[0] == pytest.approx(1.0)
    # log PL at beta = 0: -log 3 - log 2 - log 1
    assert cox_log_pl(np.zeros((3, 1)), t, e, np.zeros(1)) == pytest.approx(-math.log(6))


def test_paired_comparison_counts_wins():
    u = {"perSplit": [{"cIndex": 0.80}, {"cIndex": 0.82}, {"cIndex": 0.79}]}
    r = {"perSplit": [{"cIndex": 0.81}, {"cIndex": 0.80}, {"cIndex": 0.79}]}
    p = paired(u, r)
    assert p["umemlWins"] == 1 and p["splits"] == 3                     # a tie is not a win
    assert p["meanDelta"] == pytest.approx((-0.01 + 0.02 + 0.0) / 3)


def test_clinical_reference_json_matches_its_own_check_rows():
    ref = json.loads((PACKAGE / "clinical_reference.json").read_text())
    assert ref["role"] == "clinical-reference"
    primary = next(m for m in ref["models"] if m["id"] == ref["primaryModelId"])
    assert [t["field"] for t in primary["terms"]] == ["idh_mutation", "codeletion_1p19q", "age_at_diagnosis"]
    for m in ref["models"]:
        lp = [r for r in m["checkRows"] if r["risk"] is not None]
        assert len(lp) >= 4
        for r in lp:
            assert risk_group(m, r["risk"]) == r["riskGroup"]
        assert len(m["riskGroupCutoffs"]) == 2 and m["riskGroupCutoffs"][0] < m["riskGroupCutoffs"][1]
        assert linear_predictor(m, {t["field"]: t["mean"] for t in m["terms"]}) == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def derived(data_root):
    if not (PACKAGE / "clinical_reference.json").exists():
        pytest.fail("the reference package has no clinical_reference.json (run evaluate_reference.py)")
    return evaluate_reference.derive(PACKAGE, data_root, DOCS, fit_allowed=False)


def test_no_documented_number_drifts_from_the_stored_predictions(derived):
    assert evaluate_reference.drift(PACKAGE, derived, DOCS) == []


def test_an_edited_figure_is_detected(derived, tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGE, pkg)
    card = (pkg / "MODEL_CARD.md").read_text()
    c = json.loads(derived["evaluation/report.json"])["survival"]["umeml"]["cIndexMean"]
    shown = f"{c:.3f} ±"
    assert shown in card
    (pkg / "MODEL_CARD.md").write_text(card.replace(shown, f"{c + 0.02:.3f} ±", 1))
    assert evaluate_reference.drift(pkg, derived) == [str(pkg / "MODEL_CARD.md")]
    docs = tmp_path / "model.md"
    docs.write_text(DOCS.read_text().replace(shown, f"{c + 0.02:.3f} ±", 1))
    assert str(docs) in evaluate_reference.drift(PACKAGE, derived, docs)


def test_card_states_missed_goals_first_and_is_research_use_only(derived):
    card = derived["MODEL_CARD.md"]
    head = card.split("## Model\n")[0]
    assert "For Research Use Only. Not for use in diagnostic procedures." in head
    report = json.loads(derived["evaluation/report.json"])
    goals = report["goals"]
    if not goals["survival"]["goal"]:
        assert "**missed**" in head and "primary survival figure" in head
    for item in ("Data source, dates and licence", "Participants and selection", "Outcome", "Predictors",
                 "Sample size and missing data", "Analysis", "Performance", "Calibration", "Limitations",
                 "Intended use", "non-commercial"):
        assert item in card, item


def test_median_survival_ci_matches_r_survfit_loglog():
    # R survival::aml, maintained arm: survfit(..., conf.type = "log-log") -> median 31, 95 % CI 13 to NA
    # (the same reference as src/main/evaluate/kaplan-meier.ts)
    from umeml.survival_eval import median_survival
    t = np.array([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161.0])
    e = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
    m = median_survival(t, e)
    assert m["median"] == 31 and m["ci95"] == [13.0, None]


def test_bootstrap_c_index_by_pair_matrices_equals_resampled_c_index():
    from umeml.evaluation import _pair_matrices
    from umeml.metrics import c_index
    rng = np.random.RandomState(5)
    t = rng.randint(1, 40, 60).astype(float)          # many time ties
    e = rng.randint(0, 2, 60)
    r = rng.randint(0, 5, 60).astype(float)           # many risk ties
    comp, conc = _pair_matrices(t, e, r)
    for _ in range(20):
        b = rng.randint(0, 60, 60)
        w = np.bincount(b, minlength=60).astype(float)
        assert w @ conc @ w / (w @ comp @ w) == pytest.approx(c_index(t[b], e[b], r[b]), abs=1e-12)


def test_ipcw_brier_hand_case():
    from umeml.survival_eval import brier_at
    # no censoring before t: G = 1; deaths by t=2 at S=0.2 -> 0.04 each, survivors at S=0.7 -> 0.09 each
    t, e = np.array([1, 2, 3, 4.0]), np.array([1, 1, 1, 0])
    assert brier_at(t, e, np.array([0.2, 0.2, 0.7, 0.7]), 2.0) == pytest.approx((0.04 * 2 + 0.09 * 2) / 4)
    # one censored before t: left out of the sum, the others weighted by 1/G (G = 3/4 after the censoring)
    t2, e2 = np.array([0.5, 1, 3, 4.0]), np.array([0, 1, 1, 1])
    assert brier_at(t2, e2, np.full(4, 0.5), 2.0) == pytest.approx((0.25 / 0.75 + 2 * 0.25 / 0.75) / 4)
