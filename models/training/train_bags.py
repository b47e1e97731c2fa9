"""Train a fused UMEML package from patch-feature bags (slides) + optional genomic columns.

  /usr/bin/python3 models/training/train_bags.py --labels LABELS.csv --out models/<package-id> --id <package-id>
      --validated pathology,genomics [--epochs 30] [--dim 256] [--val-frac 0.2] [--seed 0] [--gamma-mod 0.1]

Input formats (docs/model-package.md, "Patch-feature bags"): LABELS.csv has patient_id,bags,grade,class,time_days,
event and optionally genomic columns named by the reference schema's ids or aliases (all_dataset.csv names, `Age at
diagnosis`). Missing genomic columns are imputed and flagged; a patient without any genomic value is trained as
slide-only, one without bags as genomics-only; modality dropout covers the rest.

A stratified `--val-frac` of the patients is held out: it fits the temperatures and gives the held-out metrics in
the manifest. `--validated` declares which modalities the team has validated (the app presents only those as
evidence); the evaluation behind that declaration belongs in the model card.
"""
from __future__ import annotations

import os
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from umeml.calibration import fit_temperature  # noqa: E402
from umeml.data import (CLASS_DISPLAY, CLASS_LABELS, GRADE_LABELS, Normaliser, feature_specs, genomics_from_columns,  # noqa: E402
                        group_names, group_sizes, load_bag_dataset, survival_bin_edges, survival_bins)
from umeml.export import export_onnx, parity_fixture, synthetic_cases, write_json  # noqa: E402
from umeml.metrics import c_index, classification_metrics  # noqa: E402
from umeml.model import UMEMLConfig  # noqa: E402
from umeml.package import TILE_ENCODER, clean_json, write_manifest  # noqa: E402
from umeml.protocol import stratified_split  # noqa: E402
from umeml.train import BagSample, TrainConfig, train_bags  # noqa: E402

PANEL_COLUMNS = (["codeletion", "idh mutation"] +
                 "EGFR MDM4 MYC BRAF EZH2 MET SMO KIAA1549 CREB3L2 NTRK1 PRCC BLM NTRK3 CRTC3 CDKN2A CDKN2B FGFR2 TSHR "
                 "TCL1A TRIP11 GOLGA5 GPHN DICER1 TCL6 EBF1 ITK RPL22 CDKN2C LCP1 RB1 IRF4 FGFR1OP MLLT4 MYB ROS1 "
                 "TNFAIP3 GOPC CARD11 JAK2 STK11 PTEN".split() +
                 "1q 2p 2q 3p 3q 4p 4q 5p 5q 6p 6q 7p 7q 8p 8q 9p 9q 10p 10q 11p 11q 12p 12q 13q 14q 15q 16p 16q 17p "
                 "17q 18p 18q 19p 20p 20q 21q 22q".split())


@torch.no_grad()
def _predict(model, samples):
    out = []
    for s in samples:
        n = s.features.shape[0]
        o = model(torch.tensor(s.features)[None], torch.ones(1, n), torch.tensor(s.z)[None], torch.tensor(s.mask)[None],
                  torch.tensor([[1.0 if n else 0.0, 1.0 if s.has_genomics else 0.0]]))
        out.append({k: o[k][0].numpy() for k in ("grade_logits", "class_logits", "risk")})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", required=True, help="package id, [a-z0-9-]+")
    ap.add_argument("--name", default=None)
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--patch-dim", type=int, default=1280)
    ap.add_argument("--val-frac", type=float, default=0.2)
    ap.add_argument("--gamma-mod", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--validated", required=True,
                    help="comma-separated modalities the team has validated (pathology,genomics,clinical); it is "
                         "written to validatedModalities and the app only presents those modalities as evidence")
    args = ap.parse_args()
    validated = [v.strip() for v in args.validated.split(",") if v.strip()]
    if not validated or any(v not in ("pathology", "genomics", "clinical") for v in validated) or len(set(validated)) != len(validated):
        raise SystemExit("--validated: one or more distinct of pathology, genomics, clinical")
    if not re.fullmatch(r"[a-z0-9-]+", args.id):
        raise SystemExit("--id must match [a-z0-9-]+")
    torch.set_num_threads(1)

    records = load_bag_dataset(Path(args.labels), expected_dim=args.patch_dim)
    if len(records) < 4:
        raise SystemExit(f"{args.labels}: need at least 4 patients, found {len(records)}")
    specs = feature_specs(PANEL_COLUMNS, with_age=True)
    x = np.stack([genomics_from_columns(r.genomics, specs) for r in records])
    rows = np.arange(len(records))
    strata = np.array([max(r.grade, 0) * 2 + max(r.event, 0) for r in records])
    train_rows, val_rows = stratified_split(rows, strata, args.val_frac, args.seed)
    norm = Normaliser.fit(x[train_rows]) if np.isfinite(x[train_rows]).any() else Normaliser(np.zeros(len(specs)), np.ones(len(specs)))
    norm.mean = np.nan_to_num(norm.mean)
    z, mask = norm.transform(x)
    t = np.array([r.time_days for r in records])
    e = np.array([r.event for r in records])
    ev_train = train_rows[e[train_rows] == 1]
    edges = survival_bin_edges(t[ev_train], np.ones(len(ev_train), int)) if len(ev_train) >= 4 else np.array([0, 365, 730, 1825, np.inf])
    bins = survival_bins(np.nan_to_num(t), edges)
    samples = [BagSample(r.features, z[i], mask[i], bool(mask[i].any()), r.grade, r.klass, int(bins[i]), r.event,
                         float(np.nan_to_num(r.time_days))) for i, r in enumerate(records)]

    mcfg = UMEMLConfig(patch_dim=args.patch_dim, dim=args.dim, group_sizes=group_sizes(specs), group_names=group_names(specs))
    cfg = TrainConfig(epochs=args.epochs, seed=args.seed, gamma_mod=args.gamma_mod)
    model = train_bags([samples[i] for i in train_rows], mcfg, cfg, log=print)

    val = [samples[i] for i in val_rows]
    pv = _predict(model, val)
    gsel = [i for i, s in enumerate(val) if s.grade >= 0]
    csel = [i for i, s in enumerate(val) if s.klass >= 0]
    ssel = [i for i, s in enumerate(val) if s.event >= 0]
    gT = fit_temperature(np.stack([pv[i]["grade_logits"] for i in gsel]), np.array([val[i].grade for i in gsel])) if gsel else 1.0
    cT = fit_temperature(np.stack([pv[i]["class_logits"] for i in csel]), np.array([val[i].klass for i in csel])) if csel else 1.0
    model.grade_temperature.fill_(gT)
    model.class_temperature.fill_(cT)
    metrics = {"protocol": f"single stratified hold-out of {len(val_rows)} of {len(records)} patients (seed {args.seed}); "
                           "not a validation"}
    if len(ssel) >= 2:
        # one hold-out split: the "Mean" keys are that split's value (the schema's key names)
        metrics["survival"] = {"cIndexMean": c_index(np.array([val[i].time for i in ssel]), np.array([val[i].event for i in ssel]),
                                                     np.array([float(pv[i]["risk"]) for i in ssel])), "n": len(ssel)}
    if len({val[i].grade for i in gsel}) > 1:
        lg = np.stack([pv[i]["grade_logits"] for i in gsel]) / gT
        pg = np.exp(lg - lg.max(1, keepdims=True))
        gm = classification_metrics(np.array([val[i].grade for i in gsel]), pg / pg.sum(1, keepdims=True))
        metrics["grade"] = {"accuracyMean": gm["accuracy"], "balancedAccuracyMean": gm["balanced_accuracy"],
                            "aucMicroMean": gm["auc_micro"], "aucMacroMean": gm["auc_macro"], "n": gm["n"]}
    ptr = _predict(model, [samples[i] for i in train_rows])
    cutoffs = np.quantile([float(p["risk"]) for p in ptr], [1 / 3, 2 / 3]).tolist()

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    export_onnx(model, out / "umeml.onnx")
    rng = np.random.RandomState(args.seed)
    cases = synthetic_cases(mcfg, {"profile A": rng.randn(mcfg.genomic_dim).astype(np.float32),
                                   "profile B": rng.randn(mcfg.genomic_dim).astype(np.float32)})
    write_json(out / "parity_fixture.json", parity_fixture(model, cases))
    name = args.name or f"UMEML ({args.id})"
    (out / "MODEL_CARD.md").write_text(
        f"# Model card — {name}\n\n**For Research Use Only. Not for use in diagnostic procedures.**\n\n"
        f"Trained by models/training/train_bags.py on {len(train_rows)} patients from `{Path(args.labels).name}`; "
        f"{len(val_rows)} held out for temperature scaling and the metrics in manifest.json (a single hold-out, not "
        f"a validation). Validated modalities as declared by the trainer: {', '.join(validated)}. Document the "
        "evaluation that supports this declaration here before using the package as evidence.\n")
    manifest = {
        "schemaVersion": 1, "id": args.id, "name": name, "version": args.version,
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "architecture": "UMEML", "files": [],
        "onnx": {"opset": 17,
                 "inputs": {"patchFeatures": "patch_features", "patchMask": "patch_mask", "genomics": "genomics",
                            "genomicsMask": "genomics_mask", "modalityPresent": "modality_present"},
                 "outputs": {"gradeProbs": "grade_probs", "classProbs": "class_probs", "hazards": "hazards",
                             "survival": "survival", "risk": "risk", "patchAssignment": "patch_assignment",
                             "patchAttention": "patch_attention", "modalityContributions": "modality_contributions"},
                 "patchFeatureDim": mcfg.patch_dim, "genomicDim": mcfg.genomic_dim, "prototypes": mcfg.prototypes},
        "tileEncoder": TILE_ENCODER,
        "genomicSchema": {"features": [s.to_manifest(float(m), float(m), float(sd)) for s, m, sd in zip(specs, norm.mean, norm.std)],
                          "idColumnAliases": ["TCGA ID", "patient_id", "case_id", "id"]},
        "labels": {"grade": GRADE_LABELS, "class": CLASS_LABELS, "classDisplay": CLASS_DISPLAY},
        "survival": {"binEdgesDays": [float(v) for v in edges],
                     "riskGroups": {"cutoffs": cutoffs, "names": ["low", "intermediate", "high"],
                                    "source": "tertiles of training-cohort risk"}},
        "calibration": {"method": "temperature", "gradeTemperature": gT, "classTemperature": cT,
                        "fitOn": "held-out patients of the training set", "appliedInModel": True},
        "validatedModalities": validated,
        "metrics": metrics,
        "trainingData": {"source": Path(args.labels).name, "patients": len(records), "licence": "set by the data owner",
                         "provenance": "models/training/train_bags.py"},
        "intendedUse": "For Research Use Only. Not for use in diagnostic procedures.",
    }
    write_manifest(out, clean_json(manifest))
    print(f"package written to {out}")


if __name__ == "__main__":
    main()
