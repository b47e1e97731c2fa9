"""The reference recipe's fixed choices, in one place (tune.py chose the TrainConfig on split 1's training data)."""
from __future__ import annotations

import os

from .model import UMEMLConfig
from .train import TrainConfig

PACKAGE_ID = "umeml-gbmlgg-genomic-ref"
PACKAGE_VERSION = "1.0.0"
BASE_SEED = 20261128

# The paper's width is 256. The reference package uses 128: it is trained on ~560 patients of tabular data on
# 2 CPU cores, and 128 keeps `npm run train:reference` within its time budget and umeml.onnx at ~3 MB (256 would
# be ~10 MB). Teams training with slides can use 256 (UMEMLConfig's default) via train_bags.py --dim.
REFERENCE_DIM = 128


def reference_model_config(group_sizes, group_names) -> UMEMLConfig:
    return UMEMLConfig(dim=REFERENCE_DIM, group_sizes=list(group_sizes), group_names=list(group_names))


def reference_train_config(seed: int) -> TrainConfig:
    return TrainConfig(seed=seed, **SELECTED)


# Selected by tune.py (inner 5-fold CV on the training patients of split 1 only; see tuning_results.json).
SELECTED = dict(epochs=30, lr=2e-4, w_cox=1.0, ema=0.99, batch_size=32, weight_decay=1e-4)


def limit_threads() -> None:
    """One BLAS/OpenMP thread per process: determinism, and two worker processes use the two cores."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import torch
    torch.set_num_threads(1)
