"""The linear clinical path (WHO CNS5 marker features) and the leak-free protocol v2 (refusal, nesting)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from umeml.baselines import inner_folds
from umeml.clinical import FEATURES, SOURCE_IDS, ClinicalFeatures, clinical_index, feature_matrix
from umeml.clinical_init import apply_clinical_init, fit_clinical_init
from umeml.data import group_names, group_sizes
from umeml.export import export_onnx, parity_fixture, synthetic_cases
from umeml.metrics import c_index
from umeml.model import UMEML, UMEMLConfig
from umeml.protocol import TuningLeakError, check_selection_rows, prepare, strata_for
from umeml.train import predict_tabular

from test_export import assert_parity, run_onnx

TRAINING = Path(__file__).resolve().parents[1]


def _cfg(c, dim=16):
    return UMEMLConfig(dim=dim, heads=2, group_sizes=group_sizes(c.specs), group_names=group_names(c.specs),
                       clinical_index=clinical_index([s.id for s in c.specs]))


def _raw_profile(c, values):
    """A raw genomic vector at the cohort means except `values` (by feature id); NaN = not observed."""
    ids = [s.id for s in c.specs]
    raw = np.nanmean(c.x, axis=0)
    for k, v in values.items():
        raw[ids.index(k)] = v
    return raw


def _features(c, raws):
    x = np.array(raws)
    mean, std = np.nanmean(c.x, axis=0), np.nanstd(c.x, axis=0)
    mask = (~np.isnan(x)).astype(np.float32)
    z = np.where(mask > 0, (np.nan_to_num(x) - mean) / std, 0.0).astype(np.float32)
    return feature_matrix(clinical_index([s.id for s in c.specs]), z, mask, mean, std)


def test_marker_features_follow_the_who_cns5_calls(cohort):
    gbm = _raw_profile(cohort, {"idh_mutation": 0, "codeletion_1p19q": 0, "cnv_egfr": 2, "cnv_cdkn2a": -2,
                                "cnv_cdkn2b": 0, "arm_7p": 0.7, "arm_7q": 0.8, "arm_10p": -0.8, "arm_10q": -0.9})
    astro4 = _raw_profile(cohort, {"idh_mutation": 1, "codeletion_1p19q": 0, "cnv_egfr": 0, "cnv_cdkn2a": -1,
                                   "cnv_cdkn2b": -2, "arm_7p": 0.0, "arm_7q": 0.0, "arm_10p": 0.0, "arm_10q": 0.0})
    oligo = _raw_profile(cohort, {"idh_mutation": 1, "codeletion_1p19q": 1, "cnv_egfr": 1, "cnv_cdkn2a": -1,
                                  "cnv_cdkn2b": -1, "arm_7p": 0.19, "arm_7q": 0.7, "arm_10p": -0.8, "arm_10q": -0.8})
    # IDH-wildtype, +7/-10 only on one arm each -> not +7/-10; EGFR not observed -> no amplification call
    partial = _raw_profile(cohort, {"idh_mutation": 0, "codeletion_1p19q": 0, "cnv_egfr": np.nan, "cnv_cdkn2a": 0,
                                    "cnv_cdkn2b": 0, "arm_7p": 0.7, "arm_7q": 0.0, "arm_10p": -0.8, "arm_10q": -0.8})
    unknown_idh = _raw_profile(cohort, {"idh_mutation": np.nan, "codeletion_1p19q": 0, "cnv_egfr": 2,
                                        "cnv_cdkn2a": -2, "cnv_cdkn2b": -2, "arm_7p": 0.0, "arm_7q": 0.0,
                                        "arm_10p": 0.0, "arm_10q": 0.0})
    f = _features(cohort, [gbm, astro4, oligo, partial, unknown_idh])
    assert len(FEATURES) == f.shape[1] == 8
    np.testing.assert_array_equal(f[0, 3:], [1, 1, 1, 0, 1])       # homdel, EGFR amp, +7/-10, -, molecular GBM
    np.testing.assert_array_equal(f[1, 3:], [1, 0, 0, 1, 0])       # CDKN2B -2 alone counts; astrocytoma grade 4
    np.testing.assert_array_equal(f[2, 3:], [0, 0, 0, 0, 0])       # 7p below the gain cut-off
    np.testing.assert_array_equal(f[3, 3:], [0, 0, 0, 0, 0])
    np.testing.assert_array_equal(f[4, 3:], [1, 1, 0, 0, 0])       # IDH unknown: neither IDH-dependent criterion
    assert f[4, 0] == 0.0                                           # unknown IDH contributes 0 (not a guess)
    assert f[0, 0] < 0 < f[1, 0] and f[2, 1] > 0 > f[1, 1]          # standardised IDH / 1p/19q keep their sign


def test_the_linear_path_reaches_the_logits_whatever_the_deep_path_does(cohort):
    torch.manual_seed(0)
    m = UMEML(_cfg(cohort))
    for p in m.parameters():                       # a trained-looking deep path (non-zero heads included)
        torch.nn.init.normal_(p, std=0.3)
    torch.nn.init.zeros_(m.clinical.surv.weight)
    torch.nn.init.zeros_(m.clinical.grade.weight)
    torch.nn.init.zeros_(m.clinical.klass.weight)
    m.clinical.features.set_normaliser(np.nanmean(cohort.x, 0), np.nanstd(cohort.x, 0))
    fd = prepare(cohort, cohort.train_splits[:, 0])
    z, mask = fd.data.z[:40], fd.data.mask[:40]
    m.clinical.features.set_normaliser(fd.normaliser.mean, fd.normaliser.std)
    m.eval()
    base = predict_tabular(m, z, mask)
    w_s, w_g = torch.randn(1, 8), torch.randn(3, 8)
    with torch.no_grad():
        m.clinical.surv.weight.copy_(w_s)
        m.clinical.grade.weight.copy_(w_g)
    out = predict_tabular(m, z, mask)
    x = feature_matrix(m.cfg.clinical_index, z, mask, fd.normaliser.mean, fd.normaliser.std)
    np.testing.assert_allclose(out["grade_logits"] - base["grade_logits"], x @ w_g.numpy().T, atol=1e-4)
    # the survival shift enters every hazard bin's logit
    hz_logit = lambda h: np.log(h / (1 - h))   # noqa: E731
    shift = hz_logit(out["hazards"].astype(np.float64)) - hz_logit(base["hazards"].astype(np.float64))
    np.testing.assert_allclose(shift, np.repeat(x @ w_s.numpy().T, 4, axis=1), atol=2e-3)
    # genomics absent: the path contributes nothing
    b = 3
    o = m(torch.zeros(b, 0, m.cfg.patch_dim), torch.zeros(b, 0), torch.tensor(z[:b]), torch.tensor(mask[:b]),
          torch.tensor([[1.0, 0.0]]).expand(b, -1))
    with torch.no_grad():
        m.clinical.grade.weight.zero_()
    o0 = m(torch.zeros(b, 0, m.cfg.patch_dim), torch.zeros(b, 0), torch.tensor(z[:b]), torch.tensor(mask[:b]),
           torch.tensor([[1.0, 0.0]]).expand(b, -1))
    assert torch.equal(o["grade_logits"], o0["grade_logits"])


def test_ridge_initialised_model_is_the_cox_model_before_training(cohort):
    fd = prepare(cohort, cohort.train_splits[:, 0])
    cfg = _cfg(cohort)
    rows = fd.train_rows
    data = fd.data.subset(rows)
    params = fit_clinical_init(cfg.clinical_index, data, fd.normaliser.mean, fd.normaliser.std, 4, 3, 6, seed=1)
    m = UMEML(cfg)
    apply_clinical_init(m, params, fd.normaliser.mean, fd.normaliser.std)
    p = predict_tabular(m, data.z, data.mask)
    x = feature_matrix(cfg.clinical_index, data.z, data.mask, fd.normaliser.mean, fd.normaliser.std)
    assert c_index(data.time, data.event, p["risk"]) == pytest.approx(c_index(data.time, data.event, x @ params["surv"]))
    assert params["surv_subset"] in ("idh_1p19q_age", "idh_1p19q_age_who_criteria", "who_cns5_markers")
    assert params["surv"][0] < 0 and params["surv"][2] > 0       # IDH-mutant better, older worse
    # grade: the softmax initialisation alone already separates IDH-wildtype (mostly grade IV)
    assert (p["grade_probs"].argmax(1) == data.grade)[data.grade >= 0].mean() > 0.5


def test_export_with_the_clinical_path_matches_pytorch(cohort, tmp_path):
    cfg = _cfg(cohort, dim=16)
    torch.manual_seed(3)
    m = UMEML(cfg)
    for lin in (m.clinical.surv, m.clinical.grade, m.clinical.klass, m.grade_head, m.class_head, m.hazard_head):
        torch.nn.init.normal_(lin.weight, std=0.5)
    m.clinical.features.set_normaliser(np.nanmean(cohort.x, 0), np.nanstd(cohort.x, 0))
    m.eval()
    export_onnx(m, tmp_path / "m.onnx")
    mean, std = np.nanmean(cohort.x, 0), np.nanstd(cohort.x, 0)
    gbm = (_raw_profile(cohort, {"idh_mutation": 0, "cnv_egfr": 2, "cnv_cdkn2a": -2, "arm_7p": 0.7, "arm_7q": 0.7,
                                 "arm_10p": -0.7, "arm_10q": -0.7}) - mean) / std
    astro = (_raw_profile(cohort, {"idh_mutation": 1, "codeletion_1p19q": 0, "cnv_cdkn2b": -2}) - mean) / std
    fixture = parity_fixture(m, synthetic_cases(cfg, {"gbm": gbm.astype(np.float32), "astro": astro.astype(np.float32)}))
    assert_parity(fixture, run_onnx(tmp_path / "m.onnx", fixture, tmp_path), 1e-4)


# ---- protocol v2: refusal and nesting --------------------------------------------------------------------------

def test_selection_on_split1_training_patients_for_every_split_is_refused(cohort):
    sys.path.insert(0, str(TRAINING))
    import tune
    rows = tune.tuning_rows(cohort, 0, [0])                 # nested: split 1's own training patients, split 1 only
    assert len(rows) > 500
    with pytest.raises(TuningLeakError, match="test patients"):
        tune.tuning_rows(cohort, 0, list(range(15)))        # v1's search: used for all 15 splits
    with pytest.raises(TuningLeakError):
        check_selection_rows(cohort, rows, [1])             # split 1's training patients hold split 2's tests
    # any one test patient of the reported split is enough to refuse
    test1 = np.nonzero(~cohort.train_splits[:, 0] & cohort.markers_known)[0][:1]
    with pytest.raises(TuningLeakError):
        check_selection_rows(cohort, np.concatenate([rows, test1]), [0])
    check_selection_rows(cohort, rows, [])                  # the final model reports no split


def test_tune_cli_refuses_a_global_search_with_exit_2(data_root):
    proc = subprocess.run([sys.executable, str(TRAINING / "tune.py"), "--split", "1", "--apply-to", "all",
                           "--data", str(data_root)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "refusing" in proc.stderr and "split" in proc.stderr and "Traceback" not in proc.stderr


def test_nested_inner_folds_stay_inside_each_split(cohort):
    sys.path.insert(0, str(TRAINING))
    import train_reference as tr
    for k in range(15):
        rows = tr._split_rows(cohort, k)
        assert not (~cohort.train_splits[rows, k]).any()
        folds = inner_folds(len(rows), 3, 1, strata_for(cohort, rows))
        held = np.concatenate([rows[va] for _, va in folds])
        assert sorted(held) == sorted(rows)                 # every training patient held out once, no test patient
        for fit, va in folds:
            assert not set(rows[fit]) & set(rows[va])
    assert len(tr._split_rows(cohort, "all")) == int(cohort.markers_known.sum())
    assert tr._reported("all") == [] and tr._reported(4) == [4]


# ---- generated documentation and PORPOISE ---------------------------------------------------------------------

def test_docs_protocol_v2_block_matches_the_committed_results():
    """docs/model.md's generated blocks are re-rendered from results/*.json; any drift fails."""
    import json
    from umeml import v2_report
    docs = TRAINING.parents[1] / "docs" / "model.md"
    results = TRAINING / "results" / "reference_v2_selection.json"
    text = docs.read_text()
    assert v2_report.BEGIN in text and v2_report.END in text
    assert results.exists(), "docs/model.md has the v2 block but results/reference_v2_selection.json is missing"
    res = json.loads(results.read_text())
    a, b = text.index(v2_report.BEGIN) + len(v2_report.BEGIN), text.index(v2_report.END)
    assert text[a:b] == "\n" + v2_report.render(res)
    assert res["summary"]["splits"] == 15 and len(res["perSplit"]) == 15
    porpoise = TRAINING / "results" / "porpoise_v2.json"
    if v2_report.P_BEGIN in text:
        assert porpoise.exists()
        a, b = text.index(v2_report.P_BEGIN) + len(v2_report.P_BEGIN), text.index(v2_report.P_END)
        assert text[a:b] == "\n" + v2_report.render_porpoise(json.loads(porpoise.read_text()))


def test_porpoise_loader_partitions_each_fold_and_maps_the_markers(data_root):
    sys.path.insert(0, str(TRAINING))
    import train_porpoise as tp
    import train_reference as tr
    c = tp.load_porpoise(data_root)
    assert c.n == 569 and c.x.shape[1] == 47 and c.train_splits.shape == (569, 5)
    val = ~c.train_splits
    assert (val.sum(axis=1) == 1).all()                       # every patient validated exactly once
    idx = tr._model_cfg(c).clinical_index
    assert idx["idh_mutation"] >= 0 and idx["cnv_cdkn2a"] >= 0 and idx["codeletion_1p19q"] == -1
    # a source missing from the schema is "not observed": its calls are 0 whatever the inputs
    mean, std = np.nanmean(c.x, 0), np.nanstd(c.x, 0)
    z = ((c.x - mean) / std).astype(np.float32)
    f = feature_matrix(idx, z, np.ones_like(z), mean, std)
    assert (f[:, 1] == 0).all() and (f[:, 5] == 0).all() and (f[:, 6] == 0).all()
    assert f[:, 3].sum() > 100                                 # CDKN2A/B homozygous deletions are read


def test_the_recipe_inner_job_trains_and_selects_on_training_patients_only(cohort, monkeypatch):
    """train_reference.job_inner itself (training stubbed out): its fit and held-out rows lie inside split k's
    training patients, and it refuses when handed a test patient of split k."""
    sys.path.insert(0, str(TRAINING))
    import train_reference as tr
    seen = {}

    def fake_train(data, model_cfg, cfg, log=None, on_epoch=None, init=None):
        seen["n_fit"] = len(data)
        return None

    monkeypatch.setattr(tr, "_COHORT", cohort)
    monkeypatch.setattr(tr, "train_tabular", fake_train)
    monkeypatch.setattr(tr, "_init_fn", lambda c, fd, rows, seed: (None, None))
    k = 3
    train_k = set(np.nonzero(cohort.train_splits[:, k] & cohort.markers_known)[0])
    held = []
    for i in range(3):
        r = tr.job_inner(k, i)
        assert set(r["val_rows"]) <= train_k
        assert seen["n_fit"] + len(r["val_rows"]) == len(train_k)
        held.extend(r["val_rows"])
    assert sorted(held) == sorted(train_k)
    leaked = np.concatenate([tr._split_rows(cohort, k), np.nonzero(~cohort.train_splits[:, k])[0][:2]])
    monkeypatch.setattr(tr, "_split_rows", lambda c, kk: leaked)
    with pytest.raises(TuningLeakError):
        tr.job_inner(k, 0)
