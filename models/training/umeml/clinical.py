"""The linear clinical path: WHO CNS5 (2021) marker features computed inside the graph from the genomic input.

Why: on ~560 training patients a deep network can wash out what a neuropathologist reads first (IDH, 1p/19q,
age, CDKN2A/B homozygous deletion, EGFR amplification, +7/-10). These features reach the survival, grade and class
logits through one linear layer each, added to the deep UMEML logits (a "wide & deep" sum), so their effect is
never routed through attention or fusion. The path is initialised from ridge fits on the same training patients
(Cox for survival, softmax regression for grade and class) and then trained jointly with the deep path.

Everything is computed from the ONNX inputs the app already sends (normalised `genomics` + `genomics_mask`): the
raw value is recovered with the package's own normalisation statistics, stored as buffers, so the exported graph
keeps the input/output contract of docs/model-package.md.

Call thresholds (documented in docs/model.md; the app's WHO CNS5 rule engine uses the same conventions):
  * gene-level GISTIC calls: homozygous deletion = -2, amplification = +2 (tested as <= -1.5 / >= +1.5, so a
    value that went through float normalisation still lands on the right side);
  * arm-level values of all_dataset.csv (continuous, 0 = no change; gains cluster at 0.6-0.9, losses at -0.7..-0.9):
    gain >= +0.2, loss <= -0.2 (the app's rule engine, src/main/who-cns5/thresholds.ts, uses the same cut-offs);
    +7/-10 = gain of 7p and 7q together with loss of 10p and 10q (whole chromosomes, cIMPACT-NOW update 3).
A feature whose inputs are not observed (mask 0) is 0 ("not shown"), never guessed from the imputed mean.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn as nn

GISTIC_HOMDEL = -1.5
GISTIC_AMP = 1.5
ARM_GAIN = 0.2
ARM_LOSS = -0.2

# genomic feature ids the path reads (docs/model-package.md feature ids)
SOURCE_IDS = ["idh_mutation", "codeletion_1p19q", "age_at_diagnosis", "cnv_cdkn2a", "cnv_cdkn2b", "cnv_egfr",
              "arm_7p", "arm_7q", "arm_10p", "arm_10q"]

# the features, in the order of the linear layers' input columns
FEATURES = [
    "IDH mutation (standardised)",
    "1p/19q codeletion (standardised)",
    "age at diagnosis (standardised)",
    "CDKN2A/B homozygous deletion",
    "EGFR amplification",
    "+7/-10 (gain of chromosome 7, loss of chromosome 10)",
    "IDH-mutant, not codeleted, with CDKN2A/B homozygous deletion (astrocytoma, CNS WHO grade 4 criterion)",
    "IDH-wildtype with EGFR amplification or +7/-10 (molecular glioblastoma criterion)",
]
N_FEATURES = len(FEATURES)


def clinical_index(feature_ids: Sequence[str], allow_missing: bool = False) -> Dict[str, int]:
    """Position of each source feature in the genomic vector. A source the schema lacks: {} (no path), or with
    allow_missing (e.g. PORPOISE's table has no 1p/19q or arm-level values) -1 = never observed, so every call that
    needs it is 0."""
    ids = list(feature_ids)
    if not allow_missing and not all(s in ids for s in SOURCE_IDS):
        return {}
    return {s: (ids.index(s) if s in ids else -1) for s in SOURCE_IDS}


class ClinicalFeatures(nn.Module):
    """genomics z [B,G], mask [B,G] -> WHO CNS5 marker features [B, N_FEATURES] (ONNX: Gather, Mul/Add, compares)."""

    def __init__(self, index: Dict[str, int]):
        super().__init__()
        self.index = [int(index[s]) for s in SOURCE_IDS]
        self.has_missing = any(i < 0 for i in self.index)
        # normalisation statistics of the source columns; set_normaliser() fills them from the fold's Normaliser
        self.register_buffer("mean", torch.zeros(len(SOURCE_IDS)))
        self.register_buffer("std", torch.ones(len(SOURCE_IDS)))

    def set_normaliser(self, mean: np.ndarray, std: np.ndarray) -> None:
        with torch.no_grad():
            idx = [max(i, 0) for i in self.index]            # a missing source's statistics are never used
            self.mean.copy_(torch.tensor(np.asarray(mean)[idx], dtype=torch.float32))
            self.std.copy_(torch.tensor(np.asarray(std)[idx], dtype=torch.float32))

    def forward(self, genomics: torch.Tensor, gmask: torch.Tensor) -> torch.Tensor:
        if self.has_missing:
            # sources absent from the schema read an appended zero column with mask 0 ("not observed")
            zero = torch.zeros_like(genomics[:, :1])
            genomics, gmask = torch.cat([genomics, zero], dim=1), torch.cat([gmask, zero], dim=1)
            index = [i if i >= 0 else genomics.shape[1] - 1 for i in self.index]
        else:
            index = self.index
        z = genomics[:, index]
        m = gmask[:, index]
        raw = z * self.std + self.mean
        idh, codel, age, cdkn2a, cdkn2b, egfr, a7p, a7q, a10p, a10q = [raw[:, i] for i in range(len(SOURCE_IDS))]
        mi = [m[:, i] for i in range(len(SOURCE_IDS))]
        f = lambda cond: cond.to(z.dtype)   # noqa: E731 - bool -> float
        homdel = torch.maximum(f(cdkn2a <= GISTIC_HOMDEL) * mi[3], f(cdkn2b <= GISTIC_HOMDEL) * mi[4])
        amp = f(egfr >= GISTIC_AMP) * mi[5]
        plus7minus10 = (f(a7p >= ARM_GAIN) * f(a7q >= ARM_GAIN) * f(a10p <= ARM_LOSS) * f(a10q <= ARM_LOSS)
                        * mi[6] * mi[7] * mi[8] * mi[9])
        idh_mut = f(idh > 0.5) * mi[0]
        idh_wt = f(idh < 0.5) * mi[0]
        non_codel = f(codel < 0.5) * mi[1]
        cols = [z[:, 0] * mi[0], z[:, 1] * mi[1], z[:, 2] * mi[2], homdel, amp, plus7minus10,
                idh_mut * non_codel * homdel, idh_wt * torch.maximum(amp, plus7minus10)]
        return torch.stack(cols, dim=1)


class ClinicalPath(nn.Module):
    """Linear heads on the marker features: one survival log-hazard shift (added to every hazard bin's logit, a
    proportional-odds term), grade and class logits. No biases: the deep heads carry the intercepts."""

    def __init__(self, index: Dict[str, int], n_grade: int, n_class: int):
        super().__init__()
        self.features = ClinicalFeatures(index)
        self.surv = nn.Linear(N_FEATURES, 1, bias=False)
        self.grade = nn.Linear(N_FEATURES, n_grade, bias=False)
        self.klass = nn.Linear(N_FEATURES, n_class, bias=False)
        for lin in (self.surv, self.grade, self.klass):
            nn.init.zeros_(lin.weight)

    def forward(self, genomics: torch.Tensor, gmask: torch.Tensor, present: torch.Tensor):
        """present [B,1]: genomics modality flag; with genomics absent the path contributes nothing."""
        x = self.features(genomics, gmask) * present
        return self.surv(x), self.grade(x), self.klass(x)


def feature_matrix(index: Dict[str, int], z: np.ndarray, mask: np.ndarray, mean: np.ndarray,
                   std: np.ndarray) -> np.ndarray:
    """The same features as the graph computes, for the ridge initialisation (one implementation, not two)."""
    mod = ClinicalFeatures(index)
    mod.set_normaliser(mean, std)
    with torch.no_grad():
        return mod(torch.tensor(z, dtype=torch.float32), torch.tensor(mask, dtype=torch.float32)).numpy().astype(np.float64)


def feature_names() -> List[str]:
    return list(FEATURES)
