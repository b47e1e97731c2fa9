"""ONNX export (opset 17, dynamic batch and N) and the parity fixture."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch

from .model import UMEML, ExportWrapper, ONNX_INPUTS, ONNX_OUTPUTS

OPSET = 17


def export_onnx(model: UMEML, path: Path) -> None:
    import onnx

    model = model.eval()
    wrapper = ExportWrapper(model).eval()
    cfg = model.cfg
    g = torch.Generator().manual_seed(0)
    example = (torch.randn(1, 3, cfg.patch_dim, generator=g), torch.ones(1, 3), torch.randn(1, cfg.genomic_dim, generator=g),
               torch.ones(1, cfg.genomic_dim), torch.ones(1, 2))
    dyn = {"patch_features": {0: "batch", 1: "n_patches"}, "patch_mask": {0: "batch", 1: "n_patches"},
           "genomics": {0: "batch"}, "genomics_mask": {0: "batch"}, "modality_present": {0: "batch"}}
    for name in ONNX_OUTPUTS:
        dyn[name] = {0: "batch"}
    dyn["patch_assignment"] = {0: "batch", 1: "n_patches"}
    dyn["patch_attention"] = {0: "batch", 1: "n_patches"}
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13 warns about prim::Constant shape inference on every export; the graph is checked below
        warnings.filterwarnings("ignore", message=".*shape inference of prim::Constant.*")
        torch.onnx.export(wrapper, example, str(path), input_names=ONNX_INPUTS, output_names=ONNX_OUTPUTS,
                          dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(str(path))
    m.producer_name = "gliofuse-umeml-recipe"
    m.doc_string = "UMEML (Gliofuse recipe). For Research Use Only. Not for use in diagnostic procedures."
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


def _tensor(a: np.ndarray) -> Dict:
    a = np.asarray(a, dtype=np.float32)
    # repr of float32 -> float64 keeps every float32 bit (9 significant digits are enough to round-trip)
    return {"dims": list(a.shape), "data": [float(f"{v:.9g}") for v in a.ravel().tolist()]}


def synthetic_cases(cfg, z_profiles: Dict[str, np.ndarray]) -> List[Dict]:
    """Parity inputs: hand-built genomic profiles (already normalised) and seeded pseudo-random patch features."""
    rng = np.random.RandomState(1234)
    g = cfg.genomic_dim
    d = cfg.patch_dim
    cases = []
    names = list(z_profiles)

    def case(name, n_patches, z, gmask, present, pad=0):
        feats = np.abs(rng.randn(1, n_patches + pad, d)).astype(np.float32)   # post-ReLU-like, as MobileNet features
        pmask = np.ones((1, n_patches + pad), np.float32)
        if pad:
            pmask[0, n_patches:] = 0.0
        cases.append({"name": name, "inputs": {
            "patch_features": feats, "patch_mask": pmask, "genomics": z[None].astype(np.float32),
            "genomics_mask": gmask[None].astype(np.float32), "modality_present": np.array([present], np.float32)}})

    full = np.ones(g, np.float32)
    case(f"genomics-only N=0 ({names[0]})", 0, z_profiles[names[0]], full, [0, 1])
    case(f"genomics-only N=0 ({names[1]})", 0, z_profiles[names[1]], full, [0, 1])
    partial = full.copy()
    partial[:2] = 0.0      # IDH and 1p/19q unknown -> imputed
    partial[-1] = 0.0      # age unknown
    zp = z_profiles[names[0]].copy()
    zp[partial == 0] = 0.0
    case("genomics-only N=0, markers and age missing (imputed)", 0, zp, partial, [0, 1])
    case("pathology + genomics N=8", 8, z_profiles[names[1]], full, [1, 1])
    case("pathology-only N=8", 8, np.zeros(g, np.float32), np.zeros(g, np.float32), [1, 0])
    case("pathology + genomics N=5 + 3 masked padding rows", 5, z_profiles[names[0]], full, [1, 1], pad=3)
    return cases


@torch.no_grad()
def parity_fixture(model: UMEML, cases: List[Dict], tolerance: float = 1e-4) -> Dict:
    model.eval()
    wrapper = ExportWrapper(model).eval()
    out_cases = []
    for c in cases:
        inp = c["inputs"]
        outs = wrapper(*(torch.tensor(inp[k]) for k in ONNX_INPUTS))
        out_cases.append({"name": c["name"],
                          "inputs": {k: _tensor(inp[k]) for k in ONNX_INPUTS},
                          "outputs": {k: _tensor(v.numpy()) for k, v in zip(ONNX_OUTPUTS, outs)}})
    return {"description": "Synthetic inputs (hand-built genomic profiles, seeded pseudo-random patch features) and "
                           "the PyTorch outputs of the exported weights; an ONNX runtime must reproduce every "
                           "output within `tolerance` (max absolute difference).",
            "tolerance": tolerance, "opset": OPSET, "inputNames": ONNX_INPUTS, "outputNames": ONNX_OUTPUTS,
            "cases": out_cases}


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
