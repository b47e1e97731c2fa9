"""Training loops: tabular (genomics + clinical only, the reference package) and patch-feature bags (fused).

Determinism: every run seeds torch and numpy from TrainConfig.seed, uses deterministic algorithms and a fixed
thread count (set by the caller); identical inputs give identical weights on the same machine.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, asdict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .losses import survival_nll, cox_partial_nll, modularity_loss
from .model import UMEML, UMEMLConfig


@dataclass
class TrainConfig:
    epochs: int = 60
    batch_size: int = 32
    lr: float = 2e-4
    weight_decay: float = 1e-4
    w_surv: float = 1.0
    w_grade: float = 1.0
    w_class: float = 0.5
    w_cox: float = 0.0            # optional Cox partial likelihood on risk = -sum S within a batch
    surv_alpha: float = 0.0
    feature_drop: float = 0.05    # per-value "missing" augmentation (value -> imputed, mask -> 0)
    group_drop: float = 0.1       # whole-group "missing" augmentation (e.g. no IDH/1p19q, no age)
    modality_drop: float = 0.25   # bag training: drop one of two present modalities
    gamma_mod: float = 0.1        # weight of the modularity loss (bags only; 0 without patches)
    mod_alpha: float = 1.0
    mod_beta: float = 1.0
    mod_max_patches: int = 1024   # W is N x N: subsample bigger bags for the loss
    max_patches: int = 8192       # bag training: random subset of patches per step
    ema: float = 0.0              # exponential moving average of the weights (0 = off)
    use_ema: bool = True          # with ema > 0: return the averaged weights (True) or the last raw weights
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TabularData:
    z: np.ndarray          # [n,G] normalised, imputed
    mask: np.ndarray       # [n,G] 1 observed
    grade: np.ndarray      # [n] -1 unknown
    klass: np.ndarray      # [n] -1 unknown
    bins: np.ndarray       # [n] survival bin
    event: np.ndarray      # [n] 1 death, 0 censored, -1 unknown survival
    time: np.ndarray       # [n] days (NaN unknown)

    def subset(self, idx: np.ndarray) -> "TabularData":
        return TabularData(*(getattr(self, f)[idx] for f in ("z", "mask", "grade", "klass", "bins", "event", "time")))

    def __len__(self) -> int:
        return len(self.z)


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.use_deterministic_algorithms(True)
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def augment_missing(z: torch.Tensor, mask: torch.Tensor, group_sizes: Sequence[int], cfg: TrainConfig,
                    gen: torch.Generator):
    """Simulate missing inputs: dropped values become the imputed value (0 after normalisation), mask 0."""
    keep = (torch.rand(z.shape, generator=gen) >= cfg.feature_drop).to(z.dtype)
    gkeep = []
    for n in group_sizes:
        g = (torch.rand((z.shape[0], 1), generator=gen) >= cfg.group_drop).to(z.dtype)
        gkeep.append(g.expand(-1, n))
    keep = keep * torch.cat(gkeep, dim=1)
    return z * keep, mask * keep


def task_losses(out: Dict[str, torch.Tensor], grade: torch.Tensor, klass: torch.Tensor, bins: torch.Tensor,
                event: torch.Tensor, time: torch.Tensor, cfg: TrainConfig) -> Dict[str, torch.Tensor]:
    zero = out["risk"].sum() * 0.0
    losses = {}
    sel = event >= 0
    losses["surv"] = survival_nll(out["hazard_logits"][sel], bins[sel], event[sel], cfg.surv_alpha) if sel.any() else zero
    if cfg.w_cox > 0 and sel.any() and (event[sel] == 1).any():
        losses["cox"] = cox_partial_nll(out["risk"][sel], time[sel], event[sel])
    else:
        losses["cox"] = zero
    sel = grade >= 0
    losses["grade"] = F.cross_entropy(out["grade_logits"][sel], grade[sel]) if sel.any() else zero
    sel = klass >= 0
    losses["class"] = F.cross_entropy(out["class_logits"][sel], klass[sel]) if sel.any() else zero
    losses["task"] = (cfg.w_surv * losses["surv"] + cfg.w_cox * losses["cox"] + cfg.w_grade * losses["grade"]
                      + cfg.w_class * losses["class"])
    return losses


class _Ema:
    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module):
        for k, v in model.state_dict().items():
            if v.dtype.is_floating_point:
                self.shadow[k].mul_(self.decay).add_(v.detach(), alpha=1.0 - self.decay)
            else:
                self.shadow[k].copy_(v)


def train_tabular(data: TabularData, model_cfg: UMEMLConfig, cfg: TrainConfig, log=None, on_epoch=None,
                  init=None) -> UMEML:
    """Genomics(+clinical)-only training: pathology is always absent (learned absent tokens, N = 0).

    init(model), if given, runs right after construction (e.g. the clinical path's ridge initialisation).
    on_epoch(epoch, raw_model, ema_model) is called before training (epoch 0: the initialised model) and after each
    epoch, with the raw weights and a zero-argument function returning a copy with the EMA weights (or None
    without EMA), both in eval mode; the nested selection uses it to score several candidates from one run.
    """
    gen = seed_everything(cfg.seed)
    model = UMEML(model_cfg)
    if init is not None:
        init(model)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ema = _Ema(model, cfg.ema) if cfg.ema > 0 else None
    n = len(data)
    t = {k: torch.tensor(getattr(data, k)) for k in ("z", "mask")}
    lab = {k: torch.tensor(getattr(data, k), dtype=torch.long) for k in ("grade", "klass", "bins", "event")}
    time = torch.tensor(np.nan_to_num(data.time), dtype=torch.float32)

    def ema_model():
        if ema is None:
            return None
        scored = copy.deepcopy(model)
        scored.load_state_dict(ema.shadow)
        return scored.eval()

    if on_epoch is not None:
        model.eval()
        on_epoch(0, model, ema_model)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        # drop a trailing batch of size 1 (nothing to learn from a 1-patient Cox risk set, noisy gradients)
        batches = [perm[i:i + cfg.batch_size] for i in range(0, n, cfg.batch_size)]
        if len(batches) > 1 and len(batches[-1]) < 2:
            batches = batches[:-1]
        total = 0.0
        for idx in batches:
            b = len(idx)
            z, m = augment_missing(t["z"][idx], t["mask"][idx], model_cfg.group_sizes, cfg, gen)
            out = model(torch.zeros(b, 0, model_cfg.patch_dim), torch.zeros(b, 0), z, m,
                        torch.tensor([[0.0, 1.0]]).expand(b, -1))
            losses = task_losses(out, lab["grade"][idx], lab["klass"][idx], lab["bins"][idx], lab["event"][idx],
                                 time[idx], cfg)
            opt.zero_grad()
            losses["task"].backward()
            opt.step()
            if ema is not None:
                ema.update(model)
            total += float(losses["task"]) * b
        if log is not None:
            log(f"epoch {epoch + 1}/{cfg.epochs} loss {total / n:.4f}")
        if on_epoch is not None:
            model.eval()
            on_epoch(epoch + 1, model, ema_model)
    if ema is not None and cfg.use_ema:
        model.load_state_dict(ema.shadow)
    model.eval()
    return model


@torch.no_grad()
def predict_tabular(model: UMEML, z: np.ndarray, mask: np.ndarray, chunk: int = 256) -> Dict[str, np.ndarray]:
    model.eval()
    outs: Dict[str, List[np.ndarray]] = {}
    for i in range(0, len(z), chunk):
        zz = torch.tensor(z[i:i + chunk])
        mm = torch.tensor(mask[i:i + chunk])
        b = len(zz)
        o = model(torch.zeros(b, 0, model.cfg.patch_dim), torch.zeros(b, 0), zz, mm, torch.tensor([[0.0, 1.0]]).expand(b, -1))
        for k in ("grade_logits", "class_logits", "grade_probs", "class_probs", "hazards", "survival", "risk"):
            outs.setdefault(k, []).append(o[k].numpy())
    return {k: np.concatenate(v) for k, v in outs.items()}


# ---- bag (pathology + optional genomics) training ------------------------------------------------------------

@dataclass
class BagSample:
    features: np.ndarray        # [N, D]
    z: np.ndarray               # [G]
    mask: np.ndarray            # [G]
    has_genomics: bool
    grade: int
    klass: int
    bin: int
    event: int
    time: float


def train_bags(samples: Sequence[BagSample], model_cfg: UMEMLConfig, cfg: TrainConfig, log=None) -> UMEML:
    """Fused training, one patient (bag) per step with gradient accumulation over batch_size patients.

    Cox needs a risk set, so w_cox is ignored here. Modality dropout removes one of the two modalities when both
    are present, which trains the learned absent tokens for slide-only and genomics-only use.
    """
    gen = seed_everything(cfg.seed)
    model = UMEML(model_cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ema = _Ema(model, cfg.ema) if cfg.ema > 0 else None
    cfg_nocox = copy.copy(cfg)
    cfg_nocox.w_cox = 0.0
    n = len(samples)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen).tolist()
        total = 0.0
        opt.zero_grad()
        for step, i in enumerate(perm):
            s = samples[i]
            feats = torch.tensor(s.features)
            if feats.shape[0] > cfg.max_patches:
                feats = feats[torch.randperm(feats.shape[0], generator=gen)[:cfg.max_patches]]
            n_p = feats.shape[0]
            present = [1.0 if n_p > 0 else 0.0, 1.0 if s.has_genomics else 0.0]
            if present == [1.0, 1.0] and float(torch.rand(1, generator=gen)) < cfg.modality_drop:
                present[int(torch.randint(0, 2, (1,), generator=gen))] = 0.0
            z, m = torch.tensor(s.z)[None], torch.tensor(s.mask)[None]
            if present[1]:
                z, m = augment_missing(z, m, model_cfg.group_sizes, cfg, gen)
            out = model(feats[None], torch.ones(1, n_p), z, m, torch.tensor([present]))
            lt = lambda v: torch.tensor([v], dtype=torch.long)
            losses = task_losses(out, lt(s.grade), lt(s.klass), lt(s.bin), lt(s.event),
                                 torch.tensor([s.time], dtype=torch.float32), cfg_nocox)
            loss = losses["task"]
            if cfg.gamma_mod > 0 and present[0] and n_p >= 2:
                sub = torch.randperm(n_p, generator=gen)[:cfg.mod_max_patches]
                loss = loss + cfg.gamma_mod * modularity_loss(
                    out["patch_embeddings"][:, sub], torch.ones(1, len(sub)), out["prototypes"],
                    out["genomic_tokens"] if present[1] else None, model_cfg.assign_tau, cfg.mod_alpha, cfg.mod_beta)
            (loss / cfg.batch_size).backward()
            total += float(loss)
            if (step + 1) % cfg.batch_size == 0 or step == n - 1:
                opt.step()
                opt.zero_grad()
                if ema is not None:
                    ema.update(model)
        if log is not None:
            log(f"epoch {epoch + 1}/{cfg.epochs} loss {total / max(n, 1):.4f}")
    if ema is not None:
        model.load_state_dict(ema.shadow)
    model.eval()
    return model
