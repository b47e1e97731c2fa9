"""UMEML v2 (deep path + linear clinical path, protocol v2) on PORPOISE's 5 folds of TCGA-GBMLGG (issue 11.3).

  /usr/bin/python3 models/training/train_porpoise.py [--data ../shared/data] [--workers 2]

Data: porpoise_tcga_gbmlgg_slides_clinical_cnv_mut.csv (one row per slide; one patient = its first row; 569
patients): 30 gene-level CNV calls, 16 mutation flags, age; survival_months (real months), censorship 1 = censored.
Folds: porpoise_5fold_splits/splits_{0..4}.csv (MCAT/PORPOISE train/val case ids). RNA-seq is not used.

The recipe is the reference package's, unchanged (umeml/recipe.py, fixed 2026-12-03) and run by the same code
(train_reference.run_all): per fold, nested selection by inner 3-fold CV on that fold's training patients only
(survival c-index; this table has no grade), then one model on all of them, scored once on the fold's validation
patients. The clinical path reads IDH1 mutation, age, CDKN2A/B and EGFR; 1p/19q and the arm-level values are not
in this table, so the calls that need them are 0 (never guessed). Paired reference on the same folds: ridge Cox on
all 47 inputs (CNV + mutations + age; L2 by inner 5-fold CV on the training patients). Writes
models/training/results/porpoise_v2.json; nothing is packaged.
"""
from __future__ import annotations

import os
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_reference as tr  # noqa: E402
from umeml.baselines import ridge_cox_cv  # noqa: E402
from umeml.data import Cohort, FeatureSpec, default_data_root  # noqa: E402
from umeml.export import write_json  # noqa: E402
from umeml.metrics import c_index, mean_sd  # noqa: E402
from umeml.package import clean_json  # noqa: E402
from umeml.protocol import prepare  # noqa: E402
from umeml import recipe  # noqa: E402

N_FOLDS = 5
MONTH_DAYS = 30.4375
TABLE = "porpoise_tcga_gbmlgg_slides_clinical_cnv_mut.csv"


def _spec(col: str) -> FeatureSpec:
    gene = col.rsplit("_", 1)[0]
    if col == "IDH1_mut":
        return FeatureSpec("idh_mutation", "IDH1 mutation", "mutation", "binary", 0, 1, None, [col])
    if col.endswith("_mut"):
        return FeatureSpec(f"mut_{gene.lower()}", f"{gene} mutation", "mutation", "binary", 0, 1, None, [col])
    return FeatureSpec(f"cnv_{gene.lower()}", f"{gene} copy number (GISTIC)", "gene_cnv", "integer", -2, 2,
                       "GISTIC", [col])


def load_porpoise(root: Path) -> Cohort:
    tcga = root / "tcga" if (root / "tcga").is_dir() else root
    with open(tcga / TABLE, newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    cols = [h for h in header if h.endswith("_cnv")] + [h for h in header if h.endswith("_mut")]
    if len(cols) != 46:
        raise ValueError(f"{TABLE}: expected 30 CNV + 16 mutation columns, found {len(cols)}")
    first = {}
    for r in rows:
        first.setdefault(r["case_id"].strip(), r)
    ids = sorted(first)
    specs = [_spec(cname) for cname in cols] + [
        FeatureSpec("age_at_diagnosis", "Age at diagnosis", "clinical", "number", 0, 120, "years", ["age"])]
    num = lambda v: float(v) if v.strip() not in ("", "NA", "nan") else np.nan   # noqa: E731
    x = np.array([[num(first[i][cname]) for cname in cols] + [num(first[i]["age"])] for i in ids])
    time_days = np.array([num(first[i]["survival_months"]) * MONTH_DAYS for i in ids])
    event = np.array([1 - int(num(first[i]["censorship"])) for i in ids])
    train = np.zeros((len(ids), N_FOLDS), bool)
    pos = {pid: n for n, pid in enumerate(ids)}
    for k in range(N_FOLDS):
        with open(tcga / "porpoise_5fold_splits" / f"splits_{k}.csv", newline="") as f:
            sp = list(csv.DictReader(f))
        tr_ids = {r["train"].strip() for r in sp if r["train"].strip()}
        va_ids = {r["val"].strip() for r in sp if r["val"].strip()}
        if tr_ids & va_ids or (tr_ids | va_ids) != set(ids):
            raise ValueError(f"splits_{k}.csv: train/val must partition the {len(ids)} patients")
        for pid in tr_ids:
            train[pos[pid], k] = True
    n = len(ids)
    return Cohort(ids, x, specs, time_days, event, np.full(n, -1), np.full(n, -1), [""] * n,
                  [first[i]["oncotree_code"] for i in ids], np.ones(n, bool), train)


def ridge_cox_all(c: Cohort, k: int) -> float:
    """Paired reference: ridge Cox on all 47 inputs, fitted on fold k's training patients."""
    trm = c.train_splits[:, k]
    fd = prepare(c, trm)
    z = fd.data.z
    beta, _ = ridge_cox_cv(z[trm], c.time_days[trm], c.event[trm], seed=recipe.BASE_SEED + k)
    return c_index(c.time_days[~trm], c.event[~trm], z[~trm] @ beta)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    c = load_porpoise(Path(args.data))
    tr._COHORT = c
    tr.log(f"PORPOISE: {c.n} patients, {int(c.event.sum())} deaths, {c.x.shape[1]} inputs, {N_FOLDS} folds")
    results, selections = tr.run_all(c, N_FOLDS, args.workers, baselines=False)
    per = []
    for k in range(N_FOLDS):
        va = ~c.train_splits[:, k]
        r = results[("main", k)]
        per.append({"fold": k, "nVal": int(va.sum()),
                    "umeml": c_index(c.time_days[va], c.event[va], r["risk"][va]),
                    "clinicalPathAlone": c_index(c.time_days[va], c.event[va], r["linear"]["risk"][va]),
                    "ridgeCoxAll": ridge_cox_all(c, k),
                    "selected": {kk: selections[k]["selected"][kk] for kk in ("epochs", "weights", "innerScore")},
                    "survSubset": r["ridge"]["survSubset"]})
    u = np.array([p["umeml"] for p in per])
    ref = np.array([p["ridgeCoxAll"] for p in per])
    out = {"protocol": "PORPOISE 5 folds (porpoise_5fold_splits), 569 patients, 30 CNV + 16 mutations + age; "
                       "recipe v2 unchanged (fixed " + recipe.RECIPE_DATE + "), nested selection on each fold's "
                       "training patients by inner 3-fold CV c-index",
           "summary": {"umeml": mean_sd(u), "clinicalPathAlone": mean_sd([p["clinicalPathAlone"] for p in per]),
                       "ridgeCoxAll": mean_sd(ref), "umemlAheadOfRidgeCox": int((u > ref).sum()), "folds": N_FOLDS,
                       "goal": 0.85, "published": {"MCAT": 0.817, "ridgeCoxQuotedInIssue": 0.845}},
           "perFold": per, "seconds": round(time.time() - t0)}
    path = Path(__file__).resolve().parent / "results" / "porpoise_v2.json"
    path.parent.mkdir(exist_ok=True)
    write_json(path, clean_json(out))
    tr.log("PORPOISE: " + str(out["summary"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
