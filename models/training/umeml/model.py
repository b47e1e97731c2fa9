"""UMEML network (Unified Modeling Enhanced Multimodal Learning), ONNX-exportable.

Follows the paper and its official code (HarveyYi/MMDP, models/umeml.py) in structure:
  pathology: patches [B,N,D] -> Linear(D,256)+ReLU -> P=5 learnable prototype queries cross-attend to the patches
             (2 blocks, cost linear in N) -> [cls | prototypes] self-attention -> LayerNorm
  genomics:  feature groups -> one token per group -> [cls | tokens] self-attention layers -> LayerNorm
  decoder:   2 self-attention layers over [path cls + prototypes | R=3 registers | gen cls + gen tokens]
  fusion:    gated bilinear fusion of the two class tokens -> heads (grade 3, class 6, hazards 4)

Deliberate departures, all for robustness/export (see docs/model.md):
  * explicit key masks everywhere; padded patches get exactly zero attention (the official code pads bags with
    -10000 feature values and no mask, which leaks padding into the prototypes);
  * the prototype cross-attention has a learned "null" key/value slot, so N = 0 (no patches) and fully padded
    bags are well defined: the prototypes then attend only to the null slot;
  * learned "absent" tokens replace a missing modality, which is also masked out of the decoder's keys;
  * the official BilinearFusion allocates torch.cuda tensors; this one is device-agnostic;
  * S(t) = cumprod(1 - h) is unrolled over the 4 bins (CumProd is not an ONNX op);
  * temperature scaling is a buffer applied inside the graph, so exported probabilities are calibrated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, asdict
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F

from .clinical import ClinicalPath

# Additive bias for masked keys. Masked probabilities are also multiplied by the mask, so they are exactly 0.
MASK_BIAS = -1e9


@dataclass
class UMEMLConfig:
    patch_dim: int = 1280
    group_sizes: List[int] = field(default_factory=lambda: [2, 41, 37, 1])
    group_names: List[str] = field(default_factory=lambda: ["marker", "gene_cnv", "arm_cnv", "clinical"])
    dim: int = 256
    heads: int = 8
    cross_heads: int = 1          # the official prototype generator uses single-head attention
    prototypes: int = 5
    registers: int = 3
    cross_blocks: int = 2
    path_layers: int = 1
    gen_layers: int = 2
    decoder_layers: int = 2
    dropout: float = 0.25
    attn_dropout: float = 0.1
    fusion_scale: int = 8
    n_grade: int = 3
    n_class: int = 6
    n_bins: int = 4
    assign_tau: float = 0.1       # temperature of the cosine soft assignment used for patch_assignment / L_mod
    # feature id -> position in the genomic vector for the linear clinical path (umeml/clinical.py); {} = no path
    clinical_index: Dict[str, int] = field(default_factory=dict)

    @property
    def genomic_dim(self) -> int:
        return int(sum(self.group_sizes))

    def to_dict(self) -> dict:
        return asdict(self)


def masked_softmax(scores: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
    """Softmax over the last axis restricted to keys with mask 1. The axis must be non-empty."""
    scores = scores + (1.0 - key_mask) * MASK_BIAS
    m = torch.amax(scores, dim=-1, keepdim=True)
    e = torch.exp(scores - m) * key_mask
    return e / torch.clamp(e.sum(dim=-1, keepdim=True), min=1e-30)


class Attention(nn.Module):
    """Multi-head attention with an explicit key mask and an optional learned null key/value slot."""

    def __init__(self, dim: int, heads: int, attn_dropout: float, null_slot: bool = False):
        super().__init__()
        assert dim % heads == 0
        self.dim, self.heads, self.head_dim = dim, heads, dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.drop = nn.Dropout(attn_dropout)
        self.null_slot = null_slot
        if null_slot:
            self.null_k = nn.Parameter(torch.zeros(1, 1, dim))
            self.null_v = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x_q: torch.Tensor, x_kv: torch.Tensor, key_mask: torch.Tensor):
        """x_q [B,Q,d], x_kv [B,K,d] (K may be 0 if null_slot), key_mask [B,K] -> (out [B,Q,d], probs [B,h,Q,K'])."""
        b = x_q.shape[0]
        q = self.q(x_q)
        k = self.k(x_kv)
        v = self.v(x_kv)
        if self.null_slot:
            k = torch.cat([self.null_k.expand(b, -1, -1), k], dim=1)
            v = torch.cat([self.null_v.expand(b, -1, -1), v], dim=1)
            # ones [B,1] derived from the queries, which always exist (the keys may be empty)
            one = torch.ones_like(x_q[:, :1, 0])
            key_mask = torch.cat([one, key_mask], dim=1)
        h, dh = self.heads, self.head_dim
        q = q.reshape(b, -1, h, dh).transpose(1, 2)
        k = k.reshape(b, -1, h, dh).transpose(1, 2)
        v = v.reshape(b, -1, h, dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(dh))
        probs = masked_softmax(scores, key_mask[:, None, None, :])
        out = torch.matmul(self.drop(probs), v)
        out = out.transpose(1, 2).reshape(b, -1, self.dim)
        return self.o(out), probs


class TransLayer(nn.Module):
    """Pre-norm self-attention with a residual, as the official TransLayer (which has no feed-forward block)."""

    def __init__(self, dim: int, heads: int, attn_dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, attn_dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor):
        y = self.norm(x)
        out, probs = self.attn(y, y, key_mask)
        return x + out, probs


class ProtoCrossBlock(nn.Module):
    """Prototype queries attend to the patches: c <- c + LN(attn(c, patches)) (official PathProtoGenerator)."""

    def __init__(self, dim: int, heads: int, attn_dropout: float):
        super().__init__()
        self.attn = Attention(dim, heads, attn_dropout, null_slot=True)
        self.norm = nn.LayerNorm(dim)

    def forward(self, c: torch.Tensor, x: torch.Tensor, mask: torch.Tensor):
        out, probs = self.attn(c, x, mask)
        return c + self.norm(out), probs


class GatedBilinearFusion(nn.Module):
    """Gated bilinear fusion of two vectors (Pathomic Fusion / UMEML BilinearFusion, gates from a linear layer
    on [v1, v2]), device-agnostic: the constant 1 appended before the outer product is built from the input."""

    def __init__(self, dim: int, scale: int, mmhid: int, dropout: float):
        super().__init__()
        d = dim // scale
        self.h1 = nn.Sequential(nn.Linear(dim, d), nn.ReLU())
        self.z1 = nn.Linear(2 * dim, d)
        self.o1 = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Dropout(dropout))
        self.h2 = nn.Sequential(nn.Linear(dim, d), nn.ReLU())
        self.z2 = nn.Linear(2 * dim, d)
        self.o2 = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Dropout(dropout))
        self.post_drop = nn.Dropout(dropout)
        self.enc1 = nn.Sequential(nn.Linear((d + 1) * (d + 1), mmhid), nn.ReLU(), nn.Dropout(dropout))
        self.enc2 = nn.Sequential(nn.Linear(mmhid, mmhid), nn.ReLU(), nn.Dropout(dropout))

    def forward(self, v1: torch.Tensor, v2: torch.Tensor) -> torch.Tensor:
        cat = torch.cat([v1, v2], dim=1)
        o1 = self.o1(torch.sigmoid(self.z1(cat)) * self.h1(v1))
        o2 = self.o2(torch.sigmoid(self.z2(cat)) * self.h2(v2))
        one = torch.ones_like(o1[:, :1])
        o1 = torch.cat([o1, one], dim=1)
        o2 = torch.cat([o2, one], dim=1)
        outer = (o1.unsqueeze(2) * o2.unsqueeze(1)).flatten(start_dim=1)
        return self.enc2(self.enc1(self.post_drop(outer)))


def cosine_assignment(x: torch.Tensor, centres: torch.Tensor, tau: float) -> torch.Tensor:
    """Soft assignment S [B,N,K] = softmax_k(cos(x_i, c_k) / tau); rows sum to 1."""
    xn = F.normalize(x, dim=-1)
    cn = F.normalize(centres, dim=-1)
    return torch.softmax(torch.matmul(xn, cn.transpose(1, 2)) / tau, dim=-1)


class UMEML(nn.Module):
    def __init__(self, cfg: UMEMLConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.dim
        self.path_proj = nn.Sequential(nn.Linear(cfg.patch_dim, d), nn.ReLU(), nn.Dropout(cfg.dropout))
        self.prototypes = nn.Parameter(torch.empty(1, cfg.prototypes, d).uniform_(-1.0 / cfg.prototypes, 1.0 / cfg.prototypes))
        self.cross = nn.ModuleList([ProtoCrossBlock(d, cfg.cross_heads, cfg.attn_dropout) for _ in range(cfg.cross_blocks)])
        self.path_cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.path_layers = nn.ModuleList([TransLayer(d, cfg.heads, cfg.attn_dropout) for _ in range(cfg.path_layers)])
        self.path_norm = nn.LayerNorm(d)

        # one embedder per genomic group; input = [values, observed-mask] so imputation is visible to the model
        self.gen_embed = nn.ModuleList([
            nn.Sequential(nn.Linear(2 * n, d), nn.ReLU(), nn.Dropout(cfg.dropout)) for n in cfg.group_sizes])
        self.gen_cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.gen_layers = nn.ModuleList([TransLayer(d, cfg.heads, cfg.attn_dropout) for _ in range(cfg.gen_layers)])
        self.gen_norm = nn.LayerNorm(d)

        n_path_tok = 1 + cfg.prototypes
        n_gen_tok = 1 + len(cfg.group_sizes)
        self.path_absent = nn.Parameter(torch.randn(1, n_path_tok, d) * 0.02)
        self.gen_absent = nn.Parameter(torch.randn(1, n_gen_tok, d) * 0.02)
        self.registers = nn.Parameter(torch.randn(1, cfg.registers, d) * 0.02)
        self.decoder = nn.ModuleList([TransLayer(d, cfg.heads, cfg.attn_dropout) for _ in range(cfg.decoder_layers)])

        self.fusion = GatedBilinearFusion(d, cfg.fusion_scale, d, cfg.dropout)
        self.grade_head = nn.Linear(d, cfg.n_grade)
        self.class_head = nn.Linear(d, cfg.n_class)
        self.hazard_head = nn.Linear(d, cfg.n_bins)
        self.register_buffer("grade_temperature", torch.ones(1))
        self.clinical = None
        if cfg.clinical_index:
            self.clinical = ClinicalPath(cfg.clinical_index, cfg.n_grade, cfg.n_class)
            # deep heads start at zero: the untrained model is exactly the (ridge-initialised) linear clinical
            # model, and the deep path only adds what training finds beyond it
            for head in (self.grade_head, self.class_head, self.hazard_head):
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)
        self.register_buffer("class_temperature", torch.ones(1))

    # ---- encoders -------------------------------------------------------------------------------------------
    def encode_pathology(self, patches: torch.Tensor, mask: torch.Tensor):
        b = patches.shape[0]
        h = self.path_proj(patches)                                   # [B,N,d]
        c = self.prototypes.expand(b, -1, -1)                          # [B,P,d]
        probs = None
        for blk in self.cross:
            c, probs = blk(c, h, mask)                                 # probs [B,hc,P,1+N]
        tokens = torch.cat([self.path_cls.expand(b, -1, -1), c], dim=1)
        ones = torch.ones_like(tokens[:, :, 0])
        for layer in self.path_layers:
            tokens, _ = layer(tokens, ones)
        return self.path_norm(tokens), h, c, probs

    def encode_genomics(self, genomics: torch.Tensor, gmask: torch.Tensor):
        b = genomics.shape[0]
        toks = []
        start = 0
        for n, emb in zip(self.cfg.group_sizes, self.gen_embed):
            toks.append(emb(torch.cat([genomics[:, start:start + n], gmask[:, start:start + n]], dim=1)).unsqueeze(1))
            start += n
        gen_tokens = torch.cat(toks, dim=1)                            # [B,T,d]
        tokens = torch.cat([self.gen_cls.expand(b, -1, -1), gen_tokens], dim=1)
        ones = torch.ones_like(tokens[:, :, 0])
        for layer in self.gen_layers:
            tokens, _ = layer(tokens, ones)
        return self.gen_norm(tokens)

    # ---- full forward -------------------------------------------------------------------------------------
    def forward(self, patch_features: torch.Tensor, patch_mask: torch.Tensor, genomics: torch.Tensor,
                genomics_mask: torch.Tensor, modality_present: torch.Tensor) -> Dict[str, torch.Tensor]:
        cfg = self.cfg
        b = genomics.shape[0]
        patch_mask = patch_mask.to(patch_features.dtype)
        pp = modality_present[:, 0:1]                                  # [B,1]
        pg = modality_present[:, 1:2]
        # a bag with pathology flagged absent contributes nothing, even through the patch outputs
        eff_mask = patch_mask * pp

        if self.training and patch_features.shape[1] == 0 and not bool((pp > 0).any()):
            # training shortcut (never taken in eval/export): with pathology absent for the whole batch the
            # encoder output is replaced by the absent tokens anyway, so skip computing it
            path_tokens = self.path_absent.expand(b, -1, -1)
            h_patch = patch_features.new_zeros(b, 0, cfg.dim)
            protos = self.prototypes.expand(b, -1, -1)
            cross_probs = patch_features.new_zeros(b, cfg.cross_heads, cfg.prototypes, 1)
        else:
            path_tokens, h_patch, protos, cross_probs = self.encode_pathology(patch_features, eff_mask)
        gen_encoded = self.encode_genomics(genomics, genomics_mask)
        n_pt, n_gt = path_tokens.shape[1], gen_encoded.shape[1]
        path_tokens = pp.unsqueeze(2) * path_tokens + (1.0 - pp.unsqueeze(2)) * self.path_absent.expand(b, -1, -1)
        gen_tokens = pg.unsqueeze(2) * gen_encoded + (1.0 - pg.unsqueeze(2)) * self.gen_absent.expand(b, -1, -1)

        x = torch.cat([path_tokens, self.registers.expand(b, -1, -1), gen_tokens], dim=1)
        key_mask = torch.cat([pp.expand(-1, n_pt), torch.ones_like(x[:, :cfg.registers, 0]), pg.expand(-1, n_gt)], dim=1)
        probs = None
        for layer in self.decoder:
            x, probs = layer(x, key_mask)
        g0 = n_pt + cfg.registers
        t_path = x[:, 0]
        t_gen = x[:, g0]

        fused = self.fusion(t_path, t_gen)
        grade_logits = self.grade_head(fused)
        class_logits = self.class_head(fused)
        hazard_logits = self.hazard_head(fused)
        if self.clinical is not None:
            lin_s, lin_g, lin_c = self.clinical(genomics, genomics_mask, pg)
            grade_logits = grade_logits + lin_g
            class_logits = class_logits + lin_c
            hazard_logits = hazard_logits + lin_s          # one shift for every bin: monotone in the risk
        hazards = torch.sigmoid(hazard_logits)
        surv = []
        s = torch.ones_like(hazards[:, 0])
        for j in range(cfg.n_bins):
            s = s * (1.0 - hazards[:, j])
            surv.append(s.unsqueeze(1))
        survival = torch.cat(surv, dim=1)
        risk = -survival.sum(dim=1)

        # per-patch outputs for heatmaps
        assign = cosine_assignment(h_patch, protos, cfg.assign_tau) * eff_mask.unsqueeze(2)
        att = cross_probs[:, :, :, 1:].mean(dim=2).mean(dim=1) * eff_mask          # drop the null slot
        att = att / torch.clamp(att.sum(dim=1, keepdim=True), min=1e-30)

        # modality contributions: attention of the two class tokens to each modality's tokens, last decoder layer
        cls_rows = torch.cat([probs[:, :, 0:1, :], probs[:, :, g0:g0 + 1, :]], dim=2).mean(dim=2).mean(dim=1)  # [B,L]
        m_path = cls_rows[:, :n_pt].sum(dim=1, keepdim=True) * pp
        m_gen = cls_rows[:, g0:].sum(dim=1, keepdim=True) * pg
        contrib = torch.cat([m_path, m_gen], dim=1)
        contrib = contrib / torch.clamp(contrib.sum(dim=1, keepdim=True), min=1e-12)

        return {
            "grade_logits": grade_logits,
            "class_logits": class_logits,
            "hazard_logits": hazard_logits,
            "grade_probs": torch.softmax(grade_logits / self.grade_temperature, dim=1),
            "class_probs": torch.softmax(class_logits / self.class_temperature, dim=1),
            "hazards": hazards,
            "survival": survival,
            "risk": risk,
            "patch_assignment": assign,
            "patch_attention": att,
            "modality_contributions": contrib,
            # internals for the modularity loss (training only)
            "patch_embeddings": h_patch,
            "prototypes": protos,
            "genomic_tokens": gen_encoded[:, 1:],
            "effective_patch_mask": eff_mask,
        }


ONNX_INPUTS = ["patch_features", "patch_mask", "genomics", "genomics_mask", "modality_present"]
ONNX_OUTPUTS = ["grade_probs", "class_probs", "hazards", "survival", "risk",
                "patch_assignment", "patch_attention", "modality_contributions"]


class ExportWrapper(nn.Module):
    """Positional inputs/outputs in the order of docs/model-package.md, for torch.onnx.export."""

    def __init__(self, model: UMEML):
        super().__init__()
        self.model = model

    def forward(self, patch_features, patch_mask, genomics, genomics_mask, modality_present):
        out = self.model(patch_features, patch_mask, genomics, genomics_mask, modality_present)
        return tuple(out[k] for k in ONNX_OUTPUTS)
