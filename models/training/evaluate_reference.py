"""Re-score a reference package from its stored out-of-fold predictions and rewrite what is derived from them.

  /usr/bin/python3 models/training/evaluate_reference.py PKG_DIR [--data ../shared/data] [--refit-reference]
                                                         [--docs docs/model.md] [--check]

1. The clinical reference models (umeml/clinical_reference.py: Cox on IDH + 1p/19q + age, Cox on the 80-feature
   panel + age, ridge softmax on panel + age for grade) are fitted per pnas split on that split's training patients
   when their OOF files are missing (e.g. after `train_reference.py` rewrote the folder) or with --refit-reference;
   their final fit on all patients goes to `clinical_reference.json`.
2. Every figure is computed from the OOF files (umeml/evaluation.py): `evaluation/report.json`, the SVG figures in
   `evaluation/`, the manifest's metrics (survival, grade, baselines, calibration, referenceModels, goals), the
   cross-validated part of `clinical_reference.json`, MODEL_CARD.md (umeml/model_card.py), and the file hashes.
3. --docs FILE rewrites the block between `<!-- generated:results:begin -->` and `<!-- generated:results:end -->`.
4. --check writes nothing: exit 1 when any of these files differs from what the stored predictions give (the drift
   check the tests run), 2 on bad input.

`train_reference.py` calls `main([pkg])` at the end of a retrain. Deterministic: same files → same bytes.
"""
from __future__ import annotations

import os
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Dict, List, Optional  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from umeml import clinical_reference as cref  # noqa: E402
from umeml.data import default_data_root, load_tcga  # noqa: E402
from umeml.evaluation import evaluate  # noqa: E402
from umeml.figures import figures  # noqa: E402
from umeml.model_card import tripod_model_card, docs_results_block  # noqa: E402
from umeml.package import clean_json, file_entries  # noqa: E402

REFERENCE_FILE = "clinical_reference.json"
REPORT_FILE = "evaluation/report.json"
DOCS_BEGIN = "<!-- generated:results:begin -->"
DOCS_END = "<!-- generated:results:end -->"


def dumps(obj) -> str:
    return json.dumps(clean_json(obj), indent=2, ensure_ascii=False) + "\n"


def reference_fits_present(pkg: Path, n_splits: int) -> bool:
    return (pkg / REFERENCE_FILE).exists() and all(
        (pkg / "oof_predictions" / f"{m.file_prefix}_fold{k}.csv").exists()
        for m in cref.MODELS for k in range(1, n_splits + 1))


def clinical_reference_doc(fitted: Dict, report: Dict) -> Dict:
    models = []
    for m in fitted["models"]:
        cv = report["survival"][m["id"]]
        pr = report["paired"][m["id"]]
        models.append({**{k: v for k, v in m.items() if k not in ("cv", "pairedVsUmeml")},
                       "cv": {"cIndexMean": cv["cIndexMean"], "cIndexSd": cv["cIndexSd"],
                              "nPatients": report["populations"]["survival"], "splits": report["splits"]},
                       "pairedVsUmeml": {k: pr[k] for k in ("meanDelta", "sdDelta", "umemlWins", "splits")}})
    return {
        "role": "clinical-reference",
        "description": "Standard-of-care reference risk models fitted on the same pnas training patients as UMEML "
                       "(models/training/umeml/clinical_reference.py). risk = Σ coef·(value − mean)/sd over terms "
                       "(a missing value is not imputed by the app); higher = worse. For Research Use Only.",
        "protocol": "ridge Cox (Breslow partial likelihood), L2 strength by inner 5-fold CV on each split's training "
                    "patients; out-of-fold predictions in oof_predictions/<oofFilePrefix>_fold<k>.csv; cv = mean ± sd "
                    "of the per-split c-index; pairedVsUmeml: delta = UMEML − this model per split, umemlWins = splits "
                    "where UMEML's c-index is higher",
        "primaryModelId": cref.PRIMARY_MODEL_ID,
        "primarySurvival": report["primarySurvival"],
        "addedValueLine": report["addedValueLine"],
        "models": models,
        "lambdasPerSplit": fitted["lambdasPerSplit"],
    }


def update_manifest(manifest: Dict, report: Dict, ref_doc: Dict) -> Dict:
    m = json.loads(json.dumps(manifest))
    met = m.setdefault("metrics", {})
    s, g = report["survival"]["umeml"], report["grade"]["umeml"]
    met.setdefault("survival", {}).update(cIndexMean=s["cIndexMean"], cIndexSd=s["cIndexSd"],
                                          n=report["populations"]["survival"], folds=report["splits"])
    met.setdefault("grade", {}).update(accuracyMean=g["accuracyMean"], accuracySd=g["accuracySd"],
                                       aucMicroMean=g["aucMicroMean"], aucMicroSd=g["aucMicroSd"],
                                       aucMacroMean=g["aucMacroMean"], aucMacroSd=g["aucMacroSd"],
                                       balancedAccuracyMean=g["balancedAccuracyMean"], n=report["populations"]["grade"])
    if "umeml" in report["class"]:
        k = report["class"]["umeml"]
        met.setdefault("class", {}).update(accuracyMean=k["accuracyMean"], accuracySd=k["accuracySd"],
                                           aucMicroMean=k["aucMicroMean"], aucMicroSd=k["aucMicroSd"],
                                           aucMacroMean=k["aucMacroMean"], aucMacroSd=k["aucMacroSd"])
    met["referenceModels"] = {
        mid: {"label": report["labels"][mid], "cIndexMean": r["cIndexMean"], "cIndexSd": r["cIndexSd"],
              **({"pairedVsUmeml": {k: report["paired"][mid][k] for k in ("meanDelta", "sdDelta", "umemlWins", "splits")}}
                 if mid in report["paired"] else {})}
        for mid, r in report["survival"].items() if mid != "umeml"}
    for mid, r in report["grade"].items():
        if mid != "umeml":
            met["referenceModels"][mid] = {"label": report["labels"][mid], "accuracyMean": r["accuracyMean"],
                                           "accuracySd": r["accuracySd"], "aucMicroMean": r["aucMicroMean"],
                                           "aucMicroSd": r["aucMicroSd"], "aucMacroMean": r["aucMacroMean"]}
    # the in-process baselines of older recipes had no stored predictions: the re-scorable ones replace them
    met.pop("baselines", None)
    cal = {"method": "per split on the test patients, mean over splits; ECE with 15 equal-width bins of the "
                     "top-class probability; details and reliability diagrams in evaluation/report.json",
           "eceAfter": g["ece15Mean"], "brierAfter": g["brierMean"], "nllAfter": g["nllMean"]}
    if "ece15BeforeMean" in g:
        cal.update(eceBefore=g["ece15BeforeMean"], brierBefore=g["brierBeforeMean"], nllBefore=g["nllBeforeMean"])
    # whether the reliability figures support the word "calibrated" for the grade probabilities (the app and the
    # PDF may say "calibrated" only when this is true; model_card._calibration_verdict states the rule)
    from umeml.model_card import calibrated_wording_supported
    cal["gradeCalibratedWordingSupported"] = calibrated_wording_supported(g)
    if "umeml" in report["class"]:
        cal["classCalibratedWordingSupported"] = calibrated_wording_supported(report["class"]["umeml"])
    met["calibration"] = cal
    met["goals"] = report["goals"]
    m["clinicalReference"] = {"file": REFERENCE_FILE, "primaryModelId": ref_doc["primaryModelId"],
                              "primarySurvival": ref_doc["primarySurvival"], "addedValueLine": ref_doc["addedValueLine"]}
    return m


def role_for(rel: str) -> str:
    if rel == REFERENCE_FILE:
        return "clinical-reference"
    if rel.startswith("evaluation/"):
        return "cohort"
    return None


def rendered(pkg: Path, manifest: Dict, report: Dict, ref_doc: Dict, docs_text: Optional[str]) -> Dict[str, str]:
    """All derived text files, path → content (relative to pkg, or the docs path)."""
    out = {REFERENCE_FILE: dumps(ref_doc), REPORT_FILE: dumps(report)}
    out.update({f"evaluation/{name}": svg for name, svg in figures(report).items()})
    out["MODEL_CARD.md"] = tripod_model_card(manifest, report, ref_doc)
    if docs_text is not None:
        a, b = docs_text.index(DOCS_BEGIN) + len(DOCS_BEGIN), docs_text.index(DOCS_END)
        out["__docs__"] = docs_text[:a] + "\n" + docs_results_block(manifest, report, ref_doc) + docs_text[b:]
    return out


def manifest_with_files(pkg: Path, manifest: Dict, texts: Dict[str, str]) -> Dict:
    """Files list as write_manifest would produce once `texts` are on disk (so --check can compare too)."""
    import hashlib
    on_disk = {e["path"]: e for e in file_entries(pkg)}
    for rel, text in texts.items():
        if rel == "__docs__":
            continue
        data = text.encode()
        on_disk[rel] = {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "role": "other"}
    files = []
    for rel in sorted(on_disk):
        e = dict(on_disk[rel])
        e["role"] = role_for(rel) or e["role"]
        files.append(e)
    m = dict(manifest)
    m["files"] = files
    return clean_json(m)


def derive(pkg: Path, data_root: Path, docs_path: Optional[Path] = None, refit: bool = False,
           fit_allowed: bool = True, log=print) -> Dict[str, str]:
    """Every derived text (path relative to pkg → content; "__docs__" for the docs file) from the stored OOF files.
    Fits the clinical reference models first when their files are missing (fit_allowed) or refit is asked."""
    manifest = json.loads((pkg / "manifest.json").read_text())
    cohort = load_tcga(data_root)
    n_splits = len(list((pkg / "oof_predictions").glob("survival_fold*.csv")))
    if refit or not reference_fits_present(pkg, n_splits):
        if not fit_allowed:
            raise FileNotFoundError(f"{pkg}: the clinical reference files are missing")
        fitted = cref.fit_and_write(pkg, cohort, n_splits, log=log)
    else:
        fitted = json.loads((pkg / REFERENCE_FILE).read_text())
    report = evaluate(pkg, cohort, manifest, data_root)
    report = json.loads(dumps(report))   # exactly what is stored (NaN → null), so a check compares like with like
    ref_doc = clinical_reference_doc(fitted, report)
    new_manifest = update_manifest(manifest, report, ref_doc)
    texts = rendered(pkg, new_manifest, report, ref_doc, docs_path.read_text() if docs_path else None)
    final_manifest = manifest_with_files(pkg, new_manifest, texts)
    texts["manifest.json"] = json.dumps(final_manifest, indent=2) + "\n"
    return texts


def drift(pkg: Path, texts: Dict[str, str], docs_path: Optional[Path] = None) -> List[str]:
    """Paths whose stored content differs from the derived one."""
    out = []
    for rel, text in texts.items():
        if rel == "__docs__" and docs_path is None:
            continue
        path = docs_path if rel == "__docs__" else pkg / rel
        if not path.exists() or path.read_text() != text:
            out.append(str(path))
    return out


def write(pkg: Path, texts: Dict[str, str], docs_path: Optional[Path] = None) -> None:
    for rel, text in texts.items():
        path = docs_path if rel == "__docs__" else pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pkg")
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--refit-reference", action="store_true")
    ap.add_argument("--docs", default=None, help="docs/model.md: rewrite its generated results block")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a derived file drifted")
    args = ap.parse_args(argv)
    pkg = Path(args.pkg)
    if not (pkg / "manifest.json").is_file():
        print(f"evaluate_reference: {pkg}/manifest.json not found", file=sys.stderr)
        return 2
    docs_path = Path(args.docs) if args.docs else None
    if docs_path is not None and (not docs_path.is_file() or DOCS_BEGIN not in docs_path.read_text()):
        print(f"evaluate_reference: {docs_path} has no {DOCS_BEGIN} … {DOCS_END} block", file=sys.stderr)
        return 2
    try:
        texts = derive(pkg, Path(args.data), docs_path, refit=args.refit_reference and not args.check,
                       fit_allowed=not args.check, log=lambda s: print(s, flush=True))
    except FileNotFoundError as e:
        print(f"evaluate_reference: {e}", file=sys.stderr)
        return 1 if args.check else 2
    except ValueError as e:
        print(f"evaluate_reference: {e}", file=sys.stderr)
        return 2
    if args.check:
        bad = drift(pkg, texts, docs_path)
        if bad:
            print("drift (stored files differ from what the stored predictions give): " + ", ".join(bad), file=sys.stderr)
            return 1
        print("no drift: every derived figure matches the stored predictions")
        return 0
    write(pkg, texts, docs_path)
    report = json.loads(texts[REPORT_FILE])
    s, c = report["survival"]["umeml"], report["survival"][cref.PRIMARY_MODEL_ID]
    print(f"UMEML c-index {s['cIndexMean']:.4f} ± {s['cIndexSd']:.4f}; {c['cIndexMean']:.4f} ± {c['cIndexSd']:.4f} "
          f"for {cref.PRIMARY_MODEL_ID}; UMEML ahead on {report['paired'][cref.PRIMARY_MODEL_ID]['umemlWins']} of "
          f"{report['splits']}; primary survival figure: {report['primarySurvival']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
