"""The reference recipe (v2, fixed 2026-12-03 before any test fold of v2 was scored) and its nested selection.

What is FIXED a priori (docs/model.md, "Protocol v2"): the architecture (UMEML width 128 + the linear clinical
path on the WHO CNS5 marker features), the optimiser and its settings, the loss weights, the candidate grids below
and the selection score. What is CHOSEN FROM LABELS is chosen inside each split's training patients only
(inner 3-fold CV; `protocol.check_selection_rows` refuses anything else): the number of epochs (0 = the ridge-
initialised linear clinical path alone, i.e. no deep contribution), raw vs weight-averaged (EMA) weights, the
ridge L2 strengths of the initialisation, the grade/class temperatures and the risk-group cut-offs.
"""
from __future__ import annotations

import os

from .model import UMEMLConfig
from .train import TrainConfig

PACKAGE_ID = "umeml-gbmlgg-genomic-ref"
PACKAGE_VERSION = "2.0.0"
BASE_SEED = 20261128
RECIPE_DATE = "2026-12-03"

# The paper's width is 256. The reference package uses 128: it is trained on ~560 patients of tabular data on
# 2 CPU cores, and 128 keeps `npm run train:reference` within its time budget and umeml.onnx at ~3 MB (256 would
# be ~10 MB). Teams training with slides can use 256 (UMEMLConfig's default) via train_bags.py --dim.
REFERENCE_DIM = 128

# Fixed a priori (see docs/model.md for where each value comes from and which were touched by the v1 search).
FIXED = dict(lr=2e-4, batch_size=32, weight_decay=1e-4, w_surv=1.0, w_grade=1.0, w_class=0.5, w_cox=1.0, ema=0.99)

# Nested selection inside each split's training patients.
INNER_FOLDS = 3
EPOCH_CANDIDATES = [0, 5, 10, 15, 20]     # 0 = the ridge-initialised clinical path alone
WEIGHT_CANDIDATES = ["raw", "ema"]            # last weights or the exponential moving average (decay FIXED["ema"])
SELECTION_SCORE = "mean over inner folds of (c-index + grade AUC micro), ties -> fewer epochs, then raw"

# kept for the manifest's provenance line and older callers
SELECTED = dict(FIXED, epochs=max(EPOCH_CANDIDATES))


def reference_model_config(group_sizes, group_names, clinical_index=None) -> UMEMLConfig:
    return UMEMLConfig(dim=REFERENCE_DIM, group_sizes=list(group_sizes), group_names=list(group_names),
                       clinical_index=dict(clinical_index or {}))


def reference_train_config(seed: int, epochs: int | None = None, use_ema: bool = True) -> TrainConfig:
    return TrainConfig(seed=seed, epochs=max(EPOCH_CANDIDATES) if epochs is None else int(epochs), use_ema=use_ema,
                       **FIXED)


def limit_threads() -> None:
    """One BLAS/OpenMP thread per process: determinism, and two worker processes use the two cores."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import torch
    torch.set_num_threads(1)
