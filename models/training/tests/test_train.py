"""Training loops and baselines, on tiny budgets (no full model is trained here)."""
import numpy as np
import torch

from umeml.baselines import fit_ridge_cox, fit_ridge_softmax, softmax_np
from umeml.data import group_names, group_sizes
from umeml.losses import cox_partial_nll
from umeml.metrics import c_index
from umeml.model import UMEMLConfig
from umeml.protocol import prepare
from umeml.train import BagSample, TrainConfig, predict_tabular, train_bags, train_tabular


def _small_cfg(c):
    return UMEMLConfig(dim=16, heads=2, group_sizes=group_sizes(c.specs), group_names=group_names(c.specs))


def test_tabular_training_is_deterministic(cohort):
    fd = prepare(cohort, cohort.train_splits[:, 0])
    rows = fd.train_rows[:96]
    cfg = TrainConfig(epochs=2, batch_size=32, seed=7)
    m1 = train_tabular(fd.data.subset(rows), _small_cfg(cohort), cfg)
    m2 = train_tabular(fd.data.subset(rows), _small_cfg(cohort), cfg)
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(a, b), k
    p = predict_tabular(m1, fd.data.z[:10], fd.data.mask[:10])
    assert p["grade_probs"].shape == (10, 3) and np.all(np.isfinite(p["risk"]))


def test_bag_training_uses_modularity_and_modality_dropout(cohort):
    rng = np.random.RandomState(0)
    cfg_m = UMEMLConfig(patch_dim=12, dim=16, heads=2, group_sizes=group_sizes(cohort.specs),
                        group_names=group_names(cohort.specs))
    samples = []
    for i in range(6):
        n_patches = 0 if i == 5 else 5 + i      # one patient without a slide -> pathology absent
        samples.append(BagSample(features=np.abs(rng.randn(n_patches, 12)).astype(np.float32),
                                 z=rng.randn(81).astype(np.float32), mask=np.ones(81, np.float32),
                                 has_genomics=i % 3 != 0, grade=i % 3, klass=i % 6, bin=i % 4, event=i % 2,
                                 time=100.0 * (i + 1)))
    from umeml.model import UMEML
    torch.manual_seed(1)
    init = UMEML(cfg_m)          # train_bags(seed=1) starts from exactly these weights
    model = train_bags(samples, cfg_m, TrainConfig(epochs=1, batch_size=3, seed=1, gamma_mod=1.0))
    # with slides present the pathology pathway is trained (unlike the tabular reference)
    assert not torch.equal(model.prototypes, init.prototypes)
    assert not torch.equal(model.path_proj[0].weight, init.path_proj[0].weight)
    assert not torch.equal(model.path_absent, init.path_absent)       # trained by modality dropout / no-slide rows
    assert all(torch.all(torch.isfinite(p)) for p in model.parameters())


def test_ridge_cox_is_at_the_penalised_optimum(cohort):
    fd = prepare(cohort, np.ones(cohort.n, bool), n_features=80)
    rows = fd.train_rows
    z, t, e = fd.data.z[rows], cohort.time_days[rows], cohort.event[rows]
    beta = fit_ridge_cox(z, t, e, lam=0.1)
    b = torch.tensor(beta, requires_grad=True)
    loss = cox_partial_nll(torch.tensor(z, dtype=torch.float64) @ b, torch.tensor(t), torch.tensor(e)) + 0.05 * (b ** 2).sum()
    loss.backward()
    assert float(b.grad.abs().max()) < 1e-6
    assert c_index(t, e, z @ beta) > 0.75   # in-sample sanity: the panel is strongly prognostic


def test_ridge_softmax_fits():
    rng = np.random.RandomState(0)
    x = rng.randn(300, 4)
    y = np.argmax(x[:, :3] * 2 + rng.randn(300, 3) * 0.3, axis=1)
    w, b = fit_ridge_softmax(x, y, 3, lam=1e-3)
    assert (softmax_np(x @ w + b).argmax(1) == y).mean() > 0.85


def test_train_bags_cli_writes_a_package(tmp_path):
    """End-to-end: bags + labels CSV -> a package whose ONNX takes dynamic N (1 epoch, tiny width)."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    rng = np.random.RandomState(0)
    lines = ["patient_id,bags,grade,class,time_days,event,idh mutation,codeletion,Age at diagnosis"]
    for i in range(12):
        d = tmp_path / f"p{i}"
        d.mkdir()
        n = 3 + i
        (d / "features.f32").write_bytes(np.abs(rng.randn(n, 1280)).astype("<f4").tobytes())
        (d / "coords.json").write_text(json.dumps({"featureDim": 1280, "count": n,
                                                   "coords": [[224 * k, 0] for k in range(n)]}))
        grade = ["II", "III", "IV"][i % 3]
        lines.append(f"P{i},p{i},{grade},,{100 * (i + 1)},{i % 2},{1 - i // 6},0,{40 + i}")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    script = Path(__file__).resolve().parents[1] / "train_bags.py"
    out = tmp_path / "pkg"
    proc = subprocess.run([sys.executable, str(script), "--labels", str(tmp_path / "labels.csv"), "--out", str(out),
                           "--id", "test-bags", "--validated", "pathology,genomics", "--epochs", "1", "--dim", "16", "--val-frac", "0.5"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["validatedModalities"] == ["pathology", "genomics"]
    assert "cIndexMean" in manifest["metrics"]["survival"]
    assert {f["path"] for f in manifest["files"]} == {"umeml.onnx", "parity_fixture.json", "MODEL_CARD.md"}
    import onnx
    m = onnx.load(str(out / "umeml.onnx"))
    assert m.graph.input[0].type.tensor_type.shape.dim[1].dim_param == "n_patches"
