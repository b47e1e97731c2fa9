"""Optional, longer hyper-parameter search — nested: inside ONE split's training patients, for THAT split only.

v1 of this script tuned on split 1's training patients and used the result for all 15 splits; the pnas splits are
overlapping resamples, so that search saw ~79 % of every other split's test patients (the record is kept in
tuning_results_v1_leaked.json). This version refuses any search whose patients are test patients of a split the
result is applied to (umeml/protocol.check_selection_rows):

  /usr/bin/python3 models/training/tune.py --split K [--apply-to K] [--data ../shared/data] [--workers 2]

searches on split K's training patients (inner 3-fold CV, the same candidates and score as the reference recipe's
nested selection, plus the grid below) and writes results/tune_split<K>.json, valid for split K only.
`--apply-to all` (one search for every split, as v1 did) stops with exit 2 and the reason. `npm run
train:reference` does not need this script: its nested selection (umeml/recipe.py) runs inside every split.
"""
from __future__ import annotations

import os
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import itertools
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from umeml.baselines import inner_folds, softmax_np  # noqa: E402
from umeml.clinical import clinical_index  # noqa: E402
from umeml.clinical_init import apply_clinical_init, fit_clinical_init  # noqa: E402
from umeml.data import default_data_root, group_names, group_sizes, load_tcga  # noqa: E402
from umeml.metrics import c_index, classification_metrics  # noqa: E402
from umeml.protocol import N_SPLITS, TuningLeakError, check_selection_rows, prepare, strata_for  # noqa: E402
from umeml import recipe  # noqa: E402
from umeml.train import TrainConfig, predict_tabular, train_tabular  # noqa: E402

# training settings tried around the fixed recipe (each scored at every epoch candidate, raw and EMA weights)
GRID = [dict(), dict(lr=5e-4), dict(w_cox=0.0), dict(weight_decay=0.05)]
_COHORT = None


def tuning_rows(cohort, split: int, apply_to) -> np.ndarray:
    """Training patients (survival population) of `split` (0-based), checked against the splits the result will be
    used for (`apply_to`: list of 0-based splits). Raises TuningLeakError when the search would see their tests."""
    rows = np.nonzero(cohort.train_splits[:, split] & cohort.markers_known)[0]
    check_selection_rows(cohort, rows, apply_to)
    return rows


def _job(args):
    data_root, split, gi, fi = args
    recipe.limit_threads()
    global _COHORT
    if _COHORT is None:
        _COHORT = load_tcga(Path(data_root))
    c = _COHORT
    rows = tuning_rows(c, split, [split])
    folds = inner_folds(len(rows), recipe.INNER_FOLDS, recipe.BASE_SEED + split + 1, strata_for(c, rows))
    tr, va = rows[folds[fi][0]], rows[folds[fi][1]]
    train_mask = np.zeros(c.n, bool)
    train_mask[tr] = True
    fd = prepare(c, train_mask)
    mc = recipe.reference_model_config(group_sizes(c.specs), group_names(c.specs), clinical_index([s.id for s in c.specs]))
    params = fit_clinical_init(mc.clinical_index, fd.data.subset(fd.train_rows), fd.normaliser.mean, fd.normaliser.std,
                               mc.n_bins, mc.n_grade, mc.n_class, recipe.BASE_SEED + fi)
    cfg = TrainConfig(**dict(recipe.FIXED, epochs=max(recipe.EPOCH_CANDIDATES), seed=recipe.BASE_SEED + fi, **GRID[gi]))
    res = {}

    def score(model):
        p = predict_tabular(model, fd.data.z[va], fd.data.mask[va])
        g = c.grade[va] >= 0
        return {"c_index": c_index(c.time_days[va], c.event[va], p["risk"]),
                "grade_auc_micro": classification_metrics(c.grade[va][g], softmax_np(p["grade_logits"][g]))["auc_micro"]}

    def on_epoch(ep, raw, ema_model):
        if ep in recipe.EPOCH_CANDIDATES:
            res[(ep, "raw")] = score(raw)
            if ep > 0:
                res[(ep, "ema")] = score(ema_model())

    train_tabular(fd.data.subset(fd.train_rows), mc, cfg, on_epoch=on_epoch,
                  init=lambda m: apply_clinical_init(m, params, fd.normaliser.mean, fd.normaliser.std))
    return gi, fi, res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--split", type=int, required=True, help="1-based pnas split whose training patients are searched")
    ap.add_argument("--apply-to", default=None, help="'all' or a 1-based split (default: --split)")
    args = ap.parse_args(argv)
    if not 1 <= args.split <= N_SPLITS:
        print(f"tune.py: --split must be 1..{N_SPLITS}", file=sys.stderr)
        return 2
    split = args.split - 1
    apply_to = list(range(N_SPLITS)) if args.apply_to == "all" else [int(args.apply_to or args.split) - 1]
    c = load_tcga(Path(args.data))
    try:
        tuning_rows(c, split, apply_to)
    except TuningLeakError as e:
        print(f"tune.py: {e}", file=sys.stderr)
        return 2
    t0 = time.time()
    jobs = [(args.data, split, gi, fi) for gi in range(len(GRID)) for fi in range(recipe.INNER_FOLDS)]
    with mp.get_context("fork").Pool(args.workers) as pool:
        results = []
        for r in pool.imap_unordered(_job, jobs):
            results.append(r)
            print(f"[{time.time() - t0:6.0f}s] config {r[0]} inner fold {r[1]} done", flush=True)
    table = []
    for gi in range(len(GRID)):
        runs = [r[2] for r in results if r[0] == gi]
        for cand in runs[0]:
            row = dict(GRID[gi], epochs=cand[0], weights=cand[1])
            for k in ("c_index", "grade_auc_micro"):
                row[k] = float(np.mean([run[cand][k] for run in runs]))
            row["score"] = row["c_index"] + row["grade_auc_micro"]
            table.append(row)
    best = max(table, key=lambda r: r["score"])
    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    out = {"protocol": f"nested: inner {recipe.INNER_FOLDS}-fold CV on the training patients of pnas split {args.split} "
                       f"(IDH and 1p/19q known); valid for split {args.split} only; score = {recipe.SELECTION_SCORE}",
           "fixed": recipe.FIXED, "grid": table, "best": best, "seconds": round(time.time() - t0)}
    (out_dir / f"tune_split{args.split}.json").write_text(json.dumps(out, indent=2) + "\n")
    print("best", best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
