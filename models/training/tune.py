"""Choose the reference recipe's training hyperparameters without looking at any test fold.

Inner 5-fold cross-validation on the TRAINING patients of pnas split 1 only (stratified by event x grade);
each inner model is scored at several epoch counts from one run. Score = inner c-index + inner grade AUC micro.
Writes tuning_results.json beside this file; umeml/recipe.py's SELECTED is copied from its "best".

  /usr/bin/python3 models/training/tune.py [--data ../shared/data] [--workers 2]
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

from umeml.data import load_tcga, group_sizes, group_names, default_data_root  # noqa: E402
from umeml.metrics import c_index, classification_metrics  # noqa: E402
from umeml.protocol import prepare, stratified_split, strata_for  # noqa: E402
from umeml.recipe import reference_model_config, limit_threads, BASE_SEED  # noqa: E402
from umeml.train import TrainConfig, train_tabular, predict_tabular  # noqa: E402
from umeml.baselines import inner_folds  # noqa: E402

# round 1: learning rate x auxiliary Cox loss, scored at 20/40/60/80 epochs
# round 2: around round 1's best (lr 2e-4, w_cox 1): weight EMA, grade-loss weight, weight decay, at 10..40 epochs
ROUNDS = {
    "round1": ([dict(lr=lr, w_cox=wc) for lr, wc in itertools.product([2e-4, 5e-4], [0.0, 1.0])], [20, 40, 60, 80]),
    "round2": ([dict(lr=2e-4, w_cox=1.0, ema=0.99), dict(lr=2e-4, w_cox=1.0, w_grade=2.0),
                dict(lr=2e-4, w_cox=1.0, weight_decay=0.05), dict(lr=2e-4, w_cox=1.0, ema=0.99, w_grade=2.0)],
               [10, 20, 30, 40]),
}
GRID, CHECKPOINTS = ROUNDS["round1"]
_COHORT = None


def _job(args):
    data_root, gi, fi = args
    limit_threads()
    global _COHORT
    if _COHORT is None:
        _COHORT = load_tcga(Path(data_root))
    c = _COHORT
    rows = np.nonzero(c.train_splits[:, 0] & c.markers_known)[0]
    folds = inner_folds(len(rows), 5, BASE_SEED, strata_for(c, rows))
    tr, va = rows[folds[fi][0]], rows[folds[fi][1]]
    train_mask = np.zeros(c.n, bool)
    train_mask[tr] = True
    fd = prepare(c, train_mask)
    mc = reference_model_config(group_sizes(c.specs), group_names(c.specs))
    cfg = TrainConfig(epochs=max(CHECKPOINTS), seed=BASE_SEED + fi, **GRID[gi])
    res = {}

    def on_epoch(ep, model):
        if ep not in CHECKPOINTS:
            return
        p = predict_tabular(model, fd.data.z[va], fd.data.mask[va])
        g = c.grade[va] >= 0
        cm = classification_metrics(c.grade[va][g], p["grade_probs"][g])
        res[ep] = {"c_index": c_index(c.time_days[va], c.event[va], p["risk"]),
                   "grade_accuracy": cm["accuracy"], "grade_auc_micro": cm["auc_micro"]}

    train_tabular(fd.data.subset(tr), mc, cfg, on_epoch=on_epoch)
    return gi, fi, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--round", choices=sorted(ROUNDS), default="round1")
    args = ap.parse_args()
    global GRID, CHECKPOINTS
    GRID, CHECKPOINTS = ROUNDS[args.round]
    t0 = time.time()
    jobs = [(args.data, gi, fi) for gi in range(len(GRID)) for fi in range(5)]
    with mp.get_context("fork").Pool(args.workers) as pool:
        results = []
        for r in pool.imap_unordered(_job, jobs):
            results.append(r)
            print(f"[{time.time() - t0:6.0f}s] config {r[0]} inner fold {r[1]} done", flush=True)
    table = []
    for gi, ep in itertools.product(range(len(GRID)), CHECKPOINTS):
        vals = [r[2][ep] for r in results if r[0] == gi]
        row = dict(GRID[gi], epochs=ep)
        for k in ("c_index", "grade_accuracy", "grade_auc_micro"):
            row[k] = float(np.mean([v[k] for v in vals]))
        row["score"] = row["c_index"] + row["grade_auc_micro"]
        table.append(row)
    best = max(table, key=lambda r: r["score"])
    out = {"protocol": "inner 5-fold CV on the training patients of pnas split 1 (IDH and 1p/19q known); "
                       "score = mean inner c-index + mean inner grade AUC micro; no test patient of any split used",
           "fixed": {"dim": reference_model_config([1], ["x"]).dim, "batch_size": 32, "weight_decay": 1e-4,
                     "dropout": 0.25},
           "grid": table, "best": best, "seconds": round(time.time() - t0)}
    path = Path(__file__).resolve().parent / "tuning_results.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    rounds = previous.get("rounds", {})
    rounds[args.round] = out
    overall = max((r["best"] for r in rounds.values()), key=lambda r: r["score"])
    path.write_text(json.dumps({"rounds": rounds, "best": overall}, indent=2) + "\n")
    for r in sorted(table, key=lambda r: -r["score"]):
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})
    print("best", best)


if __name__ == "__main__":
    main()
