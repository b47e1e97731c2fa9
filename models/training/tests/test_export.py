"""ONNX export: graph validity, names, dynamic N (including N = 0), and numeric parity with PyTorch.

Parity needs an ONNX runtime. The Debian python3-onnx (1.12) has no onnx.reference evaluator and no Python
onnxruntime is installed, so the test runs the graph through the repository's onnxruntime-node (tests/ort_run.mjs);
it is skipped, with the reason, only if neither is available.
"""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from umeml.data import REPO_ROOT
from umeml.export import export_onnx, parity_fixture, synthetic_cases, write_json
from umeml.model import UMEML, UMEMLConfig, ONNX_INPUTS, ONNX_OUTPUTS
from umeml.package import sha256_file

ORT_RUNNER = Path(__file__).resolve().parent / "ort_run.mjs"
PACKAGE = REPO_ROOT / "models" / "umeml-gbmlgg-genomic-ref"


def _reference_evaluator():
    try:
        from onnx.reference import ReferenceEvaluator  # onnx >= 1.13
        return ReferenceEvaluator
    except ImportError:
        return None


def _node_ort_available() -> bool:
    return shutil.which("node") is not None and (REPO_ROOT / "node_modules" / "onnxruntime-node").is_dir()


def run_onnx(model_path: Path, fixture: dict, tmp_path: Path) -> list:
    """-> list of {output name: np.ndarray} per case."""
    ref = _reference_evaluator()
    if ref is not None:
        sess = ref(str(model_path))
        res = []
        for c in fixture["cases"]:
            feeds = {k: np.array(v["data"], np.float32).reshape(v["dims"]) for k, v in c["inputs"].items()}
            outs = sess.run(None, feeds)
            res.append(dict(zip(ONNX_OUTPUTS, outs)))
        return res
    if not _node_ort_available():
        pytest.skip("no ONNX runtime: python3-onnx lacks onnx.reference and node + onnxruntime-node are not installed")
    cases_path = tmp_path / "cases.json"
    cases_path.write_text(json.dumps({"cases": [{"name": c["name"], "inputs": c["inputs"]} for c in fixture["cases"]]}))
    proc = subprocess.run(["node", str(ORT_RUNNER), str(model_path), str(cases_path)], capture_output=True, text=True,
                          cwd=str(REPO_ROOT), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    return [{k: np.array(v["data"], np.float32).reshape(v["dims"]) for k, v in c["outputs"].items()} for c in out["cases"]]


def assert_parity(fixture: dict, got: list, tol: float):
    for case, outs in zip(fixture["cases"], got):
        for name in ONNX_OUTPUTS:
            exp = case["outputs"][name]
            arr = outs[name]
            assert list(arr.shape) == exp["dims"], (case["name"], name, arr.shape, exp["dims"])
            if arr.size:
                diff = np.abs(arr.astype(np.float64) - np.array(exp["data"], np.float64).reshape(exp["dims"])).max()
                assert diff <= tol, (case["name"], name, diff)


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    torch.manual_seed(3)
    model = UMEML(UMEMLConfig(dim=32, heads=4)).eval()
    model.grade_temperature.fill_(1.7)
    path = tmp_path_factory.mktemp("onnx") / "umeml.onnx"
    export_onnx(model, path)
    rng = np.random.RandomState(5)
    cases = synthetic_cases(model.cfg, {"p1": rng.randn(81).astype(np.float32), "p2": rng.randn(81).astype(np.float32)})
    return model, path, parity_fixture(model, cases)


def test_exported_graph_is_valid_with_dynamic_n(small_export):
    import onnx
    _, path, _ = small_export
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    assert [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] == [17]
    assert [i.name for i in m.graph.input] == ONNX_INPUTS
    assert [o.name for o in m.graph.output] == ONNX_OUTPUTS
    pf = m.graph.input[0].type.tensor_type.shape.dim
    assert pf[1].dim_param == "n_patches" and pf[2].dim_value == 1280
    pa = {o.name: o for o in m.graph.output}["patch_attention"].type.tensor_type.shape.dim
    assert pa[1].dim_param == "n_patches"


def test_onnx_matches_pytorch_including_n0(small_export, tmp_path):
    _, path, fixture = small_export
    assert any(c["inputs"]["patch_features"]["dims"][1] == 0 for c in fixture["cases"])
    assert_parity(fixture, run_onnx(path, fixture, tmp_path), 1e-4)


def test_committed_package_is_consistent(tmp_path):
    """The trained reference package: every file hashed in the manifest, no label columns in the OOF files, and the
    committed ONNX reproduces the committed parity fixture."""
    manifest_path = PACKAGE / "manifest.json"
    if not manifest_path.exists():
        pytest.skip("reference package not trained yet (npm run train:reference)")
    manifest = json.loads(manifest_path.read_text())
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk
    for f in manifest["files"]:
        p = PACKAGE / f["path"]
        assert sha256_file(p) == f["sha256"] and p.stat().st_size == f["bytes"], f["path"]
    assert [f["path"] for f in manifest["files"] if f["role"] == "model"] == ["umeml.onnx"]
    assert manifest["validatedModalities"] == ["genomics", "clinical"]
    assert len(manifest["genomicSchema"]["features"]) == manifest["onnx"]["genomicDim"] == 81
    assert manifest["survival"]["binEdgesDays"][-1] is None
    for p in (PACKAGE / "oof_predictions").glob("*.csv"):
        header = p.read_text().splitlines()[0].split(",")
        assert header[:2] == ["patient_id", "fold"] and not {"time", "event", "label", "grade"} & set(header), p.name
    fixture = json.loads((PACKAGE / "parity_fixture.json").read_text())
    assert_parity(fixture, run_onnx(PACKAGE / "umeml.onnx", fixture, tmp_path), fixture["tolerance"])


def test_committed_oof_predictions_reproduce_manifest_metrics(cohort):
    """Re-evaluate the package's out-of-fold files, joining labels from the shared tables (as `gliofuse evaluate`
    does): per-fold c-index / grade metrics must equal the manifest's."""
    import csv
    from umeml.metrics import c_index, classification_metrics
    manifest_path = PACKAGE / "manifest.json"
    if not manifest_path.exists():
        pytest.skip("reference package not trained yet (npm run train:reference)")
    manifest = json.loads(manifest_path.read_text())
    row = {pid: i for i, pid in enumerate(cohort.ids)}
    per_fold = manifest["metrics"]["perFold"]
    cs, accs, aucs = [], [], []
    for f in per_fold:
        k = f["fold"]
        surv = list(csv.DictReader(open(PACKAGE / "oof_predictions" / f"survival_fold{k}.csv", newline="")))
        idx = np.array([row[r["patient_id"]] for r in surv])
        assert set(idx) == set(np.nonzero(~cohort.train_splits[:, k - 1] & cohort.markers_known)[0])
        ci = c_index(cohort.time_days[idx], cohort.event[idx], np.array([float(r["risk"]) for r in surv]))
        assert ci == pytest.approx(f["cIndex"], abs=1e-12)
        gr = list(csv.DictReader(open(PACKAGE / "oof_predictions" / f"grade_fold{k}.csv", newline="")))
        gi = np.array([row[r["patient_id"]] for r in gr])
        probs = np.array([[float(r["p_II"]), float(r["p_III"]), float(r["p_IV"])] for r in gr])
        m = classification_metrics(cohort.grade[gi], probs)
        assert m["accuracy"] == pytest.approx(f["gradeAccuracy"], abs=1e-12)
        assert m["auc_micro"] == pytest.approx(f["gradeAucMicro"], abs=1e-12)
        cs.append(ci)
        accs.append(m["accuracy"])
        aucs.append(m["auc_micro"])
    assert len(per_fold) == 15
    assert np.mean(cs) == pytest.approx(manifest["metrics"]["survival"]["cIndexMean"], abs=1e-12)
    assert np.mean(accs) == pytest.approx(manifest["metrics"]["grade"]["accuracyMean"], abs=1e-12)
    assert np.mean(aucs) == pytest.approx(manifest["metrics"]["grade"]["aucMicroMean"], abs=1e-12)
