"""Writes a model package (docs/model-package.md): files, hashes, manifest."""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Dict, List, Sequence

ROLE_BY_PREFIX = [("oof_predictions/", "oof-predictions"), ("cohort/", "cohort"), ("evaluation/", "cohort")]

TILE_ENCODER = {
    "id": "mobilenetv2-12-int8-features",
    "file": None,
    "upstreamUrl": "https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx",
    "sha256": "e8104ca0237517c74501aba176f2a46593dc3bf6717613e78dd4a001177143a2",
    "inputName": "input",
    "outputName": "features",
    "inputSize": 224,
    "mppTarget": 0.5,
    "featureDim": 1280,
    "normalisation": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": "0..1"},
    "note": ("ImageNet weights; not a validated pathology encoder. The sha256 is of the derived graph that adds one "
             "DequantizeLinear on the global-average-pool output (tensor 472_quantized, scale 464_scale, zero point "
             "464_zero_point) exposed as output 'features' [N,1280]; the upstream Model Zoo file "
             "(sha256 cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f) has only the logits."),
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def role_for(rel: str) -> str:
    if rel == "umeml.onnx":
        return "model"
    if rel == "clinical_reference.json":
        return "clinical-reference"
    for prefix, role in ROLE_BY_PREFIX:
        if rel.startswith(prefix):
            return role
    return "other"


def file_entries(pkg: Path) -> List[Dict]:
    entries = []
    for p in sorted(pkg.rglob("*")):
        if p.is_file() and p.name != "manifest.json":
            rel = p.relative_to(pkg).as_posix()
            entries.append({"path": rel, "sha256": sha256_file(p), "bytes": p.stat().st_size, "role": role_for(rel)})
    return entries


def clean_json(obj):
    """JSON cannot hold inf/NaN: +inf -> None (the schema's 'null = infinity'), NaN -> None."""
    if isinstance(obj, float):
        return None if (math.isinf(obj) or math.isnan(obj)) else obj
    if isinstance(obj, dict):
        return {k: clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    return obj


def write_manifest(pkg: Path, manifest: Dict) -> Dict:
    manifest = dict(manifest)
    manifest["files"] = file_entries(pkg)
    manifest = clean_json(manifest)
    (pkg / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence]) -> None:
    def fmt(v):
        return f"{v:.8g}" if isinstance(v, float) else str(v)
    lines = [",".join(header)] + [",".join(fmt(v) for v in r) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
